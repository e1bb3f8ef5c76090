"""Global resolution: which proposal each statement item gets, with no open item over-allocated.

Statement items that share candidate open items form a contested block (a connected component
of the candidate graph). Within a block the engine picks, for each statement item, one of its
proposals or none, so that no open item receives more than its open amount and the summed
*weight* is highest. The weight of a proposal is its score to the fourth power: a sure match
outweighs two doubtful ones (0.88 beats 0.54 + 0.63), as a clerk would decide. Small blocks
are solved exactly by branch and bound; a block too large for that is resolved greedily by
score, which keeps the same guarantee of consistency.

A statement item is *ambiguous* when the best solution that does not give it its chosen
proposal comes within the margin of the best: either it could take another proposal, or
another statement item could take its open items, at almost no loss. The engine shows such
answers side by side instead of guessing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Branch-and-bound limits: a block above these is resolved greedily.
MAXIMUM_EXACT_BLOCK = 14
MAXIMUM_SEARCH_NODES = 20_000
# Scores are compared in integer ten-thousandths so that ties are exact and deterministic.
SCALE = 10_000


def weight(score: int) -> int:
    """Return the objective weight of a score given in ten-thousandths (0 .. 10**8)."""
    return score**4 // SCALE**2


@dataclass(frozen=True, slots=True)
class Choice:
    """One proposal reduced to what the assignment needs: its score and allocations."""

    score: int
    allocations: tuple[tuple[int, int], ...]
    key: tuple[int, ...]

    @property
    def weight(self) -> int:
        """The proposal's contribution to the objective."""
        return weight(self.score)


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome for one statement item.

    `chosen` is the index of its proposal (None: unmatched); when `is_ambiguous`, a near-equal
    answer exists: `competitor` is its own other proposal in that answer (if it takes one) and
    `rivals` the other statement items that would take its open items.
    """

    chosen: int | None
    competitor: int | None = None
    is_ambiguous: bool = False
    rivals: tuple[int, ...] = ()


def _margin(options: Sequence[Choice], chosen: int, margin: int) -> int:
    """The objective loss that counts as near-equal for a choice: its weight minus the weight
    of a score `margin` lower."""
    score = options[chosen].score
    return weight(score) - weight(max(0, score - margin))


class _Block:
    def __init__(
        self, members: list[int], choices: Sequence[Sequence[Choice]], capacity: dict[int, int]
    ) -> None:
        self.members = members
        self.choices = choices
        self.capacity = capacity
        self.nodes = 0
        self.exhausted = False

    def solve(
        self, forbidden: tuple[int, tuple[int, ...]] | None = None
    ) -> tuple[int, list[int | None]]:
        """Return the best total weight and choice per member.

        `forbidden` = (statement, item set) bars that statement from that item set.
        """
        members = self.members
        best_total = -1
        best: list[int | None] = [None] * len(members)
        current: list[int | None] = [None] * len(members)
        used: dict[int, int] = {}
        # Optimistic bound: each remaining member takes its heaviest proposal.
        ceilings = [0] * (len(members) + 1)
        for position in range(len(members) - 1, -1, -1):
            options = self.choices[members[position]]
            top = max((choice.weight for choice in options), default=0)
            ceilings[position] = ceilings[position + 1] + top
        self.nodes = 0
        self.exhausted = False

        def visit(position: int, total: int) -> None:
            nonlocal best_total, best
            self.nodes += 1
            if self.nodes > MAXIMUM_SEARCH_NODES:
                self.exhausted = True
                return
            if total + ceilings[position] <= best_total:
                return
            if position == len(members):
                best_total = total
                best = list(current)
                return
            statement = members[position]
            for option, choice in enumerate(self.choices[statement]):
                if (
                    forbidden is not None
                    and forbidden[0] == statement
                    and choice.key == forbidden[1]
                ):
                    continue
                if all(
                    used.get(item, 0) + amount <= self.capacity[item]
                    for item, amount in choice.allocations
                ):
                    for item, amount in choice.allocations:
                        used[item] = used.get(item, 0) + amount
                    current[position] = option
                    visit(position + 1, total + choice.weight)
                    current[position] = None
                    for item, amount in choice.allocations:
                        used[item] -= amount
            visit(position + 1, total)

        visit(0, 0)
        return best_total, best


def _greedy(
    members: list[int], choices: Sequence[Sequence[Choice]], capacity: dict[int, int]
) -> dict[int, int]:
    """Give proposals out by descending score while capacity lasts."""
    ranked = sorted(
        (-choice.score, statement, option)
        for statement in members
        for option, choice in enumerate(choices[statement])
    )
    used: dict[int, int] = {}
    chosen: dict[int, int] = {}
    for _, statement, option in ranked:
        if statement in chosen:
            continue
        choice = choices[statement][option]
        if all(used.get(item, 0) + amount <= capacity[item] for item, amount in choice.allocations):
            for item, amount in choice.allocations:
                used[item] = used.get(item, 0) + amount
            chosen[statement] = option
    return chosen


def _local_resolution(options: Sequence[Choice], chosen: int, margin: int) -> Resolution:
    """Resolve against the statement item's own proposals only: a near-equal other item set."""
    for option, choice in enumerate(options):
        if (
            option != chosen
            and choice.key != options[chosen].key
            and choice.score >= options[chosen].score - margin
        ):
            return Resolution(chosen, option, True)
    return Resolution(chosen)


