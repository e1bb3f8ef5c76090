import itertools
import random

import pytest

from settlement.matching.combinations import MAXIMUM_POOL, find_subsets


def test_the_invoices_that_add_up_to_the_payment_are_found():
    amounts = [12000, 4550, 30000, 9999, 1234]
    assert find_subsets(amounts, 12000 + 30000 + 1234) == [(0, 2, 4)]


def test_credit_notes_net_against_invoices():
    amounts = [50000, -12000, 7000]
    assert (0, 1) in find_subsets(amounts, 38000)


def test_a_tolerance_allows_sums_close_to_the_target():
    assert find_subsets([1000, 2001], 3000, tolerance=1) == [(0, 1)]
    assert find_subsets([1000, 2002], 3000, tolerance=1) == []


def test_sizes_are_bounded_from_both_sides():
    amounts = [100] * 10
    assert all(len(found) == 3 for found in find_subsets(amounts, 300, minimum_size=3))
    assert find_subsets(amounts, 900, maximum_size=8) == []


def test_eight_invoices_out_of_twenty_four_are_found():
    chance = random.Random(4)
    amounts = [chance.randint(1000, 900000) for _ in range(MAXIMUM_POOL)]
    members = tuple(sorted(chance.sample(range(MAXIMUM_POOL), 8)))
    target = sum(amounts[member] for member in members)
    found = find_subsets(amounts, target, maximum_size=8, maximum_solutions=50)
    assert members in found


def test_the_answer_agrees_with_brute_force_on_small_pools():
    chance = random.Random(11)
    for _ in range(30):
        amounts = [chance.randint(-50, 200) for _ in range(8)]
        target = chance.randint(1, 400)
        expected = {
            members
            for size in range(2, 6)
            for members in itertools.combinations(range(8), size)
            if sum(amounts[member] for member in members) == target
        }
        found = find_subsets(amounts, target, maximum_size=5, maximum_solutions=1000)
        assert set(found) == expected


def test_more_amounts_than_the_pool_allows_are_refused():
    with pytest.raises(ValueError, match="at most"):
        find_subsets([1] * (MAXIMUM_POOL + 1), 2)
