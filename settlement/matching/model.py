"""The values the matching engine takes and returns.

Everything here is a frozen dataclass: the engine never mutates its input and callers never
mutate its output. Money is `Decimal` in the currency's major unit (euros, not cents); signs
follow the bank's view of the account: a positive statement amount is money in, a positive
open amount is a receivable (money we expect to come in), a negative one a payable or a credit
note.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


class MatchingError(Exception):
    """Base class of every error the matching package raises."""


@dataclass(frozen=True, slots=True)
class InputProblem:
    """One thing wrong with the input: where (`statement_items[3].amount`) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InvalidMatchingInput(MatchingError, ValueError):
    """The input cannot be matched; `problems` lists every problem found, not only the first."""

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        self.problems: tuple[InputProblem, ...] = tuple(problems)
        count = len(self.problems)
        listing = "; ".join(str(problem) for problem in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the input: {listing}")


@dataclass(frozen=True, slots=True)
class StatementItem:
    """One booked line of a bank statement (camt.053 entry, MT940 :61:/:86: pair)."""

    id: str
    amount: Decimal
    currency: str
    booking_date: date
    value_date: date | None = None
    counterparty_name: str = ""
    counterparty_iban: str = ""
    remittance_information: str = ""
    end_to_end_id: str = ""
    mandate_id: str = ""
    creditor_reference: str = ""
    bank_transaction_code: str = ""
    is_reversal: bool = False


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An open receivable or payable (an Entry in Salesforce) with what is still open on it.

    `end_to_end_id` and `mandate_id` are set when we collected or paid the item ourselves (a
    direct-debit collection or a payment run); `custom_fields` carries tenant-specific values
    a `custom_field` configuration may look for in the remittance text.
    """

    id: str
    open_amount: Decimal
    currency: str
    document_number: str = ""
    document_date: date | None = None
    due_date: date | None = None
    account_id: str = ""
    account_name: str = ""
    account_number: str = ""
    account_ibans: tuple[str, ...] = ()
    description: str = ""
    payment_reference: str = ""
    end_to_end_id: str = ""
    mandate_id: str = ""
    custom_fields: tuple[tuple[str, str], ...] = ()


class Band(enum.StrEnum):
    """How a suggestion may be used: settled without review, proposed, or to be checked."""

    AUTO = "AUTO"
    SUGGEST = "SUGGEST"
    REVIEW = "REVIEW"


class Criterion(enum.StrEnum):
    """The kinds of evidence a suggestion can rest on."""

    END_TO_END_ID = "end_to_end_id"
    CREDITOR_REFERENCE = "creditor_reference"
    PAYMENT_REFERENCE = "payment_reference"
    DOCUMENT_NUMBER = "document_number"
    CUSTOM_FIELD = "custom_field"
    MANDATE = "mandate"
    CUSTOMER_NUMBER = "customer_number"
    IBAN = "iban"
    NAME = "name"
    AMOUNT = "amount"
    DATE = "date"
    COMBINATION = "combination"
    VOID_AND_REISSUE = "void_and_reissue"
    CONFLICT = "conflict"
    AMBIGUITY = "ambiguity"
    CONFIGURATION = "configuration"


@dataclass(frozen=True, slots=True)
class Span:
    """The characters of a statement field that an evidence item rests on (`text[start:end]`)."""

    field: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason for (or against) a suggestion and what it added to the score.

    `contribution` is in score units: the contributions of a suggestion add up to its score
    before the score is clipped to 0..1. Evidence that only explains (ambiguity, configuration)
    contributes 0.
    """

    criterion: Criterion
    detail: str
    contribution: float
    span: Span | None = None
    open_item_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Allocation:
    """An amount of a statement item applied to one open item.

    `amount` carries the open item's sign and never exceeds its open amount;
    `remaining_open_amount` is what stays open on the item after this allocation.
    """

    open_item_id: str
    amount: Decimal
    remaining_open_amount: Decimal


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another answer for the same statement item, shaped like a suggestion without alternatives."""

    statement_item_id: str
    allocations: tuple[Allocation, ...]
    score: float
    band: Band
    evidence: tuple[Evidence, ...]
    unallocated_amount: Decimal


@dataclass(frozen=True, slots=True)
class Suggestion:
    """What a statement item pays, how sure the engine is, and why.

    `unallocated_amount` is the part of the statement amount no open item takes (an
    overpayment, or a fee or discount shortfall shows up on the open item instead).
    """

    statement_item_id: str
    allocations: tuple[Allocation, ...]
    score: float
    band: Band
    evidence: tuple[Evidence, ...]
    unallocated_amount: Decimal
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True, slots=True)
class Reversal:
    """A return or reversal: it is never matched as a new payment.

    `original_statement_item_id` is the payment it returns when that payment is in the same
    run (both are then left unmatched: the money came back); `open_item_ids` are the open
    items the original payment was for, as far as they can be told.
    """

    statement_item_id: str
    original_statement_item_id: str | None
    open_item_ids: tuple[str, ...]
    detail: str


@dataclass(frozen=True, slots=True)
class MatchStatistics:
    """Counts describing one run; no timings (the engine reads no clock)."""

    statement_items: int = 0
    open_items: int = 0
    suggestions: int = 0
    auto: int = 0
    suggest: int = 0
    review: int = 0
    unmatched_statement_items: int = 0
    unmatched_open_items: int = 0
    reversals: int = 0
    proposals_scored: int = 0
    contested_blocks: int = 0
    combination_searches: int = 0


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The engine's answer: suggestions, what stayed unmatched on both sides, and reversals."""

    suggestions: tuple[Suggestion, ...]
    unmatched_statement_item_ids: tuple[str, ...]
    unmatched_open_item_ids: tuple[str, ...]
    reversals: tuple[Reversal, ...] = ()
    statistics: MatchStatistics = field(default_factory=MatchStatistics)
