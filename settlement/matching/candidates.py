"""What one statement item says about its open items, and which item sets are worth scoring.

Everything here works through `OpenItemIndex` look-ups: a statement item's references, IBAN,
mandate, customer number and name lead to a handful of open items and accounts, and only those
are scored. No function here looks at all open items.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from rapidfuzz import fuzz, process

from settlement.matching.amounts import compare_amounts
from settlement.matching.combinations import find_subsets
from settlement.matching.configuration import MatchingConfiguration, Template, amount_rules
from settlement.matching.index import OpenItemIndex, normalise_iban, postings
from settlement.matching.model import Criterion, Span, StatementItem
from settlement.matching.names import (
    TRUNCATION_LENGTHS,
    NormalisedName,
    compact_prefix_key,
    index_tokens,
    name_similarity,
    normalise_name,
)
from settlement.matching.references import (
    KEY_STRENGTH,
    MAXIMUM_SCANNED_TEXT,
    KeyKind,
    StructuredKind,
    document_keys,
    find_structured_references,
    full_key,
    normalise_reference,
    text_windows,
)

REMITTANCE = "remittance_information"
# A key shared by more open items than this says nothing about which one is meant.
MAXIMUM_POSTINGS_PER_KEY = 12
# Name search: accounts compared in full, and the largest word posting list still searched.
MAXIMUM_NAME_CANDIDATES = 40
MAXIMUM_NAME_POSTINGS = 5000
MINIMUM_NAME_SIMILARITY = 0.72
# Accounts searched for amounts per statement item (the likeliest first).
MAXIMUM_ACCOUNTS = 4
# Combinations are built only on references at least this strong.
MINIMUM_COMBINATION_IDENTITY = 0.8
MAXIMUM_PREFIX_MATCHES = 30
MAXIMUM_PREFIX_SCAN = 500
# Accounts with more open items than this are searched by exact amount only.
LARGE_ACCOUNT = 400
COMBINATION_POOL = 16
# Without references fewer items are combined: more would add up to anything by chance.
ACCOUNT_COMBINATION_POOL = 12
_HOW_WRITTEN = {
    KeyKind.FULL: "",
    KeyKind.GROUPED: " (leading zeros differ)",
    KeyKind.DIGITS: " (digits only)",
    KeyKind.GROUPED_DIGITS: " (digits only, leading zeros differ)",
    KeyKind.LAST_GROUP: " (running number only)",
}
_DATE_LIKE = re.compile(r"(?<![0-9])(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2})(?![0-9])")
_AMOUNT_FOLLOWS = re.compile(r"[.,]\d{2}(?!\d)")


@dataclass(slots=True)
class IdentityHit:
    """Evidence that the statement item names one particular open item."""

    criterion: Criterion
    strength: float
    detail: str
    span: Span | None
    voided: int | None = None


@dataclass(slots=True)
class AccountHit:
    """Evidence that the statement item comes from (or goes to) one particular account."""

    criterion: Criterion
    strength: float
    detail: str
    span: Span | None = None


@dataclass(slots=True)
class StatementFeatures:
    """What one statement item says, resolved against the index once and reused by all scoring."""

    item: StatementItem
    units: int
    identity: dict[int, IdentityHit] = field(default_factory=dict)
    accounts: dict[int, list[AccountHit]] = field(default_factory=dict)
    iban_accounts: tuple[int, ...] = ()
    payer_name: NormalisedName | None = None
    similarity_by_account: dict[int, float] = field(default_factory=dict)

    @property
    def sign(self) -> int:
        """+1 for money in, -1 for money out."""
        return 1 if self.units > 0 else -1


def _key_length_factor(key: str) -> float:
    """Discount short keys, which turn up in text by chance (years, postcodes, amounts)."""
    length = len(key)
    if key.isdigit():
        return {4: 0.55, 5: 0.7, 6: 0.85}.get(length, 1.0 if length > 6 else 0.4)
    return {3: 0.5, 4: 0.7, 5: 0.85}.get(length, 1.0 if length > 5 else 0.4)


class FeatureExtractor:
    """Resolves statement items against one run's index and configurations."""

    def __init__(
        self, index: OpenItemIndex, configurations: Sequence[MatchingConfiguration]
    ) -> None:
        self.index = index
        self.patterns = [
            re.compile(pattern)
            for configuration in configurations
            for pattern in configuration.reference_patterns
        ]
        self.custom_fields = sorted({c.custom_field for c in configurations if c.custom_field})

    def extract(self, item: StatementItem, units: int) -> StatementFeatures:
        """Collect identity and account evidence for one statement item."""
        features = StatementFeatures(item, units)
        self._add_end_to_end_id(features)
        self._add_structured_references(features)
        self._add_document_numbers(features)
        self._add_pattern_references(features)
        self._add_related_credit_notes(features)
        self._add_accounts_by_iban_and_mandate(features)
        if item.counterparty_name:
            features.payer_name = normalise_name(item.counterparty_name)
        return features

    def _hit(self, features: StatementFeatures, position: int, hit: IdentityHit) -> None:
        if position in self.index.excluded:
            voided = self.index.voided.get(position)
            if voided is None or voided.reissue is None:
                return
            hit.voided = position
            hit.strength *= 0.95
            position = voided.reissue
        existing = features.identity.get(position)
        if existing is None or hit.strength > existing.strength:
            features.identity[position] = hit

    def _add_related_credit_notes(self, features: StatementFeatures) -> None:
        """Credit notes naming a referenced invoice count as referenced too: payers net them."""
        index = self.index
        for position, hit in list(features.identity.items()):
            for credit in index.credit_notes_for.get(position, ()):
                if credit in features.identity:
                    continue
                credit_item = index.items[credit]
                features.identity[credit] = IdentityHit(
                    hit.criterion,
                    0.9 * hit.strength,
                    f"credit note {credit_item.document_number or credit_item.id} refers to "
                    f"{index.items[position].document_number}",
                    hit.span,
                )

    def _add_end_to_end_id(self, features: StatementFeatures) -> None:
        end_to_end_id = features.item.end_to_end_id.strip()
        if not end_to_end_id or end_to_end_id.upper() == "NOTPROVIDED":
            return
        span = Span("end_to_end_id", 0, len(end_to_end_id), end_to_end_id)
        for position in postings(self.index.by_end_to_end_id, end_to_end_id):
            self._hit(
                features,
                position,
                IdentityHit(
                    Criterion.END_TO_END_ID, 1.0, f"end-to-end ID {end_to_end_id} is ours", span
                ),
            )

    def _add_structured_references(self, features: StatementFeatures) -> None:
        item = features.item
        sources = [(REMITTANCE, item.remittance_information[:MAXIMUM_SCANNED_TEXT])]
        if item.creditor_reference:
            sources.insert(0, ("creditor_reference", item.creditor_reference))
        for field_name, text in sources:
            for reference in find_structured_references(text):
                span = Span(
                    field_name,
                    reference.start,
                    reference.end,
                    text[reference.start : reference.end],
                )
                found = postings(self.index.by_payment_reference, reference.value)
                for position in found[:MAXIMUM_POSTINGS_PER_KEY]:
                    self._hit(
                        features,
                        position,
                        IdentityHit(
                            Criterion.CREDITOR_REFERENCE,
                            1.0,
                            f"{reference.kind} {reference.value}",
                            span,
                        ),
                    )
                if not found and reference.kind is StructuredKind.QR_REFERENCE:
                    # QR references are usually the zero-padded invoice number plus a check digit.
                    core = document_keys(reference.value[:-1].lstrip("0"))
                    for position, kind, _ in self.index.reference_hits(
                        core, limit=MAXIMUM_POSTINGS_PER_KEY
                    ):
                        self._hit(
                            features,
                            position,
                            IdentityHit(
                                Criterion.DOCUMENT_NUMBER,
                                0.9 * KEY_STRENGTH[kind],
                                f"document number {self.index.items[position].document_number} "
                                "inside the QR reference",
                                span,
                            ),
                        )
        if item.creditor_reference and not find_structured_references(item.creditor_reference):
            written = normalise_reference(item.creditor_reference)
            span = Span(
                "creditor_reference", 0, len(item.creditor_reference), item.creditor_reference
            )
            for position in postings(self.index.by_payment_reference, written)[
                :MAXIMUM_POSTINGS_PER_KEY
            ]:
                self._hit(
                    features,
                    position,
                    IdentityHit(
                        Criterion.PAYMENT_REFERENCE, 0.97, f"payment reference {written}", span
                    ),
                )
            self._look_up_document_keys(
                features, document_keys(item.creditor_reference), span, labelled=True
            )

    def _look_up_document_keys(
        self,
        features: StatementFeatures,
        written: Mapping[str, KeyKind],
        span: Span,
        *,
        labelled: bool,
        factor: float = 1.0,
    ) -> None:
        index = self.index
        for position, kind, key in index.reference_hits(written, limit=MAXIMUM_POSTINGS_PER_KEY):
            length_factor = 1.0 if labelled else _key_length_factor(key)
            number = index.items[position].document_number
            self._hit(
                features,
                position,
                IdentityHit(
                    Criterion.DOCUMENT_NUMBER,
                    KEY_STRENGTH[kind] * length_factor * factor,
                    f"document number {number} found{_HOW_WRITTEN[kind]}",
                    span,
                ),
            )
        for custom in self.custom_fields:
            table = index.by_custom_field[custom]
            for key in written:
                for position in postings(table, key)[:MAXIMUM_POSTINGS_PER_KEY]:
                    length_factor = 1.0 if labelled else _key_length_factor(key)
                    self._hit(
                        features,
                        position,
                        IdentityHit(
                            Criterion.CUSTOM_FIELD,
                            0.95 * length_factor,
                            f"{custom} {key} found",
                            span,
                        ),
                    )

    def _add_document_numbers(self, features: StatementFeatures) -> None:
        text = features.item.remittance_information[:MAXIMUM_SCANNED_TEXT]
        if not text:
            return
        index = self.index
        by_reference_key = index.by_reference_key
        by_payment_reference = index.by_payment_reference
        by_customer_number = index.accounts_by_customer_number
        has_custom_fields = bool(self.custom_fields)
        is_cut = len(text) in TRUNCATION_LENGTHS
        last_window = None
        for window in text_windows(text):
            if window.end == len(text) and (
                last_window is None or window.start < last_window.start
            ):
                last_window = window
            # Most windows hit nothing; the span and checks are made only for those that do.
            keys = window.keys
            has_document = any(key in by_reference_key for key in keys)
            has_reference = len(window.full) >= 6 and window.full in by_payment_reference
            customer_keys = [key for key in keys if key in by_customer_number]
            if not (has_document or has_reference or customer_keys or has_custom_fields):
                continue
            raw = text[window.start : window.end]
            if _DATE_LIKE.fullmatch(raw):
                continue
            # Dates and amounts are full of digits: a number inside one counts for less.
            looks_like_date = _DATE_LIKE.search(raw) is not None
            looks_like_amount = _AMOUNT_FOLLOWS.match(text, window.end) is not None
            factor = 0.5 if looks_like_date or looks_like_amount else 1.0
            if window.end == len(text) and is_cut:
                # The bank may have cut this number short: what it spells may be another one.
                factor *= 0.75
            span = Span(REMITTANCE, window.start, window.end, raw)
            if has_document or has_custom_fields:
                self._look_up_document_keys(features, keys, span, labelled=False, factor=factor)
            if has_reference:
                for position in postings(by_payment_reference, window.full)[
                    :MAXIMUM_POSTINGS_PER_KEY
                ]:
                    self._hit(
                        features,
                        position,
                        IdentityHit(
                            Criterion.PAYMENT_REFERENCE,
                            0.97,
                            f"payment reference {window.full}",
                            span,
                        ),
                    )
            for key in customer_keys:
                for account in postings(by_customer_number, key)[:MAXIMUM_POSTINGS_PER_KEY]:
                    _add_account_hit(
                        features,
                        account,
                        AccountHit(
                            Criterion.CUSTOMER_NUMBER,
                            0.8 * _key_length_factor(key),
                            f"customer number {index.accounts[account].number} found",
                            span,
                        ),
                    )
        if last_window is not None and is_cut:
            self._add_truncated_reference(
                features,
                last_window.full,
                Span(
                    REMITTANCE,
                    last_window.start,
                    last_window.end,
                    text[last_window.start : last_window.end],
                ),
            )

    def _add_truncated_reference(
        self, features: StatementFeatures, prefix: str, span: Span
    ) -> None:
        """Find a document number cut off where the bank cut the remittance text."""
        if len(prefix) < 6:
            return
        positions = self.index.reference_keys_starting_with(prefix, limit=MAXIMUM_PREFIX_SCAN)
        if len(positions) > MAXIMUM_PREFIX_MATCHES:
            # A short start fits many numbers; as a clerk would, keep those of the paid amount.
            units = self.index.units
            positions = [position for position in positions if units[position] == features.units]
        if not positions or len(positions) > MAXIMUM_PREFIX_MATCHES:
            return
        # Many numbers share a cut-off start: each tells less, and the amount must decide.
        ambiguity = 1.0 if len(positions) <= 3 else 0.8
        for position in positions:
            number = self.index.items[position].document_number
            if full_key(number) == prefix:
                # Not cut off after all: the window found it whole.
                continue
            strength = 0.6 * ambiguity * len(prefix) / max(len(full_key(number)), 1)
            self._hit(
                features,
                position,
                IdentityHit(
                    Criterion.DOCUMENT_NUMBER,
                    strength,
                    f"document number {number} cut off at the end of the text",
                    span,
                ),
            )

    def _add_pattern_references(self, features: StatementFeatures) -> None:
        text = features.item.remittance_information[:MAXIMUM_SCANNED_TEXT]
        if not text or not self.patterns:
            return
        for pattern in self.patterns:
            for match in pattern.finditer(text):
                groups = match.groupdict()
                document_group = "document" if groups.get("document") else None
                if document_group or not groups:
                    start, end = match.span(document_group or 0)
                    span = Span(REMITTANCE, start, end, text[start:end])
                    self._look_up_document_keys(
                        features, document_keys(text[start:end]), span, labelled=True
                    )
                if groups.get("customer"):
                    start, end = match.span("customer")
                    key = full_key(text[start:end])
                    span = Span(REMITTANCE, start, end, text[start:end])
                    for candidate in (key, key.lstrip("0")):
                        for account in postings(self.index.accounts_by_customer_number, candidate):
                            _add_account_hit(
                                features,
                                account,
                                AccountHit(
                                    Criterion.CUSTOMER_NUMBER,
                                    0.85,
                                    f"customer number {self.index.accounts[account].number} "
                                    "found by pattern",
                                    span,
                                ),
                            )

    def _add_accounts_by_iban_and_mandate(self, features: StatementFeatures) -> None:
        item = features.item
        if item.counterparty_iban:
            iban = normalise_iban(item.counterparty_iban)
            accounts = postings(self.index.accounts_by_iban, iban)
            features.iban_accounts = tuple(accounts)
            # An IBAN shared by several accounts (a payment provider, a group treasury) tells less.
            strength = 0.85 / len(accounts) if accounts else 0.0
            span = Span("counterparty_iban", 0, len(item.counterparty_iban), item.counterparty_iban)
            for account in accounts[:MAXIMUM_POSTINGS_PER_KEY]:
                _add_account_hit(
                    features,
                    account,
                    AccountHit(Criterion.IBAN, strength, f"IBAN {iban} is on the account", span),
                )
        if item.mandate_id:
            mandate = item.mandate_id.strip().upper()
            span = Span("mandate_id", 0, len(item.mandate_id), item.mandate_id)
            for account in postings(self.index.accounts_by_mandate, mandate)[
                :MAXIMUM_POSTINGS_PER_KEY
            ]:
                _add_account_hit(
                    features,
                    account,
                    AccountHit(Criterion.MANDATE, 0.9, f"mandate {mandate}", span),
                )

    def add_accounts_by_name(self, features: StatementFeatures) -> None:
        """Find accounts whose name resembles the payer's, via the name-token index."""
        payer = features.payer_name
        if payer is None or not payer.text:
            return
        index = self.index
        keys = list(dict.fromkeys(index_tokens(payer)))
        # Accounts sharing the two rarest words are the candidates; with only one word known
        # (a typo or a cut in the other), its accounts are ranked by a fast fuzzy comparison.
        found = sorted(
            (len(accounts), key, accounts)
            for key in keys
            if (accounts := index.accounts_by_name_token.get(key))
        )
        candidates: set[int] = set()
        if len(found) >= 2:
            candidates = set(found[0][2] & found[1][2])
            for _, _, accounts in found[2:]:
                if len(candidates) <= MAXIMUM_NAME_CANDIDATES:
                    break
                narrower = candidates & accounts
                if narrower:
                    candidates = narrower
        if not candidates and found and found[0][0] <= MAXIMUM_NAME_POSTINGS:
            candidates = self._closest_names(payer, found[0][2])
        prefix = compact_prefix_key(payer)
        if len(prefix) >= 4 and (payer.is_descriptor or len(keys) <= 1):
            candidates.update(
                postings(index.accounts_by_compact_prefix, prefix)[:MAXIMUM_NAME_POSTINGS]
            )
        if len(candidates) > MAXIMUM_NAME_CANDIDATES:
            candidates = self._closest_names(payer, candidates)
        # Accounts owed exactly this amount are always compared: among two hundred "Huber"
        # accounts, the one with the invoice of the paid amount is the one a clerk would check.
        same_amount = postings(index.by_amount, features.units)
        if len(same_amount) <= 2 * MAXIMUM_POSTINGS_PER_KEY:
            candidates.update(index.account_of[position] for position in same_amount)
        best = sorted(candidates)
        for account in best:
            similarity = self.similarity(features, account)
            if similarity >= MINIMUM_NAME_SIMILARITY:
                _add_account_hit(features, account, name_hit(features, account, similarity))

    def _closest_names(self, payer: NormalisedName, accounts: Iterable[int]) -> set[int]:
        """Return the accounts whose compact names are closest to the payer's (rapidfuzz, in C)."""
        pool = sorted(accounts)
        names = [
            name.compact if (name := self.index.accounts[account].normalised_name) else ""
            for account in pool
        ]
        closest = process.extract(
            payer.compact,
            names,
            scorer=fuzz.ratio,
            limit=MAXIMUM_NAME_CANDIDATES,
            score_cutoff=50,
        )
        return {pool[position] for _, _, position in closest}

    def similarity(self, features: StatementFeatures, account: int) -> float:
        """Return (and remember) how alike the payer's name and the account's name are."""
        cached = features.similarity_by_account.get(account)
        if cached is not None:
            return cached
        account_name = self.index.accounts[account].normalised_name
        payer = features.payer_name
        similarity = (
            0.0 if payer is None or account_name is None else name_similarity(payer, account_name)
        )
        features.similarity_by_account[account] = similarity
        return similarity


