"""The authorization endpoint's use-cases: read a request, issue a code, answer by redirect."""

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

from standins.salesforce import connected_app, tokens
from standins.salesforce.connected_app import ConnectedApp
from standins.salesforce.directory import User
from standins.salesforce.errors import (
    InvalidRequestError,
    OAuthError,
    RedirectUriMismatchError,
    UnsupportedResponseTypeError,
)

CODE_LIFETIME = timedelta(minutes=15)
PKCE_METHODS = frozenset({"S256", "plain"})


@dataclass(frozen=True)
class AuthorizationRequest:
    """A checked request of the OAuth web-server flow, from a trusted client and redirect URI."""

    client_id: str
    redirect_uri: str
    state: str | None
    scopes: tuple[str, ...]
    code_challenge: str | None
    code_challenge_method: str | None
    prompt: frozenset[str]
    login_hint: str

    @property
    def forces_login(self) -> bool:
        """Whether the user must pick an account even if a stand-in session already names one.

        ``approval_prompt=force`` is Salesforce's older spelling, still sent by some clients.
        """
        return bool(self.prompt & {"login", "consent", "select_account"})

    def redirect_location(self, **parameters: str) -> str:
        """The redirect URI with ``parameters`` and the state appended to its query."""
        if self.state is not None:
            parameters["state"] = self.state
        parts = urlsplit(self.redirect_uri)
        query = "&".join(part for part in (parts.query, urlencode(parameters)) if part)
        return urlunsplit(parts._replace(query=query))


class AuthorizationRefusedError(Exception):
    """A trusted client's request that is refused; the answer is a redirect with the error."""

    def __init__(self, error: OAuthError, location: str) -> None:
        super().__init__(str(error))
        self.error = error
        self.location = location


def refusal(authorization: AuthorizationRequest, error: OAuthError) -> AuthorizationRefusedError:
    """The redirect that reports ``error`` to the client, as Salesforce words it."""
    location = authorization.redirect_location(
        error=error.error, error_description=error.description
    )
    return AuthorizationRefusedError(error, location)


def read_authorization_request(
    params: Mapping[str, str], app: ConnectedApp
) -> AuthorizationRequest:
    """Check the query of an authorization request.

    Raises ``InvalidClientIdError`` or ``RedirectUriMismatchError`` when the client or its
    redirect URI cannot be trusted: those are shown on a page, never redirected, so that nobody can
    use the endpoint to send a browser elsewhere. Raises :class:`AuthorizationRefusedError` for
    every other problem.
    """
    app.check_client_id(params.get("client_id", ""))
    redirect_uri = params.get("redirect_uri", "")
    if not app.allows_redirect_uri(redirect_uri):
        raise RedirectUriMismatchError
    challenge = params.get("code_challenge") or None
    method = params.get("code_challenge_method") or None
    prompt = frozenset(params.get("prompt", "").split())
    if params.get("approval_prompt") == "force":
        prompt |= {"consent"}
    authorization = AuthorizationRequest(
        client_id=params["client_id"],
        redirect_uri=redirect_uri,
        state=params.get("state"),
        scopes=(),
        code_challenge=challenge,
        # RFC 7636: a challenge without a method is a plain one.
        code_challenge_method=(method or "plain") if challenge else None,
        prompt=prompt,
        login_hint=params.get("login_hint", ""),
    )
    if params.get("response_type") != "code":
        raise refusal(authorization, UnsupportedResponseTypeError())
    if method is not None and method not in PKCE_METHODS:
        raise refusal(authorization, InvalidRequestError("unsupported code_challenge_method"))
    try:
        scopes = connected_app.grant_scopes(params.get("scope", ""))
    except OAuthError as error:
        raise refusal(authorization, error) from error
    return replace(authorization, scopes=scopes)


def issue_authorization_code(
    db: sqlite3.Connection, authorization: AuthorizationRequest, user: User, now: datetime
) -> str:
    """Issue a single-use code for ``user`` and return the redirect location that carries it.

    The code is bound to everything the token request must repeat or prove: client, redirect URI,
    scopes, user and PKCE challenge.
    """
    code = tokens.new_authorization_code()
    db.execute(
        """
        INSERT INTO authorization_codes (
            code_hash, client_id, redirect_uri, scope, user_id,
            code_challenge, code_challenge_method, expires_at
        ) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            tokens.digest(code),
            authorization.client_id,
            authorization.redirect_uri,
            " ".join(authorization.scopes),
            user.id,
            authorization.code_challenge,
            authorization.code_challenge_method,
            tokens.epoch_ms(now + CODE_LIFETIME),
        ),
    )
    return authorization.redirect_location(code=code)
