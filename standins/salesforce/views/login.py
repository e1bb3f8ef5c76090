"""The user picker that stands in for Salesforce's login page, the home page, and logging out.

The root page, the OAuth authorize page and the Canvas host page show it and take its answer.
"""

import sqlite3
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from standins.salesforce import directory, sessions
from standins.salesforce.app import runtime_of
from standins.salesforce.directory import User

# Salesforce's own wording, so that a demo looks like the real thing.
LOGIN_FAILED = (
    "Please check your username and password. If you still can't log in, contact your "
    "Salesforce administrator."
)


def render_login(
    request: HttpRequest,
    db: sqlite3.Connection,
    *,
    purpose: str,
    allows_deny: bool,
    login_hint: str = "",
    error: str | None = None,
) -> HttpResponse:
    """The login page, posting back to the URL it was shown at."""
    context = {
        "action": request.get_full_path(),
        "purpose": purpose,
        "allows_deny": allows_deny,
        "login_hint": login_hint,
        "error": error,
        "orgs": directory.list_users_by_org(db),
    }
    return render(request, "salesforce/login.html", context)


def chosen_user(request: HttpRequest, db: sqlite3.Connection) -> User | None:
    """The user a login form picked (a user button, or username and password), or ``None``."""
    if "user_id" in request.POST:
        user = directory.get_user(db, request.POST["user_id"])
        return user if user is not None and user.is_active else None
    # Salesforce's login form names the password field "pw".
    return directory.authenticate(db, request.POST.get("username", ""), request.POST.get("pw", ""))


def log_in(
    response: HttpResponse, db: sqlite3.Connection, user: User, now: datetime
) -> HttpResponse:
    """Start a stand-in session for ``user`` and set its cookie on ``response``."""
    key = sessions.start_session(db, user, now)
    response.set_cookie(
        sessions.COOKIE_NAME,
        key,
        max_age=int(sessions.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="Lax",
    )
    return response


def current_user(request: HttpRequest, db: sqlite3.Connection, now: datetime) -> User | None:
    return sessions.session_user(db, request.COOKIES.get(sessions.COOKIE_NAME), now)


@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    """The login page at the root of the login host, as in Salesforce; logged in, a home page."""
    runtime = runtime_of(request)
    now = timezone.now()
    with runtime.store.connect() as db:
        if request.method == "POST":
            chosen = chosen_user(request, db)
            if chosen is None:
                return render_login(
                    request,
                    db,
                    purpose="home",
                    allows_deny=False,
                    login_hint=request.POST.get("username", ""),
                    error=LOGIN_FAILED,
                )
            return log_in(redirect("/"), db, chosen, now)
        user = current_user(request, db, now)
        if user is None:
            return render_login(request, db, purpose="home", allows_deny=False)
        context = {
            "user": user,
            "org": directory.get_org(db, user.org_id),
            "ledgerlink_url": runtime.configuration.ledgerlink_url,
        }
    return render(request, "salesforce/home.html", context)


@require_GET
def logout(request: HttpRequest) -> HttpResponse:
    """End the stand-in session (Salesforce's logout page lives at this same path)."""
    with runtime_of(request).store.connect() as db:
        sessions.end_session(db, request.COOKIES.get(sessions.COOKIE_NAME))
    response = render(
        request,
        "salesforce/message.html",
        {
            "title": "You are logged out",
            "message": "Your stand-in Salesforce session has ended.",
            "link_url": "/",
            "link_text": "Log in again",
        },
    )
    response.delete_cookie(sessions.COOKIE_NAME, samesite="Lax")
    return response


def message_page(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    """A plain page with a title and one sentence, for refusals that cannot be redirected."""
    return render(
        request, "salesforce/message.html", {"title": title, "message": message}, status=status
    )
