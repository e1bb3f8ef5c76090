"""The fixed JSON shape of a matching request and its result.

Request::

    {"statement_items": [...], "open_items": [...], "configuration": {...} or [{...}, ...]}

A statement item has `id`, `amount` (decimal string, positive = money in), `currency`,
`booking_date` and optionally `value_date`, `counterparty_name`, `counterparty_iban`,
`remittance_information`, `end_to_end_id`, `mandate_id`, `creditor_reference`,
`bank_transaction_code`, `is_reversal`. An open item has `id`, `open_amount` (positive =
receivable), `currency` and optionally `document_number`, `document_date`, `due_date`,
`account_id`, `account_name`, `account_number`, `account_ibans` (list), `description`,
`payment_reference`, and the extensions `end_to_end_id`, `mandate_id` and `custom_fields`
(an object of strings). Unknown fields are ignored.

Result::

    {"suggestions": [{"statement_item_id", "allocations": [{"open_item_id", "amount",
      "remaining_open_amount"}], "score", "band", "evidence": [...], "alternatives": [...],
      "unallocated_amount"}],
     "unmatched_statement_item_ids": [...], "unmatched_open_item_ids": [...],
     "reversals": [{"statement_item_id", "original_statement_item_id", "open_item_ids",
      "detail"}],
     "statistics": {...}}

An evidence item is `{"criterion", "detail", "contribution", "span", "open_item_ids"}`:
`criterion` is one of `Criterion`'s values, `contribution` what it added to the score (4
decimals; negative for contradictions), `span` null or `{"field", "start", "end", "text"}`
naming the characters of a statement-item field it rests on, and `open_item_ids` the open
items it concerns. Amounts are decimal strings, scores numbers with 4 decimals. Alternatives
have the shape of a suggestion without `alternatives`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from settlement.matching.configuration import (
    MatchingConfiguration,
    Template,
    configuration_problems,
)
from settlement.matching.engine import item_problems, match_items
from settlement.matching.model import (
    Allocation,
    Alternative,
    Band,
    Criterion,
    Evidence,
    InputProblem,
    InvalidMatchingInput,
    MatchResult,
    MatchStatistics,
    OpenItem,
    Reversal,
    Span,
    StatementItem,
    Suggestion,
)

# More items than this in one request are refused rather than matched slowly.
MAXIMUM_ITEMS = 2_000_000
MAXIMUM_TEXT_LENGTH = 10_000

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class MatchRequest:
    """A parsed request: the items and the configurations (empty: use the defaults)."""

    statement_items: tuple[StatementItem, ...]
    open_items: tuple[OpenItem, ...]
    configurations: tuple[MatchingConfiguration, ...] = ()


class _Reader:
    """Reads fields of JSON objects, noting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[InputProblem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(InputProblem(path, message))

    def text(self, data: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(f"{path}.{key}", "is required")
            return ""
        if not isinstance(value, str):
            self.problem(f"{path}.{key}", "must be a string")
            return ""
        if len(value) > MAXIMUM_TEXT_LENGTH:
            self.problem(f"{path}.{key}", f"is longer than {MAXIMUM_TEXT_LENGTH} characters")
            return ""
        if required and not value.strip():
            self.problem(f"{path}.{key}", "must not be empty")
        return value

    def decimal(
        self, data: Mapping[str, Any], key: str, path: str, *, required: bool = False
    ) -> Decimal | None:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(f"{path}.{key}", "is required")
            return None
        if isinstance(value, bool | float):
            self.problem(f"{path}.{key}", 'must be a decimal string such as "1234.50"')
            return None
        if isinstance(value, int | Decimal):
            parsed = Decimal(value)
        elif isinstance(value, str):
            try:
                parsed = Decimal(value.strip())
            except InvalidOperation:
                self.problem(
                    f"{path}.{key}", f'{value[:40]!r} is not a decimal number such as "1234.50"'
                )
                return None
        else:
            self.problem(f"{path}.{key}", 'must be a decimal string such as "1234.50"')
            return None
        if not parsed.is_finite():
            self.problem(f"{path}.{key}", "must be a finite number")
            return None
        return parsed

    def day(
        self, data: Mapping[str, Any], key: str, path: str, *, required: bool = False
    ) -> date | None:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(f"{path}.{key}", "is required")
            return None
        return self.day_value(value, f"{path}.{key}")

    def day_value(self, value: object, path: str) -> date | None:
        if not isinstance(value, str):
            self.problem(path, "must be a date string YYYY-MM-DD")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problem(path, f"{value[:40]!r} is not a date YYYY-MM-DD")
            return None

    def flag(self, data: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(f"{path}.{key}", "must be true or false")
            return default
        return value

    def number(
        self, data: Mapping[str, Any], key: str, path: str, default: T, convert: Callable[[Any], T]
    ) -> T:
        value = data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            self.problem(f"{path}.{key}", "must be a number")
            return default
        converted = convert(value)
        if convert is int and converted != value:
            self.problem(f"{path}.{key}", "must be a whole number")
            return default
        return converted

    def array(
        self, data: Mapping[str, Any], key: str, path: str, *, required: bool = False
    ) -> list[Any]:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(f"{path}.{key}" if path else key, "is required")
            return []
        if not isinstance(value, list):
            self.problem(f"{path}.{key}" if path else key, "must be a list")
            return []
        return value

    def strings(self, data: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
        values: list[str] = []
        for position, value in enumerate(self.array(data, key, path)):
            if isinstance(value, str):
                values.append(value)
            else:
                self.problem(f"{path}.{key}[{position}]", "must be a string")
        return tuple(values)


def _statement_item(reader: _Reader, data: object, path: str) -> StatementItem | None:
    if not isinstance(data, Mapping):
        reader.problem(path, "must be an object")
        return None
    before = len(reader.problems)
    item_id = reader.text(data, "id", path, required=True)
    amount = reader.decimal(data, "amount", path, required=True)
    currency = reader.text(data, "currency", path, required=True)
    booking_date = reader.day(data, "booking_date", path, required=True)
    item = StatementItem(
        id=item_id,
        amount=amount if amount is not None else Decimal(0),
        currency=currency,
        booking_date=booking_date or date.min,
        value_date=reader.day(data, "value_date", path),
        counterparty_name=reader.text(data, "counterparty_name", path),
        counterparty_iban=reader.text(data, "counterparty_iban", path),
        remittance_information=reader.text(data, "remittance_information", path),
        end_to_end_id=reader.text(data, "end_to_end_id", path),
        mandate_id=reader.text(data, "mandate_id", path),
        creditor_reference=reader.text(data, "creditor_reference", path),
        bank_transaction_code=reader.text(data, "bank_transaction_code", path),
        is_reversal=reader.flag(data, "is_reversal", path, False),
    )
    _add_item_problems(reader, item, path, before)
    return item if len(reader.problems) == before else None


def _add_item_problems(
    reader: _Reader, item: StatementItem | OpenItem, path: str, before: int
) -> None:
    """Add the item's own problems (zero amount, decimals) not already said about a field."""
    known = {problem.path for problem in reader.problems[before:]}
    reader.problems.extend(
        problem for problem in item_problems(item, path) if problem.path not in known
    )


def _open_item(reader: _Reader, data: object, path: str) -> OpenItem | None:
    if not isinstance(data, Mapping):
        reader.problem(path, "must be an object")
        return None
    before = len(reader.problems)
    item_id = reader.text(data, "id", path, required=True)
    amount = reader.decimal(data, "open_amount", path, required=True)
    currency = reader.text(data, "currency", path, required=True)
    custom_fields: list[tuple[str, str]] = []
    raw_custom = data.get("custom_fields")
    if raw_custom is not None:
        if isinstance(raw_custom, Mapping):
            for name, value in raw_custom.items():
                if isinstance(value, str):
                    custom_fields.append((str(name), value))
                elif value is not None:
                    reader.problem(f"{path}.custom_fields.{name}", "must be a string")
        else:
            reader.problem(f"{path}.custom_fields", "must be an object of strings")
    item = OpenItem(
        id=item_id,
        open_amount=amount if amount is not None else Decimal(0),
        currency=currency,
        document_number=reader.text(data, "document_number", path),
        document_date=reader.day(data, "document_date", path),
        due_date=reader.day(data, "due_date", path),
        account_id=reader.text(data, "account_id", path),
        account_name=reader.text(data, "account_name", path),
        account_number=reader.text(data, "account_number", path),
        account_ibans=reader.strings(data, "account_ibans", path),
        description=reader.text(data, "description", path),
        payment_reference=reader.text(data, "payment_reference", path),
        end_to_end_id=reader.text(data, "end_to_end_id", path),
        mandate_id=reader.text(data, "mandate_id", path),
        custom_fields=tuple(sorted(custom_fields)),
    )
    _add_item_problems(reader, item, path, before)
    return item if len(reader.problems) == before else None


def _configuration(reader: _Reader, data: object, path: str) -> MatchingConfiguration | None:
    if not isinstance(data, Mapping):
        reader.problem(path, "must be an object")
        return None
    before = len(reader.problems)
    defaults = MatchingConfiguration()
    template_name = data.get("template", defaults.template.value)
    template = defaults.template
    if template_name not in {member.value for member in Template}:
        names = ", ".join(member.value for member in Template)
        reader.problem(f"{path}.template", f"{str(template_name)[:40]!r} is not one of {names}")
    else:
        template = Template(template_name)
    percents: list[Decimal] = []
    for position, value in enumerate(reader.array(data, "cash_discount_percents", path)):
        parsed = reader.decimal(
            {"value": value}, "value", f"{path}.cash_discount_percents[{position}]"
        )
        if parsed is not None:
            percents.append(parsed)
    holidays = []
    for position, value in enumerate(reader.array(data, "holidays", path)):
        holiday = reader.day_value(value, f"{path}.holidays[{position}]")
        if holiday is not None:
            holidays.append(holiday)

    def decimal_or(key: str, default: Decimal) -> Decimal:
        parsed = reader.decimal(data, key, path)
        return default if parsed is None else parsed

    configuration = MatchingConfiguration(
        name=reader.text(data, "name", path) or defaults.name,
        active=reader.flag(data, "active", path, defaults.active),
        priority=reader.number(data, "priority", path, defaults.priority, int),
        template=template,
        reference_patterns=reader.strings(data, "reference_patterns", path),
        custom_field=reader.text(data, "custom_field", path),
        amount_tolerance_percent=decimal_or(
            "amount_tolerance_percent", defaults.amount_tolerance_percent
        ),
        amount_tolerance_absolute=decimal_or(
            "amount_tolerance_absolute", defaults.amount_tolerance_absolute
        ),
        cash_discount_percents=tuple(percents)
        if "cash_discount_percents" in data
        else defaults.cash_discount_percents,
        bank_fee_maximum=decimal_or("bank_fee_maximum", defaults.bank_fee_maximum),
        auto_threshold=reader.number(data, "auto_threshold", path, defaults.auto_threshold, float),
        suggest_threshold=reader.number(
            data, "suggest_threshold", path, defaults.suggest_threshold, float
        ),
        minimum_score=reader.number(data, "minimum_score", path, defaults.minimum_score, float),
        ambiguity_margin=reader.number(
            data, "ambiguity_margin", path, defaults.ambiguity_margin, float
        ),
        allow_auto=reader.flag(data, "allow_auto", path, defaults.allow_auto),
        combination_maximum_items=reader.number(
            data, "combination_maximum_items", path, defaults.combination_maximum_items, int
        ),
        combination_window_days=reader.number(
            data, "combination_window_days", path, defaults.combination_window_days, int
        ),
        holidays=tuple(holidays),
        maximum_alternatives=reader.number(
            data, "maximum_alternatives", path, defaults.maximum_alternatives, int
        ),
    )
    if len(reader.problems) != before:
        return None
    reader.problems.extend(configuration_problems(configuration, path))
    return configuration if len(reader.problems) == before else None


def _load(document: Mapping[str, Any] | str | bytes) -> object:
    if isinstance(document, str | bytes):
        try:
            # Decimals straight from the text: a JSON number never passes through a float.
            return json.loads(document, parse_float=Decimal)
        except (ValueError, RecursionError) as error:
            raise InvalidMatchingInput([InputProblem("", f"not valid JSON: {error}")]) from error
    return document


def parse_match_request(document: Mapping[str, Any] | str | bytes) -> MatchRequest:
    """Parse a matching request from JSON text or an already-decoded object.

    Raises `InvalidMatchingInput` listing every problem found, each with its path
    (`statement_items[3].amount`), when anything is malformed or missing.
    """
    data = _load(document)
    reader = _Reader()
    if not isinstance(data, Mapping):
        raise InvalidMatchingInput([InputProblem("", "the request must be a JSON object")])
    statement_items: list[StatementItem] = []
    open_items: list[OpenItem] = []
    raw_statement_items = reader.array(data, "statement_items", "", required=True)
    raw_open_items = reader.array(data, "open_items", "", required=True)
    if len(raw_statement_items) + len(raw_open_items) > MAXIMUM_ITEMS:
        raise InvalidMatchingInput(
            [InputProblem("", f"more than {MAXIMUM_ITEMS} items in one request")]
        )
    seen: dict[str, str] = {}
    for position, raw in enumerate(raw_statement_items):
        path = f"statement_items[{position}]"
        statement_item = _statement_item(reader, raw, path)
        if statement_item is not None:
            statement_items.append(statement_item)
        _note_repeat(reader, seen, raw, path)
    seen = {}
    for position, raw in enumerate(raw_open_items):
        path = f"open_items[{position}]"
        open_item = _open_item(reader, raw, path)
        if open_item is not None:
            open_items.append(open_item)
        _note_repeat(reader, seen, raw, path)
    configurations: list[MatchingConfiguration] = []
    raw_configuration = data.get("configuration")
    if isinstance(raw_configuration, list):
        for position, raw in enumerate(raw_configuration):
            configuration = _configuration(reader, raw, f"configuration[{position}]")
            if configuration is not None:
                configurations.append(configuration)
        if raw_configuration and not any(
            isinstance(raw, Mapping) and raw.get("active", True) is True
            for raw in raw_configuration
        ):
            reader.problem("configuration", "no configuration is active")
    elif raw_configuration is not None:
        configuration = _configuration(reader, raw_configuration, "configuration")
        if configuration is not None:
            configurations.append(configuration)
            if not configuration.active:
                reader.problem("configuration.active", "the only configuration is not active")
    if reader.problems:
        raise InvalidMatchingInput(reader.problems)
    return MatchRequest(tuple(statement_items), tuple(open_items), tuple(configurations))


def _note_repeat(reader: _Reader, seen: dict[str, str], raw: object, path: str) -> None:
    """Note an id used twice on one side, whether or not the items parsed otherwise."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str) or not raw["id"]:
        return
    item_id: str = raw["id"]
    first = seen.get(item_id)
    if first is None:
        seen[item_id] = path
    else:
        reader.problem(f"{path}.id", f"repeats the id of {first}")


def _amount(value: Decimal) -> str:
    return format(value, "f")


def _render_configuration(configuration: MatchingConfiguration) -> dict[str, Any]:
    rendered: dict[str, Any] = {}
    for field in fields(configuration):
        value = getattr(configuration, field.name)
        if isinstance(value, Template):
            rendered[field.name] = value.value
        elif isinstance(value, Decimal):
            rendered[field.name] = _amount(value)
        elif field.name == "cash_discount_percents":
            rendered[field.name] = [_amount(percent) for percent in value]
        elif field.name == "holidays":
            rendered[field.name] = [holiday.isoformat() for holiday in value]
        elif isinstance(value, tuple):
            rendered[field.name] = list(value)
        else:
            rendered[field.name] = value
    return rendered


def _optional(rendered: dict[str, Any], key: str, value: object) -> None:
    if isinstance(value, date):
        rendered[key] = value.isoformat()
    elif value:
        rendered[key] = value


def render_match_request(request: MatchRequest) -> dict[str, Any]:
    """Render a request in the shape `parse_match_request` reads; empty fields are left out."""
    statement_items = []
    for item in request.statement_items:
        rendered: dict[str, Any] = {
            "id": item.id,
            "amount": _amount(item.amount),
            "currency": item.currency,
            "booking_date": item.booking_date.isoformat(),
        }
        for key in (
            "value_date",
            "counterparty_name",
            "counterparty_iban",
            "remittance_information",
            "end_to_end_id",
            "mandate_id",
            "creditor_reference",
            "bank_transaction_code",
            "is_reversal",
        ):
            _optional(rendered, key, getattr(item, key))
        statement_items.append(rendered)
    open_items = []
    for open_item in request.open_items:
        rendered = {
            "id": open_item.id,
            "open_amount": _amount(open_item.open_amount),
            "currency": open_item.currency,
        }
        for key in (
            "document_number",
            "document_date",
            "due_date",
            "account_id",
            "account_name",
            "account_number",
            "description",
            "payment_reference",
            "end_to_end_id",
            "mandate_id",
        ):
            _optional(rendered, key, getattr(open_item, key))
        if open_item.account_ibans:
            rendered["account_ibans"] = list(open_item.account_ibans)
        if open_item.custom_fields:
            rendered["custom_fields"] = dict(open_item.custom_fields)
        open_items.append(rendered)
    document: dict[str, Any] = {"statement_items": statement_items, "open_items": open_items}
    if len(request.configurations) == 1:
        document["configuration"] = _render_configuration(request.configurations[0])
    elif request.configurations:
        document["configuration"] = [_render_configuration(c) for c in request.configurations]
    return document


def _render_evidence(evidence: Evidence) -> dict[str, Any]:
    span = evidence.span
    return {
        "criterion": evidence.criterion.value,
        "detail": evidence.detail,
        "contribution": round(evidence.contribution, 4),
        "span": None
        if span is None
        else {"field": span.field, "start": span.start, "end": span.end, "text": span.text},
        "open_item_ids": list(evidence.open_item_ids),
    }


def _render_allocations(allocations: Sequence[Allocation]) -> list[dict[str, Any]]:
    return [
        {
            "open_item_id": allocation.open_item_id,
            "amount": _amount(allocation.amount),
            "remaining_open_amount": _amount(allocation.remaining_open_amount),
        }
        for allocation in allocations
    ]


def _render_answer(answer: Suggestion | Alternative) -> dict[str, Any]:
    return {
        "statement_item_id": answer.statement_item_id,
        "allocations": _render_allocations(answer.allocations),
        "score": round(answer.score, 4),
        "band": answer.band.value,
        "evidence": [_render_evidence(evidence) for evidence in answer.evidence],
        "unallocated_amount": _amount(answer.unallocated_amount),
    }


def render_match_result(result: MatchResult) -> dict[str, Any]:
    """Render a result in the fixed JSON shape (ready for `json.dumps`)."""
    suggestions = []
    for suggestion in result.suggestions:
        rendered = _render_answer(suggestion)
        rendered["alternatives"] = [
            _render_answer(alternative) for alternative in suggestion.alternatives
        ]
        suggestions.append(rendered)
    return {
        "suggestions": suggestions,
        "unmatched_statement_item_ids": list(result.unmatched_statement_item_ids),
        "unmatched_open_item_ids": list(result.unmatched_open_item_ids),
        "reversals": [
            {
                "statement_item_id": reversal.statement_item_id,
                "original_statement_item_id": reversal.original_statement_item_id,
                "open_item_ids": list(reversal.open_item_ids),
                "detail": reversal.detail,
            }
            for reversal in result.reversals
        ],
        "statistics": {
            field.name: getattr(result.statistics, field.name)
            for field in fields(result.statistics)
        },
    }


def _parse_evidence(data: Mapping[str, Any]) -> Evidence:
    span = data.get("span")
    return Evidence(
        Criterion(data["criterion"]),
        str(data["detail"]),
        float(data["contribution"]),
        None
        if span is None
        else Span(str(span["field"]), int(span["start"]), int(span["end"]), str(span["text"])),
        tuple(str(item_id) for item_id in data.get("open_item_ids", ())),
    )


def _parse_allocations(data: Sequence[Mapping[str, Any]]) -> tuple[Allocation, ...]:
    return tuple(
        Allocation(
            str(allocation["open_item_id"]),
            Decimal(str(allocation["amount"])),
            Decimal(str(allocation.get("remaining_open_amount", "0"))),
        )
        for allocation in data
    )


def parse_match_result(document: Mapping[str, Any] | str | bytes) -> MatchResult:
    """Parse a result rendered by `render_match_result` back into a `MatchResult`.

    Raises `InvalidMatchingInput` when the document does not have the result's shape.
    """
    data = _load(document)
    if not isinstance(data, Mapping):
        raise InvalidMatchingInput([InputProblem("", "a matching result must be a JSON object")])
    try:
        suggestions = []
        for raw in data["suggestions"]:
            alternatives = tuple(
                Alternative(
                    str(alternative["statement_item_id"]),
                    _parse_allocations(alternative["allocations"]),
                    float(alternative["score"]),
                    Band(alternative["band"]),
                    tuple(_parse_evidence(evidence) for evidence in alternative["evidence"]),
                    Decimal(str(alternative.get("unallocated_amount", "0"))),
                )
                for alternative in raw.get("alternatives", ())
            )
            suggestions.append(
                Suggestion(
                    str(raw["statement_item_id"]),
                    _parse_allocations(raw["allocations"]),
                    float(raw["score"]),
                    Band(raw["band"]),
                    tuple(_parse_evidence(evidence) for evidence in raw["evidence"]),
                    Decimal(str(raw.get("unallocated_amount", "0"))),
                    alternatives,
                )
            )
        reversals = tuple(
            Reversal(
                str(raw["statement_item_id"]),
                None
                if raw.get("original_statement_item_id") is None
                else str(raw["original_statement_item_id"]),
                tuple(str(item_id) for item_id in raw.get("open_item_ids", ())),
                str(raw.get("detail", "")),
            )
            for raw in data.get("reversals", ())
        )
        known = {field.name for field in fields(MatchStatistics)}
        statistics = MatchStatistics(
            **{key: int(value) for key, value in data.get("statistics", {}).items() if key in known}
        )
        return MatchResult(
            tuple(suggestions),
            tuple(str(item_id) for item_id in data["unmatched_statement_item_ids"]),
            tuple(str(item_id) for item_id in data["unmatched_open_item_ids"]),
            reversals,
            statistics,
        )
    except (KeyError, TypeError, ValueError, InvalidOperation) as error:
        raise InvalidMatchingInput(
            [InputProblem("", f"not a matching result: {error!r}")]
        ) from error


def match_json(document: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """Parse a request, match it and render the result: the whole JSON interface in one call.

    Raises `InvalidMatchingInput` listing every problem of the request.
    """
    request = parse_match_request(document)
    result = match_items(
        request.statement_items, request.open_items, request.configurations or None
    )
    return render_match_result(result)
