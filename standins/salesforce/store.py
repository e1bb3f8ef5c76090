"""The stand-in's own SQLite store: schema, connections and transactions.

Each request opens its own connection (sqlite3 connections must not be shared between threads) on a
file in WAL mode, so readers never wait for the one writer. The schema is a list of migrations
numbered by SQLite's ``user_version``. The records themselves live in one table per object, which
:func:`standins.salesforce.data.tables.sync` creates and extends from the package metadata after
these migrations have run.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_DATA_PATH = Path("var/standins/salesforce.sqlite3")

# Times are stored as integer milliseconds since the epoch, the unit Salesforce itself reports
# (``issued_at``), which keeps comparisons in SQL simple and exact.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE orgs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        is_sandbox INTEGER NOT NULL,
        currency_iso_code TEXT NOT NULL,
        multicurrency_enabled INTEGER NOT NULL,
        namespace_prefix TEXT,
        canvas_application_id TEXT NOT NULL,
        canvas_reference_id TEXT NOT NULL
    );
    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES orgs (id),
        username TEXT NOT NULL UNIQUE,
        email TEXT NOT NULL,
        first_name TEXT NOT NULL,
        last_name TEXT NOT NULL,
        profile_id TEXT NOT NULL,
        profile_name TEXT NOT NULL,
        role_id TEXT,
        locale TEXT NOT NULL,
        language TEXT NOT NULL,
        time_zone TEXT NOT NULL,
        is_active INTEGER NOT NULL,
        password_hash TEXT NOT NULL,
        last_modified_at TEXT NOT NULL
    );
    CREATE TABLE grants (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id TEXT NOT NULL REFERENCES users (id),
        client_id TEXT NOT NULL,
        scope TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
    );
    CREATE TABLE authorization_codes (
        code_hash TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        redirect_uri TEXT NOT NULL,
        scope TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users (id),
        code_challenge TEXT,
        code_challenge_method TEXT,
        expires_at INTEGER NOT NULL,
        used_at INTEGER,
        grant_id INTEGER REFERENCES grants (id)
    );
    CREATE TABLE refresh_tokens (
        token_hash TEXT PRIMARY KEY,
        grant_id INTEGER NOT NULL REFERENCES grants (id),
        issued_at INTEGER NOT NULL,
        rotated_at INTEGER
    );
    CREATE TABLE access_tokens (
        token_hash TEXT PRIMARY KEY,
        grant_id INTEGER NOT NULL REFERENCES grants (id),
        issued_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER
    );
    CREATE INDEX access_tokens_by_grant ON access_tokens (grant_id);
    CREATE INDEX refresh_tokens_by_grant ON refresh_tokens (grant_id);
    CREATE TABLE browser_sessions (
        key_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id),
        expires_at INTEGER NOT NULL
    );
    """,
    # The REST data API: who holds which permission set, per-user field security set by tests,
    # API usage per org and day, the failure switch, query cursors, Bulk API 2.0 jobs, and the key
    # prefixes given to custom objects (kept for good, so IDs keep meaning the same object).
    """
    CREATE TABLE permission_set_assignments (
        user_id TEXT NOT NULL REFERENCES users (id),
        permission_set TEXT NOT NULL,
        PRIMARY KEY (user_id, permission_set)
    );
    CREATE TABLE field_security (
        user_id TEXT NOT NULL REFERENCES users (id),
        object TEXT NOT NULL,
        field TEXT NOT NULL,
        readable INTEGER NOT NULL,
        editable INTEGER NOT NULL,
        PRIMARY KEY (user_id, object, field)
    );
    CREATE TABLE api_usage (
        org_id TEXT NOT NULL,
        day TEXT NOT NULL,
        requests INTEGER NOT NULL,
        PRIMARY KEY (org_id, day)
    );
    CREATE TABLE failure_switches (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        mode TEXT NOT NULL,
        remaining INTEGER NOT NULL,
        paths TEXT NOT NULL
    );
    CREATE TABLE query_locators (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        query TEXT NOT NULL,
        include_deleted INTEGER NOT NULL,
        row_ids BLOB NOT NULL,
        total INTEGER NOT NULL,
        batch_size INTEGER NOT NULL,
        last_used_at INTEGER NOT NULL
    );
    CREATE TABLE bulk_jobs (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        operation TEXT NOT NULL,
        object TEXT NOT NULL,
        external_id_field TEXT,
        query TEXT,
        line_ending TEXT NOT NULL,
        column_delimiter TEXT NOT NULL,
        api_version TEXT NOT NULL,
        state TEXT NOT NULL,
        error_message TEXT,
        records_processed INTEGER NOT NULL DEFAULT 0,
        records_failed INTEGER NOT NULL DEFAULT 0,
        processing_ms INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        modstamp TEXT NOT NULL,
        data BLOB,
        row_ids BLOB
    );
    CREATE INDEX bulk_jobs_by_org ON bulk_jobs (org_id, kind);
    CREATE TABLE bulk_results (
        job_id TEXT NOT NULL REFERENCES bulk_jobs (id) ON DELETE CASCADE,
        row_number INTEGER NOT NULL,
        success INTEGER NOT NULL,
        record_id TEXT,
        created INTEGER NOT NULL,
        error TEXT,
        PRIMARY KEY (job_id, row_number)
    );
    CREATE TABLE sobject_key_prefixes (
        object TEXT PRIMARY KEY,
        key_prefix TEXT NOT NULL UNIQUE
    );
    CREATE TABLE auto_numbers (
        org_id TEXT NOT NULL,
        object TEXT NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (org_id, object)
    );
    """,
)

# Kept by clear(): which custom object owns which key prefix must outlive a reset, or IDs given out
# before it would come to name records of another object.
_KEPT_TABLES = frozenset({"sobject_key_prefixes"})


class Store:
    """The SQLite file behind one stand-in process."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def create(self) -> None:
        """Create the file and its folders if needed, switch it to WAL and apply new migrations."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            # WAL is a property of the file, so setting it once here covers every later connection.
            db.execute("PRAGMA journal_mode = WAL")
            applied = db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(_MIGRATIONS[applied:], start=applied + 1):
                db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """Open a connection for the current request or thread and close it afterwards.

        The connection is in autocommit mode; group writes that must be atomic with
        :func:`transaction`.
        """
        db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        # In WAL mode NORMAL loses no committed data on a crash of the process, only on a power
        # cut; it spares an fsync per request, which the per-call API usage counter would cost.
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA cache_size = -65536")
        db.execute("PRAGMA temp_store = MEMORY")
        try:
            yield db
        finally:
            db.close()


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run a block as one write transaction, committed on success and rolled back on error.

    ``BEGIN IMMEDIATE`` takes the write lock up front, so check-then-update sequences (a code used
    once, a refresh token rotated once) cannot interleave between two concurrent requests.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def clear(db: sqlite3.Connection) -> None:
    """Delete every row of every table but the key prefixes, inside the caller's transaction."""
    # Deferring foreign-key checks to the commit lets the tables be emptied in any order, so a
    # table added by a later migration is cleared without being listed here.
    db.execute("PRAGMA defer_foreign_keys = ON")
    tables = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for table in tables:
        if table["name"] in _KEPT_TABLES:
            continue
        db.execute(f'DELETE FROM "{table["name"]}"')  # noqa: S608 - names come from sqlite_master
