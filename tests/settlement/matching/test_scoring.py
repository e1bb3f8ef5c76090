import itertools

import pytest

from settlement.matching import Criterion, match_items
from settlement.matching.scoring import components
from tests.settlement.matching.builders import MUELLER_IBAN, mueller_invoice, statement


@pytest.mark.parametrize(
    ("identity", "quality", "account"),
    list(itertools.product([0.0, 0.4, 0.9, 1.0], [0.0, 0.3, 0.8, 1.0], [0.0, 0.5, 1.0])),
)
def test_the_score_parts_never_exceed_one_together(identity, quality, account):
    parts = components(identity, quality, account)
    assert 0 <= parts.identity + parts.amount + parts.account + parts.implied_account <= 1.0 + 1e-9


def test_without_a_reference_the_score_stays_below_the_auto_threshold():
    parts = components(0.0, 1.0, 1.0)
    assert parts.identity + parts.amount + parts.account + parts.implied_account + 0.02 < 0.97


def test_an_exact_reference_and_amount_together_are_enough_for_auto():
    parts = components(1.0, 1.0, 0.0)
    assert parts.identity + parts.amount + parts.account + parts.implied_account >= 0.97


@pytest.mark.parametrize(
    "fields",
    [
        {"remittance_information": "RE-2024-000815"},
        {"counterparty_iban": MUELLER_IBAN},
        {"counterparty_name": "MUELLER BAUTECHNIK", "remittance_information": "2024-815"},
        {"remittance_information": "RE-2024-000815", "counterparty_name": "Ganz Andere GmbH"},
    ],
)
def test_the_evidence_contributions_add_up_to_the_score(fields):
    invoice = mueller_invoice("OI-1", "500.00", "RE-2024-000815")
    [suggestion] = match_items([statement(amount="500.00", **fields)], [invoice]).suggestions
    total = sum(evidence.contribution for evidence in suggestion.evidence)
    assert total == pytest.approx(min(1.0, suggestion.score), abs=0.002) or total > 1.0


def test_a_payer_whose_name_differs_clearly_costs_points():
    invoice = mueller_invoice("OI-1", "500.00", "RE-2024-000815")
    [same] = match_items(
        [
            statement(
                amount="500.00",
                remittance_information="RE-2024-000815",
                counterparty_name="Mueller Bautechnik",
            )
        ],
        [invoice],
    ).suggestions
    [other] = match_items(
        [
            statement(
                amount="500.00",
                remittance_information="RE-2024-000815",
                counterparty_name="Ganz Andere Firma",
            )
        ],
        [invoice],
    ).suggestions
    assert other.score < same.score
    assert any(e.criterion is Criterion.NAME and e.contribution < 0 for e in other.evidence)
