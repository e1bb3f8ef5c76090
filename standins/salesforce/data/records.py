"""Creating, updating, upserting, deleting and reading records, with Salesforce's checks.

Every write goes through :class:`Writer`, which checks what Salesforce checks on save, in the same
order: object permission, field-level security, value types and lengths, restricted picklists,
lookups, required fields, then unique fields. A failure raises :class:`RecordError` with
Salesforce's status code; the caller decides whether it fails the request or just that record's
result.

Deleting is soft (``IsDeleted``), as Salesforce moves records to the recycle bin: ``queryAll`` still
sees them, and their unique values are free again.
"""

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from standins.salesforce import ids
from standins.salesforce.data import tables, values
from standins.salesforce.data.errors import (
    InvalidFieldError,
    JsonParserError,
    RecordError,
)
from standins.salesforce.data.permissions import Access
from standins.salesforce.data.schema import (
    ID,
    PICKLIST,
    REFERENCE,
    Field,
    Schema,
    SObjectType,
)
from standins.salesforce.data.tables import quote
from standins.salesforce.data.values import Stored, ValueTypeError

INSUFFICIENT_ACCESS = "INSUFFICIENT_ACCESS_OR_READONLY"
_FIELD_SECURITY_MESSAGE = (
    "Unable to create/update fields: {names}. Please check the security settings of this field "
    "and verify that it is read/write for your profile or permission set."
)
_JSON_TOKENS = {bool: "VALUE_TRUE", int: "VALUE_NUMBER_INT", str: "VALUE_STRING"}


class RecordNotFoundError(RecordError):
    """The record named by an ID does not exist in the caller's org (or is deleted)."""


class MultipleMatchesError(RecordError):
    """An upsert key matches more than one record."""

    def __init__(self, field: Field, key: str, record_ids: list[str]) -> None:
        super().__init__(
            "DUPLICATE_EXTERNAL_ID",
            f"{field.name}: more than one record found for external id field: "
            f"[{', '.join(record_ids)}]",
            [field.name],
        )
        self.record_ids = record_ids


@dataclass(frozen=True)
class Actor:
    """Who writes, in which org, with which access, at which moment."""

    org_id: str
    user_id: str
    access: Access
    now: datetime


@contextmanager
def savepoint(db: sqlite3.Connection) -> Iterator[None]:
    """Undo a block's writes if it raises, inside the caller's transaction."""
    db.execute("SAVEPOINT record")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK TO record")
        db.execute("RELEASE record")
        raise
    db.execute("RELEASE record")


# -- Reading request bodies ----------------------------------------------------------------------


def _json_token(value: object) -> str:
    if isinstance(value, Decimal | float):
        return "VALUE_NUMBER_FLOAT"
    if isinstance(value, dict):
        return "START_OBJECT"
    if isinstance(value, list):
        return "START_ARRAY"
    if value is False:
        return "VALUE_FALSE"
    return _JSON_TOKENS.get(type(value), "VALUE_STRING")


def fields_from_json(sobject: SObjectType, body: Mapping[str, object]) -> dict[str, Stored]:
    """The stored values of a JSON record, by canonical field name (``attributes`` is skipped).

    Raises :class:`InvalidFieldError` for a field the object does not have and
    :class:`JsonParserError` for a value of the wrong JSON type: Salesforce fails the whole request
    for both, since it cannot even read the record.
    """
    result: dict[str, Stored] = {}
    for name, value in body.items():
        if name == "attributes":
            continue
        field = sobject.field(name)
        if field is None:
            raise InvalidFieldError(f"No such column '{name}' on sobject of type {sobject.name}")
        try:
            result[field.name] = values.from_json(field, value)
        except ValueTypeError as error:
            raise JsonParserError(
                f"Cannot deserialize instance of {field.type} from {_json_token(value)} value "
                f"{value} or request may be missing a required field at [line:1, column:1]"
            ) from error
    return result


# -- Writing -------------------------------------------------------------------------------------


