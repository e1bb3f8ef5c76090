"""The REST data API's entry points: versions, resources, limits and SOQL queries.

Queries answer ``{"totalSize", "done", "nextRecordsUrl"?, "records"}``; pages hold up to 2,000
records, or the ``batchSize`` of ``Sforce-Query-Options`` (200 to 2,000).
"""

import re

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from standins.salesforce.app import runtime_of
from standins.salesforce.data import querying, usage
from standins.salesforce.data.errors import InvalidQueryLocatorError, MalformedQueryError
from standins.salesforce.views.api import ApiCall, data_api, json_answer, supported_versions

DEFAULT_BATCH_SIZE = 2000
MIN_BATCH_SIZE = 200
_BATCH_SIZE = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)
_NEXT_PAGE = re.compile(r"(?P<locator>[0-9A-Za-z]{15,18})-(?P<position>\d+)")


@require_GET
def versions(request: HttpRequest) -> HttpResponse:
    """The API versions the org speaks (no session needed, as in Salesforce)."""
    return json_answer(
        [
            {
                "label": f"API {version}",
                "url": f"/services/data/v{version}",
                "version": version,
            }
            for version in supported_versions()
        ]
    )


@data_api("GET")
def resources(call: ApiCall) -> HttpResponse:
    base = f"/services/data/v{call.version}"
    public_url = runtime_of(call.request).configuration.public_url
    return json_answer(
        {
            "composite": f"{base}/composite",
            "identity": f"{public_url}/id/{call.org_id}/{call.user_id}",
            "jobs": f"{base}/jobs",
            "limits": f"{base}/limits",
            "query": f"{base}/query",
            "queryAll": f"{base}/queryAll",
            "sobjects": f"{base}/sobjects",
        }
    )


@data_api("GET")
def limits(call: ApiCall) -> HttpResponse:
    """The org's allowances and what is left of them today."""
    daily = call.runtime.configuration.daily_api_limit
    used = usage.requests_today(call.db, call.org_id, call.now)
    query_jobs = call.db.execute(
        "SELECT count(*) FROM bulk_jobs WHERE org_id = ? AND kind = 'query' AND created_at >= ?",
        (call.org_id, call.now.date().isoformat()),
    ).fetchone()[0]

    def allowance(maximum: int, remaining: int) -> dict[str, int]:
        return {"Max": maximum, "Remaining": max(0, remaining)}

    return json_answer(
        {
            "ConcurrentAsyncGetReportInstances": allowance(200, 200),
            "DailyApiRequests": allowance(daily, daily - used),
            "DailyAsyncApexExecutions": allowance(250000, 250000),
            "DailyBulkApiBatches": allowance(15000, 15000),
            "DailyBulkV2QueryFileStorageMB": allowance(976562, 976562),
            "DailyBulkV2QueryJobs": allowance(10000, 10000 - query_jobs),
            "DataStorageMB": allowance(5120, 5120),
            "FileStorageMB": allowance(20480, 20480),
            "SingleEmail": allowance(5000, 5000),
        }
    )


def _batch_size(call: ApiCall, default: int = DEFAULT_BATCH_SIZE) -> int:
    # Salesforce treats the batch size as a hint and keeps it within 200..2000.
    match = _BATCH_SIZE.search(call.request.headers.get("Sforce-Query-Options", ""))
    if match is None:
        return default
    return max(MIN_BATCH_SIZE, min(DEFAULT_BATCH_SIZE, int(match.group(1))))


def _resource(include_deleted: bool) -> str:
    return "queryAll" if include_deleted else "query"


def _answer_query(call: ApiCall, *, include_deleted: bool) -> HttpResponse:
    text = call.request.GET.get("q")
    if text is None:
        raise MalformedQueryError("A query string has to be specified")
    caller = call.caller()
    compiled = querying.compile_query(call.schema, caller, text, include_deleted=include_deleted)
    if compiled.count_only:
        return json_answer(
            {"totalSize": compiled.count(call.db, call.org_id), "done": True, "records": []}
        )
    rows = compiled.matching_rows(call.db, call.org_id)
    batch_size = _batch_size(call)
    body: dict[str, object] = {"totalSize": len(rows), "done": len(rows) <= batch_size}
    if len(rows) > batch_size:
        locator = querying.save_locator(
            call.db,
            caller,
            query=text,
            include_deleted=include_deleted,
            rows=rows,
            batch_size=batch_size,
        )
        body["nextRecordsUrl"] = call.url(f"{_resource(include_deleted)}/{locator}-{batch_size}")
    body["records"] = compiled.records(compiled.fetch(call.db, rows[:batch_size]), call.version)
    return json_answer(body)


@data_api("GET")
def query(call: ApiCall) -> HttpResponse:
    """``GET query?q=SOQL``: live records only."""
    return _answer_query(call, include_deleted=False)


@data_api("GET")
def query_all(call: ApiCall) -> HttpResponse:
    """``GET queryAll?q=SOQL``: deleted records (``IsDeleted = true``) too."""
    return _answer_query(call, include_deleted=True)


@data_api("GET")
def query_more(call: ApiCall, locator: str) -> HttpResponse:
    """``GET query/<locator>-<position>`` (or ``queryAll/``): the page starting at ``position``."""
    match = _NEXT_PAGE.fullmatch(locator)
    if match is None:
        raise InvalidQueryLocatorError("invalid query locator")
    caller = call.caller()
    saved = querying.load_locator(call.db, caller, match["locator"])
    compiled = querying.compile_query(
        call.schema, caller, saved.query, include_deleted=saved.include_deleted
    )
    position = int(match["position"])
    batch_size = _batch_size(call, saved.batch_size)
    total = len(saved.rows)
    end = min(total, position + batch_size)
    body: dict[str, object] = {"totalSize": total, "done": end >= total}
    if end < total:
        body["nextRecordsUrl"] = call.url(f"{_resource(saved.include_deleted)}/{saved.id}-{end}")
    page = saved.rows[position:end] if position < total else []
    body["records"] = compiled.records(compiled.fetch(call.db, list(page)), call.version)
    return json_answer(body)
