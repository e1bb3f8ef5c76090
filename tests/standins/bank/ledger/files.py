"""Building blocks for the ledger tests: a settable clock, payment files, XSD checks."""

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from lxml import etree

from banking.formats import build_credit_transfer, build_direct_debit
from banking.formats.money import Money
from banking.formats.payment_order import (
    AccountHolder,
    CreditTransfer,
    CreditTransferOrder,
    DirectDebit,
    DirectDebitOrder,
    Mandate,
)

# A Wednesday: the demo's ten business days before it span two weeks.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
# SEPA collections need a day's notice: the earliest collection date for an order made today.
COLLECTION_DAY = date(2026, 11, 26)
SCHEMAS = Path(__file__).resolve().parents[4].parent / "shared" / "schemas" / "iso20022"
ACME_IBAN = "DE89370400440532013000"
SUPPLIER = AccountHolder(name="Papier Schulze GmbH", iban="NL91ABNA0417164300", bic="ABNANL2A")
CUSTOMER = AccountHolder(name="Mueller Maschinenbau GmbH", iban="DE02120300000000202051")


class Clock:
    """A settable clock: tests move the bank's "now" forward to see later bookings."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def schema(version: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / f"{version}.xsd")))


def schema_errors(version: str, content: bytes) -> str | None:
    """None when ``content`` validates against the XSD of ``version``, else the first error."""
    xsd = schema(version)
    if xsd.validate(etree.fromstring(content)):
        return None
    return str(xsd.error_log.last_error)


def acme(iban: str = ACME_IBAN) -> AccountHolder:
    return AccountHolder(name="Acme GmbH", iban=iban, bic="COBADEFFXXX")


def transfer(number: int, amount: str = "100.00", **changes: object) -> CreditTransfer:
    made = CreditTransfer(
        end_to_end_id=f"ACME-PAY-{number}",
        amount=Money(Decimal(amount), "EUR"),
        creditor=SUPPLIER,
        remittance_information=f"Invoice {number}",
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def credit_transfer_file(*transfers: CreditTransfer, **changes: object) -> bytes:
    order = CreditTransferOrder(
        message_id="ACME-CT-1",
        payment_information_id="ACME-PMT-1",
        created_at=NOW,
        initiating_party="Acme GmbH",
        debtor=acme(),
        requested_execution_date=TODAY,
        transactions=transfers or (transfer(1), transfer(2, "250.50")),
    )
    return build_credit_transfer(replace(order, **changes), today=TODAY)  # type: ignore[arg-type]


def collection(end_to_end_id: str, amount: str = "25.00", **changes: object) -> DirectDebit:
    made = DirectDebit(
        end_to_end_id=end_to_end_id,
        amount=Money(Decimal(amount), "EUR"),
        debtor=CUSTOMER,
        mandate=Mandate(mandate_id=f"MNDT-{end_to_end_id}", signed_on=date(2025, 5, 1)),
        sequence_type="RCUR",
        creditor_reference="RF18539007547034",
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def direct_debit_file(*collections: DirectDebit, **changes: object) -> bytes:
    order = DirectDebitOrder(
        message_id="ACME-DD-1",
        payment_information_id="ACME-PMT-DD",
        created_at=NOW,
        initiating_party="Acme GmbH",
        creditor=acme(),
        creditor_id="DE98ZZZ09999999999",
        requested_collection_date=COLLECTION_DAY,
        transactions=collections or (collection("DD-1"), collection("DD-2")),
    )
    return build_direct_debit(replace(order, **changes), today=TODAY)  # type: ignore[arg-type]


def first_end_to_end_ids(wanted: Callable[[str], bool], count: int, prefix: str) -> list[str]:
    """The first ``count`` IDs ``prefix-1``, ``prefix-2`` ... for which ``wanted`` holds."""
    found: list[str] = []
    number = 0
    while len(found) < count:
        number += 1
        candidate = f"{prefix}-{number}"
        if wanted(candidate):
            found.append(candidate)
    return found
