"""Bulk API 2.0 endpoints under ``jobs/ingest`` and ``jobs/query``."""

from django.http import HttpResponse

from standins.salesforce.data import bulk
from standins.salesforce.data.errors import InvalidJobError, JsonParserError
from standins.salesforce.views.api import ApiCall, data_api, json_answer

_CSV_CONTENT_TYPE = "text/csv;charset=UTF-8"


def _body(call: ApiCall) -> dict[str, object]:
    body = call.json_body()
    if not isinstance(body, dict):
        raise JsonParserError("The request body must be a JSON object")
    return body


def _job_list(jobs: list[bulk.Job]) -> HttpResponse:
    return json_answer(
        {"done": True, "records": [job.info() for job in jobs], "nextRecordsUrl": None}
    )


def _state(call: ApiCall) -> str:
    state = _body(call).get("state")
    if state not in {bulk.UPLOAD_COMPLETE, bulk.ABORTED}:
        raise InvalidJobError(f"InvalidJob : Invalid state: {state}")
    return str(state)


@data_api("GET", "POST")
def ingest_jobs(call: ApiCall) -> HttpResponse:
    """``POST``: create an ingest job; ``GET``: the org's ingest jobs."""
    if call.request.method == "GET":
        return _job_list(bulk.list_jobs(call.db, org_id=call.org_id, kind="ingest"))
    job = bulk.create_ingest_job(
        call.db, call.schema, call.actor(), _body(call), version=call.version
    )
    return json_answer(job.info(full=False))


@data_api("GET", "PATCH", "DELETE")
def ingest_job(call: ApiCall, job_id: str) -> HttpResponse:
    """Job info; ``PATCH {"state": "UploadComplete" | "Aborted"}``; delete (204)."""
    job = bulk.get_job(call.db, job_id, org_id=call.org_id, kind="ingest")
    if call.request.method == "GET":
        return json_answer(job.info())
    if call.request.method == "DELETE":
        bulk.delete_job(call.db, job)
        return HttpResponse(status=204)
    changed = bulk.change_state(call.db, job, _state(call), call.now)
    if changed.state == bulk.UPLOAD_COMPLETE:
        call.runtime.bulk.submit(changed.id)
    return json_answer(changed.info(full=False))


@data_api("PUT")
def upload(call: ApiCall, job_id: str) -> HttpResponse:
    """The job's CSV data (up to 150 MB), answered with 201."""
    job = bulk.get_job(call.db, job_id, org_id=call.org_id, kind="ingest")
    declared = int(call.request.headers.get("Content-Length") or 0)
    if declared > bulk.MAX_UPLOAD_BYTES:
        raise InvalidJobError("InvalidJob : The uploaded data exceeds 150 MB")
    bulk.upload(call.db, job, call.request.body)
    return HttpResponse(status=201)


@data_api("GET")
def ingest_results(call: ApiCall, job_id: str, kind: str) -> HttpResponse:
    """``successfulResults``, ``failedResults`` or ``unprocessedrecords`` of a job, as CSV."""
    job = bulk.get_job(call.db, job_id, org_id=call.org_id, kind="ingest")
    return HttpResponse(bulk.ingest_results(call.db, job, kind), content_type=_CSV_CONTENT_TYPE)


@data_api("GET", "POST")
def query_jobs(call: ApiCall) -> HttpResponse:
    """``POST``: create a query job (the SOQL is checked now); ``GET``: the org's query jobs."""
    if call.request.method == "GET":
        return _job_list(bulk.list_jobs(call.db, org_id=call.org_id, kind="query"))
    job = bulk.create_query_job(
        call.db, call.schema, call.caller(), _body(call), version=call.version
    )
    call.runtime.bulk.submit(job.id)
    return json_answer(job.info(full=False))


@data_api("GET", "PATCH", "DELETE")
def query_job(call: ApiCall, job_id: str) -> HttpResponse:
    job = bulk.get_job(call.db, job_id, org_id=call.org_id, kind="query")
    if call.request.method == "GET":
        return json_answer(job.info())
    if call.request.method == "DELETE":
        bulk.delete_job(call.db, job)
        return HttpResponse(status=204)
    if _state(call) != bulk.ABORTED:
        raise InvalidJobError("InvalidJob : A query job can only be aborted")
    return json_answer(bulk.change_state(call.db, job, bulk.ABORTED, call.now).info(full=False))


@data_api("GET")
def query_results(call: ApiCall, job_id: str) -> HttpResponse:
    """A page of results as CSV, with ``Sforce-Locator`` (or "null") and
    ``Sforce-NumberOfRecords``."""
    job = bulk.get_job(call.db, job_id, org_id=call.org_id, kind="query")
    max_records = call.request.GET.get("maxRecords", "")
    if max_records and not max_records.isdigit():
        raise InvalidJobError(f"InvalidJob : maxRecords must be a positive number: {max_records}")
    page = bulk.query_results(
        call.db,
        call.schema,
        call.caller(),
        job,
        locator=call.request.GET.get("locator") or None,
        max_records=int(max_records) if max_records else None,
    )
    response = HttpResponse(page.csv, content_type=_CSV_CONTENT_TYPE)
    response["Sforce-Locator"] = page.locator or "null"
    response["Sforce-NumberOfRecords"] = str(page.count)
    return response
