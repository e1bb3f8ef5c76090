"""The normalised statement model shared by the camt and MT940/MT942 readers.

One model for every statement format: a :class:`Statement` has an account, balances and
:class:`StatementItem` objects, one per booked (or pending) transaction. Amounts are signed:
positive is money into the account, negative is money out.

Sign and reversal rules (the part that is easy to get wrong):

* camt (ISO 20022): the sign comes from ``CdtDbtInd`` alone (``CRDT`` is money in, ``DBIT``
  is money out). ``RvslInd`` only marks the entry as a reversal; ISO's usage rule says that
  a reversal booked as ``CRDT`` undoes an original *debit* and one booked as ``DBIT`` undoes
  an original *credit*. So the indicator describes the reversal booking itself and must not
  flip the sign a second time: a ``DBIT`` entry with ``RvslInd=true`` (a returned incoming
  payment) is money out, a ``CRDT`` with ``RvslInd=true`` (a returned direct debit) is money in.
* MT940/MT942: the debit/credit mark of field ``:61:`` says ``C`` (credit, money in), ``D``
  (debit, money out), ``RC`` (reversal of a credit, booked as a debit: money out) and ``RD``
  (reversal of a debit, booked as a credit: money in). ``EC``/``ED`` (expected credit/debit,
  MT942) are signed like ``C``/``D`` and reported with status ``PDNG``.

In both cases ``is_reversal`` is true for reversal bookings, and the counterparty is the party
of the original payment that is not the account holder.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from banking.formats.money import Money

#: Booked, pending and information-only entries (ISO ``EntryStatus``).
BOOKED = "BOOK"
PENDING = "PDNG"
INFORMATION = "INFO"


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    """The account the statement is about."""

    iban: str | None = None
    other_id: str | None = None
    currency: str | None = None
    bic: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Balance:
    """A balance by ISO type code (``OPBD``, ``PRCD``, ``CLBD``, ``CLAV``, ``ITBD``, ...)."""

    type: str
    amount: Money
    date: dt.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """The period a statement covers; either end may be unknown."""

    from_at: dt.datetime | None = None
    to_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BankTransactionCode:
    """ISO domain/family/sub-family and the bank's proprietary code (e.g. a German GVC)."""

    domain: str | None = None
    family: str | None = None
    sub_family: str | None = None
    proprietary: str | None = None
    issuer: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Party:
    """A counterparty or ultimate party; any part may be missing."""

    name: str | None = None
    iban: str | None = None
    other_account_id: str | None = None
    bic: str | None = None
    bank_code: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Charges:
    """Charges reported with an entry; ``is_included`` is None when the bank does not say."""

    amount: Money
    is_included: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Batch:
    """The batch booking an item was split from.

    ``reference`` is the best identifier the bank gives for the batch (payment-information
    ID, message ID, entry reference or account servicer reference, in that order);
    ``total`` is the signed amount of the whole entry as booked.
    """

    reference: str | None
    entry_reference: str | None
    number_of_transactions: int | None
    total: Money


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementItem:
    """One transaction on a statement (an entry, or one transaction of a batch entry)."""

    amount: Money
    booking_date: dt.date | None = None
    value_date: dt.date | None = None
    status: str = BOOKED
    is_reversal: bool = False
    bank_transaction_code: BankTransactionCode = field(default_factory=BankTransactionCode)
    account_servicer_reference: str | None = None
    end_to_end_id: str | None = None
    transaction_id: str | None = None
    instruction_id: str | None = None
    mandate_id: str | None = None
    creditor_id: str | None = None
    uetr: str | None = None
    counterparty: Party | None = None
    ultimate_counterparty: Party | None = None
    remittance_information: str | None = None
    creditor_reference: str | None = None
    creditor_reference_type: str | None = None
    referred_document_numbers: tuple[str, ...] = ()
    return_reason: str | None = None
    return_information: str | None = None
    charges: Charges | None = None
    batch: Batch | None = None
    original_amount: Money | None = None
    exchange_rate: Decimal | None = None
    additional_information: str | None = None
    customer_reference: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    """A statement, intraday report or debit/credit notification, normalised."""

    message_type: str
    version: str | None = None
    message_id: str | None = None
    statement_id: str | None = None
    account: Account = field(default_factory=Account)
    sequence_number: str | None = None
    legal_sequence_number: str | None = None
    page_number: str | None = None
    created_at: dt.datetime | None = None
    period: Period | None = None
    balances: tuple[Balance, ...] = ()
    items: tuple[StatementItem, ...] = ()
    information: str | None = None
    line: int | None = None

    def balance(self, *types: str) -> Balance | None:
        """Return the first balance whose type is one of ``types`` (in the order given)."""
        for wanted in types:
            for balance in self.balances:
                if balance.type == wanted:
                    return balance
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryError:
    """A part of a file that could not be read; the rest of the file still was.

    ``entry`` names the entry (``#3`` for the third entry of its statement, followed by the
    bank's reference when it has one); it is None for statement-level problems such as a
    malformed balance.
    """

    statement_id: str | None
    entry: str | None
    line: int | None
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ParseResult:
    """All statements of a file with the entries that could be read, and what could not."""

    statements: tuple[Statement, ...]
    errors: tuple[EntryError, ...] = ()
