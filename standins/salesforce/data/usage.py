"""Daily API request counts per org, as Salesforce reports them in ``Sforce-Limit-Info``.

Salesforce's allowance is a rolling 24 hours; the stand-in counts per UTC day, which is the same for
tests and simpler to reason about.
"""

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Usage:
    used: int
    limit: int
    # True when the call was over the allowance, and so neither counted nor to be answered.
    refused: bool = False

    @property
    def header(self) -> str:
        """The value of ``Sforce-Limit-Info``."""
        return f"api-usage={self.used}/{self.limit}"


def _day(now: datetime) -> str:
    return now.astimezone(UTC).date().isoformat()


def requests_today(db: sqlite3.Connection, org_id: str, now: datetime) -> int:
    row = db.execute(
        "SELECT requests FROM api_usage WHERE org_id = ? AND day = ?", (org_id, _day(now))
    ).fetchone()
    return 0 if row is None else int(row[0])


def count_request(db: sqlite3.Connection, org_id: str, now: datetime, limit: int) -> Usage:
    """Count one API call of an org, unless the org has used up its allowance.

    Returns the usage after the call; :attr:`Usage.refused` tells the caller to refuse the call
    (a refused call is not counted, as in Salesforce).
    """
    used = requests_today(db, org_id, now)
    if used >= limit:
        return Usage(used=used, limit=limit, refused=True)
    row = db.execute(
        """
        INSERT INTO api_usage (org_id, day, requests) VALUES (?, ?, 1)
        ON CONFLICT (org_id, day) DO UPDATE SET requests = requests + 1
        RETURNING requests
        """,
        (org_id, _day(now)),
    ).fetchone()
    return Usage(used=int(row[0]), limit=limit)
