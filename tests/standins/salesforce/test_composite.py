"""sObject collections: create, update, upsert, delete and retrieve up to 200 records per call,
all-or-none or one by one."""

import pytest

from tests.standins.salesforce.data_api import DataApi, connect, error_code
from tests.standins.salesforce.personas import ADMIN

ENTRY = "Ledgerlink_Entry__c"
ROLLED_BACK = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the request was "
    "using AllOrNone header",
    "fields": [],
}


@pytest.fixture(scope="module")
def api(local_salesforce) -> DataApi:
    return connect(local_salesforce, ADMIN)


def entry(external_id: str, **fields) -> dict:
    return {"attributes": {"type": ENTRY}, "External_Id__c": external_id, **fields}


def count(api: DataApi, where: str) -> int:
    return api.query(f"SELECT COUNT() FROM Ledgerlink_Entry__c WHERE {where}").json()["totalSize"]


def test_create_answers_one_result_per_record_in_order(api):
    answer = api.post(
        "composite/sobjects",
        json={
            "allOrNone": False,
            "records": [
                entry("C-1", Amount__c=1),
                {"attributes": {"type": "Account"}, "Name": "Mixed Types B.V."},
                entry("C-2", Amount__c=2),
            ],
        },
    )

    assert answer.status_code == 200
    results = answer.json()
    assert [r["success"] for r in results] == [True, True, True]
    assert results[0]["id"].startswith("a0")
    assert results[1]["id"].startswith("001")
    assert all(r["errors"] == [] for r in results)
    assert count(api, "External_Id__c IN ('C-1', 'C-2')") == 2


def test_without_all_or_none_the_valid_records_are_saved(api):
    results = api.post(
        "composite/sobjects",
        json={
            "records": [
                entry("C-PARTIAL-1"),
                entry("C-PARTIAL-2", Status__c="Lost"),
                entry("C-PARTIAL-3"),
            ]
        },
    ).json()

    assert [r["success"] for r in results] == [True, False, True]
    assert results[1] == {
        "success": False,
        "errors": [
            {
                "statusCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                "message": "Status: bad value for restricted picklist field: Lost",
                "fields": ["Status__c"],
            }
        ],
    }
    assert count(api, "External_Id__c LIKE 'C-PARTIAL-%'") == 2


