"""Matching configurations: which evidence finds candidates, tolerances, and band thresholds.

A tenant may keep several configurations; the active ones are applied by priority (lowest
number first): for each statement item the first configuration that reaches its SUGGEST
threshold decides, and when none does, the best answer of any is kept for review. With no
configuration at all the engine uses `MatchingConfiguration()`, which looks at all evidence.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from settlement.matching.amounts import AmountRules, currency_exponent, to_minor_units
from settlement.matching.model import InputProblem, InvalidMatchingInput
from settlement.matching.references import check_reference_pattern


class Template(enum.StrEnum):
    """How a configuration finds candidates (scoring always weighs all evidence found)."""

    STANDARD = "standard"
    ACCOUNT_BY_CUSTOMER_NUMBER_IN_REFERENCE = "account_by_customer_number_in_reference"
    ACCOUNT_BY_NAME = "account_by_name"
    ACCOUNT_BY_IBAN = "account_by_iban"
    ENTRY_BY_DOCUMENT_NUMBER = "entry_by_document_number"
    ENTRY_BY_AMOUNT = "entry_by_amount"
    ENTRY_BY_CORRELATED_DATES = "entry_by_correlated_dates"
    CUSTOM_FIELD = "custom_field"


class InvalidConfiguration(InvalidMatchingInput):
    """A matching configuration is unusable; `problems` lists every problem."""


@dataclass(frozen=True, slots=True)
class MatchingConfiguration:
    """One matching configuration.

    `reference_patterns` are regular expressions run over the remittance text; a named group
    `document` marks a document number, `customer` a customer number, and a pattern without
    either marks its whole match as a document number. Amounts are in the currency's major unit.
    """

    name: str = "default"
    active: bool = True
    priority: int = 100
    template: Template = Template.STANDARD
    reference_patterns: tuple[str, ...] = ()
    custom_field: str = ""
    amount_tolerance_percent: Decimal = Decimal(0)
    amount_tolerance_absolute: Decimal = Decimal(0)
    cash_discount_percents: tuple[Decimal, ...] = (Decimal(2), Decimal(3))
    bank_fee_maximum: Decimal = Decimal("25.00")
    auto_threshold: float = 0.97
    suggest_threshold: float = 0.75
    minimum_score: float = 0.40
    ambiguity_margin: float = 0.05
    allow_auto: bool = True
    combination_maximum_items: int = 8
    combination_window_days: int = 120
    holidays: tuple[date, ...] = ()
    maximum_alternatives: int = 3


MAXIMUM_COMBINATION_ITEMS = 12
MAXIMUM_REFERENCE_PATTERNS = 20


def configuration_problems(configuration: MatchingConfiguration, path: str) -> list[InputProblem]:
    """Return every problem of one configuration, each with a path below `path`."""
    problems: list[InputProblem] = []

    def report(field: str, message: str) -> None:
        problems.append(InputProblem(f"{path}.{field}" if path else field, message))

    if len(configuration.reference_patterns) > MAXIMUM_REFERENCE_PATTERNS:
        report("reference_patterns", f"has more than {MAXIMUM_REFERENCE_PATTERNS} patterns")
    for position, pattern in enumerate(configuration.reference_patterns):
        problem = check_reference_pattern(pattern)
        if problem:
            report(f"reference_patterns[{position}]", f"pattern {pattern!r} {problem}")
    if configuration.template is Template.CUSTOM_FIELD and not configuration.custom_field:
        report("custom_field", "is required by the custom_field template")
    if configuration.amount_tolerance_percent < 0 or configuration.amount_tolerance_percent > 50:
        report("amount_tolerance_percent", "must be between 0 and 50")
    if configuration.amount_tolerance_absolute < 0:
        report("amount_tolerance_absolute", "must not be negative")
    if configuration.bank_fee_maximum < 0:
        report("bank_fee_maximum", "must not be negative")
    for position, percent in enumerate(configuration.cash_discount_percents):
        if not 0 < percent < 50:
            report(f"cash_discount_percents[{position}]", "must be between 0 and 50")
    for field in ("auto_threshold", "suggest_threshold", "minimum_score"):
        value = getattr(configuration, field)
        if not 0 <= value <= 1:
            report(field, "must be between 0 and 1")
    if not (
        configuration.minimum_score
        <= configuration.suggest_threshold
        <= configuration.auto_threshold
    ):
        report("suggest_threshold", "must lie between minimum_score and auto_threshold")
    if not 0 <= configuration.ambiguity_margin <= 0.5:
        report("ambiguity_margin", "must be between 0 and 0.5")
    if not 1 <= configuration.combination_maximum_items <= MAXIMUM_COMBINATION_ITEMS:
        report("combination_maximum_items", f"must be between 1 and {MAXIMUM_COMBINATION_ITEMS}")
    if not 0 <= configuration.combination_window_days <= 3660:
        report("combination_window_days", "must be between 0 and 3660")
    if not 0 <= configuration.maximum_alternatives <= 10:
        report("maximum_alternatives", "must be between 0 and 10")
    return problems


def active_configurations(
    configurations: MatchingConfiguration | Sequence[MatchingConfiguration] | None,
) -> tuple[MatchingConfiguration, ...]:
    """Return the active configurations by priority, or the default when none is given.

    Raises `InvalidConfiguration` listing every problem of every configuration, and when
    configurations were given but none is active.
    """
    if configurations is None:
        return (MatchingConfiguration(),)
    given = (
        (configurations,)
        if isinstance(configurations, MatchingConfiguration)
        else tuple(configurations)
    )
    if not given:
        return (MatchingConfiguration(),)
    problems: list[InputProblem] = []
    for position, configuration in enumerate(given):
        prefix = "configuration" if len(given) == 1 else f"configuration[{position}]"
        problems.extend(configuration_problems(configuration, prefix))
    active = [configuration for configuration in given if configuration.active]
    if not active:
        problems.append(InputProblem("configuration", "no configuration is active"))
    if problems:
        raise InvalidConfiguration(problems)
    # The position breaks priority ties so that the order stays as given.
    ordered = sorted(enumerate(active), key=lambda pair: (pair[1].priority, pair[0]))
    return tuple(configuration for _, configuration in ordered)


@lru_cache(maxsize=256)
def amount_rules(configuration: MatchingConfiguration, currency: str) -> AmountRules:
    """Return the configuration's amount rules in minor units of `currency`."""
    quantum = Decimal(1).scaleb(-currency_exponent(currency))
    return AmountRules(
        tolerance_percent=configuration.amount_tolerance_percent,
        tolerance_absolute=to_minor_units(
            configuration.amount_tolerance_absolute.quantize(quantum), currency
        )
        or 0,
        cash_discount_percents=configuration.cash_discount_percents,
        bank_fee_maximum=to_minor_units(configuration.bank_fee_maximum.quantize(quantum), currency)
        or 0,
    )
