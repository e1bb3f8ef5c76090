"""Payment orders for the tests: Acme pays its suppliers and collects from its members."""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from banking.formats.money import Money
from banking.formats.payment_order import (
    AccountHolder,
    CreditTransfer,
    CreditTransferOrder,
    DirectDebit,
    DirectDebitOrder,
    Mandate,
    PostalAddress,
)

TODAY = date(2024, 3, 25)  # a Monday
NEXT_BUSINESS_DAY = date(2024, 3, 26)
CREATED_AT = datetime(2024, 3, 25, 9, 30, tzinfo=UTC)

ACME = AccountHolder(
    name="Acme Trading GmbH",
    iban="DE89370400440532013000",
    bic="COBADEFFXXX",
    address=PostalAddress(
        country="DE",
        street_name="Hauptstrasse",
        building_number="1",
        post_code="10115",
        town_name="Berlin",
    ),
)
SUPPLIER = AccountHolder(name="Supplier B.V.", iban="NL91ABNA0417164300", bic="ABNANL2A")
MEMBER = AccountHolder(name="Member One", iban="DE02120300000000202051")


def euros(amount: str | Decimal) -> Money:
    return Money(Decimal(amount), "EUR")


def payment(number: int = 1, **changes: object) -> CreditTransfer:
    transfer = CreditTransfer(
        end_to_end_id=f"ACME-PAY-{number}",
        amount=euros("100.00"),
        creditor=SUPPLIER,
        remittance_information=f"Invoice {number}",
    )
    return replace(transfer, **changes)  # type: ignore[arg-type]


def credit_transfer_order(*transactions: CreditTransfer, **changes: object) -> CreditTransferOrder:
    order = CreditTransferOrder(
        message_id="ACME-MSG-1",
        payment_information_id="ACME-PMT-1",
        created_at=CREATED_AT,
        initiating_party="Acme Trading GmbH",
        debtor=ACME,
        requested_execution_date=NEXT_BUSINESS_DAY,
        transactions=transactions or (payment(1), payment(2)),
    )
    return replace(order, **changes)  # type: ignore[arg-type]


def collection(number: int = 1, **changes: object) -> DirectDebit:
    debit = DirectDebit(
        end_to_end_id=f"ACME-DD-{number}",
        amount=euros("25.00"),
        debtor=MEMBER,
        mandate=Mandate(mandate_id=f"MANDATE-{number}", signed_on=date(2023, 5, 1)),
        sequence_type="RCUR",
        remittance_information="Membership fee",
    )
    return replace(debit, **changes)  # type: ignore[arg-type]


def direct_debit_order(*transactions: DirectDebit, **changes: object) -> DirectDebitOrder:
    order = DirectDebitOrder(
        message_id="ACME-MSG-2",
        payment_information_id="ACME-PMT-2",
        created_at=CREATED_AT,
        initiating_party="Acme Trading GmbH",
        creditor=ACME,
        creditor_id="DE98ZZZ09999999999",
        requested_collection_date=date(2024, 3, 27),
        transactions=transactions or (collection(1), collection(2)),
    )
    return replace(order, **changes)  # type: ignore[arg-type]
