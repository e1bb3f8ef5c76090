"""The REST data API, as far as Ledgerlink's login needs it today: the Organization record.

The full API (sObjects, SOQL, composite, Bulk API 2.0) comes with the Salesforce data layer; until
then any other query is answered the way Salesforce answers SOQL it cannot run.
"""

import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from standins.salesforce import authentication, tokens
from standins.salesforce.app import runtime_of
from standins.salesforce.directory import Org

_ORGANIZATION_QUERY = re.compile(
    r"^\s*SELECT\s+(?P<fields>[\w\s,]+?)\s+FROM\s+Organization(?:\s+LIMIT\s+\d+)?\s*$",
    re.IGNORECASE,
)


def _organization_fields(org: Org) -> dict[str, object]:
    return {
        "Id": org.id,
        "Name": org.name,
        "IsSandbox": org.is_sandbox,
        "DefaultLocaleSidKey": "de_DE",
        "NamespacePrefix": org.namespace_prefix,
    }


def _error(status: int, error_code: str, message: str) -> JsonResponse:
    return JsonResponse([{"message": message, "errorCode": error_code}], status=status, safe=False)


@csrf_exempt
@require_GET
def query(request: HttpRequest, version: str) -> HttpResponse:
    runtime = runtime_of(request)
    access_token = authentication.bearer_token(request)
    with runtime.store.connect() as db:
        grant = (
            None
            if access_token is None
            else tokens.find_access_grant(db, access_token, timezone.now())
        )
    if grant is None:
        return _error(401, "INVALID_SESSION_ID", "Session expired or invalid")
    match = _ORGANIZATION_QUERY.match(request.GET.get("q", ""))
    if match is None:
        return _error(
            400, "MALFORMED_QUERY", "The local Salesforce answers only Organization queries so far."
        )
    available = _organization_fields(grant.org)
    by_lower_name = {name.lower(): name for name in available}
    requested = [field.strip() for field in match["fields"].split(",")]
    unknown = [field for field in requested if field.lower() not in by_lower_name]
    if unknown:
        return _error(
            400, "INVALID_FIELD", f"No such column '{unknown[0]}' on entity 'Organization'."
        )
    record: dict[str, object] = {
        "attributes": {
            "type": "Organization",
            "url": f"/services/data/v{version}/sobjects/Organization/{grant.org.id}",
        }
    }
    for field in requested:
        name = by_lower_name[field.lower()]
        record[name] = available[name]
    return JsonResponse({"totalSize": 1, "done": True, "records": [record]})
