"""Review and settlement: suggestions computed from the org's data, settled back into it.

Nothing of this is stored in Ledgerlink. Suggestions are computed in memory from what Salesforce
holds now; accepting writes Payment, Entry Items, entries' open amounts and the item's match status
to Salesforce, each by external ID or computed from what is there, so a double click or a retry
converges on the same records instead of writing anything twice.
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from portal.errors import PortalError
from portal.ids import InvalidSalesforceId, normalize_salesforce_id
from portal.models import Tenant
from portal.salesforce.client import SalesforceClient
from portal.salesforce.mapping import ObjectMapping
from portal.salesforce.records import (
    OpenEntry,
    StatementItemRecord,
    count_open_entries,
    count_unmatched_statement_items,
    read_account_facts,
    read_open_entries,
    read_unmatched_statement_items,
)
from portal.salesforce.services import mapping_for
from settlement import matching
from settlement.services import engine_configurations


class SettlementRefused(PortalError):
    pass


# The Composite resource takes 25 subrequests: a payment, the item, and two per entry.
MAX_ALLOCATIONS = 11
# Runs in the worker report (and can be cancelled) after this many records read.
PROGRESS_EVERY = 1000

ProgressCallback = Callable[[str, int, int | None], None]


def _ignore_progress(stage: str, done: int, total: int | None) -> None:
    pass


@dataclass(frozen=True)
class Review:
    result: matching.MatchResult
    items: dict[str, StatementItemRecord]
    entries: dict[str, OpenEntry]


def _signed_open_amount(entry: OpenEntry) -> Decimal:
    # The engine counts receivables positive and payables negative, like money in and out.
    return -entry.open_amount if (entry.direction or "").lower() == "payable" else entry.open_amount


def compute_review(
    *,
    client: SalesforceClient,
    tenant: Tenant,
    configurations: Sequence[matching.MatchingConfiguration] | None = None,
    on_progress: ProgressCallback | None = None,
) -> Review:
    """Read unmatched items and open entries from Salesforce and match them in memory, with the
    tenant's configurations or, for a preview, the ones given.

    ``on_progress`` (for runs in the worker) hears the stage and the records read so far out
    of the total; it may raise to stop the run between pages.
    """
    item_mapping = mapping_for(tenant, "bank_statement_item")
    entry_mapping = mapping_for(tenant, "entry")
    report = on_progress or _ignore_progress
    total = None
    use_bulk = False
    if on_progress is not None:
        entry_count = count_open_entries(client, entry_mapping)
        total = count_unmatched_statement_items(client, item_mapping) + entry_count
        # Many entries cost few Bulk API calls instead of one REST call per 2,000 records.
        use_bulk = entry_count >= settings.REVIEW_BULK_READ_FROM
    items: dict[str, StatementItemRecord] = {}
    for item in read_unmatched_statement_items(client, item_mapping):
        items[item.record_id] = item
        if len(items) % PROGRESS_EVERY == 0:
            report("Reading statement items", len(items), total)
    entries: dict[str, OpenEntry] = {}
    for entry in read_open_entries(client, entry_mapping, use_bulk=use_bulk):
        entries[entry.record_id] = entry
        if len(entries) % PROGRESS_EVERY == 0:
            report("Reading open entries", len(items) + len(entries), total)
    report("Reading accounts", len(items) + len(entries), total)
    facts = read_account_facts(client, entry_mapping, mapping_for(tenant, "payment_instrument"))
    report(
        f"Matching {len(items)} items against {len(entries)} open entries",
        len(items) + len(entries),
        total,
    )
    open_items = []
    for entry in entries.values():
        account = facts.get(entry.account_id or "")
        open_items.append(
            matching.OpenItem(
                id=entry.record_id,
                open_amount=_signed_open_amount(entry),
                currency=entry.currency,
                document_number=entry.document_number or "",
                document_date=entry.document_date,
                due_date=entry.due_date,
                account_id=entry.account_id or "",
                account_name=account.name if account else "",
                account_number=account.number if account else "",
                account_ibans=account.ibans if account else (),
                payment_reference=entry.payment_reference or "",
            )
        )
    statement_items = [
        matching.StatementItem(
            id=item.record_id,
            amount=item.amount,
            currency=item.currency,
            booking_date=item.booking_date,
            value_date=item.value_date,
            counterparty_name=item.counterparty_name,
            counterparty_iban=item.counterparty_iban,
            remittance_information=item.remittance_information,
            end_to_end_id=item.end_to_end_id,
            mandate_id=item.mandate_id,
            creditor_reference=item.creditor_reference,
            bank_transaction_code=item.bank_transaction_code,
            is_reversal=item.is_reversal,
        )
        for item in items.values()
    ]
    result = matching.match_items(
        statement_items,
        open_items,
        configurations if configurations is not None else engine_configurations(tenant),
    )
    # A clerk's rejection is remembered in Salesforce: such suggestions are not shown again.
    kept = tuple(
        suggestion
        for suggestion in result.suggestions
        if not any(
            allocation.open_item_id in items[suggestion.statement_item_id].rejected_entry_ids
            for allocation in suggestion.allocations
        )
    )
    return Review(
        result=matching.MatchResult(
            suggestions=kept,
            unmatched_statement_item_ids=result.unmatched_statement_item_ids,
            unmatched_open_item_ids=result.unmatched_open_item_ids,
            statistics=result.statistics,
            reversals=result.reversals,
        ),
        items=items,
        entries=entries,
    )


@dataclass(frozen=True)
class PreviewDifference:
    """What a draft configuration would change: suggestions per band, items whose answer moves."""

    bands_now: dict[str, int]
    bands_draft: dict[str, int]
    changed_items: int


def compare_reviews(now: Review, draft: Review) -> PreviewDifference:
    def bands(review: Review) -> dict[str, int]:
        counts = {band.value: 0 for band in matching.Band}
        for suggestion in review.result.suggestions:
            counts[suggestion.band.value] += 1
        return counts

    def answers(review: Review) -> dict[str, tuple[tuple[str, Decimal], ...]]:
        return {
            s.statement_item_id: tuple((a.open_item_id, a.amount) for a in s.allocations)
            for s in review.result.suggestions
        }

    before, after = answers(now), answers(draft)
    changed = sum(1 for item in set(before) | set(after) if before.get(item) != after.get(item))
    return PreviewDifference(bands(now), bands(draft), changed)


def payment_key(statement_item_id: str) -> str:
    """The end-to-end ID of the Payment Ledgerlink records for an incoming statement item.

    Payers' own end-to-end IDs are not unique across payers, so the key comes from the item.
    """
    return f"LL-IN-{statement_item_id}"


def entry_item_key(payment: str, entry_id: str) -> str:
    digest = hashlib.sha256(f"{payment}|{entry_id}".encode()).hexdigest()[:16]
    return f"{payment}-{digest}"


def settle(
    *,
    client: SalesforceClient,
    tenant: Tenant,
    statement_item_id: str,
    allocations: Sequence[tuple[str, Decimal]],
) -> str:
    """Settle entries with a statement item in one all-or-none call; returns the Payment's ID.

    Everything is written by external ID or to values computed from each entry's amount and its
    entry items, so a retry, or a second click, writes nothing twice. Raises SettlementRefused
    when an allocation does not fit, and the client's errors when Salesforce refuses; either way
    nothing is written.
    """
    _check_ids([statement_item_id, *(entry_id for entry_id, _ in allocations)])
    item_mapping = mapping_for(tenant, "bank_statement_item")
    entry_mapping = mapping_for(tenant, "entry")
    payment_mapping = mapping_for(tenant, "payment")
    link_mapping = mapping_for(tenant, "entry_item")
    key = payment_key(statement_item_id)
    item = _waiting_item(client, item_mapping, statement_item_id)
    if item is None:
        if _settled_by(client, link_mapping, key):
            return _payment_id(client, payment_mapping, key)  # settled already: nothing to do
        raise SettlementRefused("That statement item is not waiting to be matched.")
    entry_ids = [entry_id for entry_id, _ in allocations]
    entries = {
        e.record_id: e for e in read_open_entries(client, entry_mapping) if e.record_id in entry_ids
    }
    mine = _settled_by(client, link_mapping, key)
    problems = []
    for entry_id, amount in allocations:
        entry = entries.get(entry_id)
        if amount <= 0:
            problems.append(f"{entry_id}: the amount must be positive.")
        elif entry is None:
            problems.append(f"{entry_id}: the entry is not open.")
        elif amount > entry.open_amount + mine.get(entry_id, Decimal(0)):
            problems.append(f"{entry.document_number or entry_id}: more than its open amount.")
    if sum((amount for _, amount in allocations), Decimal(0)) > abs(item.amount):
        problems.append("The allocations add up to more than the payment.")
    if problems:
        raise SettlementRefused(" ".join(problems))

    if len(allocations) > MAX_ALLOCATIONS:
        raise SettlementRefused(f"At most {MAX_ALLOCATIONS} entries can be settled at once.")
    settled = _settled_per_entry(client, link_mapping, entry_ids)
    subrequests: list[dict[str, object]] = [
        {
            "method": "PATCH",
            "url": f"sobjects/{payment_mapping.object_name}/"
            f"{payment_mapping.api_field('end_to_end_id')}/{key}",
            "referenceId": "payment",
            "body": {
                payment_mapping.api_field("type"): "Incoming" if item.amount > 0 else "Outgoing",
                payment_mapping.api_field("amount"): str(abs(item.amount)),
                payment_mapping.api_field("currency"): item.currency,
                payment_mapping.api_field("status"): "Final",
                payment_mapping.api_field("payment_date"): item.booking_date.isoformat(),
                payment_mapping.api_field("counterparty_name"): item.counterparty_name[:140],
                payment_mapping.api_field("counterparty_iban"): item.counterparty_iban,
                payment_mapping.api_field("bank_statement_item"): item.record_id,
            },
        }
    ]
    for number, (entry_id, amount) in enumerate(allocations):
        subrequests.append(
            {
                "method": "PATCH",
                "url": f"sobjects/{link_mapping.object_name}/"
                f"{link_mapping.api_field('external_id')}/{entry_item_key(key, entry_id)}",
                "referenceId": f"link{number}",
                "body": {
                    link_mapping.api_field("entry"): entry_id,
                    link_mapping.api_field("payment"): "@{payment.id}",
                    link_mapping.api_field("amount"): str(amount),
                },
            }
        )
        entry = entries[entry_id]
        if entry.amount is not None:
            # Everything settled on the entry by other payments, plus this allocation: the same
            # answer however often the settlement is sent.
            others = settled.get(entry_id, Decimal(0)) - mine.get(entry_id, Decimal(0))
            open_amount = entry.amount - others - amount
        else:
            open_amount = entry.open_amount + mine.get(entry_id, Decimal(0)) - amount
        subrequests.append(
            {
                "method": "PATCH",
                "url": f"sobjects/{entry_mapping.object_name}/{entry_id}",
                "referenceId": f"entry{number}",
                "body": {
                    entry_mapping.api_field("open_amount"): str(open_amount),
                    entry_mapping.api_field("status"): "Balanced" if open_amount <= 0 else "Open",
                },
            }
        )
    subrequests.append(
        {
            "method": "PATCH",
            "url": f"sobjects/{item_mapping.object_name}/{item.record_id}",
            "referenceId": "item",
            "body": {
                item_mapping.api_field("match_status"): "Matched",
                item_mapping.api_field("payment"): "@{payment.id}",
            },
        }
    )
    # One all-or-none call: the payment, its entry items, the entries and the item change
    # together or not at all.
    bodies = client.composite(subrequests)
    payment = bodies[0]
    return (
        str(payment["id"])
        if isinstance(payment, dict)
        else _payment_id(client, payment_mapping, key)
    )


@dataclass(frozen=True)
class BulkOutcome:
    settled: int
    problems: tuple[str, ...]


def settle_many(
    *,
    client: SalesforceClient,
    tenant: Tenant,
    requests: Sequence[tuple[str, Sequence[tuple[str, Decimal]]]],
) -> BulkOutcome:
    """Settle several statement items; one refused item does not stop the others."""
    settled = 0
    problems = []
    for statement_item_id, allocations in requests:
        try:
            settle(
                client=client,
                tenant=tenant,
                statement_item_id=statement_item_id,
                allocations=allocations,
            )
        except SettlementRefused as error:
            problems.append(f"{statement_item_id}: {error}")
        else:
            settled += 1
    return BulkOutcome(settled=settled, problems=tuple(problems))


def encode_allocations(allocations: Sequence[matching.Allocation]) -> str:
    """A suggestion's allocations as one form value: ``entry:amount,entry:amount``."""
    return ",".join(f"{a.open_item_id}:{a.amount}" for a in allocations)


