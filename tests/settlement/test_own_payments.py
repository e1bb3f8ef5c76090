"""Payments Ledgerlink sent, as the bank books them, against the local Salesforce."""

from datetime import date
from decimal import Decimal

import pytest

from banking.formats.money import Money
from banking.formats.statement import Account, Statement, StatementItem
from portal.models import Tenant
from settlement.own_payments import apply_bookings
from tests.settlement.test_review import an_open_invoice

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PAYMENT = "Ledgerlink_Payment__c"
LINK = "Ledgerlink_Entry_Item__c"
ENTRY = "Ledgerlink_Entry__c"


@pytest.fixture
def tenant(acme) -> Tenant:
    return acme


def _collected_by_direct_debit(alice, invoice, e2e: str) -> str:
    """What a payment run leaves behind: a Pending payment settling the invoice."""
    amount = str(invoice["Open_Amount__c"])
    alice.upsert(
        PAYMENT,
        "End_To_End_Id__c",
        [
            {
                "End_To_End_Id__c": e2e,
                "Type__c": "Incoming",
                "Status__c": "Pending",
                "Amount__c": amount,
                "Currency__c": "EUR",
            }
        ],
    )
    payment_id = next(
        iter(alice.query(f"SELECT Id FROM {PAYMENT} WHERE End_To_End_Id__c = '{e2e}'"))
    )["Id"]
    alice.upsert(
        LINK,
        "External_Id__c",
        [
            {
                "External_Id__c": f"{e2e}-1",
                "Entry__c": invoice["Id"],
                "Payment__c": payment_id,
                "Amount__c": amount,
            }
        ],
    )
    alice.update(ENTRY, [{"Id": invoice["Id"], "Open_Amount__c": "0", "Status__c": "Balanced"}])
    return payment_id


def _statement(*items: StatementItem) -> Statement:
    return Statement(
        message_type="camt.053",
        statement_id="OWN-1",
        account=Account(iban="DE89370400440532013000", currency="EUR"),
        items=items,
    )


def _booking(e2e: str, amount: str, **changes) -> StatementItem:
    return StatementItem(
        amount=Money(Decimal(amount), "EUR"),
        booking_date=date(2026, 11, 20),
        end_to_end_id=e2e,
        **changes,
    )


def _row(alice, sobject: str, record_id: str, fields: str) -> dict:
    return next(iter(alice.query(f"SELECT {fields} FROM {sobject} WHERE Id = '{record_id}'")))


def test_a_booked_collection_is_collected_and_its_return_reverses_it(alice, tenant):
    invoice = an_open_invoice(alice, offset=9)
    payment_id = _collected_by_direct_debit(alice, invoice, "LL-DD-OWN-1")
    amount = str(invoice["Open_Amount__c"])

    booked = apply_bookings(
        client=alice, tenant=tenant, statements=[_statement(_booking("LL-DD-OWN-1", amount))]
    )
    assert (booked.collected, booked.reversed) == (1, 0)
    assert _row(alice, PAYMENT, payment_id, "Status__c")["Status__c"] == "Collected"

    returned = _statement(
        _booking("LL-DD-OWN-1", f"-{amount}", is_reversal=True, return_reason="MD06")
    )
    outcome = apply_bookings(client=alice, tenant=tenant, statements=[returned])
    assert (outcome.collected, outcome.reversed) == (0, 1)
    payment = _row(alice, PAYMENT, payment_id, "Status__c, Return_Reason__c")
    assert (payment["Status__c"], payment["Return_Reason__c"]) == ("Reversed", "MD06")
    entry = _row(alice, ENTRY, invoice["Id"], "Open_Amount__c, Status__c, Amount__c")
    assert entry["Status__c"] == "Open"
    assert Decimal(str(entry["Open_Amount__c"])) == Decimal(amount)
    link = next(
        iter(alice.query(f"SELECT Amount__c FROM {LINK} WHERE Payment__c = '{payment_id}'"))
    )
    assert Decimal(str(link["Amount__c"])) == 0

    again = apply_bookings(client=alice, tenant=tenant, statements=[returned])
    assert (again.collected, again.reversed) == (0, 0)


def test_a_return_in_the_same_statement_as_the_collection_wins(alice, tenant):
    invoice = an_open_invoice(alice, offset=10)
    payment_id = _collected_by_direct_debit(alice, invoice, "LL-DD-OWN-2")
    amount = str(invoice["Open_Amount__c"])
    statement = _statement(
        _booking("LL-DD-OWN-2", amount),
        _booking("LL-DD-OWN-2", f"-{amount}", is_reversal=True, return_reason="AM04"),
    )
    outcome = apply_bookings(client=alice, tenant=tenant, statements=[statement])
    assert (outcome.collected, outcome.reversed) == (0, 1)
    assert _row(alice, PAYMENT, payment_id, "Status__c")["Status__c"] == "Reversed"


def test_payments_of_others_and_hostile_ids_change_nothing(alice, tenant):
    statement = _statement(
        _booking("NOTPROVIDED", "10.00"),
        _booking("x' OR Status__c != 'y", "12.00"),
        _booking("UNKNOWN-E2E", "-3.00", is_reversal=True),
    )
    outcome = apply_bookings(client=alice, tenant=tenant, statements=[statement])
    assert (outcome.collected, outcome.reversed) == (0, 0)


def test_the_bookings_of_own_payments_leave_the_review(alice, tenant):
    invoice = an_open_invoice(alice, offset=11)
    payment_id = _collected_by_direct_debit(alice, invoice, "LL-DD-OWN-3")
    alice.upsert(
        "Ledgerlink_Bank_Statement_Item__c",
        "External_Id__c",
        [
            {
                "External_Id__c": "OWN-ITEM-3",
                "Booking_Date__c": "2026-11-20",
                "Amount__c": str(invoice["Open_Amount__c"]),
                "Currency__c": "EUR",
                "Status__c": "BOOK",
                "End_To_End_Id__c": "LL-DD-OWN-3",
            }
        ],
    )
    apply_bookings(
        client=alice,
        tenant=tenant,
        statements=[_statement(_booking("LL-DD-OWN-3", str(invoice["Open_Amount__c"])))],
    )
    item = next(
        iter(
            alice.query(
                "SELECT Match_Status__c, Payment__c FROM Ledgerlink_Bank_Statement_Item__c "
                "WHERE External_Id__c = 'OWN-ITEM-3'"
            )
        )
    )
    assert (item["Match_Status__c"], item["Payment__c"]) == ("Matched", payment_id)
