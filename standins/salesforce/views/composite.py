"""sObject collections (``composite/sobjects``): up to 200 records per call, one result each.

The whole call runs in one SQLite transaction; each record in a savepoint, so a failed record
leaves no trace. With ``allOrNone`` a single failure rolls back the transaction: failed records keep
their errors and the others report ``ALL_OR_NONE_OPERATION_ROLLED_BACK``.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.http import HttpResponse

from standins.salesforce import ids
from standins.salesforce.data import records
from standins.salesforce.data.errors import (
    ExceededIdLimitError,
    InvalidFieldError,
    InvalidTypeError,
    JsonParserError,
    MissingArgumentError,
    NotFoundError,
    RecordError,
)
from standins.salesforce.data.records import Writer, savepoint
from standins.salesforce.data.schema import Field, SObjectType
from standins.salesforce.data.values import Stored
from standins.salesforce.store import transaction
from standins.salesforce.views.api import ApiCall, data_api, json_answer

MAX_RECORDS = 200
_ROLLED_BACK = RecordError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone "
    "header",
)
_NO_SUCH_COLUMN = (
    "No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, "
    "be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
    "describe call for the appropriate names."
)


@dataclass
class _Outcome:
    """What happened to one record of the call."""

    record_id: str | None = None
    created: bool | None = None
    error: RecordError | None = None

    def result(self, *, with_created: bool) -> dict[str, object]:
        result: dict[str, object] = {}
        if self.record_id is not None:
            result["id"] = self.record_id
        result["success"] = self.error is None
        result["errors"] = [] if self.error is None else [self.error.result_error()]
        if with_created:
            result["created"] = bool(self.created) and self.error is None
        return result


class _RollBack(Exception):
    """Raised inside the transaction to undo an all-or-none call that had a failure."""


Operation = Callable[[], tuple[str | None, bool | None]]


def _run(
    call: ApiCall, operations: list[Operation | RecordError], all_or_none: bool
) -> list[_Outcome]:
    """Run each record's operation in one transaction; the list gives a RecordError for records
    that failed before reaching the database."""
    outcomes: list[_Outcome] = []
    try:
        with transaction(call.db):
            for operation in operations:
                if isinstance(operation, RecordError):
                    outcomes.append(_Outcome(record_id=operation.record_id, error=operation))
                    continue
                try:
                    with savepoint(call.db):
                        record_id, created = operation()
                    outcomes.append(_Outcome(record_id=record_id, created=created))
                except records.MultipleMatchesError as error:
                    outcomes.append(_Outcome(error=error))
                except RecordError as error:
                    outcomes.append(_Outcome(record_id=error.record_id, error=error))
            if all_or_none and any(outcome.error for outcome in outcomes):
                raise _RollBack
    except _RollBack:
        for outcome in outcomes:
            if outcome.error is None:
                outcome.record_id = None
                outcome.created = None
                outcome.error = _ROLLED_BACK
    return outcomes


def _answer(outcomes: list[_Outcome], *, with_created: bool = False) -> HttpResponse:
    return json_answer([outcome.result(with_created=with_created) for outcome in outcomes])


def _collection(call: ApiCall) -> tuple[list[Mapping[str, object]], bool]:
    body = call.json_body()
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise JsonParserError("The request body must be an object with a records list")
    found = body["records"]
    if len(found) > MAX_RECORDS:
        raise ExceededIdLimitError(
            f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call"
        )
    if not all(isinstance(entry, dict) for entry in found):
        raise JsonParserError("Each record must be a JSON object")
    all_or_none = body.get("allOrNone", False)
    if not isinstance(all_or_none, bool):
        raise JsonParserError("allOrNone must be true or false")
    return found, all_or_none


def _typed(call: ApiCall, entry: Mapping[str, object]) -> tuple[SObjectType, dict[str, Stored]]:
    """The object and stored values of a record that names its type in ``attributes``."""
    attributes = entry.get("attributes")
    type_name = attributes.get("type") if isinstance(attributes, dict) else None
    if not isinstance(type_name, str) or not type_name:
        raise InvalidTypeError("Must send a concrete entity type.")
    sobject = call.schema.get(type_name)
    if sobject is None or not call.access.on(sobject).read:
        raise InvalidTypeError(f"sObject type '{type_name}' is not supported.")
    return sobject, records.fields_from_json(sobject, entry)


@data_api("POST", "PATCH", "DELETE")
def collections(call: ApiCall) -> HttpResponse:
    """``POST``: create; ``PATCH``: update by Id; ``DELETE ?ids=``: delete."""
    writer = Writer(call.db, call.schema, call.actor())
    if call.request.method == "DELETE":
        return _delete(call, writer)
    entries, all_or_none = _collection(call)
    typed = [_typed(call, entry) for entry in entries]
    operations: list[Operation | RecordError] = []
    for sobject, given in typed:
        if call.request.method == "POST":
            operations.append(_create(writer, sobject, given))
            continue
        record_id = given.pop("Id", None)
        if record_id is None:
            operations.append(
                RecordError("MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])
            )
            continue
        operations.append(_update(writer, sobject, str(record_id), given))
    return _answer(_run(call, operations, all_or_none))


def _create(writer: Writer, sobject: SObjectType, given: dict[str, Stored]) -> Operation:
    def operation() -> tuple[str | None, bool | None]:
        return writer.create(sobject, given), None

    return operation


def _update(
    writer: Writer, sobject: SObjectType, record_id: str, given: dict[str, Stored]
) -> Operation:
    full_id = ids.to_18(record_id) if ids.is_valid(record_id) else record_id

    def operation() -> tuple[str | None, bool | None]:
        try:
            return writer.update(sobject, record_id, given), None
        except RecordError as error:
            raise error.about(full_id) from None

    return operation


def _delete(call: ApiCall, writer: Writer) -> HttpResponse:
    requested = [
        value.strip() for value in call.request.GET.get("ids", "").split(",") if value.strip()
    ]
    if not requested:
        raise MissingArgumentError("ids parameter is required")
    if len(requested) > MAX_RECORDS:
        raise ExceededIdLimitError(
            f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call"
        )
    all_or_none = call.request.GET.get("allOrNone", "false").lower() == "true"
    operations: list[Operation | RecordError] = []
    for value in requested:
        sobject = call.schema.by_key_prefix(ids.to_18(value)[:3]) if ids.is_valid(value) else None
        if sobject is None:
            operations.append(RecordError("MALFORMED_ID", f"malformed id {value}").about(value))
            continue
        operations.append(_deletion(writer, sobject, value))
    return _answer(_run(call, operations, all_or_none))


def _deletion(writer: Writer, sobject: SObjectType, record_id: str) -> Operation:
    full_id = ids.to_18(record_id)

    def operation() -> tuple[str | None, bool | None]:
        try:
            return writer.delete(sobject, record_id), None
        except RecordError as error:
            raise error.about(full_id) from None

    return operation


def _field_list(call: ApiCall, sobject: SObjectType, names: list[str]) -> list[Field]:
    fields = []
    for name in names:
        field = sobject.field(name)
        if field is None or not call.access.can_read_field(sobject, field):
            raise InvalidFieldError(_NO_SUCH_COLUMN.format(name=name, entity=sobject.name))
        if field not in fields:
            fields.append(field)
    return fields


@data_api("GET", "POST")
def retrieve(call: ApiCall, name: str) -> HttpResponse:
    """Records of one object by ID (``?ids=&fields=``, or a POST body); null for unknown IDs."""
    sobject = call.sobject(name)
    if call.request.method == "POST":
        body = call.json_body()
        if not isinstance(body, dict):
            raise JsonParserError("The request body must be an object with ids and fields")
        requested = [str(value) for value in body.get("ids") or []]
        names = [str(value) for value in body.get("fields") or []]
    else:
        requested = [v.strip() for v in call.request.GET.get("ids", "").split(",") if v.strip()]
        names = [v.strip() for v in call.request.GET.get("fields", "").split(",") if v.strip()]
    if not requested:
        raise MissingArgumentError("ids parameter is required")
    if not names:
        raise MissingArgumentError("fields parameter is required")
    if len(requested) > 2000:
        raise ExceededIdLimitError("record limit reached. cannot retrieve more than 2000 records")
    fields = _field_list(call, sobject, names)
    full_ids = [ids.to_18(value) if ids.is_valid(value) else None for value in requested]
    found = records.retrieve(
        call.db,
        sobject,
        org_id=call.org_id,
        record_ids=[value for value in full_ids if value],
        fields=fields,
    )
    return json_answer(
        [
            records.record_json(sobject, found[value], fields, call.version)
            if value in found
            else None
            for value in full_ids
        ]
    )


@data_api("PATCH")
def upsert(call: ApiCall, name: str, field_name: str) -> HttpResponse:
    """Create or update each record by the external ID field named in the URL."""
    sobject = call.sobject(name)
    key_field = sobject.field(field_name)
    if (
        key_field is None
        or not key_field.id_lookup
        or not call.access.can_read_field(sobject, key_field)
    ):
        raise NotFoundError(
            f"Provided external ID field does not exist or is not accessible: {field_name}"
        )
    entries, all_or_none = _collection(call)
    writer = Writer(call.db, call.schema, call.actor())
    typed = [_typed(call, entry) for entry in entries]
    keys: list[str | None] = []
    for entry_type, given in typed:
        if entry_type is not sobject:
            raise InvalidTypeError(
                f"All records must be of type {sobject.name}: found {entry_type.name}"
            )
        value = given.get(key_field.name)
        keys.append(None if value is None else str(value))

    def normalised(key: str) -> str:
        return key if key_field.case_sensitive else key.lower()

    seen: dict[str, int] = {}
    for key in keys:
        if key is not None:
            seen[normalised(key)] = seen.get(normalised(key), 0) + 1
    operations: list[Operation | RecordError] = []
    for (_, given), key in zip(typed, keys, strict=True):
        if key is None:
            operations.append(
                RecordError("MISSING_ARGUMENT", f"{key_field.name} not specified", [key_field.name])
            )
        elif seen[normalised(key)] > 1:
            operations.append(
                RecordError(
                    "DUPLICATE_EXTERNAL_ID",
                    f"Duplicate external id specified: {key}",
                    [key_field.name],
                )
            )
        else:
            operations.append(_upsertion(writer, sobject, key_field, key, given))
    return _answer(_run(call, operations, all_or_none), with_created=True)


def _upsertion(
    writer: Writer, sobject: SObjectType, key_field: Field, key: str, given: dict[str, Stored]
) -> Operation:
    def operation() -> tuple[str | None, bool | None]:
        matches = writer.find_by_key(sobject, key_field, key)
        try:
            return writer.upsert(sobject, key_field, key, given)
        except RecordError as error:
            if len(matches) == 1:
                raise error.about(matches[0]) from None
            raise

    return operation