def test_with_all_or_none_one_failure_rolls_back_every_record(api):
    results = api.post(
        "composite/sobjects",
        json={
            "allOrNone": True,
            "records": [entry("C-ALL-1"), entry("C-ALL-2", Status__c="Lost"), entry("C-ALL-3")],
        },
    ).json()

    assert results[0] == {"success": False, "errors": [ROLLED_BACK]}
    assert results[1]["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert results[2] == {"success": False, "errors": [ROLLED_BACK]}
    assert count(api, "External_Id__c LIKE 'C-ALL-%'") == 0


def test_all_or_none_rolls_back_duplicates_found_within_the_call(api):
    results = api.post(
        "composite/sobjects",
        json={"allOrNone": True, "records": [entry("C-TWICE"), entry("c-twice")]},
    ).json()

    assert results[1]["errors"][0]["statusCode"] == "DUPLICATE_VALUE"
    assert results[0]["errors"] == [ROLLED_BACK]
    assert count(api, "External_Id__c = 'C-TWICE'") == 0


def test_update_changes_records_by_id_and_names_them_in_the_results(api):
    first = api.create(ENTRY, External_Id__c="C-UPD-1", Amount__c=1)
    second = api.create(ENTRY, External_Id__c="C-UPD-2", Amount__c=2)

    results = api.patch(
        "composite/sobjects",
        json={
            "records": [
                {"attributes": {"type": ENTRY}, "Id": first, "Amount__c": 10},
                {"attributes": {"type": ENTRY}, "Id": second, "Status__c": "Lost"},
                {"attributes": {"type": ENTRY}, "Amount__c": 3},
            ]
        },
    )

    body = results.json()
    assert body[0] == {"id": first, "success": True, "errors": []}
    assert body[1]["id"] == second
    assert body[1]["success"] is False
    assert body[2]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"
    assert api.get(f"sobjects/Ledgerlink_Entry__c/{first}").json()["Amount__c"] == 10.0


def test_upsert_creates_then_updates_and_says_which(api):
    path = "composite/sobjects/Ledgerlink_Entry__c/External_Id__c"
    records = [entry("C-UP-1", Amount__c=1), entry("C-UP-2")]

    first = api.patch(path, json={"allOrNone": True, "records": records}).json()
    records[0]["Amount__c"] = 5
    second = api.patch(path, json={"allOrNone": True, "records": records}).json()

    assert [(r["success"], r["created"]) for r in first] == [(True, True), (True, True)]
    assert [(r["success"], r["created"]) for r in second] == [(True, False), (True, False)]
    assert [r["id"] for r in first] == [r["id"] for r in second]
    assert count(api, "External_Id__c IN ('C-UP-1', 'C-UP-2')") == 2
    amount = api.query("SELECT Amount__c FROM Ledgerlink_Entry__c WHERE External_Id__c = 'C-UP-1'")
    assert amount.json()["records"][0]["Amount__c"] == 5.0


def test_upsert_refuses_the_same_external_id_twice_in_one_call(api):
    results = api.patch(
        "composite/sobjects/Ledgerlink_Entry__c/External_Id__c",
        json={"records": [entry("C-DUP"), entry("C-DUP"), entry("C-SINGLE")]},
    ).json()

    assert [r["errors"][0]["statusCode"] for r in results[:2]] == ["DUPLICATE_EXTERNAL_ID"] * 2
    assert results[2]["success"] is True
    assert results[2]["created"] is True


def test_upsert_with_all_or_none_writes_nothing_when_one_record_fails(api):
    results = api.patch(
        "composite/sobjects/Ledgerlink_Entry__c/External_Id__c",
        json={
            "allOrNone": True,
            "records": [entry("C-AON-1"), entry("C-AON-2", Document_Number__c="x" * 81)],
        },
    ).json()

    assert results[0]["errors"] == [ROLLED_BACK]
    assert results[1]["errors"][0]["statusCode"] == "STRING_TOO_LONG"
    assert count(api, "External_Id__c LIKE 'C-AON-%'") == 0


def test_upsert_needs_an_external_id_field(api):
    answer = api.patch("composite/sobjects/Ledgerlink_Entry__c/Amount__c", json={"records": []})

    assert answer.status_code == 404
    assert error_code(answer) == "NOT_FOUND"


def test_delete_removes_records_by_id(api):
    first = api.create(ENTRY, External_Id__c="C-DEL-1")
    second = api.create(ENTRY, External_Id__c="C-DEL-2")

    results = api.delete(
        "composite/sobjects", params={"ids": f"{first},{second},bogus", "allOrNone": "false"}
    ).json()

    assert results[0] == {"id": first, "success": True, "errors": []}
    assert results[1]["success"] is True
    assert results[2]["errors"][0]["statusCode"] == "MALFORMED_ID"
    assert count(api, "External_Id__c LIKE 'C-DEL-%'") == 0


def test_delete_with_all_or_none_keeps_everything_when_one_fails(api):
    survivor = api.create(ENTRY, External_Id__c="C-KEEP")

    results = api.delete(
        "composite/sobjects", params={"ids": f"{survivor},a0D5g00000ZZZZZEA5", "allOrNone": "true"}
    ).json()

    assert results[0]["errors"] == [ROLLED_BACK]
    assert results[1]["success"] is False
    assert count(api, "External_Id__c = 'C-KEEP'") == 1


def test_retrieve_answers_the_records_asked_for_and_null_for_unknown_ids(api):
    record_id = api.create(ENTRY, External_Id__c="C-GET", Amount__c=7)

    records = api.get(
        "composite/sobjects/Ledgerlink_Entry__c",
        params={"ids": f"{record_id},a0D5g00000ZZZZZEA5", "fields": "External_Id__c,Amount__c"},
    ).json()

    assert records == [
        {
            "attributes": {
                "type": ENTRY,
                "url": f"/services/data/v62.0/sobjects/Ledgerlink_Entry__c/{record_id}",
            },
            "External_Id__c": "C-GET",
            "Amount__c": 7.0,
        },
        None,
    ]


def test_more_than_200_records_are_refused_and_none_is_written(api):
    records = [entry(f"C-MANY-{n}") for n in range(201)]

    answer = api.post("composite/sobjects", json={"records": records})

    assert answer.status_code == 400
    assert error_code(answer) == "EXCEEDED_ID_LIMIT"
    assert count(api, "External_Id__c LIKE 'C-MANY-%'") == 0


def test_200_records_are_accepted(api):
    records = [entry(f"C-FULL-{n}") for n in range(200)]

    results = api.post("composite/sobjects", json={"records": records}).json()

    assert len(results) == 200
    assert all(r["success"] for r in results)


@pytest.mark.parametrize(
    ("record", "code"),
    [
        ({"External_Id__c": "C-NOTYPE"}, "INVALID_TYPE"),
        ({"attributes": {"type": "Nope__c"}}, "INVALID_TYPE"),
        ({"attributes": {"type": ENTRY}, "Nope__c": 1}, "INVALID_FIELD"),
        ({"attributes": {"type": ENTRY}, "Amount__c": "abc"}, "JSON_PARSER_ERROR"),
    ],
)
def test_records_that_cannot_be_read_fail_the_whole_call(api, record, code):
    answer = api.post("composite/sobjects", json={"records": [entry("C-OK"), record]})

    assert answer.status_code == 400
    assert error_code(answer) == code
    assert count(api, "External_Id__c = 'C-OK'") == 0
