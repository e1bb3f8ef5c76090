"""Who may do what: permission sets per user, field-level security, and orgs kept apart."""

import pytest
import requests

from tests.standins.salesforce.data_api import DataApi, connect, error_code
from tests.standins.salesforce.flows import TIMEOUT
from tests.standins.salesforce.personas import ADMIN, CLERK, FINANCE_MANAGER, OUTSIDER, VIEWER

ENTRY = "Ledgerlink_Entry__c"
ITEM = "Ledgerlink_Entry_Item__c"


@pytest.fixture(scope="module")
def admin_api(local_salesforce) -> DataApi:
    return connect(local_salesforce, ADMIN)


@pytest.fixture(scope="module")
def acme_entry(admin_api) -> str:
    return admin_api.create(ENTRY, External_Id__c="P-ACME", Amount__c=100, Open_Amount__c=100)


@pytest.fixture(scope="module")
def clerk_api(local_salesforce) -> DataApi:
    return connect(local_salesforce, CLERK)


@pytest.fixture(scope="module")
def viewer_api(local_salesforce) -> DataApi:
    return connect(local_salesforce, VIEWER)


@pytest.fixture(scope="module")
def outsider_api(local_salesforce) -> DataApi:
    return connect(local_salesforce, OUTSIDER)


def set_field_security(local_salesforce, persona, field: str, *, readable: bool, editable: bool):
    answer = requests.post(
        local_salesforce.url("/_standin/field-security"),
        json={
            "user_id": persona.user_id,
            "field": field,
            "readable": readable,
            "editable": editable,
        },
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200, answer.text


def test_the_viewer_reads_but_may_not_write(viewer_api, acme_entry):
    read = viewer_api.get(f"sobjects/Ledgerlink_Entry__c/{acme_entry}")
    created = viewer_api.post("sobjects/Ledgerlink_Entry__c", json={"External_Id__c": "P-DAVE"})
    updated = viewer_api.patch(
        f"sobjects/Ledgerlink_Entry__c/{acme_entry}", json={"Open_Amount__c": 1}
    )
    deleted = viewer_api.delete(f"sobjects/Ledgerlink_Entry__c/{acme_entry}")

    assert read.status_code == 200
    for refused in (created, updated, deleted):
        assert refused.status_code == 400
        assert error_code(refused) == "INSUFFICIENT_ACCESS_OR_READONLY"


def test_a_refused_write_in_a_collection_fails_that_record(viewer_api):
    results = viewer_api.post(
        "composite/sobjects",
        json={"records": [{"attributes": {"type": ENTRY}, "External_Id__c": "P-DAVE-2"}]},
    ).json()

    assert results[0]["success"] is False
    assert results[0]["errors"][0]["statusCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"


def test_the_clerk_creates_entry_items_but_not_entries(clerk_api, acme_entry):
    item = clerk_api.post(
        f"sobjects/{ITEM}",
        json={"Entry__c": acme_entry, "Amount__c": 40, "External_Id__c": "P-ITEM-1"},
    )
    entry = clerk_api.post("sobjects/Ledgerlink_Entry__c", json={"External_Id__c": "P-CAROL"})

    assert item.status_code == 201
    assert entry.status_code == 400
    assert error_code(entry) == "INSUFFICIENT_ACCESS_OR_READONLY"


def test_the_clerk_may_lower_an_open_amount_but_not_change_the_amount(clerk_api, acme_entry):
    lowered = clerk_api.patch(
        f"sobjects/Ledgerlink_Entry__c/{acme_entry}", json={"Open_Amount__c": 60}
    )
    changed = clerk_api.patch(f"sobjects/Ledgerlink_Entry__c/{acme_entry}", json={"Amount__c": 1})

    assert lowered.status_code == 204
    assert changed.status_code == 400
    assert changed.json() == [
        {
            "message": "Unable to create/update fields: Amount__c. Please check the security "
            "settings of this field and verify that it is read/write for your profile or "
            "permission set.",
            "errorCode": "INVALID_FIELD_FOR_INSERT_UPDATE",
            "fields": ["Amount__c"],
        }
    ]


def test_only_admin_set_holders_create_accounts_but_everyone_reads_them(clerk_api, admin_api):
    refused = clerk_api.post("sobjects/Account", json={"Name": "Clerk Made GmbH"})
    created = admin_api.post("sobjects/Account", json={"Name": "Admin Made GmbH"})

    assert error_code(refused) == "INSUFFICIENT_ACCESS_OR_READONLY"
    assert created.status_code == 201
    assert clerk_api.query("SELECT Name FROM Account").json()["totalSize"] == 1


def test_describe_tells_the_clerk_what_they_may_do(clerk_api):
    body = clerk_api.get("sobjects/Ledgerlink_Entry__c/describe").json()
    fields = {field["name"]: field for field in body["fields"]}

    assert (body["createable"], body["updateable"], body["deletable"]) == (False, True, False)
    assert fields["Open_Amount__c"]["updateable"] is True
    assert fields["Amount__c"]["updateable"] is False


def test_a_hidden_field_is_no_column_for_queries_writes_and_describe(local_salesforce, admin_api):
    bob = connect(local_salesforce, FINANCE_MANAGER)
    set_field_security(
        local_salesforce,
        FINANCE_MANAGER,
        "Ledgerlink_Entry__c.Amount__c",
        readable=False,
        editable=False,
    )
    try:
        query = bob.query("SELECT Amount__c FROM Ledgerlink_Entry__c")
        write = bob.post(
            "sobjects/Ledgerlink_Entry__c", json={"External_Id__c": "P-BOB", "Amount__c": 1}
        )
        described = {
            f["name"] for f in bob.get("sobjects/Ledgerlink_Entry__c/describe").json()["fields"]
        }
        record = bob.get("sobjects/Ledgerlink_Entry__c/External_Id__c/P-ACME").json()
        alice_query = admin_api.query("SELECT Amount__c FROM Ledgerlink_Entry__c")
    finally:
        set_field_security(
            local_salesforce,
            FINANCE_MANAGER,
            "Ledgerlink_Entry__c.Amount__c",
            readable=True,
            editable=True,
        )

    assert query.status_code == 400
    assert error_code(query) == "INVALID_FIELD"
    assert "No such column 'Amount__c'" in query.json()[0]["message"]
    assert write.status_code == 400
    assert error_code(write) == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert "Amount__c" not in described
    assert "Open_Amount__c" in described
    assert "Amount__c" not in record
    assert alice_query.status_code == 200
    assert bob.query("SELECT Amount__c FROM Ledgerlink_Entry__c").status_code == 200


def test_a_read_only_field_can_be_read_but_not_written(local_salesforce):
    bob = connect(local_salesforce, FINANCE_MANAGER)
    set_field_security(
        local_salesforce,
        FINANCE_MANAGER,
        "Ledgerlink_Entry__c.Document_Number__c",
        readable=True,
        editable=False,
    )
    try:
        query = bob.query("SELECT Document_Number__c FROM Ledgerlink_Entry__c")
        write = bob.post("sobjects/Ledgerlink_Entry__c", json={"Document_Number__c": "RE-1"})
    finally:
        set_field_security(
            local_salesforce,
            FINANCE_MANAGER,
            "Ledgerlink_Entry__c.Document_Number__c",
            readable=True,
            editable=True,
        )

    assert query.status_code == 200
    assert error_code(write) == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_field_security_refuses_unknown_users_and_fields(local_salesforce):
    url = local_salesforce.url("/_standin/field-security")

    unknown_field = requests.post(
        url,
        json={"user_id": ADMIN.user_id, "field": "Ledgerlink_Entry__c.Nope__c"},
        timeout=TIMEOUT,
    )
    unknown_user = requests.post(
        url,
        json={"user_id": "0055g00000ZZZZZAAA", "field": "Ledgerlink_Entry__c.Amount__c"},
        timeout=TIMEOUT,
    )

    assert unknown_field.status_code == unknown_user.status_code == 400


def test_an_outsider_never_sees_another_orgs_records(outsider_api, acme_entry):
    query = outsider_api.query("SELECT Id FROM Ledgerlink_Entry__c")
    by_id = outsider_api.get(f"sobjects/Ledgerlink_Entry__c/{acme_entry}")
    by_external_id = outsider_api.get("sobjects/Ledgerlink_Entry__c/External_Id__c/P-ACME")
    retrieved = outsider_api.get(
        "composite/sobjects/Ledgerlink_Entry__c", params={"ids": acme_entry, "fields": "Id"}
    )
    organization = outsider_api.query("SELECT Name FROM Organization")

    assert query.json()["totalSize"] == 0
    assert by_id.status_code == 404
    assert by_external_id.status_code == 404
    assert retrieved.json() == [None]
    assert [r["Name"] for r in organization.json()["records"]] == ["Globex Corporation"]


def test_an_outsider_cannot_change_or_delete_another_orgs_records(
    outsider_api, admin_api, acme_entry
):
    updated = outsider_api.patch(
        f"sobjects/Ledgerlink_Entry__c/{acme_entry}", json={"Amount__c": 1}
    )
    deleted = outsider_api.delete(f"sobjects/Ledgerlink_Entry__c/{acme_entry}")
    collection = outsider_api.patch(
        "composite/sobjects",
        json={"records": [{"attributes": {"type": ENTRY}, "Id": acme_entry, "Amount__c": 1}]},
    ).json()

    assert updated.status_code == deleted.status_code == 404
    assert collection[0]["success"] is False
    assert admin_api.get(f"sobjects/Ledgerlink_Entry__c/{acme_entry}").json()["Amount__c"] == 100.0


def test_an_outsiders_upsert_of_the_same_external_id_makes_their_own_record(
    outsider_api, admin_api, acme_entry
):
    answer = outsider_api.patch(
        "sobjects/Ledgerlink_Entry__c/External_Id__c/P-ACME", json={"Amount__c": 7}
    )

    assert answer.status_code == 201
    assert answer.json()["id"] != acme_entry
    assert admin_api.get(f"sobjects/Ledgerlink_Entry__c/{acme_entry}").json()["Amount__c"] == 100.0


def test_an_outsider_cannot_point_a_lookup_at_another_orgs_record(outsider_api, acme_entry):
    answer = outsider_api.post(
        f"sobjects/{ITEM}", json={"Entry__c": acme_entry, "External_Id__c": "P-CROSS"}
    )

    assert answer.status_code == 400
    assert error_code(answer) == "INVALID_CROSS_REFERENCE_KEY"


def test_users_are_seen_only_within_their_org(outsider_api):
    names = [r["Name"] for r in outsider_api.query("SELECT Name FROM User").json()["records"]]

    assert names == ["Erin Outsider", "Frank Globex"]
