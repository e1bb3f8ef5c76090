"""Payment runs in Salesforce: the entries due for payment, and the Payments a run sends.

The one place with the SOQL of payment runs. Reads give typed records (``Decimal`` money, real
dates); writes go by external ID (a Payment's end-to-end ID, an Entry Item's
``<end-to-end ID>-<entry ID>``) in all-or-none Composite calls, each holding whole transactions
(Payment, Entry Item, the entry's open amount), so a retried write never duplicates anything
and never leaves a Payment without its link.

A Pending Payment's Entry Item settles its entry at once (the open amount drops), as settlement
does; a rejection zeroes the item and reopens the entry, as a reversal does
(``settlement/own_payments.py``), so an entry is never picked twice while its money is on the way.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from banking.formats.end_to_end_id import parse_end_to_end_id
from portal.salesforce.client import SalesforceClient
from portal.salesforce.errors import SalesforceRequestError
from portal.salesforce.mapping import ObjectMapping
from portal.salesforce.records import relationship_of

PENDING = "Pending"
REJECTED = "Rejected"
OUTGOING = "Outgoing"
INCOMING = "Incoming"
SCHEMES = ("CORE", "B2B")
SEQUENCE_TYPES = ("FRST", "RCUR", "OOFF", "FNAL")
# Salesforce's Composite resource takes at most 25 subrequests; a transaction needs three.
_TRANSACTIONS_PER_CALL = 8
# SOQL's IN list is kept short; Salesforce limits the query's length.
_CHUNK = 200


class UnreadablePaymentRecord(SalesforceRequestError):
    """A due entry holds a value of the wrong kind (names the record and field)."""


@dataclass(frozen=True)
class Counterparty:
    """Whose account the money goes to (payables) or comes from (direct debits)."""

    name: str
    iban: str
    bic: str | None


@dataclass(frozen=True)
class MandateRecord:
    reference: str
    signed_on: date
    scheme: str
    sequence_type: str


@dataclass(frozen=True)
class DueEntry:
    """An entry a payment run may pay (payable) or collect (direct-debit receivable).

    ``previous_attempt`` is the highest attempt number among the entry's earlier payments with
    Ledgerlink end-to-end IDs (0 when none), so a new payment gets a new, unique ID.
    """

    record_id: str
    account_id: str | None
    account_name: str
    document_number: str
    due_date: date | None
    amount: Decimal
    open_amount: Decimal
    currency: str
    payment_reference: str | None
    counterparty: Counterparty | None
    mandate: MandateRecord | None
    previous_attempt: int


@dataclass(frozen=True)
class DueEntries:
    """What a run may pay; ``left_out`` says, per entry ID, why a candidate was not taken."""

    payables: tuple[DueEntry, ...]
    direct_debits: tuple[DueEntry, ...]
    left_out: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PaymentMappings:
    """Where the concepts a payment run touches live in the org."""

    entry: ObjectMapping
    payment: ObjectMapping
    entry_item: ObjectMapping
    payment_instrument: ObjectMapping


@dataclass(frozen=True)
class NewPayment:
    """A Payment to record as Pending once the bank accepted the order holding it."""

    end_to_end_id: str
    entry_id: str
    account_id: str | None
    is_outgoing: bool
    amount: Decimal
    currency: str
    payment_date: date
    counterparty: Counterparty


def _soql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _decimal(raw: Any, where: str) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation as error:
        raise UnreadablePaymentRecord(f"{where}: {raw!r} is not an amount.") from error


def _date(raw: Any, where: str) -> date | None:
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(str(raw)[:10])
    except ValueError as error:
        raise UnreadablePaymentRecord(f"{where}: {raw!r} is not a date.") from error


def _text(raw: Any) -> str:
    return "" if raw is None else str(raw).strip()


def _instrument_fields(instruments: ObjectMapping) -> tuple[str, ...]:
    names = ("account_holder", "iban", "bic", "mandate_reference", "signing_date")
    return tuple(
        instruments.api_field(name)
        for name in (*names, "scheme", "sequence_type", "active", "valid_until")
    )


def _entry_soql(mappings: PaymentMappings, condition: str, due_on: date) -> str:
    entries, instruments = mappings.entry, mappings.payment_instrument
    account = relationship_of(entries.api_field("account"))
    instrument = relationship_of(entries.api_field("payment_instrument"))
    fields = [
        "Id",
        entries.api_field("account"),
        f"{account}.Name",
        entries.api_field("document_number"),
        entries.api_field("due_date"),
        entries.api_field("amount"),
        entries.api_field("open_amount"),
        entries.api_field("currency"),
        entries.api_field("payment_reference"),
        entries.api_field("payment_instrument"),
        *(f"{instrument}.{name}" for name in _instrument_fields(instruments)),
    ]
    # API names in a mapping are checked to be plain identifiers, so this is safe.
    return (
        f"SELECT {', '.join(fields)} FROM {entries.object_name} "  # noqa: S608
        f"WHERE {entries.api_field('status')} = 'Open' "
        f"AND {entries.api_field('exclude_from_payment_run')} != true "
        f"AND {entries.api_field('open_amount')} > 0 "
        f"AND {entries.api_field('due_date')} <= {due_on.isoformat()} "
        f"AND {condition} "
        f"ORDER BY {entries.api_field('due_date')} ASC, Id ASC"
    )


def _instrument(
    row: Mapping[str, Any] | None, instruments: ObjectMapping, *, on: date
) -> tuple[Counterparty | None, MandateRecord | None, bool]:
    """(counterparty, valid mandate, is active) of a Payment Instrument row."""
    if not row:
        return None, None, False
    value = {name: row.get(instruments.api_field(name)) for name in instruments.fields}
    valid_until = _date(value["valid_until"], "payment instrument valid until")
    is_active = bool(value["active"]) and (valid_until is None or valid_until >= on)
    iban = _text(value["iban"]).replace(" ", "").upper()
    counterparty = (
        Counterparty(
            name=_text(value["account_holder"]), iban=iban, bic=_text(value["bic"]) or None
        )
        if iban
        else None
    )
    signed_on = _date(value["signing_date"], "payment instrument signing date")
    scheme = _text(value["scheme"]).upper()
    sequence_type = _text(value["sequence_type"]).upper()
    reference = _text(value["mandate_reference"])
    mandate = (
        MandateRecord(reference, signed_on, scheme, sequence_type)
        if reference and signed_on and scheme in SCHEMES and sequence_type in SEQUENCE_TYPES
        else None
    )
    return counterparty, mandate, is_active


def _due_entry(
    row: Mapping[str, Any],
    mappings: PaymentMappings,
    counterparty: Counterparty | None,
    mandate: MandateRecord | None,
) -> DueEntry:
    entries = mappings.entry
    record_id = str(row["Id"])
    account = row.get(relationship_of(entries.api_field("account"))) or {}
    open_amount = _decimal(row.get(entries.api_field("open_amount")), f"{record_id}.open_amount")
    amount = _decimal(row.get(entries.api_field("amount")), f"{record_id}.amount")
    account_name = _text(account.get("Name"))
    if counterparty is not None and not counterparty.name:
        counterparty = Counterparty(account_name, counterparty.iban, counterparty.bic)
    return DueEntry(
        record_id=record_id,
        account_id=row.get(entries.api_field("account")),
        account_name=account_name,
        document_number=_text(row.get(entries.api_field("document_number"))),
        due_date=_date(row.get(entries.api_field("due_date")), f"{record_id}.due_date"),
        amount=amount if amount is not None else open_amount or Decimal(0),
        open_amount=open_amount or Decimal(0),
        currency=_text(row.get(entries.api_field("currency"))) or "EUR",
        payment_reference=_text(row.get(entries.api_field("payment_reference"))) or None,
        counterparty=counterparty,
        mandate=mandate,
        previous_attempt=0,
    )


def _supplier_accounts(
    client: SalesforceClient, instruments: ObjectMapping, account_ids: Sequence[str], on: date
) -> dict[str, Counterparty]:
    """The bank account of each supplier: its active Payment Instrument with an IBAN."""
    found: dict[str, Counterparty] = {}
    account_field = instruments.api_field("account")
    for chunk in _chunks(sorted(set(account_ids))):
        soql = (
            f"SELECT Id, {account_field}, {', '.join(_instrument_fields(instruments))} "  # noqa: S608
            f"FROM {instruments.object_name} "
            f"WHERE {account_field} IN ({', '.join(_soql_string(a) for a in chunk)}) "
            f"ORDER BY {instruments.api_field('signing_date')} DESC NULLS LAST, Id ASC"
        )
        for row in client.query(soql):
            counterparty, _, is_active = _instrument(row, instruments, on=on)
            if counterparty is not None and is_active:
                found.setdefault(str(row[account_field]), counterparty)
    return found


def _earlier_payments(
    client: SalesforceClient, mappings: PaymentMappings, entry_ids: Sequence[str]
) -> tuple[dict[str, int], set[str]]:
    """Per entry: the highest attempt of its Ledgerlink payments; and entries with one Pending."""
    items, payments = mappings.entry_item, mappings.payment
    entry_field = items.api_field("entry")
    payment = relationship_of(items.api_field("payment"))
    e2e_field = f"{payment}.{payments.api_field('end_to_end_id')}"
    status_field = f"{payment}.{payments.api_field('status')}"
    attempts: dict[str, int] = {}
    pending: set[str] = set()
    for chunk in _chunks(sorted(set(entry_ids))):
        soql = (
            f"SELECT {entry_field}, {e2e_field}, {status_field} "  # noqa: S608
            f"FROM {items.object_name} "
            f"WHERE {entry_field} IN ({', '.join(_soql_string(e) for e in chunk)})"
        )
        for row in client.query(soql):
            entry_id = str(row[entry_field])
            parent = row.get(payment) or {}
            if parent.get(payments.api_field("status")) == PENDING:
                pending.add(entry_id)
            reference = parse_end_to_end_id(_text(parent.get(payments.api_field("end_to_end_id"))))
            if reference is not None and reference.record_id == entry_id:
                attempts[entry_id] = max(attempts.get(entry_id, 0), reference.attempt)
    return attempts, pending


def read_due_entries(
    client: SalesforceClient, mappings: PaymentMappings, *, due_on: date
) -> DueEntries:
    """Entries due for payment on or before ``due_on``.

    Payables: open, approved, not excluded from payment runs, open amount above zero, with the
    supplier's bank account from the entry's Payment Instrument or else the supplier's active
    one (a payable without any still comes, without a counterparty: the validation report
    shows it). Direct debits: open receivables marked Direct Debit, not excluded, not pending or
    rejected in approval, whose Payment Instrument is active on ``due_on`` and holds a mandate
    (reference, signing date, scheme CORE or B2B, sequence type); others are ``left_out``.
    Entries with a Pending payment are left out too: their money is on its way.

    Raises the client's SalesforceError, or UnreadablePaymentRecord for a malformed value.
    """
    entries = mappings.entry
    direction, approval = entries.api_field("direction"), entries.api_field("approval_status")
    instrument = relationship_of(entries.api_field("payment_instrument"))
    left_out: list[tuple[str, str]] = []

    payable_rows = list(
        client.query(
            _entry_soql(mappings, f"{direction} = 'Payable' AND {approval} = 'Approved'", due_on)
        )
    )
    payable_pairs = []
    for row in payable_rows:
        counterparty, _, is_active = _instrument(
            row.get(instrument), mappings.payment_instrument, on=due_on
        )
        payable_pairs.append((row, counterparty if is_active else None))
    without_account = [
        str(row.get(entries.api_field("account")))
        for row, counterparty in payable_pairs
        if counterparty is None and row.get(entries.api_field("account"))
    ]
    suppliers = _supplier_accounts(client, mappings.payment_instrument, without_account, due_on)
    payables = [
        _due_entry(
            row,
            mappings,
            counterparty or suppliers.get(str(row.get(entries.api_field("account")))),
            None,
        )
        for row, counterparty in payable_pairs
    ]

    direct_debits = []
    for row in client.query(
        _entry_soql(
            mappings,
            f"{direction} = 'Receivable' AND {entries.api_field('direct_debit')} = true "
            f"AND {approval} NOT IN ('Pending', 'Rejected')",
            due_on,
        )
    ):
        counterparty, mandate, is_active = _instrument(
            row.get(instrument), mappings.payment_instrument, on=due_on
        )
        if not is_active or mandate is None or counterparty is None:
            left_out.append((str(row["Id"]), "no active Payment Instrument with a valid mandate"))
            continue
        direct_debits.append(_due_entry(row, mappings, counterparty, mandate))

    attempts, pending = _earlier_payments(
        client, mappings, [entry.record_id for entry in (*payables, *direct_debits)]
    )
    left_out.extend((entry_id, "a payment of it is still Pending") for entry_id in sorted(pending))

    def finish(found: list[DueEntry]) -> tuple[DueEntry, ...]:
        return tuple(
            _with_attempt(entry, attempts.get(entry.record_id, 0))
            for entry in found
            if entry.record_id not in pending
        )

    return DueEntries(
        payables=finish(payables), direct_debits=finish(direct_debits), left_out=tuple(left_out)
    )


def _with_attempt(entry: DueEntry, attempt: int) -> DueEntry:
    return DueEntry(**{**entry.__dict__, "previous_attempt": attempt})


# -- writes ----------------------------------------------------------------------------------


def entry_item_key(end_to_end_id: str, entry_id: str) -> str:
    """The external ID of the Entry Item linking a run's payment to its entry."""
    # No "/": the key travels in the upsert URL.
    return f"{end_to_end_id}-{entry_id}"