def resolve(
    choices: Sequence[Sequence[Choice]], capacity: dict[int, int], margins: Sequence[int]
) -> tuple[list[Resolution], int]:
    """Choose at most one proposal per statement item without over-allocating any open item.

    `choices[s]` are statement item s's proposals, best first; `capacity` maps each open
    item to its absolute open amount in minor units; `margins[s]` is the score difference
    (in ten-thousandths) under which two answers count as near-equal. Returns the resolution
    per statement item and the number of contested blocks.
    """
    count = len(choices)
    parent = list(range(count))

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    owner: dict[int, int] = {}
    for statement, options in enumerate(choices):
        for choice in options:
            for item, _ in choice.allocations:
                other = owner.setdefault(item, statement)
                if other != statement:
                    parent[find(statement)] = find(other)
    blocks: dict[int, list[int]] = {}
    for statement in range(count):
        if choices[statement]:
            blocks.setdefault(find(statement), []).append(statement)
    resolutions = [Resolution(None)] * count
    contested = 0
    for members in blocks.values():
        if len(members) == 1:
            statement = members[0]
            resolutions[statement] = _local_resolution(choices[statement], 0, margins[statement])
            continue
        contested += 1
        for statement, resolution in _resolve_block(members, choices, capacity, margins).items():
            resolutions[statement] = resolution
    return resolutions, contested


def _resolve_block(
    members: list[int],
    choices: Sequence[Sequence[Choice]],
    capacity: dict[int, int],
    margins: Sequence[int],
) -> dict[int, Resolution]:
    # When every member's best proposal fits, that is the optimum.
    used: dict[int, int] = {}
    for statement in members:
        for item, amount in choices[statement][0].allocations:
            used[item] = used.get(item, 0) + amount
    tops_fit = all(used[item] <= capacity[item] for item in used)
    block = _Block(members, choices, capacity)
    if len(members) <= MAXIMUM_EXACT_BLOCK:
        if tops_fit:
            total = sum(choices[statement][0].weight for statement in members)
            chosen: list[int | None] = [0] * len(members)
        else:
            total, chosen = block.solve()
        if not block.exhausted:
            return _ambiguities(block, members, choices, margins, total, chosen)
    greedy = _greedy(members, choices, capacity)
    return {
        statement: _local_resolution(choices[statement], greedy[statement], margins[statement])
        if statement in greedy
        else Resolution(None)
        for statement in members
    }


def _ambiguities(
    block: _Block,
    members: list[int],
    choices: Sequence[Sequence[Choice]],
    margins: Sequence[int],
    total: int,
    chosen: list[int | None],
) -> dict[int, Resolution]:
    """Mark the members for which a near-equal different answer exists."""
    # What the others could still gain bounds how close an alternative can come.
    slack = sum(
        choices[statement][0].weight
        - (choices[statement][option].weight if option is not None else 0)
        for statement, option in zip(members, chosen, strict=True)
    )
    competing_items: dict[int, list[int]] = {}
    for statement in members:
        for choice in choices[statement]:
            for item, _ in choice.allocations:
                competing_items.setdefault(item, []).append(statement)
    resolutions: dict[int, Resolution] = {}
    for position, statement in enumerate(members):
        option = chosen[position]
        if option is None:
            resolutions[statement] = Resolution(None)
            continue
        options = choices[statement]
        tolerance = _margin(options, option, margins[statement])
        has_other_claimant = any(
            other != statement
            for item, _ in options[option].allocations
            for other in competing_items[item]
        )
        could_compete = has_other_claimant or any(
            other != option and choice.weight + slack >= options[option].weight - tolerance
            for other, choice in enumerate(options)
        )
        if not could_compete:
            resolutions[statement] = Resolution(option)
            continue
        alternative_total, alternative = block.solve((statement, options[option].key))
        if block.exhausted:
            resolutions[statement] = _local_resolution(options, option, margins[statement])
        elif alternative_total >= total - tolerance:
            rivals = tuple(
                other
                for other_position, other in enumerate(members)
                if other != statement
                and alternative[other_position] != chosen[other_position]
                and alternative[other_position] is not None
            )
            resolutions[statement] = Resolution(option, alternative[position], True, rivals)
        else:
            resolutions[statement] = Resolution(option)
    return resolutions
