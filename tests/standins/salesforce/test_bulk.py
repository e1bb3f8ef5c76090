"""Bulk API 2.0: ingest jobs (insert, upsert, update, delete from CSV, per-row results) and query
jobs (CSV results paged with a locator)."""

import csv
import io
import re

import pytest

from tests.standins.salesforce.data_api import DataApi, connect, error_code
from tests.standins.salesforce.personas import ADMIN, OUTSIDER

ENTRY = "Ledgerlink_Entry__c"


@pytest.fixture(scope="module")
def api(local_salesforce) -> DataApi:
    return connect(local_salesforce, ADMIN)


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def run_ingest(api: DataApi, data: str, **job: str) -> dict:
    created = api.post("jobs/ingest", json={"object": ENTRY, "contentType": "CSV", **job})
    assert created.status_code == 200, created.text
    job_id = created.json()["id"]
    uploaded = api.put(
        f"jobs/ingest/{job_id}/batches", data=data.encode(), headers={"Content-Type": "text/csv"}
    )
    assert uploaded.status_code == 201, uploaded.text
    closed = api.patch(f"jobs/ingest/{job_id}", json={"state": "UploadComplete"})
    assert closed.status_code == 200, closed.text
    return api.wait_for_job("ingest", job_id)


def test_creating_an_ingest_job_answers_its_info_with_the_upload_url(api):
    answer = api.post(
        "jobs/ingest",
        json={"object": ENTRY, "operation": "insert", "contentType": "CSV", "lineEnding": "LF"},
    )

    job = answer.json()
    assert answer.status_code == 200
    assert re.fullmatch(r"750[0-9A-Za-z]{15}", job["id"])
    assert job["state"] == "Open"
    assert job["object"] == ENTRY
    assert job["operation"] == "insert"
    assert job["contentUrl"] == f"services/data/v62.0/jobs/ingest/{job['id']}/batches"
    assert (job["contentType"], job["lineEnding"], job["columnDelimiter"]) == ("CSV", "LF", "COMMA")
    assert job["apiVersion"] == 62.0


def test_an_insert_job_saves_the_good_rows_and_reports_the_bad_ones(api):
    data = (
        "External_Id__c,Amount__c,Status__c,Document_Date__c\n"
        "B-1,10.50,Open,2026-11-01\n"
        "B-2,20,Lost,2026-11-02\n"
        "B-3,abc,Open,2026-11-03\n"
        "B-4,40,,2026-11-04\n"
    )

    job = run_ingest(api, data, operation="insert")

    assert job["state"] == "JobComplete"
    assert (job["numberRecordsProcessed"], job["numberRecordsFailed"]) == (4, 2)
    successes = rows_of(api.get(f"jobs/ingest/{job['id']}/successfulResults/").text)
    failures = rows_of(api.get(f"jobs/ingest/{job['id']}/failedResults/").text)
    assert [row["External_Id__c"] for row in successes] == ["B-1", "B-4"]
    assert all(row["sf__Created"] == "true" and row["sf__Id"].startswith("a0") for row in successes)
    assert [row["External_Id__c"] for row in failures] == ["B-2", "B-3"]
    assert failures[0]["sf__Error"].startswith("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:")
    assert failures[1]["sf__Error"].startswith("INVALID_TYPE_ON_FIELD_IN_RECORD:")
    saved = api.query(
        "SELECT Amount__c, Status__c FROM Ledgerlink_Entry__c WHERE External_Id__c = 'B-4'"
    )
    assert saved.json()["records"][0]["Status__c"] == "Open"  # an empty cell leaves the default


def test_result_files_quote_every_value_and_keep_the_original_columns(api):
    job = run_ingest(api, "External_Id__c,Amount__c\nB-QUOTED,1\n", operation="insert")

    text = api.get(f"jobs/ingest/{job['id']}/successfulResults/").text

    header, row = text.splitlines()
    assert header == '"sf__Id","sf__Created","External_Id__c","Amount__c"'
    assert row.endswith('"true","B-QUOTED","1"')


