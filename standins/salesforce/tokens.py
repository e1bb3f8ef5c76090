"""Access tokens, refresh tokens and the grants they belong to.

A grant is one consent: an authorization code exchanged, a password login or a Canvas launch. Its
access and refresh tokens form a family, so revoking a refresh token (or detecting the reuse of a
rotated one) revokes the whole family at once. The store keeps only SHA-256 digests of tokens: a
copied store file gives nobody a working session.
"""

import base64
import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from standins.salesforce import directory
from standins.salesforce.directory import Org, User


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the epoch, the unit of Salesforce's ``issued_at`` and of the store."""
    return int(moment.timestamp() * 1000)


def digest(token: str) -> str:
    """The form in which a token is stored and looked up."""
    return hashlib.sha256(token.encode()).hexdigest()


def _random_tail(length_bytes: int) -> str:
    # Salesforce's tokens use letters, digits, dots and underscores; a URL-safe base64 string with
    # dots instead of dashes has the same look and survives URLs and headers unescaped.
    return secrets.token_urlsafe(length_bytes).replace("-", ".")


def new_access_token(org: Org) -> str:
    """A token shaped like a Salesforce session ID: the 15-character org ID, ``!``, a long tail."""
    return f"{org.id15}!AQ{_random_tail(72)}"


def new_refresh_token() -> str:
    return f"5Aep861{_random_tail(60)}"


def new_authorization_code() -> str:
    return f"aPrx{_random_tail(64)}"


def sign_identity(identity_url: str, issued_at_ms: int, consumer_secret: str) -> str:
    """The ``signature`` of a token response: base64 HMAC-SHA256 of ``id`` then ``issued_at``.

    Clients check it to know the identity URL came from the org and was not swapped in transit.
    """
    message = f"{identity_url}{issued_at_ms}".encode()
    mac = hmac.new(consumer_secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(mac).decode("ascii")


@dataclass(frozen=True)
class IssuedTokens:
    """Tokens just issued for a grant; the only moment their clear text exists."""

    access_token: str
    refresh_token: str | None
    issued_at: datetime


@dataclass(frozen=True)
class AccessGrant:
    """Who a valid access token speaks for, and with which scopes."""

    grant_id: int
    user: User
    org: Org
    scopes: tuple[str, ...]


def start_grant(
    db: sqlite3.Connection,
    *,
    user_id: str,
    client_id: str,
    scopes: tuple[str, ...],
    now: datetime,
) -> int:
    """Record a new grant and return its id."""
    row = db.execute(
        """
        INSERT INTO grants (user_id, client_id, scope, created_at) VALUES (?, ?, ?, ?)
        RETURNING id
        """,
        (user_id, client_id, " ".join(scopes), epoch_ms(now)),
    ).fetchone()
    return int(row["id"])


def issue_tokens(
    db: sqlite3.Connection,
    *,
    grant_id: int,
    org: Org,
    with_refresh_token: bool,
    lifetime: timedelta,
    now: datetime,
) -> IssuedTokens:
    """Issue an access token, and a refresh token if asked, for an existing grant."""
    access_token = new_access_token(org)
    db.execute(
        """
        INSERT INTO access_tokens (token_hash, grant_id, issued_at, expires_at)
        VALUES (?, ?, ?, ?)
        """,
        (digest(access_token), grant_id, epoch_ms(now), epoch_ms(now + lifetime)),
    )
    refresh_token = new_refresh_token() if with_refresh_token else None
    if refresh_token is not None:
        db.execute(
            "INSERT INTO refresh_tokens (token_hash, grant_id, issued_at) VALUES (?, ?, ?)",
            (digest(refresh_token), grant_id, epoch_ms(now)),
        )
    return IssuedTokens(access_token=access_token, refresh_token=refresh_token, issued_at=now)


def find_access_grant(
    db: sqlite3.Connection, access_token: str, now: datetime
) -> AccessGrant | None:
    """Return what a live access token grants, or ``None`` if it is unknown, expired or revoked.

    A token of a deactivated user is dead too: Salesforce ends their sessions.
    """
    row = db.execute(
        """
        SELECT grants.id, grants.user_id, grants.scope
        FROM access_tokens JOIN grants ON grants.id = access_tokens.grant_id
        WHERE access_tokens.token_hash = ? AND access_tokens.expires_at > ?
          AND access_tokens.revoked_at IS NULL AND grants.revoked_at IS NULL
        """,
        (digest(access_token), epoch_ms(now)),
    ).fetchone()
    if row is None:
        return None
    user = directory.get_user(db, row["user_id"])
    if user is None or not user.is_active:
        return None
    org = directory.get_org(db, user.org_id)
    if org is None:
        return None
    return AccessGrant(grant_id=row["id"], user=user, org=org, scopes=tuple(row["scope"].split()))


def revoke_grant(db: sqlite3.Connection, grant_id: int, now: datetime) -> None:
    """Revoke a grant: every access and refresh token of its family stops working."""
    db.execute(
        "UPDATE grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        (epoch_ms(now), grant_id),
    )


def revoke_token(db: sqlite3.Connection, token: str, now: datetime) -> bool:
    """Revoke an access token alone, or a refresh token with its whole grant.

    Returns ``False`` if the token is neither (Salesforce then answers ``unsupported_token_type``).
    """
    token_hash = digest(token)
    refresh = db.execute(
        "SELECT grant_id FROM refresh_tokens WHERE token_hash = ?", (token_hash,)
    ).fetchone()
    if refresh is not None:
        revoke_grant(db, refresh["grant_id"], now)
        return True
    cursor = db.execute(
        "UPDATE access_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE token_hash = ?",
        (epoch_ms(now), token_hash),
    )
    return cursor.rowcount > 0


def expire_access_tokens(db: sqlite3.Connection, now: datetime) -> int:
    """End every live access token now, as if its session timed out; return how many there were.

    Refresh tokens stay valid, so clients must refresh, which is what the control endpoint tests.
    """
    cursor = db.execute(
        "UPDATE access_tokens SET expires_at = ? WHERE expires_at > ? AND revoked_at IS NULL",
        (epoch_ms(now), epoch_ms(now)),
    )
    return cursor.rowcount
