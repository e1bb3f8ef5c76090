"""TARGET2 business days: the days on which euro payments settle.

TARGET2 is closed on Saturdays and Sundays, New Year's Day (1 January), Good Friday,
Easter Monday, Labour Day (1 May), Christmas Day (25 December) and 26 December.
"""

from datetime import date, timedelta


def easter_sunday(year: int) -> date:
    """Return Easter Sunday of ``year`` in the Gregorian calendar (anonymous algorithm)."""
    golden = year % 19
    century, year_of_century = divmod(year, 100)
    leap_centuries, century_remainder = divmod(century, 4)
    correction = (century + 8) // 25
    moon = (century - correction + 1) // 3
    epact = (19 * golden + century - leap_centuries - moon + 15) % 30
    leap_years, year_remainder = divmod(year_of_century, 4)
    weekday = (32 + 2 * century_remainder + 2 * leap_years - epact - year_remainder) % 7
    offset = (golden + 11 * epact + 22 * weekday) // 451
    month, day = divmod(epact + weekday - 7 * offset + 114, 31)
    return date(year, month, day + 1)


def target_holidays(year: int) -> frozenset[date]:
    """Return the TARGET2 closing days of ``year`` that fall on weekdays or weekends."""
    easter = easter_sunday(year)
    return frozenset(
        {
            date(year, 1, 1),
            easter - timedelta(days=2),
            easter + timedelta(days=1),
            date(year, 5, 1),
            date(year, 12, 25),
            date(year, 12, 26),
        }
    )


def is_target_business_day(day: date) -> bool:
    """Return whether TARGET2 settles payments on ``day``."""
    return day.weekday() < 5 and day not in target_holidays(day.year)


def add_business_days(day: date, count: int) -> date:
    """Return the ``count``-th TARGET2 business day after ``day`` (``count`` >= 0).

    With ``count`` 0, ``day`` itself if it is a business day, else the next one.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    current = day
    while not is_target_business_day(current):
        current += timedelta(days=1)
    for _ in range(count):
        current += timedelta(days=1)
        while not is_target_business_day(current):
            current += timedelta(days=1)
    return current