def test_an_upsert_job_creates_then_updates_and_na_clears_a_field(api):
    first = run_ingest(
        api,
        "External_Id__c,Amount__c,Document_Number__c\nB-UP-1,1,RE-1\nB-UP-2,2,RE-2\n",
        operation="upsert",
        externalIdFieldName="External_Id__c",
    )
    second = run_ingest(
        api,
        "External_Id__c,Amount__c,Document_Number__c\nB-UP-1,100,#N/A\nB-UP-3,3,\n",
        operation="upsert",
        externalIdFieldName="External_Id__c",
    )

    assert first["numberRecordsFailed"] == second["numberRecordsFailed"] == 0
    created = [
        r["sf__Created"]
        for r in rows_of(api.get(f"jobs/ingest/{second['id']}/successfulResults/").text)
    ]
    assert created == ["false", "true"]
    records = api.query(
        "SELECT External_Id__c, Amount__c, Document_Number__c FROM Ledgerlink_Entry__c "
        "WHERE External_Id__c LIKE 'B-UP-%' ORDER BY External_Id__c"
    ).json()["records"]
    assert [(r["External_Id__c"], r["Amount__c"], r["Document_Number__c"]) for r in records] == [
        ("B-UP-1", 100.0, None),
        ("B-UP-2", 2.0, "RE-2"),
        ("B-UP-3", 3.0, None),
    ]


def test_update_and_delete_jobs_name_records_by_id(api):
    keep = api.create(ENTRY, External_Id__c="B-KEEP", Amount__c=1)
    drop = api.create(ENTRY, External_Id__c="B-DROP")

    updated = run_ingest(api, f"Id,Amount__c\n{keep},2\n", operation="update")
    deleted = run_ingest(api, f"Id\n{drop}\na0D5g00000ZZZZZEA5\n", operation="delete")

    assert updated["numberRecordsFailed"] == 0
    assert api.get(f"sobjects/Ledgerlink_Entry__c/{keep}").json()["Amount__c"] == 2.0
    assert (deleted["numberRecordsProcessed"], deleted["numberRecordsFailed"]) == (2, 1)
    assert api.get(f"sobjects/Ledgerlink_Entry__c/{drop}").status_code == 404


def test_a_header_with_an_unknown_field_fails_the_job(api):
    job = run_ingest(api, "External_Id__c,Nope__c\nB-X,1\n", operation="insert")

    assert job["state"] == "Failed"
    assert "Nope__c" in job["errorMessage"]


def test_crlf_and_semicolons_are_read_as_the_job_says(api):
    job = run_ingest(
        api,
        "External_Id__c;Amount__c\r\nB-SEMI;7\r\n",
        operation="insert",
        lineEnding="CRLF",
        columnDelimiter="SEMICOLON",
    )

    assert (job["numberRecordsProcessed"], job["numberRecordsFailed"]) == (1, 0)


def test_an_aborted_job_is_never_processed_and_its_rows_stay_unprocessed(api):
    job_id = api.post("jobs/ingest", json={"object": ENTRY, "operation": "insert"}).json()["id"]
    api.put(f"jobs/ingest/{job_id}/batches", data=b"External_Id__c\nB-ABORTED\n")

    aborted = api.patch(f"jobs/ingest/{job_id}", json={"state": "Aborted"})

    assert aborted.json()["state"] == "Aborted"
    assert rows_of(api.get(f"jobs/ingest/{job_id}/unprocessedrecords/").text) == [
        {"External_Id__c": "B-ABORTED"}
    ]
    assert (
        api.query(
            "SELECT COUNT() FROM Ledgerlink_Entry__c WHERE External_Id__c = 'B-ABORTED'"
        ).json()["totalSize"]
        == 0
    )


def test_data_is_uploaded_once_and_only_to_an_open_job(api):
    job_id = api.post("jobs/ingest", json={"object": ENTRY, "operation": "insert"}).json()["id"]
    first = api.put(f"jobs/ingest/{job_id}/batches", data=b"External_Id__c\nB-ONCE\n")

    second = api.put(f"jobs/ingest/{job_id}/batches", data=b"External_Id__c\nB-TWICE\n")

    assert first.status_code == 201
    assert second.status_code == 400
    assert error_code(second) == "INVALIDJOBSTATE"


