"""The HTTP transport for EBICS: the only module that sends EBICS messages over the network.

``HttpTransport`` implements ``banking.ebics.client.Transport``: it POSTs one XML request
over TLS (verified) with timeouts and a size limit on the answer, and turns every failure into
``TransportFailed`` with ``retryable`` set, which the client's recovery relies on. It never
logs or puts request or response bodies into error messages: they carry business data.
"""

import requests

from banking.ebics.errors import EbicsError, TransportFailed

#: (connect, read) seconds; the read timeout applies to each wait for data, not the total.
DEFAULT_TIMEOUT = (10.0, 120.0)
#: One EBICS message carries at most one 1 MiB segment plus the envelope; anything near this
#: limit is not an EBICS answer.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
CONTENT_TYPE = "text/xml; charset=UTF-8"
_CHUNK = 64 * 1024


class TransportMisconfigured(EbicsError):
    """The transport was set up in a way Ledgerlink refuses (for example TLS checks off)."""


class HttpTransport:
    """POSTs EBICS requests to one bank URL.

    ``verify`` is True (the system trust store) or the path of a CA bundle, for banks or the
    local bank stand-in with a private CA; turning verification off is refused. ``session``
    may be shared to reuse connections. Raises ``TransportMisconfigured`` for ``verify=False``.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        verify: bool | str = True,
        session: requests.Session | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        if verify is False:
            raise TransportMisconfigured(
                "TLS verification cannot be turned off; pass the path of the bank's CA bundle"
            )
        self._url = url
        self._timeout = timeout
        self._verify = verify
        self._session = session or requests.Session()
        self._max_response_bytes = max_response_bytes

    def close(self) -> None:
        """Close the pooled connections of the session."""
        self._session.close()

    def post(self, body: bytes) -> bytes:
        """Send ``body`` and return the bank's answer.

        Raises ``TransportFailed``: retryable for refused or reset connections, timeouts,
        truncated answers and HTTP 5xx; not retryable for TLS verification failures, other
        HTTP statuses (4xx, redirects) and answers over the size limit.
        """
        try:
            response = self._session.post(
                self._url,
                data=body,
                headers={"Content-Type": CONTENT_TYPE},
                timeout=self._timeout,
                verify=self._verify,
                stream=True,
                # A redirect could send a signed request somewhere else: EBICS has none.
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as error:
            raise TransportFailed(
                f"the bank's TLS certificate could not be verified: {error}", retryable=False
            ) from error
        except (requests.ConnectionError, requests.Timeout) as error:
            raise TransportFailed(
                f"the bank could not be reached: {type(error).__name__}", retryable=True
            ) from error
        except requests.RequestException as error:
            raise TransportFailed(
                f"the request could not be sent: {type(error).__name__}", retryable=False
            ) from error
        with response:
            status = response.status_code
            if status != 200:
                raise TransportFailed(
                    f"the bank answered HTTP {status} {response.reason or ''}".strip(),
                    retryable=status >= 500,
                    status=status,
                )
            return self._read_limited(response)

    def _read_limited(self, response: requests.Response) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self._max_response_bytes:
            raise self._too_large()
        received = bytearray()
        try:
            for chunk in response.iter_content(_CHUNK):
                received += chunk
                if len(received) > self._max_response_bytes:
                    raise self._too_large()
        except (
            requests.exceptions.ChunkedEncodingError,
            requests.ConnectionError,
            requests.Timeout,
        ) as error:
            raise TransportFailed(
                f"the bank's answer was cut off: {type(error).__name__}", retryable=True
            ) from error
        return bytes(received)

    def _too_large(self) -> TransportFailed:
        return TransportFailed(
            f"the bank's answer exceeds {self._max_response_bytes} bytes", retryable=False
        )
