"""Review and settlement against the local Salesforce: suggested, accepted once, rejected."""

from decimal import Decimal

import pytest

from portal.models import Tenant
from tests.salesforce_fixtures import sign_in_through_canvas

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ENTRY = "Ledgerlink_Entry__c"
ITEM = "Ledgerlink_Bank_Statement_Item__c"
CAROL = {
    "username": "carol@acme.example",
    "password": "carol-demo-pass",
    "user_id": "0055g00000CClerAAD",
    "full_name": "Carol Clerk",
}


def an_open_invoice(alice, offset=0):
    """An open invoice the demo statement does not already pay, so no other item contests it."""
    paid = list(alice.query(f"SELECT Remittance_Information__c, Counterparty_Name__c FROM {ITEM}"))
    texts = " ".join(
        f"{row['Remittance_Information__c']} {row['Counterparty_Name__c']}".upper() for row in paid
    )
    rows = alice.query(
        "SELECT Id, Document_Number__c, Open_Amount__c, Amount__c, Account__r.Name "
        f"FROM {ENTRY} "
        "WHERE Status__c = 'Open' AND Direction__c = 'Receivable' AND Type__c = 'Invoice' "
        "AND Open_Amount__c > 100 ORDER BY Document_Number__c"
    )
    uncontested = (
        row
        for row in rows
        if row["Document_Number__c"].upper() not in texts
        and row["Account__r"]["Name"].upper()[:20] not in texts
    )
    for _ in range(offset):
        next(uncontested)
    return next(uncontested)


def a_payment_of(alice, invoice, key):
    alice.upsert(
        ITEM,
        "External_Id__c",
        [
            {
                "External_Id__c": key,
                "Booking_Date__c": "2026-11-20",
                "Amount__c": str(invoice["Open_Amount__c"]),
                "Currency__c": "EUR",
                "Credit_Debit__c": "CRDT",
                "Status__c": "BOOK",
                "Match_Status__c": "Unmatched",
                "Counterparty_Name__c": invoice["Account__r"]["Name"].upper(),
                "Remittance_Information__c": f"Rechnung {invoice['Document_Number__c']} danke",
            }
        ],
    )
    return next(iter(alice.query(f"SELECT Id FROM {ITEM} WHERE External_Id__c = '{key}'")))["Id"]


@pytest.fixture
def carol(local_salesforce, client, alice):
    sign_in_through_canvas(client, local_salesforce, **CAROL)
    return client


def test_a_clerk_sees_the_suggestion_and_accepting_twice_settles_once(alice, carol, acme_tenant):
    invoice = an_open_invoice(alice)
    item_id = a_payment_of(alice, invoice, "REVIEW-ACCEPT")
    page = carol.get(f"/matching/review/?q={invoice['Document_Number__c']}").content.decode()
    assert invoice["Document_Number__c"] in page
    assert item_id in page
    form = {
        "statement_item": item_id,
        "entry": invoice["Id"],
        "amount": str(invoice["Open_Amount__c"]),
    }
    carol.post("/matching/review/accept/", form)
    carol.post("/matching/review/accept/", form)
    links = list(
        alice.query(
            "SELECT Id, Amount__c FROM Ledgerlink_Entry_Item__c "
            f"WHERE Entry__c = '{invoice['Id']}' AND External_Id__c LIKE 'LL-IN-%'"
        )
    )
    assert len(links) == 1
    settled = next(
        iter(
            alice.query(
                f"SELECT Open_Amount__c, Status__c FROM {ENTRY} WHERE Id = '{invoice['Id']}'"
            )
        )
    )
    assert Decimal(str(settled["Open_Amount__c"])) == 0
    assert settled["Status__c"] == "Balanced"
    item = next(
        iter(alice.query(f"SELECT Match_Status__c, Payment__c FROM {ITEM} WHERE Id = '{item_id}'"))
    )
    assert item["Match_Status__c"] == "Matched"
    assert item["Payment__c"]
    after = carol.get(f"/matching/review/?q={invoice['Document_Number__c']}").content.decode()
    assert item_id not in after


def test_a_rejected_suggestion_is_remembered_in_salesforce_and_not_shown_again(
    alice, carol, acme_tenant
):
    invoice = an_open_invoice(alice, offset=1)
    item_id = a_payment_of(alice, invoice, "REVIEW-REJECT")
    carol.post("/matching/review/reject/", {"statement_item": item_id, "entry": invoice["Id"]})
    item = next(
        iter(
            alice.query(
                f"SELECT Rejected_Entries__c, Match_Status__c FROM {ITEM} WHERE Id = '{item_id}'"
            )
        )
    )
    assert invoice["Id"] in item["Rejected_Entries__c"]
    assert item["Match_Status__c"] == "Unmatched"
    page = carol.get(f"/matching/review/?q={invoice['Document_Number__c']}").content.decode()
    assert f'name="statement_item" value="{item_id}"' not in page


def test_a_forged_record_id_is_refused_and_nothing_is_written(alice, carol, acme_tenant):
    before = alice.count("SELECT COUNT() FROM Ledgerlink_Payment__c")
    response = carol.post(
        "/matching/review/accept/",
        {"statement_item": "x' OR Id != null", "entry": "a0A000000000001", "amount": "1.00"},
        follow=True,
    )
    assert "not a Salesforce record ID" in response.content.decode()
    assert alice.count("SELECT COUNT() FROM Ledgerlink_Payment__c") == before


