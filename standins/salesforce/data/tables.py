"""One SQLite table per object, created and extended from the schema; record IDs and auto-numbers.

Each table has a column per field (named exactly as the field), plus ``_row`` (the integer the
record's ID encodes) and ``org_id`` (records belong to one org). Values are stored so that they
compare and sort in SQL as Salesforce compares them: money as integers in the field's smallest unit
(cents), dates as ``YYYY-MM-DD``, datetimes as fixed-width UTC text, checkboxes as 0/1.

User and Organization are views of the directory tables, so SOQL reads them like any object.
"""

import re
import sqlite3

from standins.salesforce.data.schema import (
    BOOLEAN,
    NUMBER_TYPES,
    REFERENCE,
    STANDARD_KEY_PREFIXES,
    Field,
    Schema,
    SObjectType,
)

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_PREFIX_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_USER_VIEW = """
CREATE VIEW "sobject_User" AS SELECT
    rowid AS _row, org_id, 0 AS "IsDeleted", id AS "Id", username AS "Username",
    last_name AS "LastName", first_name AS "FirstName", first_name || ' ' || last_name AS "Name",
    email AS "Email", is_active AS "IsActive", profile_id AS "ProfileId",
    time_zone AS "TimeZoneSidKey", locale AS "LocaleSidKey", language AS "LanguageLocaleKey",
    last_modified_at AS "CreatedDate", id AS "CreatedById",
    last_modified_at AS "LastModifiedDate", id AS "LastModifiedById",
    last_modified_at AS "SystemModstamp"
FROM users
"""
# The org's first user stands in for whoever created the org.
_ORGANIZATION_VIEW = """
CREATE VIEW "sobject_Organization" AS SELECT
    orgs.rowid AS _row, orgs.id AS org_id, 0 AS "IsDeleted", orgs.id AS "Id", orgs.name AS "Name",
    orgs.is_sandbox AS "IsSandbox", 'de_DE' AS "DefaultLocaleSidKey",
    'Europe/Berlin' AS "TimeZoneSidKey", orgs.namespace_prefix AS "NamespacePrefix",
    first.last_modified_at AS "CreatedDate", first.id AS "CreatedById",
    first.last_modified_at AS "LastModifiedDate", first.id AS "LastModifiedById",
    first.last_modified_at AS "SystemModstamp"
FROM orgs LEFT JOIN users AS first ON first.rowid = (
    SELECT min(users.rowid) FROM users WHERE users.org_id = orgs.id
)
"""


class TableError(Exception):
    """The schema cannot be stored (a field name SQLite cannot hold, no key prefix left)."""


def quote(name: str) -> str:
    """An identifier for SQL; names come from the schema, which only holds safe names."""
    if not _SAFE_NAME.fullmatch(name):
        raise TableError(f"unsafe SQL name: {name!r}")
    return f'"{name}"'


def column_type(field: Field) -> str:
    if field.type == BOOLEAN:
        default = 1 if field.default_value is True else 0
        return f"INTEGER NOT NULL DEFAULT {default}"
    if field.type in NUMBER_TYPES:
        return "INTEGER"
    return "TEXT"


def _key_prefix_sequence() -> list[str]:
    # a0A, a0B ... a0Z, a0a ... a09, a1A ...: the shape of the prefixes Salesforce gives custom
    # objects, handed out in order.
    return [f"a{first}{second}" for first in _BASE62 for second in _PREFIX_CHARACTERS]


def _assign_key_prefixes(db: sqlite3.Connection, schema: Schema) -> dict[str, str]:
    assigned = {
        row["object"]: row["key_prefix"]
        for row in db.execute("SELECT object, key_prefix FROM sobject_key_prefixes")
    }
    taken = set(assigned.values()) | set(STANDARD_KEY_PREFIXES.values())
    free = (prefix for prefix in _key_prefix_sequence() if prefix not in taken)
    for sobject in sorted(schema.objects, key=lambda o: o.name):
        if not sobject.custom or sobject.name in assigned:
            continue
        prefix = next(free, None)
        if prefix is None:
            raise TableError("no key prefix left for a custom object")
        db.execute(
            "INSERT INTO sobject_key_prefixes (object, key_prefix) VALUES (?, ?)",
            (sobject.name, prefix),
        )
        assigned[sobject.name] = prefix
    return assigned


def _indexes(sobject: SObjectType) -> list[str]:
    table = quote(sobject.table)
    name = sobject.table
    statements = [
        f'CREATE UNIQUE INDEX IF NOT EXISTS "{name}__id" ON {table} ("Id")',
        f'CREATE INDEX IF NOT EXISTS "{name}__org" ON {table} (org_id, "IsDeleted")',
        f'CREATE INDEX IF NOT EXISTS "{name}__modstamp" ON {table} (org_id, "SystemModstamp")',
    ]
    for field in sobject.fields:
        column = quote(field.name)
        if field.type == REFERENCE and field.custom:
            statements.append(
                f'CREATE INDEX IF NOT EXISTS "{name}__{field.name}" ON {table} ({column})'
            )
        if field.unique:
            # Uniqueness holds among live records: a deleted record in the recycle bin does not
            # block its value, as in Salesforce.
            collation = "BINARY" if field.case_sensitive else "NOCASE"
            statements.append(
                f'CREATE UNIQUE INDEX IF NOT EXISTS "{name}__{field.name}__unique" ON {table} '
                f'(org_id, {column} COLLATE {collation}) WHERE "IsDeleted" = 0'
            )
        if field.name_field or (
            field.external_id and not (field.unique and not field.case_sensitive)
        ):
            # SOQL compares text without regard to case; this index serves those comparisons.
            statements.append(
                f'CREATE INDEX IF NOT EXISTS "{name}__{field.name}__nocase" ON {table} '
                f"(org_id, {column} COLLATE NOCASE)"
            )
    return statements


