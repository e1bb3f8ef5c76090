"""The Canvas host page (a Salesforce page showing Ledgerlink) and the Canvas SDK it serves."""

import re
import sqlite3
from datetime import datetime
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from standins.salesforce import directory, grants
from standins.salesforce.app import Runtime, runtime_of
from standins.salesforce.canvas import (
    CanvasFrame,
    InvalidFrameError,
    build_canvas_request,
    read_frame,
    sign_canvas_request,
)
from standins.salesforce.directory import Org, User
from standins.salesforce.views.login import (
    LOGIN_FAILED,
    chosen_user,
    current_user,
    log_in,
    message_page,
    render_login,
)

_SDK = Path(__file__).resolve().parent.parent / "static" / "canvas-all.js"
_SDK_VERSION = re.compile(r"\d{2,3}\.0|latest")
# Bounds what the SDK may resize the frame to, so a runaway autogrow cannot grow the page forever.
_MAX_FRAME_PIXELS = 10000


def _location_url(runtime: Runtime) -> str:
    return f"{runtime.configuration.public_url}/canvas/host/"


def _org_of(db: sqlite3.Connection, user: User) -> Org:
    org = directory.get_org(db, user.org_id)
    if org is None:
        raise Http404("the user's org is gone")
    return org


def _signed_request(
    db: sqlite3.Connection,
    runtime: Runtime,
    user: User,
    org: Org,
    frame: CanvasFrame,
    now: datetime,
) -> str:
    configuration = runtime.configuration
    oauth_token = grants.issue_canvas_token(db, configuration, user=user, org=org, now=now)
    canvas_request = build_canvas_request(
        configuration, user=user, org=org, oauth_token=oauth_token, frame=frame, issued_at=now
    )
    return sign_canvas_request(canvas_request, configuration.app.consumer_secret)


@require_http_methods(["GET", "POST"])
def host(request: HttpRequest) -> HttpResponse:
    """Show Ledgerlink as Salesforce does: a page that POSTs a signed request into a frame.

    A visitor without a stand-in session picks a user first (or names one with ``?user=``);
    ``?width=`` narrows the frame and ``?location=`` sets the display location.
    """
    runtime = runtime_of(request)
    now = timezone.now()
    try:
        frame = read_frame(request.GET.dict(), _location_url(runtime))
    except InvalidFrameError as error:
        return message_page(request, "Invalid Canvas frame", str(error), status=400)
    with runtime.store.connect() as db:
        if request.method == "POST":
            chosen = chosen_user(request, db)
            if chosen is None:
                return render_login(
                    request,
                    db,
                    purpose="canvas",
                    allows_deny=False,
                    login_hint=request.POST.get("username", ""),
                    error=LOGIN_FAILED,
                )
            return log_in(redirect(request.get_full_path()), db, chosen, now)
        user = current_user(request, db, now)
        named = None
        if user is None and "user" in request.GET:
            named = directory.get_user(db, request.GET["user"])
            if named is None or not named.is_active:
                return message_page(
                    request, "Unknown user", "There is no active stand-in user with that ID.", 400
                )
            user = named
        if user is None:
            return render_login(request, db, purpose="canvas", allows_deny=False)
        org = _org_of(db, user)
        context = {
            "user": user,
            "org": org,
            "frame": frame,
            "canvas_url": runtime.configuration.app.canvas_url,
            "signed_request": _signed_request(db, runtime, user, org, frame, now),
            "host_data": {
                "ledgerlinkOrigin": runtime.configuration.ledgerlink_origin,
                "refreshUrl": "/canvas/host/signed-request",
                "csrfToken": get_token(request),
                "width": request.GET.get("width", ""),
                "location": frame.display_location,
                "maxPixels": _MAX_FRAME_PIXELS,
            },
        }
        response = render(request, "salesforce/canvas_host.html", context)
        return response if named is None else log_in(response, db, named, now)


@require_POST
def refresh_signed_request(request: HttpRequest) -> HttpResponse:
    """A new signed request for the session's user, for the SDK's ``refreshSignedRequest``.

    Only the host page calls this, with its CSRF token, on the app's behalf.
    """
    runtime = runtime_of(request)
    now = timezone.now()
    try:
        frame = read_frame(request.POST.dict(), _location_url(runtime))
    except InvalidFrameError as error:
        return JsonResponse({"error": str(error)}, status=400)
    with runtime.store.connect() as db:
        user = current_user(request, db, now)
        if user is None:
            return JsonResponse({"error": "not logged in"}, status=401)
        signed_request = _signed_request(db, runtime, user, _org_of(db, user), frame, now)
    return JsonResponse({"signed_request": signed_request})


@require_GET
@cache_control(max_age=3600)
def sdk(request: HttpRequest, version: str) -> HttpResponse:
    """The Canvas SDK script, served like Salesforce's at ``/canvas/sdk/js/{version}/``."""
    if not _SDK_VERSION.fullmatch(version):
        raise Http404("no such SDK version")
    return HttpResponse(_SDK.read_bytes(), content_type="application/javascript; charset=utf-8")
