from settlement.matching.assignment import Choice, resolve


def choice(score: int, *allocations: tuple[int, int]) -> Choice:
    return Choice(score, tuple(allocations), tuple(item for item, _ in allocations))


def test_uncontested_items_take_their_best_proposal():
    resolutions, contested = resolve(
        [[choice(9000, (0, 100))], [choice(8000, (1, 50))]], {0: 100, 1: 50}, [500, 500]
    )
    assert [resolution.chosen for resolution in resolutions] == [0, 0]
    assert contested == 0


def test_a_sure_match_is_not_given_up_for_two_doubtful_ones():
    claims = [
        [choice(5400, (0, 100))],
        [choice(8800, (0, 100)), choice(6300, (1, 100))],
    ]
    # Summed scores would prefer 0.54 + 0.63 to 0.88; the fourth-power weight does not.
    resolutions, contested = resolve(claims, {0: 100, 1: 100}, [500, 500])
    assert resolutions[0].chosen is None
    assert resolutions[1].chosen == 0
    assert contested == 1


def test_capacity_allows_several_partial_allocations():
    claims = [[choice(9000, (0, 30))], [choice(9000, (0, 70))]]
    resolutions, _ = resolve(claims, {0: 100}, [500, 500])
    assert [resolution.chosen for resolution in resolutions] == [0, 0]


def test_a_statement_item_falls_back_to_its_next_proposal_when_outbid():
    claims = [
        [choice(9500, (0, 100))],
        [choice(9000, (0, 100)), choice(7000, (1, 100))],
    ]
    resolutions, _ = resolve(claims, {0: 100, 1: 100}, [500, 500])
    assert resolutions[0].chosen == 0
    assert resolutions[1].chosen == 1
    assert not resolutions[1].is_ambiguous


def test_two_equal_claims_on_one_item_are_ambiguous_for_the_winner():
    claims = [[choice(9000, (0, 100))], [choice(9000, (0, 100))]]
    resolutions, _ = resolve(claims, {0: 100}, [500, 500])
    assert resolutions[0].chosen == 0
    assert resolutions[0].is_ambiguous
    assert resolutions[0].rivals == (1,)
    assert resolutions[1].chosen is None


def test_two_near_equal_proposals_of_one_item_are_ambiguous():
    resolutions, _ = resolve(
        [[choice(9000, (0, 100)), choice(8800, (1, 100))]], {0: 100, 1: 100}, [500]
    )
    assert resolutions[0].is_ambiguous
    assert resolutions[0].competitor == 1
