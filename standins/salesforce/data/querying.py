"""SOQL checked against the schema and the caller's access, translated to SQL, run and shaped.

A query runs in two steps, as Salesforce's query locators do: first the matching rows are found
(their row numbers, in order), then pages of up to the batch size are read by row number and turned
into records. A query larger than one page keeps its row numbers under a locator for 15 minutes
of inactivity; ``nextRecordsUrl`` names the locator and the position of the next page.
"""

import array
import json
import secrets
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from standins.salesforce import ids
from standins.salesforce.data import date_literals, soql, values
from standins.salesforce.data.errors import (
    ApiError,
    InvalidFieldError,
    InvalidQueryFilterError,
    InvalidQueryLocatorError,
    InvalidTypeError,
    MalformedQueryError,
    NumberOutsideValidRangeError,
)
from standins.salesforce.data.permissions import Access
from standins.salesforce.data.schema import (
    BOOLEAN,
    DATE,
    DATETIME,
    ID,
    REFERENCE,
    TEXTAREA,
    Field,
    Schema,
    SObjectType,
)
from standins.salesforce.data.tables import quote
from standins.salesforce.data.values import Stored

MAX_OFFSET = 2000
MAX_RELATIONSHIP_DEPTH = 5
LOCATOR_LIFETIME = timedelta(minutes=15)
_LOCATOR_PREFIX = "01g"

_NO_SUCH_COLUMN = (
    "No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, "
    "be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
    "describe call for the appropriate names."
)
_NO_SUCH_RELATIONSHIP = (
    "Didn't understand relationship '{name}' in field path. If you are attempting to use a "
    "custom relationship, be sure to append the '__r' after the custom relationship name. Please "
    "reference your WSDL or the describe call for the appropriate names."
)
_NOT_SUPPORTED_TYPE = (
    "sObject type '{name}' is not supported. If you are attempting to use a custom object, be "
    "sure to append the '__c' after the entity name. Please reference your WSDL or the describe "
    "call for the appropriate names."
)
# The soap type names Salesforce uses in filter-type errors.
_FILTER_TYPE_NAMES = {DATE: "date", DATETIME: "dateTime", BOOLEAN: "boolean"}


@dataclass(frozen=True)
class Caller:
    """Who queries: their org, their access and where their day starts and ends."""

    org_id: str
    user_id: str
    access: Access
    now: datetime
    time_zone: str = "UTC"
    locale: str = "en_US"


def located_error(error_type: type[ApiError], query: str, position: int, message: str) -> ApiError:
    """An error whose message shows the query line with a caret, as Salesforce's do."""
    line_start = query.rfind("\n", 0, position) + 1
    line_end = query.find("\n", position)
    line = query[line_start : line_end if line_end >= 0 else len(query)]
    column = position - line_start
    # Long lines are shown as a window around the error, like Salesforce's messages.
    window_start = max(0, column - 60)
    snippet = line[window_start : column + 40]
    row = query.count("\n", 0, position) + 1
    caret = " " * (column - window_start) + "^"
    return error_type(f"\n{snippet}\n{caret}\nERROR at Row:{row}:Column:{column + 1}\n{message}")


# -- Compiled queries ----------------------------------------------------------------------------


@dataclass
class _Relationship:
    """A parent reached through a lookup, and what is read from it."""

    name: str
    sobject: SObjectType
    alias: str
    id_index: int = -1
    entries: list["_Entry"] = field(default_factory=list)


@dataclass
class _Entry:
    key: str
    index: int = -1
    convert: Callable[[Stored], object] | None = None
    relationship: _Relationship | None = None


@dataclass(frozen=True)
class Column:
    """One selected field, for the CSV of a Bulk API query."""

    header: str
    index: int
    field: Field