class Writer:
    """The write use-cases of one caller, inside the caller's transaction."""

    def __init__(self, db: sqlite3.Connection, schema: Schema, actor: Actor) -> None:
        self.db = db
        self.schema = schema
        self.actor = actor
        self.now = values.format_datetime(actor.now)

    # Checks ----------------------------------------------------------------------------------

    def _require(self, sobject: SObjectType, *, create: bool = False, edit: bool = False) -> None:
        permission = self.actor.access.on(sobject)
        allowed = sobject.writable and permission.read
        if create:
            allowed = allowed and permission.create
        if edit:
            allowed = allowed and permission.edit
        if not allowed:
            raise RecordError(INSUFFICIENT_ACCESS, "insufficient access rights on object id")

    def _check_field_security(self, sobject: SObjectType, given: Mapping[str, Stored]) -> None:
        refused = [
            name
            for name in given
            if not self.actor.access.can_edit_field(sobject, self._field(sobject, name))
        ]
        if refused:
            raise RecordError(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                _FIELD_SECURITY_MESSAGE.format(names=", ".join(refused)),
                refused,
            )

    @staticmethod
    def _field(sobject: SObjectType, name: str) -> Field:
        field = sobject.field(name)
        if field is None:
            raise InvalidFieldError(f"No such column '{name}' on sobject of type {sobject.name}")
        return field

    def _check_value(self, sobject: SObjectType, field: Field, value: Stored) -> Stored:
        if value is None:
            return None
        if field.is_text and field.type not in {ID, REFERENCE} and field.length:
            text = str(value)
            if len(text) > field.length:
                raise RecordError(
                    "STRING_TOO_LONG",
                    f"{field.label}: data value too large: {text} (max length={field.length})",
                    [field.name],
                )
        if (
            field.type == PICKLIST
            and field.restricted_picklist
            and value not in field.picklist_value_set
        ):
            raise RecordError(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{field.label}: bad value for restricted picklist field: {value}",
                [field.name],
            )
        if field.is_number and field.precision and abs(int(value)) >= 10**field.precision:
            amount = values.decimal_of(field, int(value))
            raise RecordError(
                "NUMBER_OUTSIDE_VALID_RANGE",
                f"{field.label}: value outside of valid range on numeric field: {amount}",
                [field.name],
            )
        if field.type == REFERENCE:
            return self._check_lookup(field, str(value))
        return value

    def _check_lookup(self, field: Field, value: str) -> str:
        if not ids.is_valid(value):
            raise RecordError(
                "MALFORMED_ID", f"{field.label}: id value of incorrect type: {value}", [field.name]
            )
        record_id = ids.to_18(value)
        parents = [self.schema.get(name) for name in field.reference_to]
        parent = next((p for p in parents if p and record_id.startswith(p.key_prefix)), None)
        if parent is None:
            raise RecordError(
                "FIELD_INTEGRITY_EXCEPTION",
                f"{field.label}: id value of incorrect type: {value}",
                [field.name],
            )
        row = self.db.execute(
            f'SELECT "IsDeleted" FROM {quote(parent.table)} WHERE "Id" = ? AND org_id = ?',  # noqa: S608 - names from the schema
            (record_id, self.actor.org_id),
        ).fetchone()
        if row is None or row[0]:
            raise RecordError(
                "INVALID_CROSS_REFERENCE_KEY",
                f"{field.label}: invalid cross reference id: {value}",
                [field.name],
            )
        return record_id

    def _check_unique(
        self, sobject: SObjectType, given: Mapping[str, Stored], own_id: str | None
    ) -> None:
        for field in sobject.unique_fields:
            value = given.get(field.name)
            if value is None:
                continue
            collation = "" if field.case_sensitive else " COLLATE NOCASE"
            row = self.db.execute(
                f'SELECT "Id" FROM {quote(sobject.table)} WHERE org_id = ? AND "IsDeleted" = 0 '  # noqa: S608 - names from the schema
                f'AND {quote(field.name)} = ?{collation} AND "Id" IS NOT ? LIMIT 1',
                (self.actor.org_id, value, own_id),
            ).fetchone()
            if row is not None:
                raise RecordError(
                    "DUPLICATE_VALUE",
                    f"duplicate value found: {field.name} duplicates value on record with id: "
                    f"{row[0]}",
                )

    def _validated(self, sobject: SObjectType, given: Mapping[str, Stored]) -> dict[str, Stored]:
        """The given values after field security, type, length, picklist and lookup checks."""
        self._check_field_security(sobject, given)
        return {
            name: self._check_value(sobject, self._field(sobject, name), value)
            for name, value in given.items()
        }

    # Use-cases -------------------------------------------------------------------------------

    def create(self, sobject: SObjectType, given: Mapping[str, Stored]) -> str:
        """Insert a record and return its ID."""
        self._require(sobject, create=True)
        if "Id" in given:
            raise RecordError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
        checked = self._validated(sobject, given)
        for field in sobject.fields:
            if field.name in checked or not field.writable:
                continue
            if field.default_value is not None:
                checked[field.name] = (
                    int(field.default_value)
                    if isinstance(field.default_value, bool)
                    else field.default_value
                )
        checked.setdefault("OwnerId", self.actor.user_id)
        missing = [
            field.name
            for field in sobject.fields
            if field.writable and not field.nillable and checked.get(field.name) is None
        ]
        if missing:
            raise RecordError(
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(missing)}]",
                missing,
            )
        self._check_unique(sobject, checked, own_id=None)
        return self._insert(sobject, checked)

    def _insert(self, sobject: SObjectType, checked: dict[str, Stored]) -> str:
        row = tables.next_rows(self.db, sobject, 1)[0]
        record_id = tables.record_id(sobject.key_prefix, self.actor.org_id, row)
        if sobject.auto_number_format:
            checked["Name"] = tables.next_auto_numbers(self.db, sobject, self.actor.org_id, 1)[0]
        checked.update(
            CreatedDate=self.now,
            CreatedById=self.actor.user_id,
            LastModifiedDate=self.now,
            LastModifiedById=self.actor.user_id,
            SystemModstamp=self.now,
        )
        if sobject.field("OwnerId") is None:
            checked.pop("OwnerId", None)
        columns = ["_row", "org_id", '"Id"', *(quote(name) for name in checked)]
        self.db.execute(
            f"INSERT INTO {quote(sobject.table)} ({', '.join(columns)}) "  # noqa: S608 - names from the schema
            f"VALUES ({', '.join('?' * len(columns))})",
            (row, self.actor.org_id, record_id, *checked.values()),
        )
        return record_id

    def _live_record(self, sobject: SObjectType, record_id: str) -> str:
        """The 18-character ID of a live record of the caller's org, or a RecordError."""
        if not ids.is_valid(record_id):
            raise RecordError("MALFORMED_ID", f"malformed id {record_id}")
        full_id = ids.to_18(record_id)
        if not full_id.startswith(sobject.key_prefix):
            raise RecordError(
                "MALFORMED_ID",
                f"{sobject.label} ID: id value of incorrect type: {record_id}",
                ["Id"],
            )
        row = self.db.execute(
            f'SELECT "IsDeleted" FROM {quote(sobject.table)} WHERE "Id" = ? AND org_id = ?',  # noqa: S608 - names from the schema
            (full_id, self.actor.org_id),
        ).fetchone()
        if row is None:
            raise RecordNotFoundError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        if row[0]:
            raise RecordNotFoundError("ENTITY_IS_DELETED", "entity is deleted")
        return full_id

    def update(self, sobject: SObjectType, record_id: str, given: Mapping[str, Stored]) -> str:
        """Change the given fields of a record and return its 18-character ID."""
        self._require(sobject, edit=True)
        full_id = self._live_record(sobject, record_id)
        given = {name: value for name, value in given.items() if name != "Id"}
        checked = self._validated(sobject, given)
        cleared = [
            name
            for name, value in checked.items()
            if value is None and not self._field(sobject, name).nillable
        ]
        if cleared:
            raise RecordError(
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(cleared)}]",
                cleared,
            )
        self._check_unique(sobject, checked, own_id=full_id)
        checked.update(
            LastModifiedDate=self.now, LastModifiedById=self.actor.user_id, SystemModstamp=self.now
        )
        assignments = ", ".join(f"{quote(name)} = ?" for name in checked)
        self.db.execute(
            f'UPDATE {quote(sobject.table)} SET {assignments} WHERE "Id" = ?',  # noqa: S608 - names from the schema
            (*checked.values(), full_id),
        )
        return full_id

    def find_by_key(self, sobject: SObjectType, key_field: Field, key: str) -> list[str]:
        """IDs of the live records whose ``key_field`` is ``key`` (an external ID or the Id)."""
        if key_field.type == ID:
            if not ids.is_valid(key):
                return []
            key = ids.to_18(key)
        collation = "" if key_field.case_sensitive or key_field.type == ID else " COLLATE NOCASE"
        rows = self.db.execute(
            f'SELECT "Id" FROM {quote(sobject.table)} WHERE org_id = ? AND "IsDeleted" = 0 '  # noqa: S608 - names from the schema
            f"AND {quote(key_field.name)} = ?{collation} ORDER BY _row LIMIT 10",
            (self.actor.org_id, key),
        )
        return [row[0] for row in rows]

    def upsert(
        self, sobject: SObjectType, key_field: Field, key: str, given: Mapping[str, Stored]
    ) -> tuple[str, bool]:
        """Update the record whose ``key_field`` is ``key``, or create it; return (ID, created)."""
        matches = self.find_by_key(sobject, key_field, key)
        if len(matches) > 1:
            raise MultipleMatchesError(key_field, key, matches)
        body = {name: value for name, value in given.items() if name != key_field.name}
        if matches:
            return self.update(sobject, matches[0], body), False
        if key_field.type == ID:
            raise RecordNotFoundError("NOT_FOUND", "Provided Id does not exist: " + key)
        return self.create(sobject, {**body, key_field.name: key}), True

    def delete(self, sobject: SObjectType, record_id: str) -> str:
        """Move a record to the recycle bin, applying its children's delete constraints."""
        full_id = self._live_record(sobject, record_id)
        self._require(sobject)
        if not self.actor.access.on(sobject).delete:
            raise RecordError(INSUFFICIENT_ACCESS, "insufficient access rights on object id")
        for child, lookup in self._children(sobject):
            table = quote(child.table)
            column = quote(lookup.name)
            if lookup.delete_constraint == "SetNull":
                self.db.execute(
                    f'UPDATE {table} SET {column} = NULL WHERE {column} = ? AND "IsDeleted" = 0',  # noqa: S608 - names from the schema
                    (full_id,),
                )
                continue
            blocking = [
                row[0]
                for row in self.db.execute(
                    f'SELECT "Name" FROM {table} WHERE {column} = ? AND "IsDeleted" = 0 LIMIT 5',  # noqa: S608 - names from the schema
                    (full_id,),
                )
            ]
            if blocking:
                name = self.db.execute(
                    f'SELECT "Name" FROM {quote(sobject.table)} WHERE "Id" = ?',  # noqa: S608 - names from the schema
                    (full_id,),
                ).fetchone()[0]
                raise RecordError(
                    "DELETE_FAILED",
                    f"Your attempt to delete {name} could not be completed because it is "
                    f"associated with the following {child.label_plural.lower()}.: "
                    f"{', '.join(blocking)}",
                )
        self.db.execute(
            f'UPDATE {quote(sobject.table)} SET "IsDeleted" = 1, "LastModifiedDate" = ?, '  # noqa: S608 - names from the schema
            f'"LastModifiedById" = ?, "SystemModstamp" = ? WHERE "Id" = ?',
            (self.now, self.actor.user_id, self.now, full_id),
        )
        return full_id

    def _children(self, sobject: SObjectType) -> list[tuple[SObjectType, Field]]:
        return [
            (child, lookup)
            for child in self.schema.stored_objects
            for lookup in child.lookups
            if lookup.custom and sobject.name in lookup.reference_to
        ]


