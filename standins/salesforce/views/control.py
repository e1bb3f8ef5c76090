"""Test-control endpoints under ``/_standin/``: not part of Salesforce, only of the stand-in.

They change the whole store without authentication, which is fine for a process that only ever
runs on a developer's machine or in CI and never in a deployment.
"""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from standins.salesforce import directory, seed, tokens
from standins.salesforce.app import Runtime, runtime_of
from standins.salesforce.canvas import API_VERSION
from standins.salesforce.data import failures, permissions, records
from standins.salesforce.data.tables import quote
from standins.salesforce.store import transaction


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


def _json_body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body or b"{}")
    except ValueError:
        return None


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Answers once the server is listening and its store opens."""
    with runtime_of(request).store.connect() as db:
        db.execute("SELECT 1 FROM orgs LIMIT 1")
    return JsonResponse({"status": "ok"})


@csrf_exempt
@require_POST
def expire_access_tokens(request: HttpRequest) -> JsonResponse:
    """End every live access token, so that clients must use their refresh tokens."""
    with runtime_of(request).store.connect() as db, transaction(db):
        expired = tokens.expire_access_tokens(db, timezone.now())
    return JsonResponse({"status": "ok", "expired": expired})


def reseed(runtime: Runtime) -> None:
    """Put the store back as it was at start: the seed, and the demo data if it was started so."""
    with runtime.store.connect() as db:
        seed.seed(db, known_permission_sets=runtime.permission_sets)
    if runtime.demo is not None:
        # Imported here: the generator is big and only demo mode needs it.
        from standins.salesforce.demo import generator

        generator.generate(runtime.store, runtime.schema, runtime.demo)


@csrf_exempt
@require_POST
def reset(request: HttpRequest) -> JsonResponse:
    """Reseed the store: every token, code, session, record, job and switch is forgotten."""
    reseed(runtime_of(request))
    return JsonResponse({"status": "ok"})


@csrf_exempt
@require_http_methods(["GET", "POST", "DELETE"])
def failure_switch(request: HttpRequest) -> JsonResponse:
    """Arm (POST ``{"mode", "count", "paths"?}``), show (GET) or disarm (DELETE) the switch."""
    with runtime_of(request).store.connect() as db:
        if request.method == "DELETE":
            failures.disarm(db)
            return JsonResponse({"armed": None})
        if request.method == "GET":
            switch = failures.current(db)
            return JsonResponse({"armed": None if switch is None else switch.as_json()})
        body = _json_body(request)
        if not isinstance(body, dict):
            return _bad_request("the body must be a JSON object")
        paths = body.get("paths") or []
        if isinstance(paths, str):
            paths = [paths]
        count = body.get("count", 1)
        if not isinstance(count, int) or not all(isinstance(path, str) for path in paths):
            return _bad_request("count must be a number and paths strings")
        try:
            switch = failures.arm(db, mode=str(body.get("mode")), count=count, paths=paths)
        except failures.FailureSwitchError as error:
            return _bad_request(str(error))
    return JsonResponse({"armed": switch.as_json()})


@csrf_exempt
@require_POST
def field_security(request: HttpRequest) -> JsonResponse:
    """Hide a field from one user, or make it read-only (``{"user_id", "field": "Object.Field",
    "readable", "editable"}``); a reset forgets it."""
    runtime = runtime_of(request)
    body = _json_body(request)
    if not isinstance(body, dict):
        return _bad_request("the body must be a JSON object")
    object_name, _, field_name = str(body.get("field", "")).partition(".")
    sobject = runtime.schema.get(object_name)
    field = None if sobject is None else sobject.field(field_name)
    if sobject is None or field is None:
        return _bad_request(f"unknown field {body.get('field')!r}")
    readable = bool(body.get("readable", False))
    editable = bool(body.get("editable", readable))
    with runtime.store.connect() as db:
        if directory.get_user(db, str(body.get("user_id"))) is None:
            return _bad_request(f"unknown user {body.get('user_id')!r}")
        permissions.set_field_security(
            db,
            user_id=str(body["user_id"]),
            sobject=sobject,
            field=field,
            readable=readable,
            editable=editable and readable,
        )
    return JsonResponse(
        {
            "user_id": body["user_id"],
            "field": f"{sobject.name}.{field.name}",
            "readable": readable,
            "editable": editable and readable,
        }
    )


@require_GET
def list_records(request: HttpRequest, name: str) -> HttpResponse:
    """Every stored field of an object's records (``?org_id=``, ``?include_deleted=true``,
    ``?limit=``), for tests to check what a client wrote without going through the API."""
    runtime = runtime_of(request)
    sobject = runtime.schema.get(name)
    if sobject is None:
        return JsonResponse({"error": f"unknown object {name!r}"}, status=404)
    conditions, params = [], []
    if request.GET.get("org_id"):
        conditions.append("org_id = ?")
        params.append(request.GET["org_id"])
    if request.GET.get("include_deleted", "").lower() != "true":
        conditions.append('"IsDeleted" = 0')
    try:
        limit = int(request.GET.get("limit", "10000"))
    except ValueError:
        return _bad_request("limit must be a number")
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    with runtime.store.connect() as db:
        rows = db.execute(
            f"SELECT * FROM {quote(sobject.table)} {where} ORDER BY _row LIMIT ?",  # noqa: S608 - names from the schema
            [*params, limit],
        ).fetchall()
    found = []
    for row in rows:
        record = records.record_json(sobject, row, list(sobject.fields), API_VERSION)
        record["org_id"] = row["org_id"]
        found.append(record)
    return JsonResponse({"totalSize": len(found), "records": found})


@require_GET
def counts(request: HttpRequest) -> JsonResponse:
    """Live records per org and object: ``{"<org id>": {"<object>": n}}``."""
    runtime = runtime_of(request)
    result: dict[str, dict[str, int]] = {}
    with runtime.store.connect() as db:
        for sobject in runtime.schema.stored_objects:
            for row in db.execute(
                f'SELECT org_id, count(*) FROM {quote(sobject.table)} WHERE "IsDeleted" = 0 '  # noqa: S608 - names from the schema
                "GROUP BY org_id"
            ):
                result.setdefault(row[0], {})[sobject.name] = row[1]
    return JsonResponse(result)
