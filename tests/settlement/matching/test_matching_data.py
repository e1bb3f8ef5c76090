"""The benchmark's data generator: valid, reproducible, and truthful."""

from collections import Counter

from benchmarks.matching_data import CASE_WEIGHTS, generate_dataset, iban_check_digits
from settlement.matching import Band, match_items


def test_the_same_seed_gives_the_same_data():
    assert generate_dataset(statement_items=60, open_items=80, seed=3) == generate_dataset(
        statement_items=60, open_items=80, seed=3
    )


def test_every_iban_carries_valid_check_digits():
    dataset = generate_dataset(statement_items=200, open_items=300, seed=5)
    ibans = {iban for item in dataset.open_items for iban in item.account_ibans}
    assert ibans
    for iban in ibans:
        assert iban_check_digits(iban[:2], iban[4:]) == iban[2:4]


def test_the_truth_names_only_open_items_that_exist():
    dataset = generate_dataset(statement_items=300, open_items=400, seed=9)
    known = {item.id for item in dataset.open_items}
    assert set(dataset.truth) == {item.id for item in dataset.statement_items}
    assert all(truth.open_item_ids <= known for truth in dataset.truth.values())


def test_every_case_is_generated():
    dataset = generate_dataset(statement_items=3000, open_items=4000, seed=1)
    assert set(Counter(truth.case for truth in dataset.truth.values())) == set(CASE_WEIGHTS)


def test_the_engine_never_suggests_a_wrong_pair_on_generated_data():
    dataset = generate_dataset(statement_items=600, open_items=800, seed=21, difficulty=0.8)
    result = match_items(dataset.statement_items, dataset.open_items)
    wrong = [
        (suggestion.statement_item_id, allocation.open_item_id)
        for suggestion in result.suggestions
        if suggestion.band is not Band.REVIEW
        for allocation in suggestion.allocations
        if allocation.open_item_id not in dataset.truth[suggestion.statement_item_id].open_item_ids
    ]
    assert wrong == []
