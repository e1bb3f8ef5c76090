"""How the booking date of a payment fits the dates of the open items it may pay.

Payments arrive after the invoice and around its due date; a due date on a Saturday or a bank
holiday is met on the next business day. A payment booked well before the invoice was written
is most likely for something else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

# How many days before the document date a payment may be booked and still be for it
# (advance payments of pro-forma invoices, invoices dated on dispatch).
EARLY_PAYMENT_GRACE_DAYS = 7
ON_TIME_BUSINESS_DAYS = 3
STALE_AFTER_DAYS = 400


def next_business_day(day: date, holidays: frozenset[date]) -> date:
    """Return `day` or, when it falls on a weekend or holiday, the next day that does not."""
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def business_days_between(start: date, end: date, holidays: frozenset[date]) -> int:
    """Return the signed number of business days from `start` to `end` (0 when on the same day).

    Only used for short lags, so the day-by-day walk is bounded by the callers to a few weeks.
    """
    if start == end:
        return 0
    step = 1 if end > start else -1
    count = 0
    day = start
    while day != end:
        day += timedelta(days=step)
        if day.weekday() < 5 and day not in holidays:
            count += step
    return count


@dataclass(frozen=True, slots=True)
class DateFit:
    """The verdict on the dates, with a score contribution (negative when implausible)."""

    contribution: float
    detail: str


def judge_dates(
    booking_date: date,
    document_date: date | None,
    due_date: date | None,
    holidays: frozenset[date],
    *,
    on_time_weight: float = 0.02,
) -> DateFit | None:
    """Judge a booking date against an open item's document and due dates.

    Returns None when the item has no dates. `on_time_weight` is what a payment on the
    (business-day adjusted) due date adds; a date-correlating configuration raises it.
    """
    if document_date is None and due_date is None:
        return None
    if document_date is not None:
        days_early = (document_date - booking_date).days
        if days_early > EARLY_PAYMENT_GRACE_DAYS:
            return DateFit(
                -0.15, f"booked {days_early} days before the document date {document_date}"
            )
        if (booking_date - document_date).days > STALE_AFTER_DAYS and due_date is None:
            return DateFit(-0.02, f"document date {document_date} lies more than a year back")
    if due_date is not None:
        effective_due = next_business_day(due_date, holidays)
        lag = (booking_date - effective_due).days
        if abs(lag) <= 21:
            lag_business = business_days_between(effective_due, booking_date, holidays)
            if abs(lag_business) <= ON_TIME_BUSINESS_DAYS:
                shifted = " (moved to the next business day)" if effective_due != due_date else ""
                return DateFit(
                    on_time_weight,
                    f"booked on the due date {due_date}{shifted}, lag {lag_business} business days",
                )
            return DateFit(on_time_weight / 2, f"booked {lag} days from the due date {due_date}")
        if lag > STALE_AFTER_DAYS:
            return DateFit(-0.02, f"booked {lag} days after the due date {due_date} (prior period)")
        return DateFit(0.0, f"booked {lag} days from the due date {due_date}")
    return DateFit(0.0, f"document date {document_date}")
