"""Bounded subset sum: which few open items add up to a payment.

Meet in the middle over at most `MAXIMUM_POOL` items: each half's subset sums (at most 2^12)
are listed and one side sorted, so a search costs a few thousand steps whatever the data.
Callers choose the pool (one account, a date window, references first); this module only
promises never to explode.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

MAXIMUM_POOL = 24


def _half_sums(amounts: Sequence[int], maximum_size: int) -> list[tuple[int, int, int]]:
    """Return (sum, bitmask, size) of every subset of at most `maximum_size` of `amounts`."""
    sums: list[tuple[int, int, int]] = [(0, 0, 0)]
    for position, amount in enumerate(amounts):
        bit = 1 << position
        sums += [
            (total + amount, mask | bit, size + 1)
            for total, mask, size in sums
            if size < maximum_size
        ]
    return sums


def find_subsets(
    amounts: Sequence[int],
    target: int,
    *,
    tolerance: int = 0,
    minimum_size: int = 2,
    maximum_size: int = 8,
    maximum_solutions: int = 4,
) -> list[tuple[int, ...]]:
    """Return up to `maximum_solutions` sets of positions whose amounts sum to `target`.

    A set qualifies when its sum lies within `tolerance` of `target` and it has between
    `minimum_size` and `maximum_size` members. Amounts may be negative (credit notes). Results
    are ordered by distance from the target, then size, then positions, so the answer is the
    same for the same input. Raises `ValueError` for more than `MAXIMUM_POOL` amounts.
    """
    if len(amounts) > MAXIMUM_POOL:
        raise ValueError(f"at most {MAXIMUM_POOL} amounts can be combined, not {len(amounts)}")
    if not amounts or maximum_size < minimum_size:
        return []
    middle = len(amounts) // 2
    left = _half_sums(amounts[:middle], maximum_size)
    right = sorted(_half_sums(amounts[middle:], maximum_size))
    right_totals = [total for total, _, _ in right]
    found: list[tuple[int, int, tuple[int, ...]]] = []
    # The work is bounded by the listing sizes; this caps how many matches are kept in memory.
    keep = maximum_solutions * 8
    for left_total, left_mask, left_size in left:
        low = target - tolerance - left_total
        high = target + tolerance - left_total
        position = bisect_left(right_totals, low)
        while position < len(right) and right_totals[position] <= high:
            right_total, right_mask, right_size = right[position]
            position += 1
            size = left_size + right_size
            if not minimum_size <= size <= maximum_size:
                continue
            members = tuple(index for index in range(middle) if left_mask >> index & 1) + tuple(
                middle + index for index in range(len(amounts) - middle) if right_mask >> index & 1
            )
            found.append((abs(left_total + right_total - target), size, members))
            if len(found) >= keep:
                break
        if len(found) >= keep:
            break
    found.sort()
    return [members for _, _, members in found[:maximum_solutions]]
