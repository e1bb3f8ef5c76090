"""The bank's own SQLite store: schema and connections.

Every operation opens its own connection (sqlite3 connections must not cross threads) on a file
in WAL mode. The schema is a list of migrations numbered by SQLite's ``user_version``. The ledger
keeps its own file beside this one.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_DATA_DIR = Path("var/standins/bank")
STORE_FILE = "bank.sqlite3"
LEDGER_FILE = "ledger.sqlite3"

_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE bank_keys (
        version TEXT PRIMARY KEY,
        private_pem BLOB NOT NULL,
        certificate BLOB NOT NULL
    );
    CREATE TABLE subscribers (
        host_id TEXT NOT NULL,
        partner_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        name TEXT NOT NULL,
        state TEXT NOT NULL,
        protocol_version TEXT,
        signature_key BLOB,
        authentication_key BLOB,
        encryption_key BLOB,
        changed_at TEXT NOT NULL,
        PRIMARY KEY (host_id, partner_id, user_id)
    );
    CREATE TABLE nonces (
        nonce TEXT PRIMARY KEY,
        seen_at TEXT NOT NULL
    );
    CREATE TABLE transactions (
        id TEXT PRIMARY KEY,
        data TEXT NOT NULL,
        touched_at TEXT NOT NULL
    );
    CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE failures (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        spec TEXT NOT NULL,
        remaining INTEGER NOT NULL
    );
    CREATE TABLE protocol_entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        partner_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        order_type TEXT NOT NULL,
        order_id TEXT,
        code TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );
    """,
    # H005 letters show certificate hashes; keep them to show beside the public-key hashes.
    """
    ALTER TABLE subscribers ADD COLUMN certificate_hashes TEXT NOT NULL DEFAULT '{}';
    """,
)


class Store:
    """The SQLite file under the data directory (created with its folders on ``create``)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def create(self) -> None:
        """Create the folder and file if needed and bring the schema up to date."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # WAL mode and executescript both need a connection outside an open transaction.
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
            for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
                connection.executescript(f"BEGIN;{script}PRAGMA user_version = {number};COMMIT;")
        finally:
            connection.close()

    def clear(self) -> None:
        """Forget subscribers, transactions, nonces, failures and protocol entries (not keys)."""
        with self.connect() as db:
            for table in ("subscribers", "nonces", "transactions", "failures", "protocol_entries"):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in one transaction: committed on success, rolled back on error."""
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        connection.row_factory = sqlite3.Row
        try:
            connection.execute("BEGIN IMMEDIATE")
            yield connection
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        finally:
            connection.close()
