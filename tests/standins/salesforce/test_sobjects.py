"""sObject resources: describe, and one record at a time (create, read, update, upsert, delete),
with the checks Salesforce makes on save."""

import pytest

from tests.standins.salesforce.data_api import DataApi, connect, error_code
from tests.standins.salesforce.personas import ADMIN, VIEWER

ENTRY = "Ledgerlink_Entry__c"
PAYMENT = "Ledgerlink_Payment__c"


@pytest.fixture(scope="module")
def api(local_salesforce) -> DataApi:
    return connect(local_salesforce, ADMIN)


@pytest.fixture(scope="module")
def account(api) -> str:
    return api.create("Account", Name="Weber Antriebstechnik GmbH", AccountNumber="D10001")


def fields_by_name(describe: dict) -> dict[str, dict]:
    return {field["name"]: field for field in describe["fields"]}


def test_versions_are_listed_without_a_session(local_salesforce):
    answer = DataApi(local_salesforce, "none").get("/services/data/")

    versions = [entry["version"] for entry in answer.json()]
    assert answer.status_code == 200
    assert versions[-1] == "62.0"
    assert answer.json()[-1] == {
        "label": "API 62.0",
        "url": "/services/data/v62.0",
        "version": "62.0",
    }


def test_an_unknown_version_is_not_found(api):
    answer = api.get("/services/data/v99.0/sobjects/")

    assert answer.status_code == 404
    assert error_code(answer) == "NOT_FOUND"


def test_describe_global_lists_standard_and_package_objects_with_key_prefixes(api):
    body = api.get("sobjects/").json()

    prefixes = {entry["name"]: entry["keyPrefix"] for entry in body["sobjects"]}
    assert body["maxBatchSize"] == 200
    assert prefixes["Account"] == "001"
    assert prefixes["User"] == "005"
    assert prefixes["Organization"] == "00D"
    custom = [prefix for name, prefix in prefixes.items() if name.endswith("__c")]
    assert len(custom) == 6 == len(set(custom))
    assert all(prefix.startswith("a0") for prefix in custom)


def test_basic_information_describes_the_object(api):
    body = api.get("sobjects/Ledgerlink_Entry__c").json()

    assert body["objectDescribe"]["name"] == ENTRY
    assert body["objectDescribe"]["label"] == "Entry"
    assert body["objectDescribe"]["labelPlural"] == "Entries"
    assert body["objectDescribe"]["createable"] is True
    assert body["recentItems"] == []


def test_describe_gives_the_fields_of_the_package_metadata(api):
    body = api.get("sobjects/Ledgerlink_Entry__c/describe").json()
    fields = fields_by_name(body)

    assert fields["Id"]["type"] == "id"
    assert fields["Name"]["type"] == "string"
    assert fields["Name"]["autoNumber"] is True
    assert fields["Name"]["createable"] is False
    amount = fields["Amount__c"]
    assert (amount["type"], amount["precision"], amount["scale"]) == ("currency", 16, 2)
    external = fields["External_Id__c"]
    assert (external["externalId"], external["unique"], external["caseSensitive"]) == (
        True,
        True,
        False,
    )
    assert external["type"] == "string"
    assert external["length"] == 80
    assert fields["Document_Date__c"]["type"] == "date"
    assert fields["CreatedDate"]["type"] == "datetime"
    assert fields["Direct_Debit__c"]["type"] == "boolean"
    assert fields["Direct_Debit__c"]["nillable"] is False
    lookup = fields["Account__c"]
    assert (lookup["type"], lookup["referenceTo"], lookup["relationshipName"]) == (
        "reference",
        ["Account"],
        "Account__r",
    )
    status = fields["Status__c"]
    assert status["type"] == "picklist"
    assert status["restrictedPicklist"] is True
    assert status["picklistValues"][0] == {
        "active": True,
        "defaultValue": True,
        "label": "Open",
        "validFor": None,
        "value": "Open",
    }
    assert fields["OwnerId"]["relationshipName"] == "Owner"
    assert {"Entry_Items__r"} == {child["relationshipName"] for child in body["childRelationships"]}


def test_long_text_areas_are_textareas_that_cannot_be_filtered(api):
    fields = fields_by_name(api.get("sobjects/Ledgerlink_Bank_Statement_Item__c/describe").json())

    rejected = fields["Rejected_Entries__c"]
    assert (rejected["type"], rejected["length"], rejected["filterable"]) == (
        "textarea",
        32768,
        False,
    )


def test_describe_flags_follow_the_callers_permissions(local_salesforce):
    body = connect(local_salesforce, VIEWER).get("sobjects/Ledgerlink_Entry__c/describe").json()

    assert (body["queryable"], body["createable"], body["updateable"], body["deletable"]) == (
        True,
        False,
        False,
        False,
    )
    assert not any(field["createable"] or field["updateable"] for field in body["fields"])


def test_an_unknown_object_is_not_found(api):
    answer = api.get("sobjects/Nope__c/describe")

    assert answer.status_code == 404
    assert error_code(answer) == "NOT_FOUND"


