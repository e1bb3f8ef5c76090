from datetime import date

from settlement.matching.dates import business_days_between, judge_dates, next_business_day

NO_HOLIDAYS: frozenset[date] = frozenset()
EASTER_MONDAY = date(2024, 4, 1)


def test_a_due_date_on_a_weekend_moves_to_the_next_business_day():
    assert next_business_day(date(2024, 3, 9), NO_HOLIDAYS) == date(2024, 3, 11)
    assert next_business_day(date(2024, 3, 30), frozenset({EASTER_MONDAY})) == date(2024, 4, 2)


def test_business_days_skip_weekends_and_holidays():
    assert business_days_between(date(2024, 3, 8), date(2024, 3, 11), NO_HOLIDAYS) == 1
    assert (
        business_days_between(date(2024, 3, 28), date(2024, 4, 2), frozenset({EASTER_MONDAY})) == 2
    )


def test_a_payment_on_the_monday_after_a_saturday_due_date_is_on_time():
    fit = judge_dates(date(2024, 3, 11), date(2024, 2, 10), date(2024, 3, 9), NO_HOLIDAYS)
    assert fit is not None
    assert fit.contribution > 0
    assert "next business day" in fit.detail


def test_a_payment_long_before_the_invoice_was_written_counts_against_it():
    fit = judge_dates(date(2024, 1, 5), date(2024, 3, 1), date(2024, 3, 31), NO_HOLIDAYS)
    assert fit is not None
    assert fit.contribution < 0


def test_an_item_without_dates_gives_no_date_evidence():
    assert judge_dates(date(2024, 3, 1), None, None, NO_HOLIDAYS) is None