@dataclass
class CompiledQuery:
    sobject: SObjectType
    count_only: bool
    include_deleted: bool
    where_sql: str
    where_params: list[object]
    order_sql: str
    limit: int | None
    offset: int | None
    joins: dict[tuple[str, ...], _Relationship]
    select_sql: list[str]
    entries: list[_Entry]
    columns: list[Column]
    text: str

    def _join_sql(self) -> str:
        clauses = []
        for path, relationship in self.joins.items():
            parent_alias = self.joins[path[:-1]].alias if len(path) > 1 else "t0"
            lookup = relationship_lookup(self, path)
            clauses.append(
                f"LEFT JOIN {quote(relationship.sobject.table)} AS {relationship.alias} "
                f'ON {relationship.alias}."Id" = {parent_alias}.{quote(lookup)}'
            )
        return " ".join(clauses)

    def _filter_sql(self) -> tuple[str, list[object]]:
        conditions = ["t0.org_id = ?"]
        params: list[object] = []
        if not self.include_deleted:
            conditions.append('t0."IsDeleted" = 0')
        if self.where_sql:
            conditions.append(f"({self.where_sql})")
            params.extend(self.where_params)
        return " AND ".join(conditions), params

    def _paging_sql(self) -> tuple[str, list[object]]:
        if self.limit is None and not self.offset:
            return "", []
        return " LIMIT ? OFFSET ?", [-1 if self.limit is None else self.limit, self.offset or 0]

    def matching_rows(self, db: sqlite3.Connection, org_id: str) -> list[int]:
        """Row numbers of the matching records, in the query's order."""
        condition, params = self._filter_sql()
        paging, paging_params = self._paging_sql()
        sql = (
            f"SELECT t0._row FROM {quote(self.sobject.table)} AS t0 {self._join_sql()} "  # noqa: S608 - names from the schema
            f"WHERE {condition} ORDER BY {self.order_sql}{paging}"
        )
        return [row[0] for row in db.execute(sql, [org_id, *params, *paging_params])]

    def count(self, db: sqlite3.Connection, org_id: str) -> int:
        condition, params = self._filter_sql()
        paging, paging_params = self._paging_sql()
        sql = (
            f"SELECT count(*) FROM (SELECT 1 FROM {quote(self.sobject.table)} AS t0 "  # noqa: S608 - names from the schema
            f"{self._join_sql()} WHERE {condition}{paging})"
        )
        return int(db.execute(sql, [org_id, *params, *paging_params]).fetchone()[0])

    def fetch(self, db: sqlite3.Connection, rows: Sequence[int]) -> list[sqlite3.Row]:
        """The selected columns of the given rows, in the given order."""
        if not rows:
            return []
        sql = (
            f"SELECT {', '.join(self.select_sql)} FROM {quote(self.sobject.table)} AS t0 "  # noqa: S608 - names from the schema
            f"{self._join_sql()} WHERE t0._row IN (SELECT value FROM json_each(?))"
        )
        by_row = {row[0]: row for row in db.execute(sql, (json.dumps(list(rows)),))}
        return [by_row[number] for number in rows if number in by_row]

    def records(self, rows: Sequence[sqlite3.Row], version: str) -> list[dict[str, object]]:
        """Rows as the REST API answers them, parents nested (or null)."""
        url = f"/services/data/v{version}/sobjects/"
        type_name = self.sobject.name
        sobject_url = f"{url}{type_name}/"

        def nested(relationship: _Relationship, row: sqlite3.Row) -> dict[str, object] | None:
            parent_id = row[relationship.id_index]
            if parent_id is None:
                return None
            parent: dict[str, object] = {
                "attributes": {
                    "type": relationship.sobject.name,
                    "url": f"{url}{relationship.sobject.name}/{parent_id}",
                }
            }
            fill(parent, relationship.entries, row)
            return parent

        def fill(target: dict[str, object], entries: list[_Entry], row: sqlite3.Row) -> None:
            for entry in entries:
                if entry.relationship is not None:
                    target[entry.key] = nested(entry.relationship, row)
                elif entry.convert is not None:
                    target[entry.key] = entry.convert(row[entry.index])

        result = []
        for row in rows:
            record: dict[str, object] = {
                "attributes": {"type": type_name, "url": sobject_url + row[1]}
            }
            fill(record, self.entries, row)
            result.append(record)
        return result


def relationship_lookup(query: CompiledQuery, path: tuple[str, ...]) -> str:
    """The lookup field behind the last relationship of ``path``."""
    owner = query.joins[path[:-1]].sobject if len(path) > 1 else query.sobject
    lookup = owner.relationship(path[-1])
    if lookup is None:  # the compiler only records relationships it resolved
        raise LookupError(path)
    return lookup.name


