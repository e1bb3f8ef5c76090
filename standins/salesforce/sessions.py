"""The stand-in's own browser login, so that it knows which user is "logged in to Salesforce".

The cookie has a name of its own: cookies are shared across ports, and the portal on the same host
uses Django's default names, which must not be overwritten.
"""

import secrets
import sqlite3
from datetime import datetime, timedelta

from standins.salesforce import directory, tokens
from standins.salesforce.directory import User

COOKIE_NAME = "standin_salesforce_sid"
SESSION_LIFETIME = timedelta(hours=12)


def start_session(db: sqlite3.Connection, user: User, now: datetime) -> str:
    """Log ``user`` in and return the session key to set as the cookie."""
    key = secrets.token_urlsafe(32)
    db.execute(
        "INSERT INTO browser_sessions (key_hash, user_id, expires_at) VALUES (?, ?, ?)",
        (tokens.digest(key), user.id, tokens.epoch_ms(now + SESSION_LIFETIME)),
    )
    return key


def session_user(db: sqlite3.Connection, key: str | None, now: datetime) -> User | None:
    """Return the active user logged in under ``key``, or ``None``."""
    if not key:
        return None
    row = db.execute(
        "SELECT user_id FROM browser_sessions WHERE key_hash = ? AND expires_at > ?",
        (tokens.digest(key), tokens.epoch_ms(now)),
    ).fetchone()
    user = None if row is None else directory.get_user(db, row["user_id"])
    return user if user is not None and user.is_active else None


def end_session(db: sqlite3.Connection, key: str | None) -> None:
    if key:
        db.execute("DELETE FROM browser_sessions WHERE key_hash = ?", (tokens.digest(key),))
