"""The base exception of the EBICS package; subclasses live next to the code raising them.

``TransportFailed`` lives here rather than in ``client`` because the HTTP transport outside
this package raises it and the pure client catches it.
"""


class EbicsError(Exception):
    """Base of every error raised by ``banking.ebics``."""


class TransportFailed(EbicsError):
    """A request could not be delivered or its answer not received.

    ``retryable`` is True when repeating the same request may work (connection refused or
    reset, timeout, truncated answer) and False when it cannot (TLS verification, HTTP 4xx,
    an oversized answer). The message never contains request or response bodies.
    """

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
