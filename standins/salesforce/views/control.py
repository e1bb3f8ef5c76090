"""Test-control endpoints under ``/_standin/``: not part of Salesforce, only of the stand-in.

They change the whole store without authentication, which is fine for a process that only ever
runs on a developer's machine or in CI and never in a deployment.
"""

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from standins.salesforce import seed, tokens
from standins.salesforce.app import runtime_of
from standins.salesforce.store import transaction


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


@csrf_exempt
@require_POST
def reset(request: HttpRequest) -> JsonResponse:
    """Reseed the store: every token, code and session is forgotten."""
    with runtime_of(request).store.connect() as db:
        seed.seed(db)
    return JsonResponse({"status": "ok"})
