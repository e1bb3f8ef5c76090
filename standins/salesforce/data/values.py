"""Field values between their stored form, JSON (REST) and CSV (Bulk API 2.0).

Stored forms: text as text, money as an integer count of the field's smallest unit (cents for a
scale of 2), dates as ``YYYY-MM-DD``, datetimes as ``2026-11-22T03:00:00.000+0000`` in UTC (fixed
width, so text order is time order), checkboxes as 0/1. Request bodies are parsed with
``Decimal`` for numbers, so an amount is never rounded through a float on the way in.
"""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from standins.salesforce.data.schema import (
    BOOLEAN,
    DATE,
    DATETIME,
    NUMBER_TYPES,
    Field,
)

Stored = str | int | None

_DATETIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<time>\d{2}:\d{2}:\d{2})(?P<fraction>\.\d{1,9})?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ValueTypeError(Exception):
    """A value cannot become the field's type (``abc`` for a currency field)."""

    def __init__(self, field: Field, value: object) -> None:
        super().__init__(f"{field.name}: {value!r} is not a {field.type}")
        self.field = field
        self.value = value


def format_datetime(moment: datetime) -> str:
    """The stored and answered form of a datetime: UTC, milliseconds, ``+0000``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def parse_datetime(text: str) -> datetime | None:
    """An ISO 8601 datetime as Salesforce accepts it (zone optional: UTC), or ``None``."""
    match = _DATETIME.fullmatch(text.strip())
    if match is None:
        return None
    zone = match["zone"] or "Z"
    if zone != "Z" and ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    fraction = (match["fraction"] or ".0")[:7].ljust(7, "0")
    try:
        return datetime.fromisoformat(
            f"{match['date']}T{match['time']}{fraction}{'+00:00' if zone == 'Z' else zone}"
        )
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    if not _DATE.fullmatch(text.strip()):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def scale_number(field: Field, number: Decimal) -> int:
    """A number in the field's smallest unit, rounded half up as Salesforce rounds on save."""
    return int((number.scaleb(field.scale)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def decimal_of(field: Field, stored: int) -> Decimal:
    return Decimal(stored).scaleb(-field.scale)


def _number(field: Field, value: object) -> int:
    if isinstance(value, bool):
        raise ValueTypeError(field, value)
    try:
        number = (
            Decimal(str(value).strip()) if isinstance(value, str | int | float | Decimal) else None
        )
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValueTypeError(field, value)
    return scale_number(field, number)


def from_json(field: Field, value: object) -> Stored:
    """The stored form of a value from a JSON body; ``None`` clears the field.

    Raises :class:`ValueTypeError` when the JSON value cannot be the field's type.
    """
    if value is None:
        return 0 if field.type == BOOLEAN else None
    if field.type == BOOLEAN:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, str) and value.lower() in {"true", "false"}:
            return int(value.lower() == "true")
        raise ValueTypeError(field, value)
    if field.type in NUMBER_TYPES:
        return _number(field, value)
    if isinstance(value, bool | dict | list):
        raise ValueTypeError(field, value)
    text = str(value)
    if field.type == DATE:
        parsed = parse_date(text)
        if parsed is None:
            raise ValueTypeError(field, value)
        return parsed.isoformat()
    if field.type == DATETIME:
        moment = parse_datetime(text)
        if moment is None:
            raise ValueTypeError(field, value)
        return format_datetime(moment)
    # Salesforce keeps no empty strings: an empty text field is null.
    return text or None


def from_csv(field: Field, text: str) -> Stored:
    """The stored form of a non-empty CSV cell (``#N/A`` is handled by the caller)."""
    if field.type == BOOLEAN:
        lowered = text.strip().lower()
        if lowered in {"true", "1", "yes"}:
            return 1
        if lowered in {"false", "0", "no"}:
            return 0
        raise ValueTypeError(field, text)
    return from_json(field, text)


def _currency_json(scale: int) -> Callable[[Stored], object]:
    divisor = 10**scale

    def convert(stored: Stored) -> object:
        # int / int is correctly rounded, so the float is the nearest double to the exact amount,
        # and its repr is that amount for anything under 15 significant digits.
        return None if stored is None else int(stored) / divisor

    return convert


def _boolean_json(stored: Stored) -> object:
    return bool(stored)


def _identity(stored: Stored) -> object:
    return stored


def json_converter(field: Field) -> Callable[[Stored], object]:
    """A function turning the stored form into the JSON value Salesforce answers with."""
    if field.type == BOOLEAN:
        return _boolean_json
    if field.type in NUMBER_TYPES:
        return _currency_json(field.scale)
    return _identity


def csv_converter(field: Field) -> Callable[[Stored], str]:
    """A function turning the stored form into a CSV cell (null is the empty string)."""
    if field.type == BOOLEAN:
        return lambda stored: "true" if stored else "false"
    if field.type in NUMBER_TYPES:
        scale = field.scale
        return lambda stored: "" if stored is None else str(Decimal(int(stored)).scaleb(-scale))
    return lambda stored: "" if stored is None else str(stored)