def _existing_items(
    client: SalesforceClient, items: ObjectMapping, keys: Sequence[str]
) -> set[str]:
    found: set[str] = set()
    field = items.api_field("external_id")
    for chunk in _chunks(keys):
        soql = (
            f"SELECT {field} FROM {items.object_name} "  # noqa: S608
            f"WHERE {field} IN ({', '.join(_soql_string(key) for key in chunk)})"
        )
        found.update(str(row[field]) for row in client.query(soql))
    return found


def _open_amounts(
    client: SalesforceClient, entries: ObjectMapping, entry_ids: Sequence[str]
) -> dict[str, Decimal]:
    field = entries.api_field("open_amount")
    found: dict[str, Decimal] = {}
    for chunk in _chunks(sorted(set(entry_ids))):
        soql = (
            f"SELECT Id, {field} FROM {entries.object_name} "  # noqa: S608
            f"WHERE Id IN ({', '.join(_soql_string(e) for e in chunk)})"
        )
        for row in client.query(soql):
            found[str(row["Id"])] = _decimal(row.get(field), f"{row['Id']}.open_amount") or Decimal(
                0
            )
    return found


def write_pending_payments(
    client: SalesforceClient, mappings: PaymentMappings, payments: Sequence[NewPayment]
) -> int:
    """Record payments the bank accepted as Pending, each linked to its entry; returns how many
    were new.

    Per payment: upsert the Payment by end-to-end ID, upsert its Entry Item, lower the entry's
    open amount, all in one all-or-none call with up to eight payments. A payment whose Entry
    Item exists already was written before (a retry) and is skipped, so the open amount is
    never lowered twice. Raises the client's SalesforceError; calls before stay written.
    """
    keys = [entry_item_key(p.end_to_end_id, p.entry_id) for p in payments]
    done = _existing_items(client, mappings.entry_item, keys)
    waiting = [p for p, key in zip(payments, keys, strict=True) if key not in done]
    if not waiting:
        return 0
    open_amounts = _open_amounts(client, mappings.entry, [p.entry_id for p in waiting])
    for start in range(0, len(waiting), _TRANSACTIONS_PER_CALL):
        subrequests: list[dict[str, Any]] = []
        for number, payment in enumerate(waiting[start : start + _TRANSACTIONS_PER_CALL]):
            remaining = open_amounts.get(payment.entry_id, payment.amount) - payment.amount
            open_amounts[payment.entry_id] = remaining
            subrequests.extend(_pending_subrequests(mappings, payment, number, remaining))
        client.composite(subrequests)
    return len(waiting)


