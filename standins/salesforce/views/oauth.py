"""OAuth 2.0 endpoints: authorize, token, userinfo and revoke, answering as Salesforce does."""

import base64
import binascii
from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from standins.salesforce import authentication, grants, tokens
from standins.salesforce.app import runtime_of
from standins.salesforce.authorization import (
    AuthorizationRefusedError,
    issue_authorization_code,
    read_authorization_request,
    refusal,
)
from standins.salesforce.errors import (
    AccessDeniedError,
    OAuthError,
    UnsupportedGrantTypeError,
    UnsupportedTokenTypeError,
)
from standins.salesforce.grants import TokenResponse
from standins.salesforce.identity import userinfo_document
from standins.salesforce.views.login import (
    LOGIN_FAILED,
    chosen_user,
    current_user,
    log_in,
    render_login,
)

# Token answers carry live credentials: no cache on the way may keep them.
_NO_STORE = {"Cache-Control": "no-cache, no-store", "Pragma": "no-cache"}


def oauth_error(error: OAuthError) -> JsonResponse:
    """The JSON body Salesforce answers a failed token or revoke request with."""
    return JsonResponse(
        {"error": error.error, "error_description": error.description},
        status=400,
        headers=_NO_STORE,
    )


@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """Show the login page, then redirect back to the client with a code (or with an error).

    The request's parameters stay in the query string on the POST back, so the form only adds the
    user's choice; Django's CSRF check protects that choice.
    """
    runtime = runtime_of(request)
    try:
        authorization = read_authorization_request(request.GET.dict(), runtime.configuration.app)
    except AuthorizationRefusedError as refused:
        return redirect(refused.location)
    except OAuthError as error:
        return render(request, "salesforce/oauth_error.html", {"error": error}, status=400)
    now = timezone.now()
    with runtime.store.connect() as db:
        if request.method == "POST":
            if request.POST.get("action") == "deny":
                return redirect(refusal(authorization, AccessDeniedError()).location)
            user = chosen_user(request, db)
            if user is None:
                return render_login(
                    request,
                    db,
                    purpose="authorize",
                    allows_deny=True,
                    login_hint=request.POST.get("username", ""),
                    error=LOGIN_FAILED,
                )
            location = issue_authorization_code(db, authorization, user, now)
            return log_in(redirect(location), db, user, now)
        user = current_user(request, db, now)
        if user is not None and not authorization.forces_login:
            # Like Salesforce with a pre-approved app: a user already logged in is not asked again.
            return redirect(issue_authorization_code(db, authorization, user, now))
        return render_login(
            request,
            db,
            purpose="authorize",
            allows_deny=True,
            login_hint=authorization.login_hint,
        )


def _client_credentials(request: HttpRequest) -> tuple[str, str]:
    """Client ID and secret from HTTP Basic authentication, else from the form body."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        client_id, _, client_secret = decoded.partition(":")
        # RFC 6749 form-encodes both values before joining them.
        return unquote_plus(client_id), unquote_plus(client_secret)
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    """The token endpoint: authorization code, refresh token and password grants."""
    runtime = runtime_of(request)
    configuration = runtime.configuration
    client_id, client_secret = _client_credentials(request)
    form = request.POST
    now = timezone.now()
    try:
        with runtime.store.connect() as db:
            response: TokenResponse
            match form.get("grant_type", ""):
                case "authorization_code":
                    response = grants.exchange_authorization_code(
                        db,
                        configuration,
                        client_id=client_id,
                        client_secret=client_secret,
                        code=form.get("code", ""),
                        redirect_uri=form.get("redirect_uri", ""),
                        code_verifier=form.get("code_verifier", ""),
                        now=now,
                    )
                case "refresh_token":
                    response = grants.refresh_access_token(
                        db,
                        configuration,
                        client_id=client_id,
                        client_secret=client_secret,
                        refresh_token=form.get("refresh_token", ""),
                        now=now,
                    )
                case "password":
                    response = grants.log_in_with_password(
                        db,
                        configuration,
                        client_id=client_id,
                        client_secret=client_secret,
                        username=form.get("username", ""),
                        password=form.get("password", ""),
                        now=now,
                    )
                case _:
                    raise UnsupportedGrantTypeError
    except OAuthError as error:
        return oauth_error(error)
    return JsonResponse(response.as_json(), headers=_NO_STORE)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def userinfo(request: HttpRequest) -> HttpResponse:
    """OpenID Connect userinfo; a bad token gets Salesforce's bare 403 ``Bad_OAuth_Token``."""
    runtime = runtime_of(request)
    now = timezone.now()
    access_token = authentication.bearer_token(request)
    with runtime.store.connect() as db:
        grant = None if access_token is None else tokens.find_access_grant(db, access_token, now)
    if grant is None:
        return HttpResponse("Bad_OAuth_Token", status=403, content_type="text/plain")
    document = userinfo_document(runtime.configuration.public_url, grant.user, grant.org, now)
    return JsonResponse(document)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest) -> HttpResponse:
    """Revoke an access token, or a refresh token together with its access tokens."""
    runtime = runtime_of(request)
    token_value = request.POST.get("token") or request.GET.get("token") or ""
    with runtime.store.connect() as db:
        revoked = tokens.revoke_token(db, token_value, timezone.now())
    if not revoked:
        return oauth_error(UnsupportedTokenTypeError())
    return HttpResponse(status=200)
