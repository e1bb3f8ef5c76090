"""The token endpoint's use-cases: exchange a code, refresh, log in with a password, launch Canvas.

Each one runs in a single write transaction. Where a failure must leave a trace (a code burnt by a
wrong verifier, a token family revoked after a refresh token was reused) the transaction returns the
error instead of raising it, so the trace is committed before the client hears of the failure.
"""

import base64
import hashlib
import hmac
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from standins.salesforce import connected_app, directory, tokens
from standins.salesforce.configuration import Configuration
from standins.salesforce.directory import Org, User
from standins.salesforce.errors import InvalidGrantError, OAuthError, RedirectUriMismatchError
from standins.salesforce.identity import identity_url
from standins.salesforce.store import transaction
from standins.salesforce.tokens import IssuedTokens

_VERIFIER_PATTERN = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_STALE_CODE = "invalid authorization code"
_STALE_REFRESH = "expired access/refresh token"


@dataclass(frozen=True)
class TokenResponse:
    """A successful token response, shaped as Salesforce's."""

    access_token: str
    refresh_token: str | None
    scopes: tuple[str, ...]
    instance_url: str
    identity_url: str
    issued_at_ms: int
    signature: str

    def as_json(self) -> dict[str, str]:
        body = {"access_token": self.access_token}
        if self.refresh_token is not None:
            body["refresh_token"] = self.refresh_token
        return body | {
            "signature": self.signature,
            "scope": " ".join(self.scopes),
            "instance_url": self.instance_url,
            "id": self.identity_url,
            "token_type": "Bearer",
            "issued_at": str(self.issued_at_ms),
        }


def _response(
    configuration: Configuration, user: User, issued: IssuedTokens, scopes: tuple[str, ...]
) -> TokenResponse:
    identity = identity_url(configuration.public_url, user)
    issued_at_ms = tokens.epoch_ms(issued.issued_at)
    return TokenResponse(
        access_token=issued.access_token,
        refresh_token=issued.refresh_token,
        scopes=scopes,
        instance_url=configuration.public_url,
        identity_url=identity,
        issued_at_ms=issued_at_ms,
        signature=tokens.sign_identity(identity, issued_at_ms, configuration.app.consumer_secret),
    )


def _user_and_org(db: sqlite3.Connection, user_id: str) -> tuple[User, Org] | None:
    user = directory.get_user(db, user_id)
    org = None if user is None else directory.get_org(db, user.org_id)
    if user is None or org is None or not user.is_active:
        return None
    return user, org


def _verifier_matches(verifier: str, challenge: str, method: str) -> bool:
    if not _VERIFIER_PATTERN.fullmatch(verifier):
        return False
    if method == "plain":
        return hmac.compare_digest(verifier, challenge)
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest())
    return hmac.compare_digest(computed.rstrip(b"=").decode("ascii"), challenge)


def _raise_if_error(outcome: TokenResponse | OAuthError) -> TokenResponse:
    if isinstance(outcome, OAuthError):
        raise outcome
    return outcome


def exchange_authorization_code(
    db: sqlite3.Connection,
    configuration: Configuration,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    now: datetime,
) -> TokenResponse:
    """Exchange an authorization code for tokens (the web-server flow's second leg).

    The code works once: any attempt that names the right client uses it up, and presenting a used
    code again also revokes the tokens it gave. Raises ``InvalidClientIdError`` or
    ``InvalidClientError`` for bad client credentials, ``InvalidGrantError`` for an unknown, used or
    expired code or a PKCE failure, ``RedirectUriMismatchError`` if the redirect URI differs from
    the authorization request's.
    """
    configuration.app.check_client(client_id, client_secret)
    with transaction(db):
        outcome = _exchange_code(
            db, configuration, client_id, code, redirect_uri, code_verifier, now
        )
    return _raise_if_error(outcome)


def _exchange_code(
    db: sqlite3.Connection,
    configuration: Configuration,
    client_id: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    now: datetime,
) -> TokenResponse | OAuthError:
    row = db.execute(
        "SELECT * FROM authorization_codes WHERE code_hash = ? AND client_id = ?",
        (tokens.digest(code), client_id),
    ).fetchone()
    if row is None:
        return InvalidGrantError(_STALE_CODE)
    if row["used_at"] is not None:
        if row["grant_id"] is not None:
            tokens.revoke_grant(db, row["grant_id"], now)
        return InvalidGrantError(_STALE_CODE)
    db.execute(
        "UPDATE authorization_codes SET used_at = ? WHERE code_hash = ?",
        (tokens.epoch_ms(now), row["code_hash"]),
    )
    if row["expires_at"] <= tokens.epoch_ms(now):
        return InvalidGrantError(_STALE_CODE)
    if redirect_uri != row["redirect_uri"]:
        return RedirectUriMismatchError()
    challenge = row["code_challenge"]
    if challenge is not None and not _verifier_matches(
        code_verifier, challenge, row["code_challenge_method"]
    ):
        return InvalidGrantError("invalid code verifier")
    if challenge is None and code_verifier:
        # A verifier without a challenge means the client lost its challenge on the way: refusing
        # it here surfaces that bug instead of letting an unprotected exchange pass.
        return InvalidGrantError("invalid code verifier")
    owner = _user_and_org(db, row["user_id"])
    if owner is None:
        return InvalidGrantError("inactive user")
    user, org = owner
    scopes = tuple(row["scope"].split())
    grant_id = tokens.start_grant(db, user_id=user.id, client_id=client_id, scopes=scopes, now=now)
    db.execute(
        "UPDATE authorization_codes SET grant_id = ? WHERE code_hash = ?",
        (grant_id, row["code_hash"]),
    )
    issued = tokens.issue_tokens(
        db,
        grant_id=grant_id,
        org=org,
        with_refresh_token=bool(connected_app.REFRESH_SCOPES.intersection(scopes)),
        lifetime=configuration.token_lifetime,
        now=now,
    )
    return _response(configuration, user, issued, scopes)