# -- The compiler --------------------------------------------------------------------------------


class _Compiler:
    def __init__(
        self, schema: Schema, caller: Caller, query: soql.Query, include_deleted: bool
    ) -> None:
        self.schema = schema
        self.caller = caller
        self.query = query
        self.include_deleted = include_deleted
        self.joins: dict[tuple[str, ...], _Relationship] = {}
        self.params: list[object] = []
        sobject = schema.get(query.sobject)
        if sobject is None or not caller.access.on(sobject).read:
            raise self.error(
                InvalidTypeError,
                query.sobject_position,
                _NOT_SUPPORTED_TYPE.format(name=query.sobject),
            )
        self.sobject = sobject
        zone = ZoneInfo(caller.time_zone)
        self.zone = zone
        self.today = caller.now.astimezone(zone).date()

    def error(self, error_type: type[ApiError], position: int, message: str) -> ApiError:
        return located_error(error_type, self.query.text, position, message)

    # Names -----------------------------------------------------------------------------------

    def resolve(self, path: soql.Path) -> tuple[str, Field, tuple[str, ...]]:
        """(SQL alias, field, relationship path) of a field reference, joining parents as needed."""
        parts = list(path.parts)
        prefixes = {self.sobject.name.lower()}
        if self.query.alias:
            prefixes.add(self.query.alias.lower())
        if len(parts) > 1 and parts[0].lower() in prefixes:
            parts = parts[1:]
        if len(parts) - 1 > MAX_RELATIONSHIP_DEPTH:
            raise self.error(
                MalformedQueryError,
                path.position,
                "SOQL statements cannot query relationships that are more than 5 levels away "
                "from the root entity object.",
            )
        current = self.sobject
        alias = "t0"
        relationship_path: tuple[str, ...] = ()
        for part in parts[:-1]:
            lookup = current.relationship(part)
            parent = None
            if lookup is not None and self.caller.access.can_read_field(current, lookup):
                parent = self.schema.get(lookup.reference_to[0]) if lookup.reference_to else None
            if lookup is None or parent is None or not self.caller.access.on(parent).read:
                raise self.error(
                    InvalidFieldError, path.position, _NO_SUCH_RELATIONSHIP.format(name=part)
                )
            relationship_path = (*relationship_path, lookup.relationship_name or part)
            joined = self.joins.get(relationship_path)
            if joined is None:
                joined = _Relationship(
                    name=lookup.relationship_name or part,
                    sobject=parent,
                    alias=f"t{len(self.joins) + 1}",
                )
                self.joins[relationship_path] = joined
            current = parent
            alias = joined.alias
        field = current.field(parts[-1])
        if field is None or not self.caller.access.can_read_field(current, field):
            raise self.error(
                InvalidFieldError,
                path.position,
                _NO_SUCH_COLUMN.format(name=parts[-1], entity=current.name),
            )
        return alias, field, relationship_path

    # Filters ---------------------------------------------------------------------------------

    def condition(self, node: soql.Condition) -> str:
        if isinstance(node, soql.Junction):
            return f" {node.operator} ".join(f"({self.condition(o)})" for o in node.operands)
        if isinstance(node, soql.Not):
            # SOQL has no unknown truth value: NOT of a comparison with a null field is true.
            return f"NOT coalesce(({self.condition(node.operand)}), 0)"
        return self.comparison(node)

    def _type_error(self, field: Field, literal: soql.Literal) -> ApiError:
        if field.type in {ID, REFERENCE}:
            return self.error(
                InvalidQueryFilterError, literal.position, f"invalid ID field: {literal.value}"
            )
        if field.is_text:
            message = (
                f"value of filter criterion for field '{field.name}' must be of type string and "
                "should be enclosed in quotes"
            )
        else:
            type_name = _FILTER_TYPE_NAMES.get(field.type, "double")
            message = (
                f"value of filter criterion for field '{field.name}' must be of type {type_name} "
                "and should not be enclosed in quotes"
            )
        return self.error(InvalidQueryFilterError, literal.position, message)

    def _day_range(self, literal: soql.Literal) -> date_literals.DayRange:
        try:
            return date_literals.day_range(
                str(literal.value),
                literal.amount,
                self.today,
                week_starts_on_sunday=self.caller.locale == "en_US",
            )
        except date_literals.UnknownDateLiteralError:
            raise self.error(
                MalformedQueryError, literal.position, f"unexpected token: '{literal.value}'"
            ) from None

    def _range_bounds(self, field: Field, literal: soql.Literal) -> tuple[str, str]:
        days = self._day_range(literal)
        if field.type == DATE:
            return days.first.isoformat(), days.after.isoformat()

        def midnight(day: date) -> str:
            return values.format_datetime(datetime.combine(day, time(), tzinfo=self.zone))

        return midnight(days.first), midnight(days.after)

    def value(self, field: Field, literal: soql.Literal) -> object:
        """The stored form of a literal compared with ``field`` (not null, not a date literal)."""
        kind = literal.kind
        if field.type in {ID, REFERENCE}:
            if kind != "string" or not ids.is_valid(str(literal.value)):
                raise self._type_error(field, literal)
            return ids.to_18(str(literal.value))
        if field.is_text:
            if kind != "string":
                raise self._type_error(field, literal)
            return literal.value
        if field.type == BOOLEAN:
            if kind != "boolean":
                raise self._type_error(field, literal)
            return int(bool(literal.value))
        if field.is_number:
            if kind != "number" or not isinstance(literal.value, Decimal):
                raise self._type_error(field, literal)
            scaled = literal.value.scaleb(field.scale)
            return int(scaled) if scaled == scaled.to_integral_value() else float(scaled)
        if field.type == DATE:
            if kind != "date":
                raise self._type_error(field, literal)
            parsed = values.parse_date(str(literal.value))
            if parsed is None:
                raise self._type_error(field, literal)
            return parsed.isoformat()
        if field.type == DATETIME:
            moment = values.parse_datetime(str(literal.value)) if kind == "datetime" else None
            if moment is None:
                raise self._type_error(field, literal)
            return values.format_datetime(moment)
        raise self._type_error(field, literal)

    def _param(self, value: object) -> str:
        self.params.append(value)
        return "?"

    def comparison(self, node: soql.Comparison) -> str:
        alias, field, _ = self.resolve(node.path)
        column = f"{alias}.{quote(field.name)}"
        if field.type == TEXTAREA and field.length > 255:
            raise self.error(
                InvalidFieldError,
                node.path.position,
                f"field '{field.name}' can not be filtered in a query call",
            )
        collate = " COLLATE NOCASE" if field.is_text and field.type not in {ID, REFERENCE} else ""
        operator = node.operator
        if operator == "LIKE":
            literal = node.value
            if not isinstance(literal, soql.Literal) or literal.kind != "string":
                raise self.error(
                    MalformedQueryError, node.position, "invalid operator on LIKE: string expected"
                )
            if not field.is_text or field.type in {ID, REFERENCE}:
                raise self.error(
                    InvalidQueryFilterError,
                    node.position,
                    f"invalid operator on {'id' if field.type in {ID, REFERENCE} else field.type}"
                    " field",
                )
            return f"{column} LIKE {self._param(_like_pattern(literal.raw))} ESCAPE '\\'"
        if operator in {"IN", "NOT IN"}:
            return self._membership(node, field, column, collate)
        literal = node.value
        if not isinstance(literal, soql.Literal):  # the parser pairs lists only with IN
            raise self.error(MalformedQueryError, node.position, "unexpected list")
        if literal.kind == "null":
            if operator == "=":
                return f"{column} IS NULL"
            if operator == "!=":
                return f"{column} IS NOT NULL"
            raise self.error(
                InvalidQueryFilterError, literal.position, "invalid operator on null value"
            )
        if field.type == BOOLEAN and operator not in {"=", "!="}:
            raise self.error(
                InvalidQueryFilterError, node.position, "invalid operator on boolean field"
            )
        if literal.kind == "date_literal":
            if field.type not in {DATE, DATETIME}:
                raise self._type_error(field, literal)
            first, after = self._range_bounds(field, literal)
            if operator in {"<", ">="}:
                return f"{column} {operator} {self._param(first)}"
            if operator in {"<=", ">"}:
                # Up to the end of the range, or after it.
                return f"{column} {'<' if operator == '<=' else '>='} {self._param(after)}"
            low, high = self._param(first), self._param(after)
            if operator == "=":
                return f"({column} >= {low} AND {column} < {high})"
            return f"({column} IS NULL OR {column} < {low} OR {column} >= {high})"
        placeholder = self._param(self.value(field, literal))
        if operator == "!=":
            # SOQL treats null as a value: "!= 'x'" includes the records without a value.
            return f"({column} IS NULL OR {column} != {placeholder}{collate})"
        return f"{column} {operator} {placeholder}{collate}"

    def _membership(self, node: soql.Comparison, field: Field, column: str, collate: str) -> str:
        literals = node.value if isinstance(node.value, tuple) else (node.value,)
        with_null = any(literal.kind == "null" for literal in literals)
        converted = []
        for literal in literals:
            if literal.kind == "null":
                continue
            if literal.kind == "date_literal":
                raise self._type_error(field, literal)
            converted.append(self.value(field, literal))
        if not converted:
            members = "FALSE"
        else:
            placeholders = ", ".join(self._param(value) for value in converted)
            members = f"{column}{collate} IN ({placeholders})"
        if node.operator == "IN":
            return f"({members} OR {column} IS NULL)" if with_null else members
        if with_null:
            return f"({column} IS NOT NULL AND NOT ({members}))"
        return f"({column} IS NULL OR NOT ({members}))"

    # Order -----------------------------------------------------------------------------------

    def ordering(self, orderings: Sequence[soql.Ordering]) -> str:
        terms = []
        for ordering in orderings:
            alias, field, _ = self.resolve(ordering.path)
            if field.type == TEXTAREA and field.length > 255:
                raise self.error(
                    InvalidFieldError,
                    ordering.path.position,
                    f"field '{field.name}' can not be sorted in a query call",
                )
            collate = (
                " COLLATE NOCASE" if field.is_text and field.type not in {ID, REFERENCE} else ""
            )
            direction = "DESC" if ordering.descending else "ASC"
            nulls = ""
            if ordering.nulls_last is not None:
                nulls = " NULLS LAST" if ordering.nulls_last else " NULLS FIRST"
            terms.append(f"{alias}.{quote(field.name)}{collate} {direction}{nulls}")
        # The row number (creation order) breaks ties, so that pages never overlap.
        terms.append("t0._row")
        return ", ".join(terms)

    # Select ----------------------------------------------------------------------------------

    def select(self) -> tuple[list[str], list[_Entry], list[Column]]:
        select_sql = ["t0._row", 't0."Id"']
        entries: list[_Entry] = []
        columns: list[Column] = []
        seen: set[str] = set()
        for path in self.query.fields:
            alias, field, relationship_path = self.resolve(path)
            key = ".".join((*relationship_path, field.name)).lower()
            if key in seen:
                raise self.error(
                    MalformedQueryError, path.position, f"duplicate field selected: {path.text}"
                )
            seen.add(key)
            index = len(select_sql)
            select_sql.append(f"{alias}.{quote(field.name)}")
            header = ".".join((*relationship_path, field.name))
            columns.append(Column(header=header, index=index, field=field))
            target = entries
            for depth in range(1, len(relationship_path) + 1):
                relationship = self.joins[relationship_path[:depth]]
                if relationship.id_index < 0:
                    relationship.id_index = len(select_sql)
                    select_sql.append(f'{relationship.alias}."Id"')
                existing = next((e for e in target if e.relationship is relationship), None)
                if existing is None:
                    existing = _Entry(key=relationship.name, relationship=relationship)
                    target.append(existing)
                target = relationship.entries
            target.append(_Entry(key=field.name, index=index, convert=values.json_converter(field)))
        return select_sql, entries, columns

    def compile(self) -> CompiledQuery:
        query = self.query
        if query.offset is not None and query.offset > MAX_OFFSET:
            raise NumberOutsideValidRangeError(f"Maximum SOQL offset allowed is {MAX_OFFSET}")
        select_sql, entries, columns = self.select()
        where_sql = self.condition(query.where) if query.where is not None else ""
        where_params = list(self.params)
        order_sql = self.ordering(query.order_by)
        return CompiledQuery(
            sobject=self.sobject,
            count_only=query.count_only,
            include_deleted=self.include_deleted,
            where_sql=where_sql,
            where_params=where_params,
            order_sql=order_sql,
            limit=query.limit,
            offset=query.offset,
            joins=self.joins,
            select_sql=select_sql,
            entries=entries,
            columns=columns,
            text=query.text,
        )


