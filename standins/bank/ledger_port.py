"""What the protocol side needs from the bank's ledger (``standins.bank.ledger``).

The protocol code depends on these structural types only, so it can be tested with a small fake
ledger and never reaches into the ledger's storage.
"""

from collections.abc import Sequence
from datetime import date
from typing import Protocol


class AccountLike(Protocol):
    """An account as the ledger describes it (``standins.bank.ledger.AccountInfo``)."""

    @property
    def iban(self) -> str: ...
    @property
    def bic(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def holder_name(self) -> str: ...
    @property
    def number(self) -> str: ...
    @property
    def description(self) -> str: ...


class DocumentLike(Protocol):
    """A file the ledger produced (``standins.bank.ledger.Document``)."""

    @property
    def file_name(self) -> str: ...
    @property
    def content(self) -> bytes: ...


class LedgerPort(Protocol):
    """The ledger's public interface as the protocol side calls it."""

    def ensure_partner(self, partner_id: str, holder_name: str) -> None: ...

    def accounts(self, partner_id: str) -> Sequence[AccountLike]: ...

    def statements(
        self, partner_id: str, kind: str, start: date, end: date
    ) -> Sequence[DocumentLike]: ...

    def status_reports(self, partner_id: str, start: date, end: date) -> Sequence[DocumentLike]: ...

    def book_upload(self, partner_id: str, kind: str, document: bytes, order_id: str) -> None: ...


def rejection_of(error: Exception) -> tuple[str, str] | None:
    """The (code, message) of a ledger rejection, or None when ``error`` is something else.

    The ledger raises ``LedgerRejected(code, message)``; matching by its attributes keeps this
    module importable before the ledger package exists.
    """
    code = getattr(error, "code", None)
    if type(error).__name__ != "LedgerRejected" or not isinstance(code, str):
        return None
    return code, str(getattr(error, "message", "") or error)
