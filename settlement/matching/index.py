"""Indexes over the open items, built once per run, so candidates are looked up, never scanned.

Open items are grouped into accounts (customer or supplier) because names, IBANs, mandates and
customer numbers belong to the account, and combined payments stay within one account. Every
look-up table maps a key to the positions of open items or accounts; a table value is a single
int while it has one entry, which keeps a million-item index within a few hundred megabytes.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from settlement.matching.amounts import to_minor_units
from settlement.matching.model import OpenItem
from settlement.matching.names import (
    NormalisedName,
    compact_prefix_key,
    index_tokens,
    normalise_name,
)
from settlement.matching.references import (
    MAXIMUM_SCANNED_TEXT,
    KeyKind,
    document_keys,
    full_key,
    normalise_reference,
    text_windows,
)

Postings = dict[str, int | list[int]]
_KINDS = tuple(KeyKind)
_document_keys = lru_cache(maxsize=1 << 14)(document_keys)


def add_posting(
    table: dict[str, int | list[int]] | dict[int, int | list[int]], key: object, value: int
) -> None:
    """Add `value` under `key` in a table whose values are an int or a list of ints."""
    existing = table.get(key)  # type: ignore[call-overload]
    if existing is None:
        table[key] = value  # type: ignore[index]
    elif isinstance(existing, int):
        if existing != value:
            table[key] = [existing, value]  # type: ignore[index]
    elif value not in existing[-3:]:
        existing.append(value)


def postings(
    table: dict[str, int | list[int]] | dict[int, int | list[int]], key: object
) -> Sequence[int]:
    """Return the values under `key` in a table built with `add_posting` (empty when absent)."""
    found = table.get(key)  # type: ignore[call-overload]
    if found is None:
        return ()
    if isinstance(found, int):
        return (found,)
    return found  # type: ignore[no-any-return]


def normalise_iban(iban: str) -> str:
    """Return an IBAN in its electronic form: upper case, no spaces."""
    return iban.replace(" ", "").upper()


@dataclass(slots=True)
class Account:
    """The open items of one customer or supplier and what identifies that party."""

    key: str
    name: str
    number: str
    ibans: tuple[str, ...]
    items: list[int] = field(default_factory=list)
    normalised_name: NormalisedName | None = None
    name_keys: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class VoidedItem:
    """An invoice cancelled by a full credit note and, when found, the invoice reissued for it."""

    credit_note: int
    reissue: int | None


class OpenItemIndex:
    """Look-up tables over one run's open items.

    Positions refer to the `items` sequence; `units[i]` is item i's signed open amount in
    minor units and `account_of[i]` the position of its account in `accounts`.
    """

    def __init__(self, items: Sequence[OpenItem], *, custom_fields: Iterable[str] = ()) -> None:
        self.items = items
        self.units: list[int] = []
        self.account_of: list[int] = []
        # Per-item currency and date (ordinal of the due date, else document date, else 0),
        # kept apart from the items so that hot loops do not touch a million objects.
        self.currency_of: list[str] = []
        self.when_of: array[int] = array("l")
        self.accounts: list[Account] = []
        self.by_amount: dict[int, int | list[int]] = {}
        self.by_reference_key: Postings = {}
        self.by_payment_reference: Postings = {}
        self.by_end_to_end_id: Postings = {}
        self.accounts_by_iban: Postings = {}
        self.accounts_by_mandate: Postings = {}
        self.accounts_by_customer_number: Postings = {}
        self.accounts_by_name_token: dict[str, frozenset[int]] = {}
        self.accounts_by_compact_prefix: Postings = {}
        self.by_custom_field: dict[str, Postings] = {name: {} for name in custom_fields}
        self.voided: dict[int, VoidedItem] = {}
        self.credit_notes_for: dict[int, list[int]] = {}
        self.excluded: set[int] = set()
        self._full_reference_keys: list[str] = []
        self._sorted_reference_keys: list[str] | None = None
        self._build()

    def _account_position(self, item: OpenItem, positions: dict[str, int]) -> int:
        key = (
            f"id:{item.account_id}"
            if item.account_id
            else f"number:{item.account_number}"
            if item.account_number
            else f"name:{item.account_name.casefold()}"
            if item.account_name
            else f"item:{item.id}"
        )
        position = positions.get(key)
        if position is None:
            position = len(self.accounts)
            positions[key] = position
            self.accounts.append(Account(key, item.account_name, item.account_number, ()))
        return position

    def _build(self) -> None:
        # This loop runs once per open item (a million in large runs), so the tables and
        # functions it uses are bound to local names and postings are added inline.
        account_positions: dict[str, int] = {}
        account_by_id: dict[str, int] = {}
        ibans_seen: dict[int, tuple[str, ...]] = {}
        units_list = self.units
        account_of = self.account_of
        accounts = self.accounts
        by_amount = self.by_amount
        by_reference_key = self.by_reference_key
        full_keys = self._full_reference_keys
        full = KeyKind.FULL
        grouped = KeyKind.GROUPED
        currency_of = self.currency_of
        when_of = self.when_of
        currencies: dict[str, str] = {}
        for position, item in enumerate(self.items):
            units = to_minor_units(item.open_amount, item.currency) or 0
            # Callers validate amounts first; an unrepresentable one is simply never matched.
            units_list.append(units)
            currency_of.append(currencies.setdefault(item.currency, item.currency))
            when = item.due_date or item.document_date
            when_of.append(when.toordinal() if when is not None else 0)
            account = account_by_id.get(item.account_id) if item.account_id else None
            if account is None:
                account = self._account_position(item, account_positions)
                if item.account_id:
                    account_by_id[item.account_id] = account
            account_of.append(account)
            record = accounts[account]
            record.items.append(position)
            if units:
                # One hash look-up for the usual new key: setdefault hands back what it stored.
                existing = by_amount.setdefault(units, position)
                if existing is not position:
                    if isinstance(existing, int):
                        by_amount[units] = [existing, position]
                    else:
                        existing.append(position)
            if item.document_number:
                for key, kind in document_keys(item.document_number).items():
                    if kind is grouped:
                        continue
                    packed = position << 3 | kind
                    existing = by_reference_key.setdefault(key, packed)
                    if existing is not packed:
                        if isinstance(existing, int):
                            by_reference_key[key] = [existing, packed]
                        else:
                            existing.append(packed)
                    if kind is full:
                        full_keys.append(key)
            if item.payment_reference:
                reference = normalise_reference(item.payment_reference)
                if len(reference) >= 4:
                    add_posting(self.by_payment_reference, reference, position)
            if item.end_to_end_id and item.end_to_end_id != "NOTPROVIDED":
                add_posting(self.by_end_to_end_id, item.end_to_end_id.strip(), position)
            if item.mandate_id:
                add_posting(self.accounts_by_mandate, item.mandate_id.strip().upper(), account)
            if item.account_ibans and ibans_seen.get(account) != item.account_ibans:
                ibans_seen[account] = item.account_ibans
                for iban in item.account_ibans:
                    electronic = normalise_iban(iban)
                    if electronic and electronic not in record.ibans:
                        record.ibans = (*record.ibans, electronic)
                        add_posting(self.accounts_by_iban, electronic, account)
            if item.custom_fields:
                for name, value in item.custom_fields:
                    table = self.by_custom_field.get(name)
                    if table is not None and value:
                        key = full_key(value)
                        if len(key) >= 3:
                            add_posting(table, key, position)
        name_tokens: dict[str, list[int]] = {}
        for position, record in enumerate(self.accounts):
            if record.number:
                # A list, not a set: look-up tables are filled in a fixed order.
                for key in dict.fromkeys(
                    (full_key(record.number), normalise_reference(record.number).lstrip("0"))
                ):
                    if len(key) >= 3:
                        add_posting(self.accounts_by_customer_number, key, position)
            if record.name:
                normalised = normalise_name(record.name)
                record.normalised_name = normalised
                tokens = list(dict.fromkeys(index_tokens(normalised)))
                record.name_keys = frozenset(tokens)
                for token in tokens:
                    name_tokens.setdefault(token, []).append(position)
                prefix = compact_prefix_key(normalised)
                if len(prefix) >= 4:
                    add_posting(self.accounts_by_compact_prefix, prefix, position)
        # Sets, so that the accounts sharing two words are found by intersection in C.
        self.accounts_by_name_token = {
            token: frozenset(positions) for token, positions in name_tokens.items()
        }
        self._find_voided_items()

    def _find_voided_items(self) -> None:
        """Link credit notes to the invoices they name, and find cancelled invoices.

        A credit note of exactly the invoice's amount cancels it: the pair nets to zero and is
        settled between itself, and a payment quoting the cancelled number is meant for the
        invoice reissued in its place. A smaller credit note is netted by the payer.
        """
        units = self.units
        for account in self.accounts:
            positives = [position for position in account.items if units[position] > 0]
            negatives = [position for position in account.items if units[position] < 0]
            if not positives or not negatives:
                continue
            # The rarer sign is the credit note (negative for customers, positive for suppliers).
            credits, invoices = (
                (negatives, positives)
                if len(negatives) <= len(positives)
                else (positives, negatives)
            )
            keys = {
                key: invoice
                for invoice in invoices
                if len(key := full_key(self.items[invoice].document_number)) >= 3
            }
            by_units: dict[int, list[int]] = {}
            for position in account.items:
                by_units.setdefault(units[position], []).append(position)
            for credit in credits:
                credit_item = self.items[credit]
                text = f"{credit_item.description} {credit_item.payment_reference}"
                # Looked up window by window, so a large account costs no more than a small one.
                named = dict.fromkeys(
                    keys[key]
                    for window in text_windows(text[:MAXIMUM_SCANNED_TEXT])
                    for key, kind in window.keys.items()
                    if kind is KeyKind.FULL and key in keys
                )
                for invoice in named:
                    if units[invoice] == -units[credit] and invoice not in self.voided:
                        self.voided[invoice] = VoidedItem(
                            credit, self._find_reissue(invoice, by_units)
                        )
                        self.excluded.update((invoice, credit))
                        break
                    self.credit_notes_for.setdefault(invoice, []).append(credit)

    def _find_reissue(self, voided: int, by_units: dict[int, list[int]]) -> int | None:
        voided_item = self.items[voided]
        voided_key = full_key(voided_item.document_number)
        candidates = [
            position
            for position in by_units.get(self.units[voided], [])
            if position != voided and position not in self.voided
        ]
        for position in candidates:
            item = self.items[position]
            if voided_key in full_key(f"{item.description} {item.payment_reference}"):
                return position
        later = [
            position
            for position in candidates
            if voided_item.document_date is None
            or (self.items[position].document_date or voided_item.document_date)
            >= voided_item.document_date
        ]
        return later[0] if len(later) == 1 else None

    def reference_hits(
        self, written: Mapping[str, KeyKind], *, limit: int
    ) -> list[tuple[int, KeyKind, str]]:
        """Return the documents written keys spell, how literally, and the key they share.

        The kind of a hit is the weaker of the written key's and the document key's kinds; a
        key shared by more than `limit` documents says nothing and is skipped.
        """
        found: dict[int, tuple[KeyKind, str]] = {}
        table = self.by_reference_key
        for key, written_kind in written.items():
            packed_hits = postings(table, key)
            if not packed_hits or len(packed_hits) > limit:
                continue
            for packed in packed_hits:
                position = packed >> 3
                kind = max(written_kind, _KINDS[packed & 7])
                known = found.get(position)
                if known is None or kind < known[0]:
                    found[position] = (kind, key)
        for position, (kind, key) in found.items():
            if kind > KeyKind.GROUPED:
                # GROUPED keys are not filed (their digits-only twin finds the same documents);
                # the few hits are checked against the document's full set of keys instead.
                document = _document_keys(self.items[position].document_number)
                for written_key, written_kind in written.items():
                    document_kind = document.get(written_key)
                    if document_kind is not None and max(written_kind, document_kind) < kind:
                        kind, key = max(written_kind, document_kind), written_key
                found[position] = (kind, key)
        return [(position, kind, key) for position, (kind, key) in found.items()]

    def reference_keys_starting_with(self, prefix: str, *, limit: int) -> list[int]:
        """Return up to `limit` + 1 documents whose FULL key starts with `prefix` (cut-off text)."""
        from bisect import bisect_left

        if self._sorted_reference_keys is None:
            # Sorted on first need only: most runs have no cut-off text.
            self._sorted_reference_keys = sorted(set(self._full_reference_keys))
            self._full_reference_keys = []
        keys = self._sorted_reference_keys
        found: list[int] = []
        position = bisect_left(keys, prefix)
        while position < len(keys) and keys[position].startswith(prefix):
            for packed in postings(self.by_reference_key, keys[position]):
                if packed & 7 == KeyKind.FULL:
                    found.append(packed >> 3)
                    if len(found) > limit:
                        return found
            position += 1
        return found