def test_more_than_the_open_amount_is_refused(alice, carol, acme_tenant):
    invoice = an_open_invoice(alice, offset=2)
    item_id = a_payment_of(alice, invoice, "REVIEW-TOO-MUCH")
    response = carol.post(
        "/matching/review/accept/",
        {"statement_item": item_id, "entry": invoice["Id"], "amount": "99999999.00"},
        follow=True,
    )
    assert "more than" in response.content.decode()


@pytest.fixture
def acme_tenant(db):
    return Tenant.objects.filter(org_id="00D5g000004ACMEEA4").first()


def test_a_selection_is_accepted_at_once_and_each_settled_once(alice, carol, acme_tenant):
    first = an_open_invoice(alice, offset=3)
    second = an_open_invoice(alice, offset=4)
    first_item = a_payment_of(alice, first, "BULK-1")
    second_item = a_payment_of(alice, second, "BULK-2")
    picks = [
        f"{first_item}|{first['Id']}:{first['Open_Amount__c']}",
        f"{second_item}|{second['Id']}:{second['Open_Amount__c']}",
    ]
    carol.post("/matching/review/accept-many/", {"pick": picks})
    carol.post("/matching/review/accept-many/", {"pick": picks})
    statuses = alice.query(
        f"SELECT Match_Status__c FROM {ITEM} WHERE Id IN ('{first_item}', '{second_item}')"
    )
    assert {row["Match_Status__c"] for row in statuses} == {"Matched"}
    links = alice.count(
        "SELECT COUNT() FROM Ledgerlink_Entry_Item__c "
        f"WHERE Entry__c IN ('{first['Id']}', '{second['Id']}') AND External_Id__c LIKE 'LL-IN-%'"
    )
    assert links == 2


def test_a_whole_band_is_accepted(alice, carol, acme_tenant):
    response = carol.post("/matching/review/accept-band/", {"band": "AUTO"}, follow=True)
    page = response.content.decode()
    assert "AUTO suggestions in Salesforce" in page
    remaining = carol.get("/matching/review/?band=AUTO").content.decode()
    assert 'class="suggestion card"' not in remaining


def test_a_garbled_selection_is_refused(carol, acme_tenant):
    response = carol.post(
        "/matching/review/accept-many/", {"pick": "a0A|nonsense:amount"}, follow=True
    )
    assert "could not be read" in response.content.decode()


def test_a_changed_allocation_settles_only_that_amount(alice, carol, acme_tenant):
    invoice = an_open_invoice(alice, offset=6)
    item_id = a_payment_of(alice, invoice, "REVIEW-PARTIAL")
    open_amount = Decimal(str(invoice["Open_Amount__c"]))
    carol.post(
        "/matching/review/accept/",
        {"statement_item": item_id, "entry": invoice["Id"], "amount": "50.00"},
    )
    after = next(
        iter(
            alice.query(
                f"SELECT Open_Amount__c, Status__c FROM {ENTRY} WHERE Id = '{invoice['Id']}'"
            )
        )
    )
    assert Decimal(str(after["Open_Amount__c"])) == open_amount - Decimal("50.00")
    assert after["Status__c"] == "Open"


def test_a_draft_configuration_is_previewed_on_current_data_without_saving(
    local_salesforce, client, alice
):
    from settlement.models import MatchingConfiguration
    from tests.portal.test_salesforce_sessions import BOB

    sign_in_through_canvas(client, local_salesforce, **BOB)
    draft = {
        "name": "Strict",
        "active": "on",
        "priority": "1",
        "template": "entry_by_document_number",
        "reference_patterns": "",
        "custom_field": "",
        "amount_tolerance_percent": "0",
        "amount_tolerance_absolute": "0",
        "auto_threshold": "0.999",
        "suggest_threshold": "0.990",
        "preview": "1",
    }
    page = client.post("/matching/configurations/new/", draft).content.decode()
    assert "Preview on the org" in page
    assert "would get a different answer" in page
    assert MatchingConfiguration.objects.count() == 0


def test_a_clerk_finds_entries_by_hand_and_splits_a_payment_over_two(alice, carol, acme_tenant):
    first = an_open_invoice(alice, offset=7)
    second = an_open_invoice(alice, offset=8)
    item_id = a_payment_of(alice, first, "BY-HAND")
    page = carol.get(
        f"/matching/review/item/{item_id}/?q={second['Document_Number__c']}"
    ).content.decode()
    assert second["Document_Number__c"] in page
    carol.post(
        "/matching/review/accept/",
        {
            "statement_item": item_id,
            "entry": [first["Id"], second["Id"]],
            "amount": ["10.00", "20.00"],
        },
    )
    links = alice.count(
        "SELECT COUNT() FROM Ledgerlink_Entry_Item__c "
        f"WHERE Entry__c IN ('{first['Id']}', '{second['Id']}') AND External_Id__c LIKE 'LL-IN-%'"
    )
    assert links == 2


def test_an_unknown_item_cannot_be_settled_by_hand(carol, acme_tenant):
    response = carol.get("/matching/review/item/a0A5g0000000000AAA/", follow=True)
    assert "not waiting to be matched" in response.content.decode()
