"""Open EBICS transactions, kept in the store so a restart or a dropped connection loses nothing.

A transaction expires when it has not been touched for ``LIFETIME``; a request naming an expired
or unknown transaction is answered with EBICS_TX_UNKNOWN_TXID.
"""

import json
import secrets
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from standins.bank.errors import technical
from standins.bank.subscribers import SubscriberId

LIFETIME = timedelta(hours=1)
TX_UNKNOWN_TXID = "091101"


class Direction(StrEnum):
    """Whether the bank sends (download) or receives (upload) the order data."""

    DOWNLOAD = "download"
    UPLOAD = "upload"


@dataclass(frozen=True)
class Transaction:
    """One open transaction.

    Downloads hold their prepared base64 segments and the transaction key wrapped for the
    subscriber; uploads hold the segments received so far (``None`` where still missing), the
    key wrapped for the bank, the encrypted signature data and, once processed, the result.
    """

    id: str
    subscriber: SubscriberId
    version: str
    order_type: str
    direction: Direction
    num_segments: int
    encrypted_key: str
    segments: tuple[str | None, ...]
    upload_kind: str | None = None
    signature_data: str | None = None
    data_digest: str | None = None
    order_id: str | None = None
    result_code: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


def new_transaction_id() -> str:
    """32 upper-case hex digits, as the specification's TransactionIDType requires."""
    return secrets.token_hex(16).upper()


def save(db: sqlite3.Connection, transaction: Transaction, now: datetime) -> None:
    """Insert or replace the transaction and mark it touched ``now``."""
    data = asdict(transaction)
    db.execute(
        "INSERT OR REPLACE INTO transactions (id, data, touched_at) VALUES (?, ?, ?)",
        (transaction.id, json.dumps(data), now.isoformat()),
    )


def load(db: sqlite3.Connection, transaction_id: str, now: datetime) -> Transaction:
    """The open transaction (raises ``EbicsFault`` 091101 when unknown or expired)."""
    db.execute("DELETE FROM transactions WHERE touched_at < ?", ((now - LIFETIME).isoformat(),))
    row = db.execute("SELECT data FROM transactions WHERE id = ?", (transaction_id,)).fetchone()
    if row is None:
        raise technical(TX_UNKNOWN_TXID, f"no open transaction {transaction_id}")
    data = json.loads(row[0])
    return Transaction(
        **{
            **data,
            "subscriber": SubscriberId(**data["subscriber"]),
            "direction": Direction(data["direction"]),
            "segments": tuple(data["segments"]),
        }
    )


def close(db: sqlite3.Connection, transaction_id: str) -> None:
    """Forget a finished transaction."""
    db.execute("DELETE FROM transactions WHERE id = ?", (transaction_id,))


_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def next_order_id(db: sqlite3.Connection) -> str:
    """The next order ID: a letter and three letters or digits (A001, A002, ...)."""
    row = db.execute("SELECT value FROM counters WHERE name = 'order_id'").fetchone()
    number = (int(row[0]) if row is not None else 0) + 1
    db.execute("INSERT OR REPLACE INTO counters (name, value) VALUES ('order_id', ?)", (number,))
    rest = number % 36**3
    digits = "".join(_ALPHABET[(rest // 36**power) % 36] for power in (2, 1, 0))
    return chr(ord("A") + (number // 36**3) % 26) + digits