def _sync_table(db: sqlite3.Connection, sobject: SObjectType) -> None:
    table = quote(sobject.table)
    existing = {row["name"] for row in db.execute(f"PRAGMA table_info({table})")}
    if not existing:
        columns = ",\n    ".join(
            f"{quote(field.name)} {column_type(field)}"
            for field in sobject.fields
            if field.name not in {"Id", "IsDeleted"}
        )
        db.execute(
            f"""
            CREATE TABLE {table} (
                _row INTEGER PRIMARY KEY,
                org_id TEXT NOT NULL,
                "Id" TEXT NOT NULL,
                "IsDeleted" INTEGER NOT NULL DEFAULT 0,
                {columns}
            )
            """
        )
    else:
        for field in sobject.fields:
            if field.name not in existing:
                db.execute(
                    f"ALTER TABLE {table} ADD COLUMN {quote(field.name)} {column_type(field)}"
                )
    create_indexes(db, sobject)


def create_indexes(db: sqlite3.Connection, sobject: SObjectType) -> None:
    """Create the object's indexes that are missing."""
    for statement in _indexes(sobject):
        db.execute(statement)


def drop_indexes(db: sqlite3.Connection, sobject: SObjectType) -> None:
    """Drop the object's indexes, to load many rows quickly (recreate them afterwards)."""
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND name NOT LIKE 'sqlite_autoindex%'",
            (sobject.table,),
        )
    ]
    for name in names:
        db.execute(f"DROP INDEX {quote(name)}")


def refresh_statistics(db: sqlite3.Connection) -> None:
    """Let SQLite's planner know how selective each index is (after loading many records).

    Without statistics it takes every index for selective, and reads a million rows through the
    org index instead of finding one payment by its end-to-end ID and joining from there. A sample
    of each index is enough, and keeps this quick.
    """
    db.execute("PRAGMA analysis_limit = 2000")
    db.execute("ANALYZE")


def sync(db: sqlite3.Connection, schema: Schema) -> Schema:
    """Create or extend the tables of every object, and return the schema with its key prefixes.

    Idempotent: run at every start, after the store's numbered migrations, it adds the tables and
    columns of objects and fields that are new in the package metadata.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        schema = schema.with_key_prefixes(_assign_key_prefixes(db, schema))
        for sobject in schema.stored_objects:
            _sync_table(db, sobject)
        for view, definition in (
            ("sobject_User", _USER_VIEW),
            ("sobject_Organization", _ORGANIZATION_VIEW),
        ):
            db.execute(f"DROP VIEW IF EXISTS {quote(view)}")
            db.execute(definition)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return schema


# -- IDs and auto-numbers ------------------------------------------------------------------------


def _base62(number: int, width: int) -> str:
    digits = ""
    while number:
        number, remainder = divmod(number, 62)
        digits = _BASE62[remainder] + digits
    return digits.rjust(width, "0")


_UPPER_BITS = {char: int(char.isupper()) for char in _BASE62}
_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def _chunk_checksum(chunk: str) -> str:
    # ids.checksum for one five-character chunk, unrolled: record_id runs once per record written,
    # a million times for a large demo org.
    bits = _UPPER_BITS
    return _CHECKSUM_ALPHABET[
        bits[chunk[0]]
        | bits[chunk[1]] << 1
        | bits[chunk[2]] << 2
        | bits[chunk[3]] << 3
        | bits[chunk[4]] << 4
    ]


def record_id(key_prefix: str, org_id: str, row: int) -> str:
    """The 18-character ID of record number ``row``: key prefix, the org's pod, the number."""
    head = f"{key_prefix}{org_id[3:5]}"
    number = _base62(row, 10)
    middle, last = number[:5], number[5:]
    return (
        f"{head}{middle}{last}"
        f"{_chunk_checksum(head)}{_chunk_checksum(middle)}{_chunk_checksum(last)}"
    )


def next_rows(db: sqlite3.Connection, sobject: SObjectType, count: int) -> range:
    """Reserve ``count`` row numbers for new records (inside the caller's write transaction)."""
    last = db.execute(f"SELECT coalesce(max(_row), 0) FROM {quote(sobject.table)}").fetchone()[0]  # noqa: S608 - names from the schema
    return range(last + 1, last + 1 + count)


def auto_number_parts(display_format: str | None) -> tuple[str, int, str]:
    """The text before the number, the number's width and the text after it: ``E-{000000}``
    gives ``("E-", 6, "")``."""
    fmt = display_format or "{0}"
    match = re.search(r"\{(0+)\}", fmt)
    if match is None:
        return fmt, 0, ""
    return fmt[: match.start()], len(match.group(1)), fmt[match.end() :]


def format_auto_number(display_format: str | None, number: int) -> str:
    """An AutoNumber value: ``E-{000000}`` and 42 give ``E-000042``."""
    before, width, after = auto_number_parts(display_format)
    return f"{before}{str(number).zfill(width)}{after}"


def next_auto_numbers(
    db: sqlite3.Connection, sobject: SObjectType, org_id: str, count: int
) -> list[str]:
    """The next ``count`` Name values of an AutoNumber object in an org (E-000001, E-000002 ...)."""
    row = db.execute(
        """
        INSERT INTO auto_numbers (org_id, object, last) VALUES (?, ?, ?)
        ON CONFLICT (org_id, object) DO UPDATE SET last = last + excluded.last
        RETURNING last
        """,
        (org_id, sobject.name, count),
    ).fetchone()
    first = row[0] - count + 1
    return [
        format_auto_number(sobject.auto_number_format, number)
        for number in range(first, first + count)
    ]