def decode_allocations(value: str) -> list[tuple[str, Decimal]]:
    """Raises SettlementRefused for anything but ``entry:amount`` pairs."""
    try:
        pairs = [part.split(":", 1) for part in value.split(",") if part]
        return [(entry_id, Decimal(amount)) for entry_id, amount in pairs]
    except (ValueError, ArithmeticError) as error:
        raise SettlementRefused("The selection could not be read.") from error


def reject(
    *, client: SalesforceClient, tenant: Tenant, statement_item_id: str, entry_ids: Sequence[str]
) -> None:
    """Remember in Salesforce that these entries are not what the item pays."""
    _check_ids([statement_item_id, *entry_ids])
    mapping = mapping_for(tenant, "bank_statement_item")
    item = _waiting_item(client, mapping, statement_item_id)
    if item is None:
        raise SettlementRefused("That statement item is not waiting to be matched.")
    rejected = " ".join(sorted(item.rejected_entry_ids | set(entry_ids)))
    client.update(
        mapping.object_name,
        [{"Id": item.record_id, mapping.api_field("rejected_entries"): rejected}],
    )


def _check_ids(record_ids: Sequence[str]) -> None:
    """Record IDs come from the browser and end up in SOQL: only Salesforce IDs pass."""
    for record_id in record_ids:
        try:
            normalize_salesforce_id(record_id)
        except InvalidSalesforceId as error:
            raise SettlementRefused("That is not a Salesforce record ID.") from error


