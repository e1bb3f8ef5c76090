"""Properties that hold for any input: consistency, bounds and determinism."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from settlement.matching import MatchResult, OpenItem, StatementItem, match_items

ACCOUNTS = ("ACC-A", "ACC-B", "ACC-C")
NAMES = {"ACC-A": "Müller Bau GmbH", "ACC-B": "Dupont SARL", "ACC-C": "Smit B.V."}
IBANS = {"ACC-A": "DE89370400440532013000", "ACC-B": "FR1420041010050500013M02606", "ACC-C": ""}
# A few amounts, so that amounts collide and candidates compete for the same open items.
AMOUNTS = st.sampled_from(
    ["100.00", "250.00", "99.99", "350.00", "12.50", "1000.00", "-100.00", "-250.00"]
)


@st.composite
def open_items(draw: st.DrawFn) -> list[OpenItem]:
    count = draw(st.integers(min_value=0, max_value=8))
    items = []
    for position in range(count):
        account = draw(st.sampled_from(ACCOUNTS))
        items.append(
            OpenItem(
                id=f"OI-{position}",
                open_amount=Decimal(draw(AMOUNTS)),
                currency=draw(st.sampled_from(["EUR", "EUR", "CHF"])),
                document_number=f"RE-2024-{draw(st.integers(min_value=1, max_value=5)):06d}",
                document_date=date(2024, 2, 1) + timedelta(days=draw(st.integers(0, 40))),
                due_date=date(2024, 3, 1) + timedelta(days=draw(st.integers(0, 20))),
                account_id=account,
                account_name=NAMES[account],
                account_ibans=(IBANS[account],) if IBANS[account] else (),
                end_to_end_id=draw(st.sampled_from(["", "", "E2E-1", "E2E-2"])),
            )
        )
    return items


@st.composite
def statement_items(draw: st.DrawFn) -> list[StatementItem]:
    count = draw(st.integers(min_value=0, max_value=6))
    items = []
    for position in range(count):
        account = draw(st.sampled_from(ACCOUNTS))
        references = draw(st.lists(st.integers(min_value=1, max_value=5), max_size=3))
        items.append(
            StatementItem(
                id=f"S-{position}",
                amount=(
                    Decimal(draw(AMOUNTS))
                    * draw(st.sampled_from([Decimal(1), Decimal(1), Decimal(2), Decimal("0.5")]))
                ).quantize(Decimal("0.01")),
                currency=draw(st.sampled_from(["EUR", "EUR", "CHF"])),
                booking_date=date(2024, 3, 1) + timedelta(days=draw(st.integers(0, 20))),
                counterparty_name=draw(st.sampled_from(["", NAMES[account].upper()])),
                counterparty_iban=draw(st.sampled_from(["", IBANS[account]])),
                remittance_information=" ".join(f"RE 2024-{number}" for number in references),
                end_to_end_id=draw(st.sampled_from(["", "E2E-1", "E2E-2"])),
                is_reversal=draw(st.booleans()) and draw(st.booleans()),
            )
        )
    return items


def check_consistency(
    statements: list[StatementItem], opens: list[OpenItem], result: MatchResult
) -> None:
    open_by_id = {item.id: item for item in opens}
    statement_by_id = {item.id: item for item in statements}
    allocated: dict[str, Decimal] = defaultdict(Decimal)
    for suggestion in result.suggestions:
        statement = statement_by_id[suggestion.statement_item_id]
        total = sum((allocation.amount for allocation in suggestion.allocations), Decimal(0))
        assert abs(total) <= abs(statement.amount)
        assert 0 <= suggestion.score <= 1
        for allocation in suggestion.allocations:
            item = open_by_id[allocation.open_item_id]
            assert allocation.amount * item.open_amount > 0, "an allocation keeps its item's sign"
            assert item.currency == statement.currency
            allocated[item.id] += allocation.amount
    for item_id, amount in allocated.items():
        assert abs(amount) <= abs(open_by_id[item_id].open_amount), f"{item_id} over-allocated"
    matched_statements = {suggestion.statement_item_id for suggestion in result.suggestions}
    assert matched_statements.isdisjoint(result.unmatched_statement_item_ids)
    assert matched_statements | set(result.unmatched_statement_item_ids) == set(statement_by_id)
    assert set(allocated).isdisjoint(result.unmatched_open_item_ids)
    assert set(allocated) | set(result.unmatched_open_item_ids) == set(open_by_id)
    reversed_items = {reversal.statement_item_id for reversal in result.reversals}
    assert reversed_items.isdisjoint(matched_statements)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statements=statement_items(), opens=open_items())
def test_no_open_item_is_ever_over_allocated_and_no_payment_overspent(statements, opens):
    check_consistency(statements, opens, match_items(statements, opens))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statements=statement_items(), opens=open_items())
def test_the_same_input_always_gives_the_same_output(statements, opens):
    assert match_items(statements, opens) == match_items(statements, opens)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statements=statement_items(), opens=open_items())
def test_alternatives_never_repeat_the_suggestion(statements, opens):
    for suggestion in match_items(statements, opens).suggestions:
        chosen = {allocation.open_item_id for allocation in suggestion.allocations}
        for alternative in suggestion.alternatives:
            assert {allocation.open_item_id for allocation in alternative.allocations} != chosen


def test_the_result_does_not_depend_on_the_interpreters_hash_seed():
    """String hashing is randomised per process; nothing in a result may depend on it."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import json\n"
        "from benchmarks.matching_data import generate_dataset\n"
        "from settlement.matching import match_items, render_match_result\n"
        "data = generate_dataset(statement_items=300, open_items=400, seed=5, difficulty=0.9)\n"
        "result = match_items(data.statement_items, data.open_items)\n"
        "print(json.dumps(render_match_result(result)))\n"
    )
    root = Path(__file__).resolve().parents[3]
    outputs = []
    for seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}
        completed = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
            env=environment,
        )
        outputs.append(json.loads(completed.stdout))
    assert outputs[0] == outputs[1]
