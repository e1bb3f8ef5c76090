"""Checking a payment order before it is built, reporting every problem at once.

A clerk fixing a rejected payment run wants the whole list, not one problem per attempt:
each check adds a :class:`Problem` (which transaction, which field, what is wrong) and
:func:`validate_payment_order` raises them together in :class:`PaymentOrderInvalid`.

Rules (SEPA rulebooks and the ISO 20022 schemas):

* IBAN and BIC by their structure and check digits (``schwifty``); the BIC is optional.
* SEPA creditor identifiers by their MOD 97-10 check digits.
* Amounts in EUR, positive, at most two decimals, at most 999 999 999.99.
* Identifiers (message, payment information, end-to-end, instruction, mandate): 1-35
  characters of the EPC character set, not starting or ending with ``/``, without ``//``;
  end-to-end IDs unique within the order.
* Free text (names, addresses, remittance) transliterated into the EPC character set where
  possible, then within its length: names 70, remittance 140, street 70, town 35, post code
  and building number 16, at most two address lines of 70.
* Dates: the requested execution or collection date is a TARGET2 business day and not before
  ``today``; direct debits need at least one business day of lead time (Core and B2B);
  a mandate cannot be signed after ``today`` or after the collection.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from banking.formats.business_days import add_business_days, is_target_business_day
from banking.formats.creditor_id import is_valid_creditor_id
from banking.formats.creditor_reference import is_valid_creditor_reference
from banking.formats.epc_text import UntransliterableText, is_epc_text, to_epc_text
from banking.formats.errors import FormatError
from banking.formats.money import Money
from banking.formats.payment_order import (
    LOCAL_INSTRUMENTS,
    SEQUENCE_TYPES,
    AccountHolder,
    CreditTransfer,
    CreditTransferOrder,
    DirectDebit,
    DirectDebitOrder,
    PostalAddress,
)

MAX_AMOUNT = Decimal("999999999.99")
SEPA_CURRENCY = "EUR"
CREDIT_TRANSFER_VERSIONS = ("pain.001.001.09", "pain.001.001.03")
DIRECT_DEBIT_VERSIONS = ("pain.008.001.08", "pain.008.001.02")

_CODE = re.compile(r"^[A-Z0-9]{1,4}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_SEQUENCE_SUFFIX_LENGTH = len("-FRST")
_MAX_ADDRESS_LINES = 2


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an order; ``transaction_index`` is None for the order itself."""

    transaction_index: int | None
    end_to_end_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = (
            "order" if self.transaction_index is None else f"transaction {self.transaction_index}"
        )
        reference = f" ({self.end_to_end_id})" if self.end_to_end_id else ""
        return f"{where}{reference}: {self.field} {self.message}"