def _waiting_item(
    client: SalesforceClient, mapping: ObjectMapping, record_id: str
) -> StatementItemRecord | None:
    return next(iter(read_unmatched_statement_items(client, mapping, record_ids=[record_id])), None)


def _sums(client: SalesforceClient, mapping: ObjectMapping, where: str) -> dict[str, Decimal]:
    soql = (
        f"SELECT {mapping.api_field('entry')}, {mapping.api_field('amount')} "  # noqa: S608
        f"FROM {mapping.object_name} WHERE {where}"
    )
    found: dict[str, Decimal] = {}
    for row in client.query(soql):
        entry_id = row[mapping.api_field("entry")]
        found[entry_id] = found.get(entry_id, Decimal(0)) + Decimal(
            str(row[mapping.api_field("amount")])
        )
    return found


def _settled_by(client: SalesforceClient, mapping: ObjectMapping, key: str) -> dict[str, Decimal]:
    """What a payment already settled, per entry (keys are plain identifiers and digits)."""
    return _sums(client, mapping, f"{mapping.api_field('external_id')} LIKE '{key}-%'")


def _settled_per_entry(
    client: SalesforceClient, mapping: ObjectMapping, entry_ids: Sequence[str]
) -> dict[str, Decimal]:
    quoted = ", ".join(f"'{entry_id}'" for entry_id in entry_ids if entry_id.isalnum())
    return _sums(client, mapping, f"{mapping.api_field('entry')} IN ({quoted})")


def _payment_id(client: SalesforceClient, mapping: ObjectMapping, key: str) -> str:
    soql = (
        f"SELECT Id FROM {mapping.object_name} "  # noqa: S608
        f"WHERE {mapping.api_field('end_to_end_id')} = '{key}'"
    )
    return str(next(iter(client.query(soql)))["Id"])