def _like_pattern(raw: str) -> str:
    """A SOQL LIKE pattern (text between the quotes) as an SQL LIKE pattern escaped with ``\\``."""
    result = []
    index = 0
    while index < len(raw):
        char = raw[index]
        if char == "\\" and index + 1 < len(raw):
            escaped = raw[index + 1]
            if escaped in "%_\\":
                result.append("\\" + escaped)
            else:
                result.append(
                    {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}.get(escaped, escaped)
                )
            index += 2
            continue
        result.append(char)
        index += 1
    return "".join(result)


def compile_query(
    schema: Schema, caller: Caller, text: str, *, include_deleted: bool = False
) -> CompiledQuery:
    """Parse and check a SOQL query for a caller.

    Raises an :class:`ApiError` as Salesforce answers it: ``MALFORMED_QUERY`` for syntax (and for
    what the stand-in does not support), ``INVALID_TYPE`` for an object the caller cannot see,
    ``INVALID_FIELD`` for a field or relationship the caller cannot see,
    ``INVALID_QUERY_FILTER_OPERATOR`` for a value of the wrong type.
    """
    if not text.strip():
        raise MalformedQueryError("SOQL query must not be empty")
    try:
        parsed = soql.parse(text)
    except soql.SoqlSyntaxError as error:
        raise located_error(MalformedQueryError, text, error.position, error.message) from None
    return _Compiler(schema, caller, parsed, include_deleted).compile()


