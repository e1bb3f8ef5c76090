"""Scoring a proposed set of open items for one statement item, with the evidence behind it.

The score is the sum of the evidence's contributions (clipped to 0..1, which only matters
for penalties):

* identity `I` (0..1): how surely the text or IDs name these very items (end-to-end ID,
  structured reference, document number), averaged over the items;
* amount `Q` (0..1): how well the amounts agree (exact, discount, fee, tolerance, partial);
* account `A` (0..1): how surely the payer is the items' account (IBAN, mandate, customer
  number, name), combined as independent signals: `1 - prod(1 - strength)`;
* dates, and penalties for contradictions (another account's IBAN, a clearly different name,
  unreferenced members of a combination).

    identity = 0.53 I
    amount   = Q (0.30 + 0.15 (1 - I))
    account  = (1 - (1 - A)(1 - I)) (0.15 I + 0.48 Q (1 - I))
    dates    = -0.15 .. +0.02

With a reference, the amount and the account confirm it (and a reference implies its
account); without one, the amount is what identifies the item within the account, so the
account only counts as far as the amount agrees. The parts reach 1.0 only together: a
reference with the exact amount paid on time scores 1.0, the same with a 25 % overpayment
0.76; IBAN and exact amount alone 0.86, never AUTO (at most 0.95 without a reference); an
exact amount with nothing else 0.45.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from settlement.matching.amounts import (
    AmountAgreement,
    compare_amounts,
    format_minor_units,
)
from settlement.matching.candidates import (
    AccountHit,
    FeatureExtractor,
    IdentityHit,
    StatementFeatures,
    name_hit,
)
from settlement.matching.configuration import MatchingConfiguration, Template, amount_rules
from settlement.matching.dates import DateFit, judge_dates
from settlement.matching.index import OpenItemIndex
from settlement.matching.model import Criterion, Evidence

IDENTITY_WEIGHT = 0.53
AMOUNT_WEIGHT_WITH_IDENTITY = 0.30
AMOUNT_WEIGHT_WITHOUT_IDENTITY = 0.45
ACCOUNT_WEIGHT_WITH_IDENTITY = 0.15
ACCOUNT_WEIGHT_WITHOUT_IDENTITY = 0.48
ON_TIME_WEIGHT = 0.02
UNREFERENCED_MEMBER_PENALTY = 0.03
COMBINATION_MEMBER_PENALTY = 0.04
NAME_MISMATCH_PENALTY = 0.04
FOREIGN_IBAN_PENALTY = 0.05
CORRELATED_DATES_WEIGHT = 0.25


@dataclass(slots=True)
class Draft:
    """A scored proposal before its evidence is written out (most drafts are never shown)."""

    positions: tuple[int, ...]
    allocations: tuple[int, ...]
    unallocated: int
    score: float
    identity: float
    agreement: AmountAgreement
    identity_hits: list[tuple[int, IdentityHit]]
    account_hits: list[AccountHit]
    account: float
    date_fits: list[tuple[int, DateFit]]
    penalties: list[Evidence]
    configuration: MatchingConfiguration
    account_position: int


@dataclass(frozen=True, slots=True)
class Components:
    """The score's parts before dates and penalties (see the module docstring)."""

    identity: float
    amount: float
    account: float
    implied_account: float


def components(identity: float, quality: float, account: float) -> Components:
    """Return the identity, amount and account contributions for I, Q and A.

    The items a reference names belong to a known account, so identity also stands in for
    account evidence: the account term uses `1 - (1 - A)(1 - I)`, and the part of it that
    comes from I alone is returned as `implied_account`.
    """
    effective = 1.0 - (1.0 - account) * (1.0 - identity)
    weight = ACCOUNT_WEIGHT_WITH_IDENTITY * identity + ACCOUNT_WEIGHT_WITHOUT_IDENTITY * quality * (
        1 - identity
    )
    amount_weight = AMOUNT_WEIGHT_WITH_IDENTITY + (
        AMOUNT_WEIGHT_WITHOUT_IDENTITY - AMOUNT_WEIGHT_WITH_IDENTITY
    ) * (1 - identity)
    return Components(
        IDENTITY_WEIGHT * identity,
        quality * amount_weight,
        weight * account,
        weight * (effective - account),
    )


def _combine(strengths: list[float]) -> float:
    remaining = 1.0
    for strength in strengths:
        remaining *= 1.0 - strength
    return 1.0 - remaining


def _allocation_order(index: OpenItemIndex, position: int) -> tuple[date, int]:
    item = index.items[position]
    return (item.due_date or item.document_date or date.max, position)