# -- Reading one record --------------------------------------------------------------------------


def readable_fields(sobject: SObjectType, access: Access) -> list[Field]:
    return [field for field in sobject.fields if access.can_read_field(sobject, field)]


def record_json(
    sobject: SObjectType, row: sqlite3.Row, fields: list[Field], version: str
) -> dict[str, object]:
    """A record as the REST API answers it: attributes first, then the fields asked for."""
    record: dict[str, object] = {
        "attributes": {
            "type": sobject.name,
            "url": f"/services/data/v{version}/sobjects/{sobject.name}/{row['Id']}",
        }
    }
    for field in fields:
        record[field.name] = values.json_converter(field)(row[field.name])
    return record


def retrieve(
    db: sqlite3.Connection,
    sobject: SObjectType,
    *,
    org_id: str,
    record_ids: list[str],
    fields: list[Field],
) -> dict[str, sqlite3.Row]:
    """The live rows of the given (18-character) IDs in an org, by ID."""
    columns = ", ".join(['"Id"', *(quote(field.name) for field in fields)])
    rows = db.execute(
        f"SELECT {columns} FROM {quote(sobject.table)} "  # noqa: S608 - names from the schema
        f'WHERE org_id = ? AND "IsDeleted" = 0 AND "Id" IN (SELECT value FROM json_each(?))',
        (org_id, json.dumps(record_ids)),
    )
    return {row["Id"]: row for row in rows}
