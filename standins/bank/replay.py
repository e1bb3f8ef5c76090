"""Replay protection: each nonce is accepted once, and timestamps must be near the bank's clock."""

import sqlite3
from datetime import datetime, timedelta

from standins.bank.errors import technical

TX_MESSAGE_REPLAY = "091103"
# How far a request's timestamp may be from the bank's clock; nonces are kept twice as long,
# so a nonce can never be replayed inside the window.
TOLERANCE = timedelta(hours=1)


def check_and_remember(
    db: sqlite3.Connection, nonce: str | None, timestamp: str | None, now: datetime
) -> None:
    """Accept a request's nonce and timestamp once (raises ``EbicsFault`` 091103 otherwise)."""
    if not nonce or not timestamp:
        raise technical(TX_MESSAGE_REPLAY, "nonce or timestamp missing")
    try:
        sent_at = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError as error:
        raise technical(TX_MESSAGE_REPLAY, "timestamp unreadable") from error
    if sent_at.tzinfo is None or abs(now - sent_at) > TOLERANCE:
        raise technical(TX_MESSAGE_REPLAY, "timestamp outside the tolerance window")
    db.execute("DELETE FROM nonces WHERE seen_at < ?", ((now - 2 * TOLERANCE).isoformat(),))
    if db.execute("SELECT 1 FROM nonces WHERE nonce = ?", (nonce,)).fetchone() is not None:
        raise technical(TX_MESSAGE_REPLAY, "nonce already used")
    db.execute("INSERT INTO nonces (nonce, seen_at) VALUES (?, ?)", (nonce, now.isoformat()))
