from decimal import Decimal

import pytest

from settlement.matching import InvalidConfiguration, MatchingConfiguration, Template
from settlement.matching.configuration import (
    active_configurations,
    amount_rules,
    configuration_problems,
)


def test_no_configuration_means_the_default_that_looks_at_all_evidence():
    [configuration] = active_configurations(None)
    assert configuration.template is Template.STANDARD
    assert configuration.auto_threshold == 0.97
    assert configuration.suggest_threshold == 0.75


def test_active_configurations_are_ordered_by_priority_then_as_given():
    late = MatchingConfiguration(name="late", priority=20)
    early = MatchingConfiguration(name="early", priority=5)
    tied = MatchingConfiguration(name="tied", priority=5)
    asleep = MatchingConfiguration(name="asleep", priority=1, active=False)
    ordered = active_configurations([late, early, asleep, tied])
    assert [configuration.name for configuration in ordered] == ["early", "tied", "late"]


def test_every_problem_of_every_configuration_is_reported():
    broken = MatchingConfiguration(
        reference_patterns=("(a+)+", "RE(?P<document>["),
        template=Template.CUSTOM_FIELD,
        amount_tolerance_percent=Decimal(-1),
        auto_threshold=1.5,
        combination_maximum_items=40,
    )
    with pytest.raises(InvalidConfiguration) as raised:
        active_configurations([MatchingConfiguration(), broken])
    paths = [problem.path for problem in raised.value.problems]
    assert paths == [
        "configuration[1].reference_patterns[0]",
        "configuration[1].reference_patterns[1]",
        "configuration[1].custom_field",
        "configuration[1].amount_tolerance_percent",
        "configuration[1].auto_threshold",
        "configuration[1].combination_maximum_items",
    ]


def test_thresholds_must_be_ordered():
    problems = configuration_problems(
        MatchingConfiguration(suggest_threshold=0.99), "configuration"
    )
    assert [problem.path for problem in problems] == ["configuration.suggest_threshold"]


def test_amount_rules_are_expressed_in_the_currency_minor_units():
    configuration = MatchingConfiguration(
        amount_tolerance_absolute=Decimal("2.00"), bank_fee_maximum=Decimal("30")
    )
    assert amount_rules(configuration, "EUR").tolerance_absolute == 200
    assert amount_rules(configuration, "JPY").tolerance_absolute == 2
    assert amount_rules(configuration, "EUR").bank_fee_maximum == 3000
