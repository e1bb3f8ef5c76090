"""The failure switch: make the next N data API calls fail the way an unwell Salesforce does.

Tests arm it with ``POST /_standin/failures`` to see how a client copes with an outage
(``unavailable``: 503 ``SERVER_UNAVAILABLE``), a used-up allowance (``request_limit``: 403
``REQUEST_LIMIT_EXCEEDED``) or a session that ended (``expired_session``: 401
``INVALID_SESSION_ID``, while the token in fact stays valid, so a retry after a refresh works).
"""

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from standins.salesforce.data.errors import (
    ApiError,
    InvalidSessionError,
    RequestLimitExceededError,
    ServerUnavailableError,
)

MODES = ("unavailable", "request_limit", "expired_session")


class FailureSwitchError(Exception):
    """An arming request names an unknown mode or a count below one."""


@dataclass(frozen=True)
class FailureSwitch:
    mode: str
    remaining: int
    paths: tuple[str, ...]

    def matches(self, path: str, api_path: str) -> bool:
        """Whether a request path is covered: a prefix of the whole path or of the part after
        ``/services/data/vNN.0/`` (so ``composite/`` covers every composite call)."""
        if not self.paths:
            return True
        return any(
            path.startswith(prefix) if prefix.startswith("/") else api_path.startswith(prefix)
            for prefix in self.paths
        )

    def as_json(self) -> dict[str, object]:
        return {"mode": self.mode, "remaining": self.remaining, "paths": list(self.paths)}


def arm(
    db: sqlite3.Connection, *, mode: str, count: int, paths: Sequence[str] = ()
) -> FailureSwitch:
    """Make the next ``count`` matching calls fail; replaces whatever was armed."""
    if mode not in MODES:
        raise FailureSwitchError(f"mode must be one of {', '.join(MODES)}")
    if count < 1:
        raise FailureSwitchError("count must be at least 1")
    db.execute(
        "INSERT OR REPLACE INTO failure_switches (id, mode, remaining, paths) VALUES (1, ?, ?, ?)",
        (mode, count, json.dumps(list(paths))),
    )
    return FailureSwitch(mode, count, tuple(paths))


def current(db: sqlite3.Connection) -> FailureSwitch | None:
    row = db.execute("SELECT mode, remaining, paths FROM failure_switches WHERE id = 1").fetchone()
    if row is None:
        return None
    return FailureSwitch(row["mode"], row["remaining"], tuple(json.loads(row["paths"])))


def disarm(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM failure_switches")


def take(db: sqlite3.Connection, path: str, api_path: str) -> ApiError | None:
    """The failure this call must answer with, if the switch is armed for it (counting it down)."""
    switch = current(db)
    if switch is None or not switch.matches(path, api_path):
        return None
    row = db.execute(
        "UPDATE failure_switches SET remaining = remaining - 1 WHERE id = 1 AND remaining > 0 "
        "RETURNING remaining"
    ).fetchone()
    if row is None:
        return None
    if row[0] <= 0:
        disarm(db)
    if switch.mode == "unavailable":
        return ServerUnavailableError("Server temporarily unavailable. Please try again later.")
    if switch.mode == "request_limit":
        return RequestLimitExceededError("TotalRequests Limit exceeded.")
    return InvalidSessionError("Session expired or invalid")
