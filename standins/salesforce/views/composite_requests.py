"""The Composite resource (``composite``): several sObject requests in one call, in order.

Later subrequests may use earlier results through ``@{referenceId.id}``. With ``allOrNone`` the
whole call is one transaction: if a subrequest fails, everything is rolled back, the failing one
carries its error and every other one ``PROCESSING_HALTED``, as Salesforce answers.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.http import HttpResponse

from standins.salesforce.data import records
from standins.salesforce.data.errors import JsonParserError, RecordError
from standins.salesforce.data.records import Writer, savepoint
from standins.salesforce.store import transaction
from standins.salesforce.views.api import ApiCall, data_api, json_answer

MAX_SUBREQUESTS = 25
_URL = re.compile(
    r"^/services/data/v\d{2,3}\.0/sobjects/(?P<object>\w+)(?:/(?P<first>[^/]+)(?:/(?P<second>[^/]+))?)?/?$"
)
_REFERENCE = re.compile(r"@\{(?P<name>\w+)\.id\}")
_HALTED = {
    "errorCode": "PROCESSING_HALTED",
    "message": "The transaction was rolled back since another operation in the same transaction "
    "failed.",
}


class _RollBack(Exception):
    pass


@dataclass
class _Result:
    reference_id: str
    status: int = 0
    body: object = None
    failed: bool = False


def _resolve(value: object, ids: Mapping[str, str]) -> object:
    if isinstance(value, str):
        return _REFERENCE.sub(lambda match: ids.get(match["name"], match.group(0)), value)
    return value


def _run_one(
    call: ApiCall, writer: Writer, subrequest: Mapping[str, object], ids: dict[str, str]
) -> tuple[int, object, str | None]:
    method = str(subrequest.get("method", "")).upper()
    match = _URL.match(str(_resolve(subrequest.get("url") or "", ids)))
    body = subrequest.get("body") or {}
    if match is None or not isinstance(body, dict):
        raise RecordError("INVALID_URL", "The composite subrequest URL or body is not supported.")
    sobject = call.sobject(match["object"])
    given = records.fields_from_json(
        sobject, {key: _resolve(value, ids) for key, value in body.items()}
    )
    if method == "POST" and match["first"] is None:
        record_id = writer.create(sobject, given)
        return 201, {"id": record_id, "success": True, "errors": []}, record_id
    if method == "PATCH" and match["second"] is not None:
        key_field = sobject.field(match["first"])
        if key_field is None or not key_field.id_lookup:
            raise RecordError("NOT_FOUND", f"No external ID field {match['first']}.")
        record_id, created = writer.upsert(sobject, key_field, match["second"], given)
        body_out = {"id": record_id, "success": True, "errors": [], "created": bool(created)}
        return (201 if created else 200), body_out, record_id
    if method == "PATCH" and match["first"] is not None:
        record_id = writer.update(sobject, match["first"], given)
        return 204, None, record_id
    raise RecordError("METHOD_NOT_ALLOWED", f"{method} is not supported in a composite request.")


@data_api("POST")
def composite(call: ApiCall) -> HttpResponse:
    body = call.json_body()
    if not isinstance(body, dict) or not isinstance(body.get("compositeRequest"), list):
        raise JsonParserError("The request body must be an object with a compositeRequest list")
    subrequests = body["compositeRequest"]
    if len(subrequests) > MAX_SUBREQUESTS or not all(isinstance(s, dict) for s in subrequests):
        raise JsonParserError(f"compositeRequest takes at most {MAX_SUBREQUESTS} objects")
    all_or_none = body.get("allOrNone", False) is True
    writer = Writer(call.db, call.schema, call.actor())
    ids: dict[str, str] = {}
    results: list[_Result] = []
    try:
        with transaction(call.db):
            for subrequest in subrequests:
                result = _Result(reference_id=str(subrequest.get("referenceId", "")))
                results.append(result)
                try:
                    with savepoint(call.db):
                        result.status, result.body, record_id = _run_one(
                            call, writer, subrequest, ids
                        )
                    if record_id and result.reference_id:
                        ids[result.reference_id] = record_id
                except RecordError as error:
                    result.failed, result.status = True, 400
                    result.body = [
                        {
                            "errorCode": error.status_code,
                            "message": error.message,
                            "fields": error.fields,
                        }
                    ]
                    if all_or_none:
                        raise _RollBack from error
    except _RollBack:
        for result in results:
            if not result.failed:
                result.status, result.body = 400, [_HALTED]
        for subrequest in subrequests[len(results) :]:
            results.append(
                _Result(str(subrequest.get("referenceId", "")), 400, [_HALTED], failed=False)
            )
    return json_answer(
        {
            "compositeResponse": [
                {
                    "body": result.body,
                    "httpHeaders": {},
                    "httpStatusCode": result.status,
                    "referenceId": result.reference_id,
                }
                for result in results
            ]
        }
    )
