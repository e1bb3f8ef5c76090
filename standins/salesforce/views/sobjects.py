"""sObject resources: describeGlobal, basic information, describe, and one record by ID or by
external ID (read, create, update, upsert, delete)."""

from django.http import HttpResponse

from standins.salesforce import ids
from standins.salesforce.data import describe, records
from standins.salesforce.data.errors import (
    NOT_FOUND_MESSAGE,
    ApiError,
    InvalidFieldError,
    JsonParserError,
    NotFoundError,
    RecordError,
)
from standins.salesforce.data.records import MultipleMatchesError, RecordNotFoundError, Writer
from standins.salesforce.data.schema import Field, SObjectType
from standins.salesforce.store import transaction
from standins.salesforce.views.api import ApiCall, data_api, json_answer

_NO_SUCH_COLUMN = (
    "No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, "
    "be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
    "describe call for the appropriate names."
)


def _no_external_id(name: str) -> NotFoundError:
    return NotFoundError(f"Provided external ID field does not exist or is not accessible: {name}")


def _record_body(call: ApiCall) -> dict[str, object]:
    body = call.json_body()
    if not isinstance(body, dict):
        raise JsonParserError(
            "Cannot deserialize instance of SObject from START_ARRAY value [line:1, column:1]"
        )
    return body


def _requested_fields(call: ApiCall, sobject: SObjectType) -> list[Field]:
    """The ``fields`` parameter's fields, or every field the caller can read."""
    names = [name.strip() for name in call.request.GET.get("fields", "").split(",") if name.strip()]
    if not names:
        return records.readable_fields(sobject, call.access)
    fields = []
    for name in names:
        field = sobject.field(name)
        if field is None or not call.access.can_read_field(sobject, field):
            raise InvalidFieldError(_NO_SUCH_COLUMN.format(name=name, entity=sobject.name))
        if field not in fields:
            fields.append(field)
    return fields


def _record_answer(call: ApiCall, sobject: SObjectType, record_id: str) -> HttpResponse:
    fields = _requested_fields(call, sobject)
    found = records.retrieve(
        call.db, sobject, org_id=call.org_id, record_ids=[record_id], fields=fields
    )
    if record_id not in found:
        raise NotFoundError(NOT_FOUND_MESSAGE)
    return json_answer(records.record_json(sobject, found[record_id], fields, call.version))


def _api_error(error: RecordError) -> ApiError:
    answer = error.as_api_error()
    if isinstance(error, RecordNotFoundError):
        answer.status = 404
        if error.status_code != "ENTITY_IS_DELETED":
            answer = NotFoundError(NOT_FOUND_MESSAGE)
    return answer


def _save_result(record_id: str, created: bool | None = None) -> dict[str, object]:
    result: dict[str, object] = {"id": record_id, "success": True, "errors": []}
    if created is not None:
        result["created"] = created
    return result


def _multiple_choices(call: ApiCall, sobject: SObjectType, record_ids: list[str]) -> HttpResponse:
    return json_answer([call.url(f"sobjects/{sobject.name}/{rid}") for rid in record_ids], 300)


@data_api("GET")
def describe_global(call: ApiCall) -> HttpResponse:
    return json_answer(describe.describe_global(call.schema, call.access, call.version))


@data_api("GET")
def describe_sobject(call: ApiCall, name: str) -> HttpResponse:
    sobject = call.sobject(name)
    return json_answer(describe.describe(call.schema, sobject, call.access, call.version))


@data_api("GET", "POST")
def sobject_root(call: ApiCall, name: str) -> HttpResponse:
    """``GET``: the object's basic information; ``POST``: create a record (201)."""
    sobject = call.sobject(name)
    if call.request.method == "GET":
        return json_answer(
            {
                "objectDescribe": describe.global_entry(sobject, call.access, call.version),
                "recentItems": [],
            }
        )
    given = records.fields_from_json(sobject, _record_body(call))
    writer = Writer(call.db, call.schema, call.actor())
    try:
        with transaction(call.db):
            record_id = writer.create(sobject, given)
    except RecordError as error:
        raise _api_error(error) from None
    return json_answer(_save_result(record_id), status=201)


def _record_id(sobject: SObjectType, value: str) -> str:
    if not ids.is_valid(value):
        raise _no_external_id(value)
    record_id = ids.to_18(value)
    if not record_id.startswith(sobject.key_prefix):
        raise NotFoundError(NOT_FOUND_MESSAGE)
    return record_id


@data_api("GET", "PATCH", "DELETE")
def record(call: ApiCall, name: str, record_id: str) -> HttpResponse:
    """One record by ID: read it, change it (204) or delete it (204)."""
    sobject = call.sobject(name)
    full_id = _record_id(sobject, record_id)
    if call.request.method == "GET":
        return _record_answer(call, sobject, full_id)
    writer = Writer(call.db, call.schema, call.actor())
    try:
        with transaction(call.db):
            if call.request.method == "PATCH":
                writer.update(
                    sobject, full_id, records.fields_from_json(sobject, _record_body(call))
                )
            else:
                writer.delete(sobject, full_id)
    except RecordError as error:
        raise _api_error(error) from None
    return HttpResponse(status=204)


def _external_id_field(call: ApiCall, sobject: SObjectType, name: str) -> Field:
    field = sobject.field(name)
    if field is None or not field.id_lookup or not call.access.can_read_field(sobject, field):
        raise _no_external_id(name)
    return field


@data_api("GET", "PATCH", "DELETE")
def by_external_id(call: ApiCall, name: str, field_name: str, value: str) -> HttpResponse:
    """A record by external ID: read, upsert (201 created, 200 updated) or delete."""
    sobject = call.sobject(name)
    key_field = _external_id_field(call, sobject, field_name)
    writer = Writer(call.db, call.schema, call.actor())
    if call.request.method == "PATCH":
        given = records.fields_from_json(sobject, _record_body(call))
        if key_field.name in given and str(given[key_field.name]) != value:
            raise InvalidFieldError(
                f"The value of {key_field.name} in the body does not match the URL: {value}"
            )
        try:
            with transaction(call.db):
                record_id, created = writer.upsert(sobject, key_field, value, given)
        except MultipleMatchesError as error:
            return _multiple_choices(call, sobject, error.record_ids)
        except RecordError as error:
            raise _api_error(error) from None
        return json_answer(_save_result(record_id, created), status=201 if created else 200)
    matches = writer.find_by_key(sobject, key_field, value)
    if not matches:
        raise NotFoundError(NOT_FOUND_MESSAGE)
    if len(matches) > 1:
        return _multiple_choices(call, sobject, matches)
    if call.request.method == "GET":
        return _record_answer(call, sobject, matches[0])
    try:
        with transaction(call.db):
            writer.delete(sobject, matches[0])
    except RecordError as error:
        raise _api_error(error) from None
    return HttpResponse(status=204)