# -- Locators ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Locator:
    id: str
    query: str
    include_deleted: bool
    rows: "array.array[int]"
    batch_size: int


def _locator_id(org_id: str) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    tail = "".join(secrets.choice(alphabet) for _ in range(10))
    id15 = f"{_LOCATOR_PREFIX}{org_id[3:5]}{tail}"
    return id15 + ids.checksum(id15)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def save_locator(
    db: sqlite3.Connection,
    caller: Caller,
    *,
    query: str,
    include_deleted: bool,
    rows: Sequence[int],
    batch_size: int,
) -> str:
    """Keep a query's remaining rows for later pages; return the locator's ID."""
    db.execute(
        "DELETE FROM query_locators WHERE last_used_at < ?",
        (_ms(caller.now - LOCATOR_LIFETIME),),
    )
    locator_id = _locator_id(caller.org_id)
    db.execute(
        """
        INSERT INTO query_locators
            (id, org_id, user_id, query, include_deleted, row_ids, total, batch_size, last_used_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            locator_id,
            caller.org_id,
            caller.user_id,
            query,
            include_deleted,
            array.array("q", rows).tobytes(),
            len(rows),
            batch_size,
            _ms(caller.now),
        ),
    )
    return locator_id


def load_locator(db: sqlite3.Connection, caller: Caller, locator_id: str) -> Locator:
    """A live locator of the caller; raises ``INVALID_QUERY_LOCATOR`` otherwise."""
    row = db.execute(
        "SELECT * FROM query_locators WHERE id = ? AND org_id = ? AND user_id = ?",
        (locator_id, caller.org_id, caller.user_id),
    ).fetchone()
    if row is None or row["last_used_at"] < _ms(caller.now - LOCATOR_LIFETIME):
        raise InvalidQueryLocatorError("invalid query locator")
    db.execute(
        "UPDATE query_locators SET last_used_at = ? WHERE id = ?", (_ms(caller.now), locator_id)
    )
    rows = array.array("q")
    rows.frombytes(row["row_ids"])
    return Locator(
        id=locator_id,
        query=row["query"],
        include_deleted=bool(row["include_deleted"]),
        rows=rows,
        batch_size=row["batch_size"],
    )