def test_jobs_are_listed_and_deleted(api):
    job = run_ingest(api, "External_Id__c\nB-LISTED\n", operation="insert")

    listed = api.get("jobs/ingest").json()
    deleted = api.delete(f"jobs/ingest/{job['id']}")

    assert job["id"] in {entry["id"] for entry in listed["records"]}
    assert listed["done"] is True
    assert deleted.status_code == 204
    assert api.get(f"jobs/ingest/{job['id']}").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"object": ENTRY, "operation": "merge"},
        {"object": "Nope__c", "operation": "insert"},
        {"object": ENTRY, "operation": "upsert"},
        {"object": ENTRY, "operation": "upsert", "externalIdFieldName": "Amount__c"},
        {"object": ENTRY, "operation": "insert", "contentType": "JSON"},
        {"object": ENTRY, "operation": "insert", "columnDelimiter": "SPACE"},
    ],
)
def test_bad_ingest_jobs_are_refused(api, body):
    answer = api.post("jobs/ingest", json=body)

    assert answer.status_code == 400
    assert error_code(answer) == "INVALIDJOB"


def test_a_query_job_pages_its_csv_results_with_a_locator(api):
    for number in range(5):
        api.create(ENTRY, External_Id__c=f"Q-{number}", Amount__c=number)
    created = api.post(
        "jobs/query",
        json={
            "operation": "query",
            "query": "SELECT External_Id__c, Amount__c, Account__r.Name FROM Ledgerlink_Entry__c "
            "WHERE External_Id__c LIKE 'Q-%' ORDER BY External_Id__c",
        },
    )
    assert created.status_code == 200, created.text
    assert created.json()["state"] == "UploadComplete"
    job = api.wait_for_job("query", created.json()["id"])
    assert job["state"] == "JobComplete"
    assert job["numberRecordsProcessed"] == 5

    pages, locator = [], None
    while True:
        params = {"maxRecords": 2, **({"locator": locator} if locator else {})}
        answer = api.get(f"jobs/query/{job['id']}/results", params=params)
        assert answer.headers["Content-Type"].startswith("text/csv")
        pages.append((int(answer.headers["Sforce-NumberOfRecords"]), rows_of(answer.text)))
        locator = answer.headers["Sforce-Locator"]
        if locator == "null":
            break

    assert [count for count, _ in pages] == [2, 2, 1]
    rows = [row for _, page in pages for row in page]
    assert [row["External_Id__c"] for row in rows] == [f"Q-{n}" for n in range(5)]
    assert rows[1] == {"External_Id__c": "Q-1", "Amount__c": "1.00", "Account__r.Name": ""}


def test_a_query_job_with_bad_soql_is_refused_when_created(api):
    answer = api.post(
        "jobs/query", json={"operation": "query", "query": "SELECT Nope FROM Account"}
    )

    assert answer.status_code == 400
    assert error_code(answer) == "INVALID_FIELD"


def test_query_all_jobs_include_deleted_records(api):
    record_id = api.create(ENTRY, External_Id__c="Q-DELETED")
    api.delete(f"sobjects/Ledgerlink_Entry__c/{record_id}")
    created = api.post(
        "jobs/query",
        json={
            "operation": "queryAll",
            "query": "SELECT Id, IsDeleted FROM Ledgerlink_Entry__c "
            "WHERE External_Id__c = 'Q-DELETED'",
        },
    ).json()
    job = api.wait_for_job("query", created["id"])

    rows = rows_of(api.get(f"jobs/query/{job['id']}/results").text)

    assert rows == [{"Id": record_id, "IsDeleted": "true"}]


def test_another_orgs_jobs_are_not_found(api, local_salesforce):
    job_id = api.post("jobs/ingest", json={"object": ENTRY, "operation": "insert"}).json()["id"]

    answer = connect(local_salesforce, OUTSIDER).get(f"jobs/ingest/{job_id}")

    assert answer.status_code == 404
