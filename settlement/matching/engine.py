"""`match_items`: which open items the statement items pay.

The run, in order: validate the input (listing every problem), index the open items, set
returns and reversals aside, collect each statement item's evidence and score the item sets it
points to, resolve contested open items globally, and write out suggestions with evidence,
alternatives and what stayed unmatched.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache

from settlement.matching.amounts import currency_exponent, from_minor_units, to_minor_units
from settlement.matching.assignment import SCALE, Choice, Resolution, resolve
from settlement.matching.candidates import CandidateGenerator, FeatureExtractor, StatementFeatures
from settlement.matching.configuration import (
    MatchingConfiguration,
    active_configurations,
    amount_rules,
)
from settlement.matching.index import OpenItemIndex
from settlement.matching.model import (
    Allocation,
    Alternative,
    Band,
    Criterion,
    Evidence,
    InputProblem,
    InvalidMatchingInput,
    MatchResult,
    MatchStatistics,
    OpenItem,
    Reversal,
    StatementItem,
    Suggestion,
)
from settlement.matching.reversals import pair_returns
from settlement.matching.scoring import Draft, Scorer

# Proposals kept per statement item for the global resolution and the alternatives.
PROPOSALS_PER_ITEM = 6
_CURRENCY = re.compile(r"[A-Z]{3}")


@lru_cache(maxsize=1024)
def _is_currency(currency: str) -> bool:
    return _CURRENCY.fullmatch(currency) is not None


def item_problems(item: StatementItem | OpenItem, path: str) -> list[InputProblem]:
    """Return the problems of one item on its own (currency, amount) below `path`."""
    problems: list[InputProblem] = []
    is_currency = _is_currency(item.currency)
    if not is_currency:
        problems.append(
            InputProblem(f"{path}.currency", "must be three upper-case letters (ISO 4217)")
        )
    amount_field = "amount" if isinstance(item, StatementItem) else "open_amount"
    amount: Decimal = item.amount if isinstance(item, StatementItem) else item.open_amount
    if not amount.is_finite():
        problems.append(InputProblem(f"{path}.{amount_field}", "must be a finite number"))
    elif amount == 0:
        problems.append(InputProblem(f"{path}.{amount_field}", "must not be zero"))
    elif is_currency and to_minor_units(amount, item.currency) is None:
        problems.append(
            InputProblem(f"{path}.{amount_field}", f"has more decimals than {item.currency} allows")
        )
    return problems


def input_problems(
    statement_items: Sequence[StatementItem], open_items: Sequence[OpenItem]
) -> list[InputProblem]:
    """Return every problem of the items that would make matching them meaningless."""
    problems: list[InputProblem] = []
    sides: tuple[tuple[str, Sequence[StatementItem | OpenItem]], ...] = (
        ("statement_items", statement_items),
        ("open_items", open_items),
    )
    for side, items in sides:
        seen: dict[str, int] = {}
        for position, item in enumerate(items):
            first = seen.setdefault(item.id, position)
            # Most items are fine: their paths are only written when something is wrong.
            if item.id and first == position and _is_fine(item):
                continue
            path = f"{side}[{position}]"
            if not item.id:
                problems.append(InputProblem(f"{path}.id", "must not be empty"))
            elif first != position:
                problems.append(InputProblem(f"{path}.id", f"repeats the id of {side}[{first}]"))
            problems.extend(item_problems(item, path))
    return problems


def _is_fine(item: StatementItem | OpenItem) -> bool:
    amount = item.amount if isinstance(item, StatementItem) else item.open_amount
    if not _is_currency(item.currency) or not amount.is_finite() or not amount:
        return False
    exponent = amount.as_tuple().exponent
    # Few enough decimals is the common case; more may still be zeros (100.000 EUR).
    return (isinstance(exponent, int) and -exponent <= currency_exponent(item.currency)) or (
        to_minor_units(amount, item.currency) is not None
    )


def _band(score: float, configuration: MatchingConfiguration, *, is_ambiguous: bool) -> Band:
    if is_ambiguous:
        return Band.REVIEW
    if score >= configuration.auto_threshold and configuration.allow_auto:
        return Band.AUTO
    if score >= configuration.suggest_threshold:
        return Band.SUGGEST
    return Band.REVIEW


class _Run:
    """One call of `match_items`: the index and everything derived from it."""

    def __init__(
        self,
        statement_items: Sequence[StatementItem],
        open_items: Sequence[OpenItem],
        configurations: tuple[MatchingConfiguration, ...],
    ) -> None:
        self.statement_items = statement_items
        self.open_items = open_items
        self.configurations = configurations
        self.index = OpenItemIndex(
            open_items, custom_fields={c.custom_field for c in configurations if c.custom_field}
        )
        self.extractor = FeatureExtractor(self.index, configurations)
        self.generator = CandidateGenerator(self.index, self.extractor)
        self.scorer = Scorer(self.index, self.extractor)
        self.statement_units = [
            to_minor_units(item.amount, item.currency) or 0 for item in statement_items
        ]

    def _drafts(self, features: StatementFeatures) -> list[Draft]:
        """Return the statement item's best proposals, best first.

        Configurations are tried by priority; the first whose best proposal reaches its
        SUGGEST threshold decides. Otherwise the best proposals of all of them are kept.
        """
        pool: dict[tuple[int, ...], Draft] = {}
        for configuration in self.configurations:
            drafts: dict[tuple[int, ...], Draft] = {}
            for positions in self.generator.candidate_sets(features, configuration):
                draft = self.scorer.score(features, positions, configuration)
                if draft is None or draft.score < configuration.minimum_score:
                    continue
                known = drafts.get(draft.positions)
                if known is None or draft.score > known.score:
                    drafts[draft.positions] = draft
            ranked = sorted(drafts.values(), key=lambda d: (-d.score, d.positions))
            if ranked and ranked[0].score >= configuration.suggest_threshold:
                return ranked[:PROPOSALS_PER_ITEM]
            for draft in ranked:
                known = pool.get(draft.positions)
                if known is None or draft.score > known.score:
                    pool[draft.positions] = draft
        return sorted(pool.values(), key=lambda d: (-d.score, d.positions))[:PROPOSALS_PER_ITEM]

    def run(self) -> MatchResult:
        """Set returns aside, propose and score, resolve globally, and write the result."""
        index = self.index
        pairs = pair_returns(
            self.statement_items,
            self.statement_units,
            fee_allowance=lambda currency: max(
                amount_rules(c, currency).bank_fee_maximum for c in self.configurations
            ),
        )
        set_aside = {pair.statement_position for pair in pairs} | {
            pair.original_position for pair in pairs if pair.original_position is not None
        }
        features_by_statement: dict[int, StatementFeatures] = {}
        drafts_by_statement: list[list[Draft]] = []
        for position, item in enumerate(self.statement_items):
            if position in set_aside:
                drafts_by_statement.append([])
                continue
            features = self.extractor.extract(item, self.statement_units[position])
            drafts = self._drafts(features)
            drafts_by_statement.append(drafts)
            if drafts:
                features_by_statement[position] = features
        choices = [
            [
                Choice(
                    round(draft.score * SCALE),
                    tuple(zip(draft.positions, draft.allocations, strict=True)),
                    draft.positions,
                )
                for draft in drafts
            ]
            for drafts in drafts_by_statement
        ]
        capacity = {
            position: abs(index.units[position])
            for options in choices
            for choice in options
            for position, _ in choice.allocations
        }
        margins = [
            round((drafts[0].configuration.ambiguity_margin if drafts else 0) * SCALE)
            for drafts in drafts_by_statement
        ]
        resolutions, contested = resolve(choices, capacity, margins)
        allocated: dict[int, int] = {}
        for position, resolution in enumerate(resolutions):
            if resolution.chosen is not None:
                for open_position, amount in choices[position][resolution.chosen].allocations:
                    allocated[open_position] = allocated.get(open_position, 0) + amount
        suggestions: list[Suggestion] = []
        unmatched_statements: list[str] = []
        for position, item in enumerate(self.statement_items):
            resolution = resolutions[position]
            if resolution.chosen is None:
                unmatched_statements.append(item.id)
                continue
            suggestions.append(
                self._suggestion(
                    features_by_statement[position],
                    drafts_by_statement[position],
                    resolution.chosen,
                    resolution,
                    allocated,
                    drafts_by_statement,
                )
            )
        unmatched_open = [
            item.id for position, item in enumerate(self.open_items) if position not in allocated
        ]
        reversals = tuple(
            self._reversal(pair.statement_position, pair.original_position, pair.detail)
            for pair in pairs
        )
        bands = [suggestion.band for suggestion in suggestions]
        statistics = MatchStatistics(
            statement_items=len(self.statement_items),
            open_items=len(self.open_items),
            suggestions=len(suggestions),
            auto=bands.count(Band.AUTO),
            suggest=bands.count(Band.SUGGEST),
            review=bands.count(Band.REVIEW),
            unmatched_statement_items=len(unmatched_statements),
            unmatched_open_items=len(unmatched_open),
            reversals=len(reversals),
            proposals_scored=self.scorer.scored,
            contested_blocks=contested,
            combination_searches=self.generator.combination_searches,
        )
        return MatchResult(
            tuple(suggestions),
            tuple(unmatched_statements),
            tuple(unmatched_open),
            reversals,
            statistics,
        )

    def _allocations(
        self, draft: Draft, allocated: dict[int, int] | None
    ) -> tuple[Allocation, ...]:
        index = self.index
        result: list[Allocation] = []
        for position, amount in zip(draft.positions, draft.allocations, strict=True):
            item = index.items[position]
            sign = 1 if index.units[position] > 0 else -1
            taken = allocated[position] if allocated is not None else amount
            result.append(
                Allocation(
                    item.id,
                    from_minor_units(sign * amount, item.currency),
                    from_minor_units(index.units[position] - sign * taken, item.currency),
                )
            )
        return tuple(result)

    def _unallocated(self, features: StatementFeatures, draft: Draft) -> Decimal:
        return from_minor_units(features.sign * draft.unallocated, features.item.currency)

    def _configuration_evidence(self, draft: Draft) -> tuple[Evidence, ...]:
        if len(self.configurations) < 2:
            return ()
        configuration = draft.configuration
        return (
            Evidence(
                Criterion.CONFIGURATION,
                f"configuration {configuration.name!r} ({configuration.template}, "
                f"priority {configuration.priority})",
                0.0,
            ),
        )

    def _suggestion(
        self,
        features: StatementFeatures,
        drafts: list[Draft],
        chosen: int,
        resolution: Resolution,
        allocated: dict[int, int],
        drafts_by_statement: Sequence[Sequence[Draft]],
    ) -> Suggestion:
        competitor = resolution.competitor
        is_ambiguous = resolution.is_ambiguous
        draft = drafts[chosen]
        configuration = draft.configuration
        evidence = list(self.scorer.explain(draft, features)) + list(
            self._configuration_evidence(draft)
        )
        ids = self.index.items
        if competitor is not None:
            other = drafts[competitor]
            evidence.append(
                Evidence(
                    Criterion.AMBIGUITY,
                    f"another answer scores {other.score:.4f} against {draft.score:.4f}: "
                    "review both",
                    0.0,
                    None,
                    tuple(ids[position].id for position in other.positions),
                )
            )
        for rival in resolution.rivals:
            rival_drafts = drafts_by_statement[rival]
            rival_item = self.statement_items[rival]
            contested = sorted(
                {ids[p].id for p in draft.positions}
                & {ids[p].id for d in rival_drafts for p in d.positions}
            )
            if contested:
                evidence.append(
                    Evidence(
                        Criterion.AMBIGUITY,
                        f"statement item {rival_item.id} could take {', '.join(contested)} "
                        "for an answer that scores almost as well: review both",
                        0.0,
                        None,
                        tuple(contested),
                    )
                )
        own = set(draft.positions)
        for better in drafts[:chosen]:
            taken = [
                ids[position].id
                for position in better.positions
                if position in allocated and position not in own
            ]
            if taken:
                evidence.append(
                    Evidence(
                        Criterion.CONFLICT,
                        f"a better-scoring answer ({better.score:.4f}) needs open items already "
                        f"allocated to other statement items: {', '.join(taken)}",
                        0.0,
                        None,
                        tuple(taken),
                    )
                )
        order = ([competitor] if competitor is not None else []) + [
            option for option in range(len(drafts)) if option not in (chosen, competitor)
        ]
        alternatives = []
        for option in order[: configuration.maximum_alternatives]:
            other = drafts[option]
            band = _band(other.score, other.configuration, is_ambiguous=is_ambiguous)
            alternatives.append(
                Alternative(
                    features.item.id,
                    self._allocations(other, None),
                    other.score,
                    Band.SUGGEST if band is Band.AUTO else band,
                    self.scorer.explain(other, features) + self._configuration_evidence(other),
                    self._unallocated(features, other),
                )
            )
        return Suggestion(
            features.item.id,
            self._allocations(draft, allocated),
            draft.score,
            _band(draft.score, configuration, is_ambiguous=is_ambiguous),
            tuple(evidence),
            self._unallocated(features, draft),
            tuple(alternatives),
        )

    def _reversal(self, position: int, original: int | None, detail: str) -> Reversal:
        item = self.statement_items[position]
        features = self.extractor.extract(item, self.statement_units[position])
        if original is not None:
            source = self.statement_items[original]
            original_features = self.extractor.extract(source, self.statement_units[original])
            features.identity.update(original_features.identity)
        open_item_ids = tuple(
            self.index.items[hit_position].id
            for hit_position, hit in sorted(features.identity.items())
            if hit.strength >= 0.9
        )
        return Reversal(
            item.id,
            self.statement_items[original].id if original is not None else None,
            open_item_ids,
            detail,
        )


def match_items(
    statement_items: Sequence[StatementItem],
    open_items: Sequence[OpenItem],
    configuration: MatchingConfiguration | Sequence[MatchingConfiguration] | None = None,
) -> MatchResult:
    """Match statement items against open items and say which open items each one pays.

    The same input always gives the same result. No open item is allocated beyond its open
    amount over all suggestions, and no suggestion allocates more than its statement amount.
    Returns and reversals are never matched as payments (see `MatchResult.reversals`).

    Raises `InvalidMatchingInput` listing every problem of the items (empty or repeated ids,
    malformed currencies, zero amounts, more decimals than the currency has) and
    `InvalidConfiguration` listing every problem of the configurations.
    """
    configurations = active_configurations(configuration)
    problems = input_problems(statement_items, open_items)
    if problems:
        raise InvalidMatchingInput(problems)
    with _cycle_collection_paused():
        return _Run(statement_items, open_items, configurations).run()


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a run builds its indexes.

    A large run creates millions of long-lived, acyclic objects; each automatic collection
    would walk them all and find nothing, which costs a sixth of the run. Reference counting
    still frees memory as usual, and the collector's previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
