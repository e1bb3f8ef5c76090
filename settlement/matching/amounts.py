"""Money in integer minor units, and how a paid amount agrees with an owed one.

The engine compares amounts as integers (cents for EUR, yen for JPY) because subset sums and
index look-ups on integers are exact and fast; `Decimal` comes back only in the result.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

# ISO 4217 minor units that differ from the usual two decimals.
_EXPONENT_BY_CURRENCY: dict[str, int] = {
    "BHD": 3,
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "IQD": 3,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "PYG": 0,
    "RWF": 0,
    "TND": 3,
    "UGX": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
}


def currency_exponent(currency: str) -> int:
    """Return how many decimals the currency's minor unit has (2 unless ISO 4217 says otherwise)."""
    return _EXPONENT_BY_CURRENCY.get(currency, 2)


def to_minor_units(amount: Decimal, currency: str) -> int | None:
    """Return `amount` in minor units, or None when it has more decimals than the currency has."""
    if not amount.is_finite():
        return None
    scaled = amount.scaleb(currency_exponent(currency))
    units = int(scaled)
    return units if units == scaled else None


def from_minor_units(units: int, currency: str) -> Decimal:
    """Return `units` minor units as a `Decimal` with the currency's number of decimals."""
    # scaleb keeps the exponent it is given, so 12300 cents are 123.00, not 123.
    return Decimal(units).scaleb(-currency_exponent(currency))


def format_minor_units(units: int, currency: str) -> str:
    """Return a readable amount such as `1234.50 EUR` for evidence details."""
    exponent = currency_exponent(currency)
    if not exponent:
        return f"{units} {currency}"
    whole, fraction = divmod(abs(units), 10**exponent)
    return f"{'-' if units < 0 else ''}{whole}.{fraction:0{exponent}d} {currency}"


class AmountAgreementKind(enum.StrEnum):
    """How a paid amount relates to what was owed."""

    EXACT = "exact"
    CASH_DISCOUNT = "cash_discount"
    WITHIN_TOLERANCE = "within_tolerance"
    BANK_FEE = "bank_fee"
    TRANSPOSED_DIGITS = "transposed_digits"
    PARTIAL = "partial"
    OVERPAYMENT = "overpayment"


@dataclass(frozen=True, slots=True)
class AmountAgreement:
    """The verdict on paid against owed, with a quality from 0 (unrelated) to 1 (exact).

    `difference` is owed minus paid in minor units; `parameter` is the discount percent or
    the tolerance (minor units) that explained it, where one did.
    """

    kind: AmountAgreementKind
    quality: float
    difference: int
    parameter: Decimal | int = 0

    def describe(self, currency: str) -> str:
        """Say in words how the amounts relate (written only for the answers shown)."""
        gap = format_minor_units(abs(self.difference), currency)
        kind = self.kind
        if kind is AmountAgreementKind.EXACT:
            return "amount equal"
        if kind is AmountAgreementKind.CASH_DISCOUNT:
            return f"{gap} short: {self.parameter} % cash discount"
        if kind is AmountAgreementKind.WITHIN_TOLERANCE:
            direction = "short" if self.difference > 0 else "over"
            tolerance = format_minor_units(int(self.parameter), currency)
            return f"{gap} {direction}, within the tolerance of {tolerance}"
        if kind is AmountAgreementKind.BANK_FEE:
            return f"{gap} short: consistent with a deducted bank fee"
        if kind is AmountAgreementKind.TRANSPOSED_DIGITS:
            return "two digits transposed"
        if kind is AmountAgreementKind.PARTIAL:
            return f"partial payment: {gap} stays open"
        return f"overpayment: {gap} more than open"


@dataclass(frozen=True, slots=True)
class AmountRules:
    """The tolerances an amount comparison applies, all in minor units or percent."""

    tolerance_percent: Decimal = Decimal(0)
    tolerance_absolute: int = 0
    cash_discount_percents: tuple[Decimal, ...] = (Decimal(2), Decimal(3))
    bank_fee_maximum: int = 2500


def are_transposed(paid: int, owed: int) -> bool:
    """Tell whether the two amounts differ only by two swapped adjacent digits (1243 vs 1234)."""
    if paid == owed:
        return False
    paid_digits = str(paid)
    owed_digits = str(owed)
    if len(paid_digits) != len(owed_digits):
        return False
    differing = [
        index for index, (a, b) in enumerate(zip(paid_digits, owed_digits, strict=True)) if a != b
    ]
    if len(differing) != 2 or differing[1] != differing[0] + 1:
        return False
    first, second = differing
    return paid_digits[first] == owed_digits[second] and paid_digits[second] == owed_digits[first]


def _percent_of(units: int, percent: Decimal) -> int:
    # Discounts are rounded to the minor unit half-up, as invoicing systems do.
    return int((Decimal(units) * percent / 100).to_integral_value(rounding="ROUND_HALF_UP"))


def compare_amounts(paid: int, owed: int, rules: AmountRules, *, items: int = 1) -> AmountAgreement:
    """Compare a paid amount with an owed amount (both positive minor units).

    The most specific explanation wins: exact, cash discount (skonto), tolerance, a deducted
    bank fee, transposed digits, and only then a plain partial payment or overpayment. `items`
    is how many open items make up `owed`: each rounds its own discount, so the total may be
    off by a minor unit per item.
    """
    difference = owed - paid
    if difference == 0:
        return _EXACT
    if difference > 0:
        for percent in rules.cash_discount_percents:
            discount = _percent_of(owed, percent)
            if discount > 0 and abs(difference - discount) <= items:
                return AmountAgreement(AmountAgreementKind.CASH_DISCOUNT, 0.92, difference, percent)
    tolerance = rules.tolerance_absolute
    if rules.tolerance_percent:
        tolerance = max(tolerance, _percent_of(owed, rules.tolerance_percent))
    if abs(difference) <= tolerance:
        quality = 0.95 - 0.15 * abs(difference) / tolerance
        return AmountAgreement(AmountAgreementKind.WITHIN_TOLERANCE, quality, difference, tolerance)
    if 0 < difference <= rules.bank_fee_maximum and difference * 20 <= owed:
        # Correspondent banks charge round amounts; a round shortfall is the likelier fee.
        quality = 0.8 if difference % 50 == 0 else 0.7
        return AmountAgreement(AmountAgreementKind.BANK_FEE, quality, difference)
    if items == 1 and are_transposed(paid, owed):
        return AmountAgreement(AmountAgreementKind.TRANSPOSED_DIGITS, 0.8, difference)
    if difference > 0:
        return AmountAgreement(AmountAgreementKind.PARTIAL, 0.3, difference)
    return AmountAgreement(AmountAgreementKind.OVERPAYMENT, 0.25, difference)


_EXACT = AmountAgreement(AmountAgreementKind.EXACT, 1.0, 0)