def test_create_answers_201_with_the_new_id_and_fills_defaults(api, account):
    answer = api.post(
        "sobjects/Ledgerlink_Entry__c",
        json={"External_Id__c": "S-1", "Amount__c": 12.345, "Account__c": account},
    )

    assert answer.status_code == 201
    created = answer.json()
    assert created["success"] is True
    assert created["errors"] == []
    record = api.get(f"sobjects/Ledgerlink_Entry__c/{created['id']}").json()
    assert record["Amount__c"] == 12.35  # rounded half up to the field's scale
    assert record["Status__c"] == "Open"
    assert record["Type__c"] == "Invoice"
    assert record["Direction__c"] == "Receivable"
    assert record["Direct_Debit__c"] is False
    assert record["OwnerId"] == ADMIN.user_id
    assert record["CreatedById"] == ADMIN.user_id


def test_amounts_round_trip_exactly(api):
    record_id = api.create(ENTRY, External_Id__c="S-EXACT", Amount__c=12345678901.23)

    record = api.get(
        f"sobjects/Ledgerlink_Entry__c/{record_id}", params={"fields": "Amount__c"}
    ).json()

    assert record["Amount__c"] == 12345678901.23
    assert list(record) == ["attributes", "Amount__c"]


def test_update_answers_204_and_changes_only_the_given_fields(api):
    record_id = api.create(ENTRY, External_Id__c="S-2", Amount__c=100, Open_Amount__c=100)
    before = api.get(f"sobjects/Ledgerlink_Entry__c/{record_id}").json()

    answer = api.patch(f"sobjects/Ledgerlink_Entry__c/{record_id}", json={"Open_Amount__c": 40})

    after = api.get(f"sobjects/Ledgerlink_Entry__c/{record_id}").json()
    assert answer.status_code == 204
    assert (after["Amount__c"], after["Open_Amount__c"]) == (100.0, 40.0)
    assert after["LastModifiedDate"] >= before["LastModifiedDate"]


def test_delete_answers_204_and_the_record_is_gone(api):
    record_id = api.create(ENTRY, External_Id__c="S-3")

    first = api.delete(f"sobjects/Ledgerlink_Entry__c/{record_id}")
    second = api.delete(f"sobjects/Ledgerlink_Entry__c/{record_id}")

    assert first.status_code == 204
    assert api.get(f"sobjects/Ledgerlink_Entry__c/{record_id}").status_code == 404
    assert second.status_code == 404
    assert error_code(second) == "ENTITY_IS_DELETED"


def test_an_id_that_names_no_record_is_not_found(api):
    assert api.get("sobjects/Ledgerlink_Entry__c/a0D5g00000ZZZZZEA5").status_code == 404
    assert api.patch("sobjects/Ledgerlink_Entry__c/a0D5g00000ZZZZZEA5", json={}).status_code == 404
    assert api.get("sobjects/Ledgerlink_Entry__c/not-an-id").status_code == 404


def test_upserting_the_same_external_id_twice_creates_then_updates_one_record(api):
    path = "sobjects/Ledgerlink_Entry__c/External_Id__c/ERP-4711"

    created = api.patch(path, json={"Amount__c": 10, "Document_Number__c": "RE-1"})
    updated = api.patch(path, json={"Amount__c": 11})

    assert created.status_code == 201
    assert created.json() == {
        "id": created.json()["id"],
        "success": True,
        "errors": [],
        "created": True,
    }
    assert updated.status_code == 200
    assert updated.json()["created"] is False
    assert updated.json()["id"] == created.json()["id"]
    records = api.query(
        "SELECT Amount__c, Document_Number__c FROM Ledgerlink_Entry__c "
        "WHERE External_Id__c = 'ERP-4711'"
    ).json()["records"]
    assert [(r["Amount__c"], r["Document_Number__c"]) for r in records] == [(11.0, "RE-1")]


def test_a_record_is_read_and_deleted_by_external_id(api):
    record_id = api.create(ENTRY, External_Id__c="ERP-READ")

    read = api.get("sobjects/Ledgerlink_Entry__c/External_Id__c/erp-read")  # case-insensitive field
    deleted = api.delete("sobjects/Ledgerlink_Entry__c/External_Id__c/ERP-READ")

    assert read.json()["Id"] == record_id
    assert deleted.status_code == 204
    assert api.get("sobjects/Ledgerlink_Entry__c/External_Id__c/ERP-READ").status_code == 404


def test_upsert_on_a_field_that_is_no_external_id_is_not_found(api):
    answer = api.patch("sobjects/Ledgerlink_Entry__c/Status__c/Open", json={})

    assert answer.status_code == 404
    assert error_code(answer) == "NOT_FOUND"