class Scorer:
    """Scores item sets for statement items against one run's index."""

    def __init__(self, index: OpenItemIndex, extractor: FeatureExtractor) -> None:
        self.index = index
        self.extractor = extractor
        self.scored = 0
        self.holidays: dict[MatchingConfiguration, frozenset[date]] = {}

    def _allocate(
        self, features: StatementFeatures, positions: tuple[int, ...]
    ) -> tuple[tuple[int, ...], tuple[int, ...], int, int] | None:
        """Split the payment over the items: credit notes and earliest-due items first.

        Returns (positions, absolute allocations, unallocated, owed) or None when the items
        cannot be paid by this payment (their net has the wrong sign).
        """
        index = self.index
        sign = features.sign
        target = abs(features.units)
        owed = sum(index.units[position] * sign for position in positions)
        if owed <= 0:
            return None
        if owed <= target:
            allocations = tuple(abs(index.units[position]) for position in positions)
            return positions, allocations, target - owed, owed
        # A partial payment: credit notes net in full, invoices are paid in due-date order.
        available = target + sum(
            -index.units[position] * sign
            for position in positions
            if index.units[position] * sign < 0
        )
        kept: list[tuple[int, int]] = []
        for position in sorted(positions, key=lambda p: _allocation_order(index, p)):
            contribution = index.units[position] * sign
            if contribution < 0:
                kept.append((position, -contribution))
                continue
            paid = min(available, contribution)
            available -= paid
            if paid > 0:
                kept.append((position, paid))
        kept.sort()
        if not any(index.units[position] * sign > 0 for position, _ in kept):
            return None
        return tuple(p for p, _ in kept), tuple(a for _, a in kept), 0, owed

    def score(
        self,
        features: StatementFeatures,
        positions: tuple[int, ...],
        configuration: MatchingConfiguration,
    ) -> Draft | None:
        """Score paying `positions` with the statement item, or None when the sign cannot work."""
        index = self.index
        allocated = self._allocate(features, positions)
        if allocated is None:
            return None
        self.scored += 1
        positions, allocations, unallocated, owed = allocated
        currency = features.item.currency
        agreement = compare_amounts(
            abs(features.units),
            owed,
            amount_rules(configuration, currency),
            items=len(positions),
        )
        quality = agreement.quality
        identity_hits = [
            (position, features.identity[position])
            for position in positions
            if position in features.identity
        ]
        if len(positions) == 1:
            identity = identity_hits[0][1].strength if identity_hits else 0.0
        else:
            # Weighted by amount: a referenced invoice says more than a small unnamed credit.
            weights = {position: abs(index.units[position]) for position in positions}
            identity = sum(hit.strength * weights[p] for p, hit in identity_hits) / sum(
                weights.values()
            )
        account_position = index.account_of[positions[0]]
        account_hits = self._account_hits(features, account_position)
        account = _combine([hit.strength for hit in account_hits])
        holidays = self.holidays.get(configuration)
        if holidays is None:
            holidays = self.holidays[configuration] = frozenset(configuration.holidays)
        weight = (
            CORRELATED_DATES_WEIGHT
            if configuration.template is Template.ENTRY_BY_CORRELATED_DATES
            else ON_TIME_WEIGHT
        )
        date_fits: list[tuple[int, DateFit]] = []
        for position in positions:
            item = index.items[position]
            fit = judge_dates(
                features.item.booking_date,
                item.document_date,
                item.due_date,
                holidays,
                on_time_weight=weight,
            )
            if fit is not None:
                date_fits.append((position, fit))
        penalties = self._penalties(
            features, positions, account_position, account_hits, identity_hits
        )
        parts = components(identity, quality, account)
        total = (
            parts.identity
            + parts.amount
            + parts.account
            + parts.implied_account
            + (sum(fit.contribution for _, fit in date_fits) / len(date_fits) if date_fits else 0.0)
            + sum(penalty.contribution for penalty in penalties)
        )
        return Draft(
            positions,
            allocations,
            unallocated,
            round(max(0.0, min(1.0, total)), 4),
            identity,
            agreement,
            identity_hits,
            account_hits,
            account,
            date_fits,
            penalties,
            configuration,
            account_position,
        )

    def _account_hits(self, features: StatementFeatures, account: int) -> list[AccountHit]:
        hits = list(features.accounts.get(account, ()))
        if features.payer_name is not None and not any(
            hit.criterion is Criterion.NAME for hit in hits
        ):
            similarity = self.extractor.similarity(features, account)
            if similarity >= 0.6:
                hits.append(name_hit(features, account, similarity))
        return hits

    def _penalties(
        self,
        features: StatementFeatures,
        positions: tuple[int, ...],
        account: int,
        account_hits: list[AccountHit],
        identity_hits: list[tuple[int, IdentityHit]],
    ) -> list[Evidence]:
        index = self.index
        penalties: list[Evidence] = []
        item_ids = tuple(index.items[position].id for position in positions)
        if features.iban_accounts and account not in features.iban_accounts:
            penalties.append(
                Evidence(
                    Criterion.CONFLICT,
                    "the payer's IBAN belongs to another account",
                    -FOREIGN_IBAN_PENALTY,
                    None,
                    item_ids,
                )
            )
        has_id_hit = any(
            hit.criterion in (Criterion.IBAN, Criterion.MANDATE) for hit in account_hits
        )
        if (
            not has_id_hit
            and features.payer_name is not None
            and features.payer_name.text
            and index.accounts[account].normalised_name is not None
            and self.extractor.similarity(features, account) < 0.5
        ):
            penalties.append(
                Evidence(
                    Criterion.NAME,
                    f"payer name {features.item.counterparty_name!r} differs from "
                    f"the account name {index.accounts[account].name!r}",
                    -NAME_MISMATCH_PENALTY,
                    None,
                    item_ids,
                )
            )
        if len(positions) > 1:
            referenced = {position for position, _ in identity_hits}
            unreferenced = [position for position in positions if position not in referenced]
            if referenced and unreferenced:
                penalty = UNREFERENCED_MEMBER_PENALTY * len(unreferenced)
                detail = (
                    f"{len(unreferenced)} of {len(positions)} items are not referenced in the text"
                )
            elif not referenced:
                penalty = COMBINATION_MEMBER_PENALTY * (len(positions) - 1)
                detail = f"{len(positions)} items combined by amount alone"
            else:
                penalty = 0.0
                detail = ""
            if penalty:
                penalties.append(
                    Evidence(
                        Criterion.COMBINATION,
                        detail,
                        -penalty,
                        None,
                        tuple(index.items[position].id for position in unreferenced),
                    )
                )
        return penalties

    def explain(self, draft: Draft, features: StatementFeatures) -> tuple[Evidence, ...]:
        """Write out the evidence of a draft; contributions add up to its score before clipping."""
        index = self.index
        parts = components(draft.identity, draft.agreement.quality, draft.account)
        count = len(draft.positions)
        evidence: list[Evidence] = []
        amount_total = sum(abs(index.units[position]) for position in draft.positions)
        # Each reference's share of the identity part, weighted by amount as in `score`.
        shares = {
            position: hit.strength * (abs(index.units[position]) / amount_total if count > 1 else 1)
            for position, hit in draft.identity_hits
        }
        share_total = sum(shares.values())
        for position, hit in sorted(
            draft.identity_hits, key=lambda pair: (-pair[1].strength, pair[0])
        ):
            # The account evidence a reference implies is credited to the reference.
            share = shares[position] / share_total if share_total else 0.0
            evidence.append(
                Evidence(
                    hit.criterion,
                    hit.detail,
                    round(parts.identity * share + parts.implied_account * share, 4),
                    hit.span,
                    (index.items[position].id,),
                )
            )
            if hit.voided is not None:
                voided = index.items[hit.voided]
                credit = index.items[index.voided[hit.voided].credit_note]
                reissue = index.items[position]
                evidence.append(
                    Evidence(
                        Criterion.VOID_AND_REISSUE,
                        f"{voided.document_number or voided.id} was cancelled by "
                        f"{credit.document_number or credit.id} and reissued as "
                        f"{reissue.document_number or reissue.id}",
                        0.0,
                        hit.span,
                        (voided.id, credit.id, reissue.id),
                    )
                )
        currency = features.item.currency
        owed = abs(features.units) + draft.agreement.difference
        evidence.append(
            Evidence(
                Criterion.AMOUNT,
                f"{format_minor_units(abs(features.units), currency)} paid, "
                f"{format_minor_units(owed, currency)} open: {draft.agreement.describe(currency)}",
                round(parts.amount, 4),
                None,
                tuple(index.items[position].id for position in draft.positions),
            )
        )
        strength_sum = sum(hit.strength for hit in draft.account_hits)
        account_record = index.accounts[draft.account_position]
        for account_hit in sorted(draft.account_hits, key=lambda h: -h.strength):
            share = account_hit.strength / strength_sum if strength_sum else 0.0
            evidence.append(
                Evidence(
                    account_hit.criterion,
                    f"{account_hit.detail} ({account_record.name or account_record.key})",
                    round(parts.account * share, 4),
                    account_hit.span,
                    tuple(index.items[position].id for position in draft.positions),
                )
            )
        if draft.date_fits:
            share = 1.0 / len(draft.date_fits)
            for position, fit in draft.date_fits:
                evidence.append(
                    Evidence(
                        Criterion.DATE,
                        fit.detail,
                        round(fit.contribution * share, 4),
                        None,
                        (index.items[position].id,),
                    )
                )
        if count > 1:
            evidence.append(
                Evidence(
                    Criterion.COMBINATION,
                    f"pays {count} open items of one account together",
                    0.0,
                    None,
                    tuple(index.items[position].id for position in draft.positions),
                )
            )
        evidence.extend(draft.penalties)
        return tuple(evidence)
