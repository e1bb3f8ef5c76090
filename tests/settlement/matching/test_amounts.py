from decimal import Decimal

import pytest

from settlement.matching.amounts import (
    AmountAgreementKind,
    AmountRules,
    are_transposed,
    compare_amounts,
    from_minor_units,
    to_minor_units,
)

RULES = AmountRules()


def test_minor_units_follow_the_currency_exponent():
    assert to_minor_units(Decimal("12.34"), "EUR") == 1234
    assert to_minor_units(Decimal("1234"), "JPY") == 1234
    assert to_minor_units(Decimal("1.234"), "KWD") == 1234
    assert from_minor_units(-1234, "EUR") == Decimal("-12.34")


def test_minor_units_refuse_more_decimals_than_the_currency_has():
    assert to_minor_units(Decimal("12.345"), "EUR") is None
    assert to_minor_units(Decimal("12.5"), "JPY") is None


def test_equal_amounts_agree_exactly():
    agreement = compare_amounts(10000, 10000, RULES)
    assert agreement.kind is AmountAgreementKind.EXACT
    assert agreement.quality == 1.0


@pytest.mark.parametrize("percent", [2, 3])
def test_a_payment_short_by_the_cash_discount_is_recognised_as_skonto(percent):
    owed = 123456
    paid = owed - round(owed * percent / 100)
    agreement = compare_amounts(paid, owed, RULES)
    assert agreement.kind is AmountAgreementKind.CASH_DISCOUNT
    assert agreement.parameter == Decimal(percent)


def test_a_round_shortfall_up_to_the_fee_maximum_reads_as_a_deducted_bank_fee():
    agreement = compare_amounts(99250, 100000, RULES)
    assert agreement.kind is AmountAgreementKind.BANK_FEE
    assert "bank fee" in agreement.describe("EUR")


def test_a_configured_tolerance_accepts_small_differences_in_both_directions():
    rules = AmountRules(tolerance_absolute=200)
    assert compare_amounts(10150, 10000, rules).kind is AmountAgreementKind.WITHIN_TOLERANCE
    assert compare_amounts(9850, 10000, rules).kind is AmountAgreementKind.WITHIN_TOLERANCE


def test_a_percentage_tolerance_scales_with_the_amount():
    rules = AmountRules(tolerance_percent=Decimal(2), bank_fee_maximum=0)
    assert compare_amounts(98100, 100000, rules).kind is AmountAgreementKind.WITHIN_TOLERANCE
    assert compare_amounts(96500, 100000, rules).kind is AmountAgreementKind.PARTIAL


def test_swapped_adjacent_digits_are_transposed_digits():
    assert are_transposed(124350, 123450)
    assert not are_transposed(125430, 123450)
    assert compare_amounts(124350, 123450, RULES).kind is AmountAgreementKind.TRANSPOSED_DIGITS


def test_large_differences_are_partial_payments_or_overpayments():
    assert compare_amounts(5000, 10000, RULES).kind is AmountAgreementKind.PARTIAL
    assert compare_amounts(15000, 10000, RULES).kind is AmountAgreementKind.OVERPAYMENT
