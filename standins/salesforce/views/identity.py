"""The identity URL (``/id/{orgId}/{userId}``) and the default profile photo it links to."""

import re
from pathlib import Path

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from standins.salesforce import authentication, ids, tokens
from standins.salesforce.app import runtime_of
from standins.salesforce.canvas import API_VERSION
from standins.salesforce.identity import VERSION_PLACEHOLDER, identity_document

_PROFILE_PHOTO = Path(__file__).resolve().parent.parent / "static" / "profilephoto.svg"
_VERSION = re.compile(r"\d{2,3}\.0")


def _invalid_session() -> JsonResponse:
    # The REST API's answer to a dead session; the REST data API will answer the same way.
    body = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    return JsonResponse(body, status=401, safe=False)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def identity(request: HttpRequest, org_id: str, user_id: str) -> HttpResponse:
    """The identity document of the token's own user; another user's ID gets 403 ``Bad_Id``.

    ``?version=62.0`` (or ``latest``) fills the ``{version}`` placeholders of the URLs, as in
    Salesforce.
    """
    runtime = runtime_of(request)
    now = timezone.now()
    access_token = authentication.bearer_token(request)
    with runtime.store.connect() as db:
        grant = None if access_token is None else tokens.find_access_grant(db, access_token, now)
    if grant is None:
        return _invalid_session()
    if not (ids.is_valid(org_id) and ids.is_valid(user_id)) or (
        ids.to_18(org_id),
        ids.to_18(user_id),
    ) != (grant.org.id, grant.user.id):
        return HttpResponse("Bad_Id", status=403, content_type="text/plain")
    version = request.GET.get("version", "")
    if version == "latest":
        version = API_VERSION
    document = identity_document(
        runtime.configuration.public_url,
        grant.user,
        grant.org,
        now,
        version=version if _VERSION.fullmatch(version) else VERSION_PLACEHOLDER,
    )
    return JsonResponse(document)


@require_GET
@cache_control(max_age=86400)
def profile_photo(request: HttpRequest, size: str) -> HttpResponse:
    """The silhouette Salesforce shows for users without a photo (``F`` full, ``T`` thumbnail)."""
    return HttpResponse(_PROFILE_PHOTO.read_bytes(), content_type="image/svg+xml")