def refresh_access_token(
    db: sqlite3.Connection,
    configuration: Configuration,
    *,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    now: datetime,
) -> TokenResponse:
    """Trade a refresh token for a new access token and a new refresh token (rotation).

    The old refresh token stops working. Presenting it again means it leaked or a client raced
    itself; either way the whole token family is revoked. Raises ``InvalidClientIdError`` or
    ``InvalidClientError`` for bad client credentials and ``InvalidGrantError`` for a refresh token
    that is unknown, revoked or already used.
    """
    configuration.app.check_client(client_id, client_secret)
    with transaction(db):
        outcome = _rotate(db, configuration, client_id, refresh_token, now)
    return _raise_if_error(outcome)


def _rotate(
    db: sqlite3.Connection,
    configuration: Configuration,
    client_id: str,
    refresh_token: str,
    now: datetime,
) -> TokenResponse | OAuthError:
    row = db.execute(
        """
        SELECT refresh_tokens.token_hash, refresh_tokens.rotated_at, grants.id AS grant_id,
               grants.user_id, grants.scope, grants.revoked_at
        FROM refresh_tokens JOIN grants ON grants.id = refresh_tokens.grant_id
        WHERE refresh_tokens.token_hash = ? AND grants.client_id = ?
        """,
        (tokens.digest(refresh_token), client_id),
    ).fetchone()
    if row is None or row["revoked_at"] is not None:
        return InvalidGrantError(_STALE_REFRESH)
    if row["rotated_at"] is not None:
        tokens.revoke_grant(db, row["grant_id"], now)
        return InvalidGrantError(_STALE_REFRESH)
    owner = _user_and_org(db, row["user_id"])
    if owner is None:
        return InvalidGrantError("inactive user")
    user, org = owner
    db.execute(
        "UPDATE refresh_tokens SET rotated_at = ? WHERE token_hash = ?",
        (tokens.epoch_ms(now), row["token_hash"]),
    )
    issued = tokens.issue_tokens(
        db,
        grant_id=row["grant_id"],
        org=org,
        with_refresh_token=True,
        lifetime=configuration.token_lifetime,
        now=now,
    )
    return _response(configuration, user, issued, tuple(row["scope"].split()))


def log_in_with_password(
    db: sqlite3.Connection,
    configuration: Configuration,
    *,
    client_id: str,
    client_secret: str,
    username: str,
    password: str,
    now: datetime,
) -> TokenResponse:
    """Issue an access token for a username and password (the flow scripts use).

    As in Salesforce, this flow never returns a refresh token. Raises ``InvalidClientIdError`` or
    ``InvalidClientError`` for bad client credentials and ``InvalidGrantError`` for bad user
    credentials.
    """
    configuration.app.check_client(client_id, client_secret)
    user = directory.authenticate(db, username, password)
    if user is None:
        raise InvalidGrantError("authentication failure")
    owner = _user_and_org(db, user.id)
    if owner is None:
        raise InvalidGrantError("authentication failure")
    user, org = owner
    scopes = connected_app.without_refresh(connected_app.SELECTED_SCOPES)
    with transaction(db):
        grant_id = tokens.start_grant(
            db, user_id=user.id, client_id=client_id, scopes=scopes, now=now
        )
        issued = tokens.issue_tokens(
            db,
            grant_id=grant_id,
            org=org,
            with_refresh_token=False,
            lifetime=configuration.token_lifetime,
            now=now,
        )
    return _response(configuration, user, issued, scopes)


def issue_canvas_token(
    db: sqlite3.Connection, configuration: Configuration, *, user: User, org: Org, now: datetime
) -> str:
    """Issue the access token a Canvas signed request carries for ``user``.

    Salesforce gives a signed-request Canvas app a session of its own and no refresh token.
    """
    scopes = connected_app.without_refresh(connected_app.SELECTED_SCOPES)
    with transaction(db):
        grant_id = tokens.start_grant(
            db,
            user_id=user.id,
            client_id=configuration.app.consumer_key,
            scopes=scopes,
            now=now,
        )
        issued = tokens.issue_tokens(
            db,
            grant_id=grant_id,
            org=org,
            with_refresh_token=False,
            lifetime=configuration.token_lifetime,
            now=now,
        )
    return issued.access_token
