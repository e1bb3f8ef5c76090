"""The ledger's one base exception and the rejection the EBICS server turns into a return code."""


class LedgerError(Exception):
    """Anything the ledger raises on purpose."""


class LedgerRejected(LedgerError):
    """An upload the bank refuses, with the EBICS business return code to answer with.

    ``code`` is a six-digit EBICS code such as ``090004`` (invalid order data format) or
    ``091115`` (order ID already exists); ``message`` says why, for logs and the customer.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
