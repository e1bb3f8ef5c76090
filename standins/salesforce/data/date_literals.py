"""SOQL date literals (TODAY, LAST_N_DAYS:30, THIS_MONTH ...) as ranges of days.

A literal names a range of whole days in the querying user's time zone: ``[first, after)``, where
``after`` is the day after the last one. Weeks start on Sunday for the en_US locale and on Monday
otherwise; fiscal periods are the calendar ones (the default fiscal year of an org).
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

_WITH_AMOUNT = re.compile(
    r"(LAST|NEXT)_N_(DAYS|WEEKS|MONTHS|QUARTERS|YEARS|FISCAL_QUARTERS|FISCAL_YEARS)"
)
_AGO = re.compile(r"N_(DAYS|WEEKS|MONTHS|QUARTERS|YEARS|FISCAL_QUARTERS|FISCAL_YEARS)_AGO")
_PLAIN = re.compile(r"(LAST|THIS|NEXT)_(WEEK|MONTH|QUARTER|YEAR|FISCAL_QUARTER|FISCAL_YEAR)")


class UnknownDateLiteralError(Exception):
    """The name is not a date literal, or it lacks (or has a stray) ``:n``."""


@dataclass(frozen=True)
class DayRange:
    first: date
    after: date


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _period_start(today: date, unit: str, week_starts_on_sunday: bool) -> date:
    if unit == "DAY":
        return today
    if unit == "WEEK":
        weekday = (today.weekday() + 1) % 7 if week_starts_on_sunday else today.weekday()
        return today - timedelta(days=weekday)
    if unit == "MONTH":
        return today.replace(day=1)
    if unit == "QUARTER":
        return date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return date(today.year, 1, 1)


def _shift(start: date, unit: str, count: int) -> date:
    if unit == "DAY":
        return start + timedelta(days=count)
    if unit == "WEEK":
        return start + timedelta(weeks=count)
    months = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}[unit]
    return _add_months(start, months * count)


def _unit(name: str) -> str:
    return name.removesuffix("S").removeprefix("FISCAL_")


def day_range(
    name: str, amount: int | None, today: date, *, week_starts_on_sunday: bool
) -> DayRange:
    """The days a literal covers, seen from ``today`` (the user's local date).

    Raises :class:`UnknownDateLiteralError` for a name SOQL does not know.
    """
    fixed = {
        "YESTERDAY": DayRange(today - timedelta(days=1), today),
        "TODAY": DayRange(today, today + timedelta(days=1)),
        "TOMORROW": DayRange(today + timedelta(days=1), today + timedelta(days=2)),
        # Salesforce counts today in both: the last 90 days end with today.
        "LAST_90_DAYS": DayRange(today - timedelta(days=90), today + timedelta(days=1)),
        "NEXT_90_DAYS": DayRange(today + timedelta(days=1), today + timedelta(days=91)),
    }
    if name in fixed:
        if amount is not None:
            raise UnknownDateLiteralError(name)
        return fixed[name]
    if match := _PLAIN.fullmatch(name):
        if amount is not None:
            raise UnknownDateLiteralError(name)
        unit = _unit(match[2])
        start = _period_start(today, unit, week_starts_on_sunday)
        offset = {"LAST": -1, "THIS": 0, "NEXT": 1}[match[1]]
        first = _shift(start, unit, offset)
        return DayRange(first, _shift(first, unit, 1))
    if amount is None:
        raise UnknownDateLiteralError(name)
    if match := _WITH_AMOUNT.fullmatch(name):
        unit = _unit(match[2])
        if unit == "DAY":
            # LAST_N_DAYS includes today; NEXT_N_DAYS starts tomorrow.
            if match[1] == "LAST":
                return DayRange(today - timedelta(days=amount), today + timedelta(days=1))
            return DayRange(today + timedelta(days=1), today + timedelta(days=amount + 1))
        start = _period_start(today, unit, week_starts_on_sunday)
        if match[1] == "LAST":
            return DayRange(_shift(start, unit, -amount), start)
        following = _shift(start, unit, 1)
        return DayRange(following, _shift(following, unit, amount))
    if match := _AGO.fullmatch(name):
        unit = _unit(match[1])
        start = _shift(_period_start(today, unit, week_starts_on_sunday), unit, -amount)
        return DayRange(start, _shift(start, unit, 1))
    raise UnknownDateLiteralError(name)
