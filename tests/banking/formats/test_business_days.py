"""TARGET2 business days: weekends and the six TARGET holidays are closed."""

from datetime import date

import pytest

from banking.formats.business_days import add_business_days, easter_sunday, is_target_business_day


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2000, date(2000, 4, 23)),
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_sunday_falls_on_the_gregorian_date(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


@pytest.mark.parametrize(
    "closed",
    [
        date(2025, 1, 1),
        date(2025, 4, 18),
        date(2025, 4, 21),
        date(2025, 5, 1),
        date(2025, 12, 25),
        date(2025, 12, 26),
        date(2025, 6, 7),
        date(2025, 6, 8),
    ],
)
def test_target_is_closed_on_weekends_and_its_holidays(closed: date) -> None:
    assert not is_target_business_day(closed)


@pytest.mark.parametrize(
    "open_day", [date(2025, 1, 2), date(2025, 4, 17), date(2025, 4, 22), date(2025, 12, 24)]
)
def test_target_is_open_on_other_weekdays_including_national_holidays(open_day: date) -> None:
    assert is_target_business_day(open_day)


def test_adding_business_days_skips_easter_and_christmas() -> None:
    assert add_business_days(date(2025, 4, 17), 1) == date(2025, 4, 22)
    assert add_business_days(date(2025, 12, 24), 1) == date(2025, 12, 29)
    assert add_business_days(date(2025, 12, 27), 0) == date(2025, 12, 29)
    with pytest.raises(ValueError, match="negative"):
        add_business_days(date(2025, 1, 2), -1)