def _pending_subrequests(
    mappings: PaymentMappings, payment: NewPayment, number: int, remaining: Decimal
) -> list[dict[str, Any]]:
    pay, item, entry = mappings.payment, mappings.entry_item, mappings.entry
    reference = f"payment{number}"
    body = {
        pay.api_field("type"): OUTGOING if payment.is_outgoing else INCOMING,
        pay.api_field("amount"): str(payment.amount),
        pay.api_field("currency"): payment.currency,
        pay.api_field("status"): PENDING,
        pay.api_field("payment_date"): payment.payment_date.isoformat(),
        pay.api_field("counterparty_name"): payment.counterparty.name[:255],
        pay.api_field("counterparty_iban"): payment.counterparty.iban,
        pay.api_field("counterparty_bic"): payment.counterparty.bic,
    }
    if payment.account_id:
        body[pay.api_field("account")] = payment.account_id
    key = entry_item_key(payment.end_to_end_id, payment.entry_id)
    return [
        {
            "method": "PATCH",
            "url": f"sobjects/{pay.object_name}/{pay.api_field('end_to_end_id')}/"
            f"{payment.end_to_end_id}",
            "referenceId": reference,
            "body": body,
        },
        {
            "method": "PATCH",
            "url": f"sobjects/{item.object_name}/{item.api_field('external_id')}/{key}",
            "referenceId": f"item{number}",
            "body": {
                item.api_field("entry"): payment.entry_id,
                item.api_field("payment"): f"@{{{reference}.id}}",
                item.api_field("amount"): str(payment.amount),
            },
        },
        {
            "method": "PATCH",
            "url": f"sobjects/{entry.object_name}/{payment.entry_id}",
            "referenceId": f"entry{number}",
            "body": {
                entry.api_field("open_amount"): str(remaining),
                entry.api_field("status"): "Balanced" if remaining <= 0 else "Open",
            },
        },
    ]