class PaymentOrderInvalid(FormatError):
    """The order cannot be sent; ``problems`` lists every reason."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


def validate_payment_order(order: CreditTransferOrder | DirectDebitOrder, *, today: date) -> None:
    """Raise :class:`PaymentOrderInvalid` with every problem of ``order``, if it has any."""
    problems = find_problems(order, today=today)
    if problems:
        raise PaymentOrderInvalid(problems)


def find_problems(
    order: CreditTransferOrder | DirectDebitOrder, *, today: date
) -> tuple[Problem, ...]:
    """Return every problem of ``order`` (empty when it can be sent), checked against ``today``."""
    check = _Checker()
    if isinstance(order, CreditTransferOrder):
        _check_credit_transfer_order(check, order, today)
    else:
        _check_direct_debit_order(check, order, today)
    return tuple(check.problems)


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.index: int | None = None
        self.end_to_end_id: str | None = None

    def at(self, index: int | None, end_to_end_id: str | None) -> None:
        self.index, self.end_to_end_id = index, end_to_end_id

    def add(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.index, self.end_to_end_id, field, message))

    def identifier(self, field: str, value: str | None, *, required: bool = True) -> None:
        if not value:
            if required:
                self.add(field, "is required")
            return
        if len(value) > 35:
            self.add(field, f"has {len(value)} characters, more than 35")
        if not is_epc_text(value):
            self.add(field, "may only use a-z A-Z 0-9 / - ? : ( ) . , ' + and space")
        if value.startswith("/") or value.endswith("/") or "//" in value:
            self.add(field, "must not start or end with '/' or contain '//'")

    def text(
        self, field: str, value: str | None, max_length: int, *, required: bool = False
    ) -> None:
        if value is None or not value.strip():
            if required:
                self.add(field, "is required")
            return
        try:
            transliterated = to_epc_text(value)
        except UntransliterableText as error:
            self.add(field, f"cannot be sent: {error}")
            return
        if required and not transliterated:
            self.add(field, "has no characters that can be sent")
        if len(transliterated) > max_length:
            length = len(transliterated)
            self.add(field, f"has {length} characters (transliterated), more than {max_length}")

    def code(self, field: str, value: str | None) -> None:
        if value is not None and not _CODE.match(value):
            self.add(field, "must be an ISO code of 1-4 upper-case letters or digits")

    def iban(self, field: str, value: str | None) -> None:
        if not value:
            self.add(field, "is required")
            return
        try:
            IBAN(value)
        except SchwiftyException as error:
            self.add(field, f"is not a valid IBAN: {error}")

    def bic(self, field: str, value: str | None) -> None:
        if value is None:
            return
        try:
            BIC(value)
        except SchwiftyException as error:
            self.add(field, f"is not a valid BIC: {error}")

    def amount(self, field: str, money: Money) -> None:
        if money.currency != SEPA_CURRENCY:
            self.add(field, f"must be in {SEPA_CURRENCY} for SEPA, not {money.currency}")
        amount = money.amount
        if not amount.is_finite() or amount <= 0:
            self.add(field, "must be positive")
            return
        if amount > MAX_AMOUNT:
            self.add(field, f"must be at most {MAX_AMOUNT}")
        elif amount != amount.quantize(Decimal("0.01")):
            self.add(field, "must have at most two decimals")

    def account_holder(self, field: str, holder: AccountHolder) -> None:
        self.text(f"{field}.name", holder.name, 70, required=True)
        self.iban(f"{field}.iban", holder.iban)
        self.bic(f"{field}.bic", holder.bic)
        if holder.address is not None:
            self.address(f"{field}.address", holder.address)

    def address(self, field: str, address: PostalAddress) -> None:
        if address.country is not None and not _COUNTRY.match(address.country):
            self.add(f"{field}.country", "must be an ISO 3166 two-letter country code")
        self.text(f"{field}.street_name", address.street_name, 70)
        self.text(f"{field}.building_number", address.building_number, 16)
        self.text(f"{field}.post_code", address.post_code, 16)
        self.text(f"{field}.town_name", address.town_name, 35)
        if len(address.address_lines) > _MAX_ADDRESS_LINES:
            self.add(
                f"{field}.address_lines", f"may have at most {_MAX_ADDRESS_LINES} lines in SEPA"
            )
        for number, line in enumerate(address.address_lines):
            self.text(f"{field}.address_lines[{number}]", line, 70)

    def business_day(self, field: str, value: date, earliest: date) -> None:
        if not is_target_business_day(value):
            self.add(field, f"{value.isoformat()} is not a TARGET2 business day")
        if value < earliest:
            self.add(
                field, f"{value.isoformat()} is before the earliest possible {earliest.isoformat()}"
            )

    def remittance(self, transaction: CreditTransfer | DirectDebit) -> None:
        self.text("remittance_information", transaction.remittance_information, 140)
        reference = transaction.creditor_reference
        if reference is not None and not is_valid_creditor_reference(reference):
            self.add("creditor_reference", "is not a valid ISO 11649 (RF) creditor reference")
        if reference is not None and transaction.remittance_information:
            self.add(
                "remittance_information", "must not be given together with a creditor reference"
            )


def _check_order_header(check: _Checker, order: CreditTransferOrder | DirectDebitOrder) -> None:
    check.identifier("message_id", order.message_id)
    check.identifier("payment_information_id", order.payment_information_id)
    if order.created_at.tzinfo is None or order.created_at.utcoffset() is None:
        check.add("created_at", "must be an aware date-time")
    check.text("initiating_party", order.initiating_party, 70, required=True)
    check.code("category_purpose", order.category_purpose)
    if not order.transactions:
        check.add("transactions", "must not be empty")
    seen: set[str] = set()
    for transaction in order.transactions:
        if transaction.end_to_end_id in seen:
            check.add("transactions", f"end-to-end ID {transaction.end_to_end_id!r} is used twice")
        seen.add(transaction.end_to_end_id)


def _check_transaction(check: _Checker, transaction: CreditTransfer | DirectDebit) -> None:
    check.identifier("end_to_end_id", transaction.end_to_end_id)
    check.identifier("instruction_id", transaction.instruction_id, required=False)
    check.amount("amount", transaction.amount)
    check.remittance(transaction)
    check.code("purpose_code", transaction.purpose_code)
    check.text("ultimate_debtor", transaction.ultimate_debtor, 70)
    check.text("ultimate_creditor", transaction.ultimate_creditor, 70)


def _check_credit_transfer_order(check: _Checker, order: CreditTransferOrder, today: date) -> None:
    _check_order_header(check, order)
    if order.version not in CREDIT_TRANSFER_VERSIONS:
        check.add("version", f"must be one of {', '.join(CREDIT_TRANSFER_VERSIONS)}")
    check.account_holder("debtor", order.debtor)
    check.business_day("requested_execution_date", order.requested_execution_date, today)
    for index, transaction in enumerate(order.transactions):
        check.at(index, transaction.end_to_end_id)
        _check_transaction(check, transaction)
        check.account_holder("creditor", transaction.creditor)
    check.at(None, None)


def _check_direct_debit_order(check: _Checker, order: DirectDebitOrder, today: date) -> None:
    _check_order_header(check, order)
    if order.version not in DIRECT_DEBIT_VERSIONS:
        check.add("version", f"must be one of {', '.join(DIRECT_DEBIT_VERSIONS)}")
    sequence_types = {transaction.sequence_type for transaction in order.transactions}
    if len(sequence_types) > 1 and len(order.payment_information_id) > 35 - _SEQUENCE_SUFFIX_LENGTH:
        check.add(
            "payment_information_id",
            "may have at most 30 characters when several sequence types need their own block",
        )
    check.account_holder("creditor", order.creditor)
    if not is_valid_creditor_id(order.creditor_id):
        check.add("creditor_id", "is not a valid SEPA creditor identifier")
    if order.local_instrument not in LOCAL_INSTRUMENTS:
        check.add("local_instrument", "must be CORE or B2B")
    # The bank must have the collection at least one TARGET2 business day before it is due.
    earliest = add_business_days(today, 1)
    check.business_day("requested_collection_date", order.requested_collection_date, earliest)
    for index, transaction in enumerate(order.transactions):
        check.at(index, transaction.end_to_end_id)
        _check_transaction(check, transaction)
        check.account_holder("debtor", transaction.debtor)
        if transaction.sequence_type not in SEQUENCE_TYPES:
            check.add("sequence_type", f"must be one of {', '.join(SEQUENCE_TYPES)}")
        mandate = transaction.mandate
        check.identifier("mandate.mandate_id", mandate.mandate_id)
        if mandate.signed_on > today:
            check.add("mandate.signed_on", f"{mandate.signed_on.isoformat()} is in the future")
        if mandate.signed_on > order.requested_collection_date:
            check.add("mandate.signed_on", "is after the collection date")
        amendment = mandate.amendment
        if amendment is not None:
            check.identifier(
                "mandate.amendment.original_mandate_id",
                amendment.original_mandate_id,
                required=False,
            )
            if amendment.original_creditor_id is not None and not is_valid_creditor_id(
                amendment.original_creditor_id
            ):
                check.add(
                    "mandate.amendment.original_creditor_id",
                    "is not a valid SEPA creditor identifier",
                )
            check.text(
                "mandate.amendment.original_creditor_name", amendment.original_creditor_name, 70
            )
            if amendment.original_debtor_iban is not None:
                check.iban("mandate.amendment.original_debtor_iban", amendment.original_debtor_iban)
    check.at(None, None)