def name_strength(similarity: float) -> float:
    """Map a name similarity to account evidence: nothing below 0.6, 0.9 from 0.95 up."""
    return max(0.0, min(1.0, (similarity - 0.6) / 0.35)) * 0.9


def name_hit(features: StatementFeatures, account: int, similarity: float) -> AccountHit:
    """Return name evidence for an account, with the payer's name as its span."""
    name = features.item.counterparty_name
    return AccountHit(
        Criterion.NAME,
        name_strength(similarity),
        f"payer name resembles the account name ({similarity:.0%})",
        Span("counterparty_name", 0, len(name), name),
    )


def _add_account_hit(features: StatementFeatures, account: int, hit: AccountHit) -> None:
    hits = features.accounts.setdefault(account, [])
    for position, existing in enumerate(hits):
        if existing.criterion is hit.criterion:
            if hit.strength > existing.strength:
                hits[position] = hit
            return
    hits.append(hit)


def _combine_strengths(hits: Sequence[AccountHit]) -> float:
    remaining = 1.0
    for hit in hits:
        remaining *= 1.0 - hit.strength
    return 1.0 - remaining


def _generates(template: Template, *routes: Template) -> bool:
    return template is Template.STANDARD or template in routes


class CandidateGenerator:
    """Proposes sets of open items that one statement item may pay, per configuration template."""

    def __init__(self, index: OpenItemIndex, extractor: FeatureExtractor) -> None:
        self.index = index
        self.extractor = extractor
        self.combination_searches = 0

    def _eligible(self, position: int, features: StatementFeatures) -> bool:
        index = self.index
        return (
            index.currency_of[position] == features.item.currency
            and index.units[position] != 0
            and position not in index.excluded
        )

    def candidate_sets(
        self, features: StatementFeatures, configuration: MatchingConfiguration
    ) -> list[tuple[int, ...]]:
        """Return the item sets worth scoring, most promising routes first, without duplicates."""
        template = configuration.template
        found: dict[tuple[int, ...], None] = {}
        index = self.index
        sign = features.sign
        identity_routes = (Template.ENTRY_BY_DOCUMENT_NUMBER, Template.CUSTOM_FIELD)
        if _generates(template, *identity_routes):
            by_account: dict[int, list[int]] = {}
            for position, hit in features.identity.items():
                if (
                    template is Template.CUSTOM_FIELD
                    and hit.criterion is not Criterion.CUSTOM_FIELD
                ):
                    continue
                if not self._eligible(position, features):
                    continue
                if index.units[position] * sign > 0:
                    found[(position,)] = None
                if hit.strength >= MINIMUM_COMBINATION_IDENTITY:
                    by_account.setdefault(index.account_of[position], []).append(position)
            # Combinations are built on references that clearly name their items, and only
            # when no referenced item or set already pays the amount exactly.
            if not self._settled_by_identity(features, found):
                for account, referenced in sorted(by_account.items()):
                    self._referenced_combinations(
                        features, configuration, account, sorted(referenced), found
                    )
        account_routes = {
            Template.ACCOUNT_BY_IBAN: (Criterion.IBAN, Criterion.MANDATE),
            Template.ACCOUNT_BY_NAME: (Criterion.NAME,),
            Template.ACCOUNT_BY_CUSTOMER_NUMBER_IN_REFERENCE: (Criterion.CUSTOMER_NUMBER,),
        }
        if _generates(template, *account_routes) and not (
            template is Template.STANDARD and self._settled_by_identity(features, found)
        ):
            if features.payer_name is not None and (
                template is Template.ACCOUNT_BY_NAME
                or not any(
                    hit.criterion in (Criterion.IBAN, Criterion.MANDATE, Criterion.CUSTOMER_NUMBER)
                    for hits in features.accounts.values()
                    for hit in hits
                )
            ):
                self.extractor.add_accounts_by_name(features)
            criteria = account_routes.get(template)
            ranked = sorted(
                (-_combine_strengths(hits), account)
                for account, hits in features.accounts.items()
                if criteria is None or any(hit.criterion in criteria for hit in hits)
            )
            # Only the likeliest accounts are searched, and only the best two for combinations:
            # a weak name resemblance is no reason to add up someone's invoices.
            best = -ranked[0][0] if ranked else 0.0
            for rank, (negative_strength, account) in enumerate(ranked[:MAXIMUM_ACCOUNTS]):
                strength = -negative_strength
                if strength < 0.3 or strength < best - 0.35:
                    break
                self._account_candidates(
                    features,
                    configuration,
                    account,
                    found,
                    may_combine=rank < 2 and strength >= 0.6,
                )
        if template in (Template.ENTRY_BY_AMOUNT, Template.ENTRY_BY_CORRELATED_DATES) or (
            template is Template.STANDARD and not found
        ):
            same = [
                position
                for position in postings(index.by_amount, features.units)
                if self._eligible(position, features)
            ]
            if len(same) <= 2 * MAXIMUM_POSTINGS_PER_KEY:
                for position in same:
                    found[(position,)] = None
        return list(found)

    def _settled_by_identity(
        self, features: StatementFeatures, found: dict[tuple[int, ...], None]
    ) -> bool:
        """Tell whether a strongly referenced item set already pays the exact amount.

        Then the account's other items cannot score close, and searching them is wasted.
        """
        units = self.index.units
        identity = features.identity
        for positions in found:
            if sum(units[position] for position in positions) == features.units and all(
                position in identity and identity[position].strength >= 0.85
                for position in positions
            ):
                return True
        return False

    def _pool(
        self,
        features: StatementFeatures,
        configuration: MatchingConfiguration,
        account: int,
        leave_out: Sequence[int],
        limit: int,
    ) -> list[int]:
        """Return the account's items worth combining, nearest in date first.

        Only items of the statement's currency whose due (or document) date lies within the
        configuration's window are taken, at most `limit` of them.
        """
        index = self.index
        if len(index.accounts[account].items) > LARGE_ACCOUNT:
            # Too many to pick from by date in every search; references must name them.
            return []
        booking = features.item.booking_date.toordinal()
        window = configuration.combination_window_days
        left_out = set(leave_out)
        when_of = index.when_of
        scored: list[tuple[int, int]] = []
        for position in index.accounts[account].items:
            if position in left_out or not self._eligible(position, features):
                continue
            when = when_of[position]
            distance = abs(booking - when) if when else window
            if distance > window:
                continue
            scored.append((distance, position))
        scored.sort()
        return [position for _, position in scored[:limit]]

    def _referenced_combinations(
        self,
        features: StatementFeatures,
        configuration: MatchingConfiguration,
        account: int,
        referenced: list[int],
        found: dict[tuple[int, ...], None],
    ) -> None:
        """Add combinations built on the referenced items of one account.

        All referenced items together; a subset of them when together they are too much; and
        the referenced items completed by unreferenced ones when the text was cut off or
        lists only some of the invoices paid.
        """
        index = self.index
        sign = features.sign
        target = abs(features.units)
        maximum = configuration.combination_maximum_items
        total = sum(index.units[position] * sign for position in referenced)
        if len(referenced) >= 2 and total > 0:
            found[tuple(referenced)] = None
        if len(referenced) >= 3 and total > target and len(referenced) <= 24:
            self.combination_searches += 1
            for members in find_subsets(
                [index.units[position] * sign for position in referenced],
                target,
                minimum_size=2,
                maximum_size=maximum,
                maximum_solutions=2,
            ):
                found[tuple(referenced[member] for member in members)] = None
        if total != target and len(referenced) < maximum:
            # Too little: unreferenced invoices complete the payment (a cut-off list). Too
            # much: an unreferenced credit note was netted.
            pool = self._pool(features, configuration, account, referenced, COMBINATION_POOL)
            if total > target:
                pool = [position for position in pool if index.units[position] * sign < 0]
            if not pool:
                return
            self.combination_searches += 1
            tolerance = _tolerance(configuration, target, features.item.currency)
            for members in find_subsets(
                [index.units[position] * sign for position in pool],
                target - total,
                tolerance=tolerance,
                minimum_size=1,
                maximum_size=maximum - len(referenced),
                maximum_solutions=2,
            ):
                found[tuple(sorted([*referenced, *(pool[member] for member in members)]))] = None

    def _account_candidates(
        self,
        features: StatementFeatures,
        configuration: MatchingConfiguration,
        account: int,
        found: dict[tuple[int, ...], None],
        *,
        may_combine: bool,
    ) -> None:
        """Add the account's items whose amount fits, or combinations of them that add up."""
        index = self.index
        sign = features.sign
        target = abs(features.units)
        items = index.accounts[account].items
        if len(items) > LARGE_ACCOUNT:
            for position in postings(index.by_amount, features.units):
                if index.account_of[position] == account and self._eligible(position, features):
                    found[(position,)] = None
            return
        rules = amount_rules(configuration, features.item.currency)
        # Differences worth a closer look: a discount, a fee, the tolerance. Anything else is
        # a plain partial payment or overpayment, or transposed digits (a multiple of 9).
        percent = max(rules.cash_discount_percents, default=Decimal(0)) + rules.tolerance_percent
        # Percentages of the owed amount, which is at most target / 0.9 for these to apply.
        short_limit = max(
            rules.bank_fee_maximum, rules.tolerance_absolute, int(target * percent / 90) + 2
        )
        over_limit = max(rules.tolerance_absolute, int(target * rules.tolerance_percent / 90) + 1)
        has_exact = False
        same_sign: list[int] = []
        units = index.units
        for position in items:
            owed = units[position] * sign
            if owed <= 0 or not self._eligible(position, features):
                continue
            same_sign.append(position)
            difference = owed - target
            if difference == 0:
                found[(position,)] = None
                has_exact = True
            elif (
                -over_limit <= difference <= short_limit or difference % 9 == 0
            ) and compare_amounts(target, owed, rules).quality >= 0.7:
                found[(position,)] = None
        if len(same_sign) == 1:
            found[(same_sign[0],)] = None
        if (
            has_exact
            or not may_combine
            or configuration.combination_maximum_items < 2
            or len(same_sign) < 2
            or sum(units[position] * sign for position in same_sign) < target
        ):
            return
        pool = self._pool(features, configuration, account, (), ACCOUNT_COMBINATION_POOL)
        if len(pool) < 2:
            return
        self.combination_searches += 1
        for members in find_subsets(
            [units[position] * sign for position in pool],
            target,
            tolerance=_tolerance(configuration, target, features.item.currency),
            minimum_size=2,
            maximum_size=min(configuration.combination_maximum_items, 8),
            maximum_solutions=3,
        ):
            found[tuple(sorted(pool[member] for member in members))] = None


def _tolerance(configuration: MatchingConfiguration, target: int, currency: str) -> int:
    rules = amount_rules(configuration, currency)
    return max(rules.tolerance_absolute, int(Decimal(target) * rules.tolerance_percent / 100))
