"""The ledger's plain values: accounts, bookings and the documents it hands out."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Document:
    """A file for download: a statement, report, notification or status report."""

    file_name: str
    content: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountInfo:
    """An account of a partner as the bank's HTD/HKD answers describe it."""

    iban: str
    bic: str
    currency: str
    holder_name: str
    number: str
    description: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TransactionCode:
    """ISO bank transaction code (domain/family/sub-family), SWIFT type and German GVC."""

    domain: str
    family: str
    sub_family: str
    swift: str
    gvc: str
    posting_text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Booking:
    """One booked transaction on an account.

    ``amount`` is positive; ``is_credit`` says the direction. Bookings sharing a
    ``batch_reference`` form one batch entry on statements. ``reference`` is the bank's own
    unique reference (account servicer reference).
    """

    iban: str
    booking_date: date
    value_date: date
    amount: Decimal
    currency: str
    is_credit: bool
    code: TransactionCode
    reference: str
    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    counterparty_bic: str | None = None
    remittance_information: str | None = None
    creditor_reference: str | None = None
    end_to_end_id: str | None = None
    mandate_id: str | None = None
    creditor_id: str | None = None
    return_reason: str | None = None
    is_reversal: bool = False
    batch_reference: str | None = None
    message_id: str | None = None