def test_an_external_id_shared_by_several_records_answers_300(api):
    first = api.create(ENTRY, External_Id__c="S-DUP-1", Document_Number__c="RE-SHARED")
    second = api.create(ENTRY, External_Id__c="S-DUP-2", Document_Number__c="RE-SHARED")

    answer = api.patch(
        "sobjects/Ledgerlink_Entry__c/Document_Number__c/RE-SHARED", json={"Amount__c": 1}
    )

    assert answer.status_code == 300
    assert sorted(answer.json()) == sorted(
        f"/services/data/v62.0/sobjects/Ledgerlink_Entry__c/{record_id}"
        for record_id in (first, second)
    )


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"Nope__c": 1}, 400, "INVALID_FIELD"),
        ({"Amount__c": "abc"}, 400, "JSON_PARSER_ERROR"),
        ({"Direct_Debit__c": "maybe"}, 400, "JSON_PARSER_ERROR"),
        ({"Document_Date__c": "2026-13-40"}, 400, "JSON_PARSER_ERROR"),
        ({"Status__c": "Lost"}, 400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
        ({"Document_Number__c": "x" * 81}, 400, "STRING_TOO_LONG"),
        ({"Amount__c": 10**15}, 400, "NUMBER_OUTSIDE_VALID_RANGE"),
        ({"Account__c": "001-bad"}, 400, "MALFORMED_ID"),
        ({"Account__c": "0015g00000ZZZZZAA5"}, 400, "INVALID_CROSS_REFERENCE_KEY"),
        ({"Account__c": "0055g00000AAdmiAAD"}, 400, "FIELD_INTEGRITY_EXCEPTION"),
        ({"Name": "E-999999"}, 400, "INVALID_FIELD_FOR_INSERT_UPDATE"),
        ({"CreatedDate": "2026-01-01T00:00:00Z"}, 400, "INVALID_FIELD_FOR_INSERT_UPDATE"),
        ({"Id": "a0D5g0000000001EAA"}, 400, "INVALID_FIELD"),
    ],
)
def test_invalid_values_are_refused_with_salesforces_error_codes(api, fields, status, code):
    answer = api.post("sobjects/Ledgerlink_Entry__c", json=fields)

    assert answer.status_code == status, answer.text
    assert error_code(answer) == code


def test_field_errors_name_the_field(api):
    answer = api.post("sobjects/Ledgerlink_Entry__c", json={"Status__c": "Lost"})

    assert answer.json() == [
        {
            "message": "Status: bad value for restricted picklist field: Lost",
            "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "fields": ["Status__c"],
        }
    ]


def test_a_required_field_must_be_given(api):
    answer = api.post("sobjects/Account", json={"AccountNumber": "D1"})

    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert answer.json()[0]["fields"] == ["Name"]


def test_unique_values_are_unique_without_regard_to_case_unless_case_sensitive(api):
    api.create(ENTRY, External_Id__c="S-UNIQUE")
    api.create(PAYMENT, End_To_End_Id__c="E2E-CASE")

    duplicate = api.post("sobjects/Ledgerlink_Entry__c", json={"External_Id__c": "s-unique"})
    other_case = api.post(f"sobjects/{PAYMENT}", json={"End_To_End_Id__c": "e2e-case"})
    same_case = api.post(f"sobjects/{PAYMENT}", json={"End_To_End_Id__c": "E2E-CASE"})

    assert duplicate.status_code == 400
    assert error_code(duplicate) == "DUPLICATE_VALUE"
    assert "duplicate value found: External_Id__c" in duplicate.json()[0]["message"]
    assert other_case.status_code == 201
    assert error_code(same_case) == "DUPLICATE_VALUE"


def test_a_deleted_records_unique_value_is_free_again(api):
    record_id = api.create(ENTRY, External_Id__c="S-RECYCLED")
    api.delete(f"sobjects/Ledgerlink_Entry__c/{record_id}")

    assert (
        api.post("sobjects/Ledgerlink_Entry__c", json={"External_Id__c": "S-RECYCLED"}).status_code
        == 201
    )


def test_deleting_a_parent_clears_set_null_lookups_and_is_refused_for_restricting_ones(api):
    parent = api.create("Account", Name="Short-lived KG")
    entry = api.create(ENTRY, External_Id__c="S-CHILD", Account__c=parent)
    api.create("Ledgerlink_Entry_Item__c", Entry__c=entry, External_Id__c="S-ITEM", Amount__c=1)

    deleted_account = api.delete(f"sobjects/Account/{parent}")
    refused = api.delete(f"sobjects/Ledgerlink_Entry__c/{entry}")

    assert deleted_account.status_code == 204
    assert api.get(f"sobjects/Ledgerlink_Entry__c/{entry}").json()["Account__c"] is None
    assert refused.status_code == 400
    assert error_code(refused) == "DELETE_FAILED"


def test_the_fields_parameter_refuses_unknown_fields(api, account):
    answer = api.get(f"sobjects/Account/{account}", params={"fields": "Name,Nope"})

    assert answer.status_code == 400
    assert error_code(answer) == "INVALID_FIELD"


def test_a_wrong_method_is_not_allowed(api):
    answer = api.put("sobjects/Ledgerlink_Entry__c", json={})

    assert answer.status_code == 405
    assert error_code(answer) == "METHOD_NOT_ALLOWED"


def test_users_and_the_organization_are_read_only(api):
    answer = api.post("sobjects/User", json={"LastName": "Nobody"})

    assert answer.status_code == 400
    assert error_code(answer) == "INSUFFICIENT_ACCESS_OR_READONLY"