@dataclass(frozen=True)
class _Link:
    item_id: str
    entry_id: str
    amount: Decimal


def reject_payments(
    client: SalesforceClient, mappings: PaymentMappings, reasons: Mapping[str, str]
) -> int:
    """Move Pending Payments (by end-to-end ID) to Rejected with the bank's reason; returns how
    many moved.

    Each rejection is one all-or-none call: the Payment Rejected with its reason, its Entry
    Items set to zero (kept, so Salesforce shows what happened), its entries' open amounts
    raised by what the items had settled. Payments not Pending (unknown, or moved already) are
    left alone, so applying the same report twice changes nothing the second time.
    """
    pay, item, entry = mappings.payment, mappings.entry_item, mappings.entry
    e2e_field, status_field = pay.api_field("end_to_end_id"), pay.api_field("status")
    pending: dict[str, str] = {}
    for chunk in _chunks(sorted(reasons)):
        soql = (
            f"SELECT Id, {e2e_field}, {status_field} FROM {pay.object_name} "  # noqa: S608
            f"WHERE {e2e_field} IN ({', '.join(_soql_string(e) for e in chunk)})"
        )
        for row in client.query(soql):
            if row.get(status_field) == PENDING:
                pending[str(row[e2e_field])] = str(row["Id"])
    moved = 0
    for e2e, payment_id in sorted(pending.items()):
        links = [
            _Link(
                str(row["Id"]),
                str(row[item.api_field("entry")]),
                _decimal(row.get(item.api_field("amount")), f"{row['Id']}.amount") or Decimal(0),
            )
            for row in client.query(
                f"SELECT Id, {item.api_field('entry')}, {item.api_field('amount')} "  # noqa: S608
                f"FROM {item.object_name} "
                f"WHERE {item.api_field('payment')} = {_soql_string(payment_id)}"
            )
        ]
        open_amounts = _open_amounts(client, entry, [link.entry_id for link in links])
        subrequests: list[dict[str, Any]] = [
            {
                "method": "PATCH",
                "url": f"sobjects/{pay.object_name}/{payment_id}",
                "referenceId": "payment",
                "body": {
                    status_field: REJECTED,
                    pay.api_field("return_reason"): reasons[e2e][:255],
                },
            }
        ]
        for number, link in enumerate(links):
            open_amounts[link.entry_id] = open_amounts.get(link.entry_id, Decimal(0)) + link.amount
            subrequests.append(
                {
                    "method": "PATCH",
                    "url": f"sobjects/{item.object_name}/{link.item_id}",
                    "referenceId": f"item{number}",
                    "body": {item.api_field("amount"): "0"},
                }
            )
        for number, (entry_id, open_amount) in enumerate(sorted(open_amounts.items())):
            subrequests.append(
                {
                    "method": "PATCH",
                    "url": f"sobjects/{entry.object_name}/{entry_id}",
                    "referenceId": f"entry{number}",
                    "body": {
                        entry.api_field("open_amount"): str(open_amount),
                        entry.api_field("status"): "Balanced" if open_amount <= 0 else "Open",
                    },
                }
            )
        client.composite(subrequests)
        moved += 1
    return moved
