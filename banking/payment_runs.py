"""Payment runs: due entries from Salesforce to signed pain files at the bank, and back.

1. :func:`prepare_payment_run` reads the entries due on the execution date, builds one credit
   transfer order (pain.001) and one direct debit order per scheme (pain.008 CORE, B2B) for the
   chosen account, and checks every transaction (``find_problems``). The proposal is business
   data: it waits encrypted in the cache (``PAYMENT_PROPOSAL_SECONDS``), never in the database.
   The run itself (a ``BankJobRun``) holds only dates, counts and our own message and order IDs.
2. :func:`send_payment_run` refuses while a remaining transaction has a problem, then uploads
   each order. Message and end-to-end IDs come from the run, so the same order is the same file
   every time; each order's state is saved before and after its upload, so a retry skips what
   the bank accepted and never resends an order whose outcome is unknown. The accepted
   transactions are then written to Salesforce as Pending Payments.
3. :func:`apply_status_reports` downloads pain.002 reports and moves rejected Payments to
   Rejected with the bank's reason; accepted ones stay Pending until a statement books them.
"""

import contextlib
import pickle
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from banking import services
from banking.ebics.client import OrderFailed, UploadOutcomeUnknown
from banking.ebics.customer_protocol import trace_order
from banking.ebics.errors import EbicsError, TransportFailed
from banking.ebics.messages import DateRange, EbicsVersion
from banking.ebics.orders import UnsupportedOrder, payment_upload_order, statement_download_order
from banking.formats.container import unpack_download
from banking.formats.end_to_end_id import build_end_to_end_id
from banking.formats.errors import FormatError
from banking.formats.money import Money
from banking.formats.pain_writer import build_credit_transfer, build_direct_debit
from banking.formats.payment_order import (
    AccountHolder,
    CreditTransfer,
    CreditTransferOrder,
    DirectDebit,
    DirectDebitOrder,
    LocalInstrument,
    Mandate,
    SequenceType,
    derive_message_id,
)
from banking.formats.payment_validation import find_problems
from banking.formats.status_reasons import describe_reason
from banking.formats.status_report import parse_status_report
from banking.models import (
    BankAccount,
    BankConnection,
    BankJobRun,
    ConnectionStatus,
    JobKind,
    RunState,
)
from portal import encryption, progress
from portal.errors import PortalError
from portal.models import User
from portal.progress import State
from portal.salesforce import payments
from portal.salesforce.client import SalesforceClient
from portal.salesforce.errors import SalesforceError, SalesforceSessionExpired
from portal.salesforce.jobs import client_for_jobs
from portal.salesforce.services import mapping_for
from portal.services import record_audit

DEFAULT_PREFIX = "LL"
# A send still "running" after this long died with its process (uploads time out in minutes);
# another may take over, and the orders' own states say what reached the bank.
STALE_SENDING = timedelta(minutes=15)
CREDIT_TRANSFER = "pain.001"
DIRECT_DEBIT = "pain.008"


class PaymentRunRefused(services.StepRefused):
    """The run cannot go on as asked; the message says why and what to do."""


class ProposalExpired(PaymentRunRefused):
    """The proposal is gone from the cache (expired, or never this tenant's)."""


# Upload states of an order, kept in the run's parameters.
PREPARED = "prepared"
UPLOADING = "uploading"
ACCEPTED = "accepted"
UNKNOWN = "unknown"
REFUSED = "refused"


@dataclass(frozen=True)
class ProposedTransaction:
    """One payment of a proposal, with what Ledgerlink's checks found wrong with it."""

    entry_id: str
    account_id: str | None
    account_name: str
    document_number: str
    due_date: date | None
    end_to_end_id: str
    amount: Decimal
    currency: str
    counterparty: payments.Counterparty
    problems: tuple[str, ...]
    payment: CreditTransfer | DirectDebit


@dataclass(frozen=True)
class ProposedOrder:
    """One file to send: all credit transfers, or the direct debits of one scheme."""

    key: str
    kind: str
    scheme: LocalInstrument | None
    message_id: str
    transactions: tuple[ProposedTransaction, ...]
    problems: tuple[str, ...]

    @property
    def total(self) -> Decimal:
        return sum((t.amount for t in self.transactions), Decimal(0))

    @property
    def invalid(self) -> int:
        return sum(1 for t in self.transactions if t.problems)

    @property
    def label(self) -> str:
        return (
            "Credit transfers (pain.001)"
            if self.scheme is None
            else f"{self.scheme} direct debits (pain.008)"
        )


@dataclass(frozen=True)
class Proposal:
    """What a run would send; kept only in the cache, encrypted."""

    run_id: int
    tenant_id: int
    execution_date: date
    account_iban: str
    orders: tuple[ProposedOrder, ...]
    left_out: tuple[tuple[str, str], ...]
    # Fixed at the first send, so a retry sends exactly what the first attempt meant to.
    excluded: frozenset[str] | None = None

    @property
    def transactions(self) -> int:
        return sum(len(order.transactions) for order in self.orders)


@dataclass(frozen=True)
class SentRun:
    """The outcome of sending: per order key its state and the bank's order ID."""

    run_id: int
    orders: tuple[tuple[str, str, str], ...]
    payments_written: int


# -- the cache -------------------------------------------------------------------------------


def _proposal_key(run: BankJobRun) -> str:
    return f"payment-run:{run.job_id}:proposal"


def _keep(run: BankJobRun, proposal: Proposal, *, sending: bool = False) -> None:
    """Keep the proposal; once sending began, for ``PAYMENT_SENDING_SECONDS``, so that a send
    retried after a crash (a worker's task comes back only after the broker's visibility
    timeout) still finds what it must record in Salesforce."""
    sealed = encryption.encrypt(pickle.dumps(proposal))
    seconds = settings.PAYMENT_SENDING_SECONDS if sending else settings.PAYMENT_PROPOSAL_SECONDS
    cache.set(_proposal_key(run), sealed, timeout=seconds)


def load_proposal(run: BankJobRun) -> Proposal | None:
    """The run's proposal while the cache keeps it, else None."""
    sealed = cache.get(_proposal_key(run))
    if not isinstance(sealed, str):
        return None
    # Only this process's encryption key can have made the token, so unpickling is safe.
    proposal: Proposal = pickle.loads(encryption.decrypt(sealed))  # noqa: S301
    return proposal if proposal.run_id == run.pk and proposal.tenant_id == run.tenant_id else None


# -- guards ----------------------------------------------------------------------------------


def _check_actor(actor: User, connection: BankConnection) -> None:
    if connection.tenant_id != actor.tenant_id:
        raise PaymentRunRefused("That connection belongs to another organisation.")
    if connection.is_locked_to_creator and connection.created_by_id != actor.pk:
        raise PaymentRunRefused("Only the person who created this connection may use it.")
    if connection.status != ConnectionStatus.ACTIVE:
        raise PaymentRunRefused("Only an active connection sends payments.")


def payment_accounts(connection: BankConnection) -> list[BankAccount]:
    """The accounts a run may pay from and collect to: the selected ones with an IBAN."""
    return [a for a in connection.accounts.all() if a.is_selected and a.iban]


def _run_for(actor: User, run_id: int) -> BankJobRun:
    run = (
        BankJobRun.objects.select_related("connection", "tenant")
        .filter(pk=run_id, tenant=actor.tenant, kind=JobKind.PAYMENT_RUN)
        .first()
    )
    if run is None or run.connection is None:
        raise PaymentRunRefused("There is no such payment run.")
    return run


def _connection_of(run: BankJobRun) -> BankConnection:
    if run.connection is None:
        raise PaymentRunRefused("The run's connection no longer exists.")
    return run.connection


def _mappings(connection: BankConnection) -> payments.PaymentMappings:
    tenant = connection.tenant
    return payments.PaymentMappings(
        entry=mapping_for(tenant, "entry"),
        payment=mapping_for(tenant, "payment"),
        entry_item=mapping_for(tenant, "entry_item"),
        payment_instrument=mapping_for(tenant, "payment_instrument"),
    )


# -- preparing -------------------------------------------------------------------------------


def _holder(entry: payments.DueEntry) -> AccountHolder:
    party = entry.counterparty
    if party is None:
        return AccountHolder(name=entry.account_name, iban="", bic=None)
    return AccountHolder(name=party.name, iban=party.iban, bic=party.bic)


def _remittance(entry: payments.DueEntry) -> tuple[str | None, str | None]:
    """(free text, RF creditor reference): an RF reference goes structured, else the number."""
    reference = entry.payment_reference or ""
    if reference.upper().startswith("RF"):
        return None, reference.replace(" ", "").upper()
    text = " ".join(part for part in (entry.document_number, reference) if part)
    return (text[:140] or None), None


def _credit_transfer(entry: payments.DueEntry, e2e: str) -> CreditTransfer:
    text, reference = _remittance(entry)
    return CreditTransfer(
        end_to_end_id=e2e,
        amount=Money(entry.open_amount, entry.currency),
        creditor=_holder(entry),
        remittance_information=text,
        creditor_reference=reference,
    )


def _direct_debit(entry: payments.DueEntry, e2e: str) -> DirectDebit:
    text, reference = _remittance(entry)
    mandate = entry.mandate
    if mandate is None:  # read_due_entries only yields direct debits with a mandate
        raise PaymentRunRefused(f"Entry {entry.record_id} has no mandate.")
    sequence_type: SequenceType = mandate.sequence_type  # type: ignore[assignment]
    return DirectDebit(
        end_to_end_id=e2e,
        amount=Money(entry.open_amount, entry.currency),
        debtor=_holder(entry),
        mandate=Mandate(mandate_id=mandate.reference, signed_on=mandate.signed_on),
        sequence_type=sequence_type,
        remittance_information=text,
        creditor_reference=reference,
    )


@dataclass(frozen=True)
class _Header:
    """What every order of a run shares, all derived from the run so files are reproducible."""

    run: BankJobRun
    account: AccountHolder
    initiating_party: str
    execution_date: date
    creditor_id: str
    batch_booking: bool

    def message_id(self, key: str) -> str:
        return derive_message_id("LL", f"{self.run.tenant.org_id}/{self.run.job_id}/{key}")

    def payment_information_id(self, key: str) -> str:
        return derive_message_id("PI", f"{self.run.tenant.org_id}/{self.run.job_id}/{key}")


def _pain_order(
    header: _Header, order: ProposedOrder, transactions: Sequence[ProposedTransaction]
) -> CreditTransferOrder | DirectDebitOrder:
    message_id = order.message_id
    information_id = header.payment_information_id(order.key)
    if order.scheme is None:
        return CreditTransferOrder(
            message_id=message_id,
            payment_information_id=information_id,
            created_at=header.run.created_at,
            initiating_party=header.initiating_party,
            debtor=header.account,
            requested_execution_date=header.execution_date,
            transactions=tuple(
                t.payment for t in transactions if isinstance(t.payment, CreditTransfer)
            ),
            batch_booking=header.batch_booking,
        )
    return DirectDebitOrder(
        message_id=message_id,
        payment_information_id=information_id,
        created_at=header.run.created_at,
        initiating_party=header.initiating_party,
        creditor=header.account,
        creditor_id=header.creditor_id,
        requested_collection_date=header.execution_date,
        local_instrument=order.scheme,
        transactions=tuple(t.payment for t in transactions if isinstance(t.payment, DirectDebit)),
        batch_booking=header.batch_booking,
    )


def _checked(header: _Header, order: ProposedOrder, today: date) -> ProposedOrder:
    """The order with every problem ``find_problems`` reports, by transaction and for the file."""
    problems = find_problems(_pain_order(header, order, order.transactions), today=today)
    by_index: dict[int, list[str]] = {}
    for problem in problems:
        if problem.transaction_index is not None:
            by_index.setdefault(problem.transaction_index, []).append(
                f"{problem.field} {problem.message}"
            )
    own = tuple(
        f"{problem.field} {problem.message}"
        for problem in problems
        if problem.transaction_index is None and problem.field != "transactions"
    )
    transactions = tuple(
        replace(t, problems=(*t.problems, *by_index.get(index, ())))
        for index, t in enumerate(order.transactions)
    )
    return replace(order, transactions=transactions, problems=own)


def _proposed(
    entries: Iterable[payments.DueEntry], prefix: str, *, direct_debit: bool
) -> list[ProposedTransaction]:
    found: list[ProposedTransaction] = []
    for entry in entries:
        e2e = build_end_to_end_id(prefix, entry.record_id, entry.previous_attempt + 1)
        own: tuple[str, ...] = ()
        if entry.counterparty is None:
            own = ("the supplier has no active Payment Instrument (bank account) in Salesforce",)
        found.append(
            ProposedTransaction(
                entry_id=entry.record_id,
                account_id=entry.account_id,
                account_name=entry.account_name,
                document_number=entry.document_number,
                due_date=entry.due_date,
                end_to_end_id=e2e,
                amount=entry.open_amount,
                currency=entry.currency,
                counterparty=entry.counterparty
                or payments.Counterparty(name=entry.account_name, iban="", bic=None),
                problems=own,
                payment=_direct_debit(entry, e2e) if direct_debit else _credit_transfer(entry, e2e),
            )
        )
    return found


def _header(run: BankJobRun, account: BankAccount) -> _Header:
    return _Header(
        run=run,
        account=AccountHolder(
            name=run.tenant.name[:70], iban=account.iban, bic=account.bic or None
        ),
        initiating_party=run.tenant.name[:70],
        execution_date=date.fromisoformat(run.parameters["execution_date"]),
        creditor_id=run.parameters.get("creditor_id", ""),
        batch_booking=bool(run.parameters.get("batch_booking", True)),
    )


def unrecorded_runs(connection: BankConnection) -> list[BankJobRun]:
    """Runs of the connection with orders that may be at the bank while their Payments are not
    in Salesforce yet. Their entries still look due, so another run would pay them again."""
    runs = BankJobRun.objects.filter(connection=connection, kind=JobKind.PAYMENT_RUN).exclude(
        state__in=(RunState.DONE, RunState.CANCELLED)
    )
    return [
        run
        for run in runs
        if any(
            order["state"] in (UPLOADING, UNKNOWN, ACCEPTED) and not order["payments_written"]
            for order in run.parameters.get("orders", {}).values()
        )
    ]


def _check_request(
    actor: User,
    connection: BankConnection,
    account: BankAccount,
    execution_date: date,
    prefix: str,
    now: datetime,
    *,
    run: BankJobRun | None = None,
) -> None:
    _check_actor(actor, connection)
    pending = [other for other in unrecorded_runs(connection) if other != run]
    if pending:
        raise PaymentRunRefused(
            f"Payment run {pending[0].pk} has orders at the bank whose Payments are not recorded "
            "in Salesforce yet; their entries still look due. Send that run again to record "
            "them (or settle it on its page) before preparing another, so nothing is paid twice."
        )
    if account.connection_id != connection.pk or account not in payment_accounts(connection):
        raise PaymentRunRefused("Choose one of the connection's selected accounts.")
    if not prefix.isalnum() or not prefix.isupper() or len(prefix) > 10:
        raise PaymentRunRefused("The end-to-end prefix is 1 to 10 upper-case letters or digits.")
    if execution_date < now.date():
        raise PaymentRunRefused("The execution date lies in the past.")


def _create_run(
    *,
    actor: User,
    connection: BankConnection,
    execution_date: date,
    account: BankAccount,
    creditor_id: str,
    prefix: str,
    scheduled_for: date | None = None,
    preparing: bool = False,
) -> BankJobRun:
    job = progress.start(kind=JobKind.PAYMENT_RUN.value, user=actor)
    run = BankJobRun.objects.create(
        tenant=actor.tenant,
        connection=connection,
        kind=JobKind.PAYMENT_RUN,
        started_by=actor,
        parameters={
            "execution_date": execution_date.isoformat(),
            "account": account.pk,
            "creditor_id": creditor_id.replace(" ", "").upper(),
            "prefix": prefix,
            # As agreed with the bank for the account; fixed with the run, so files reproduce.
            "batch_booking": account.batch_booking,
            "orders": {},
            "preparing": preparing,
        },
        job_id=job.job_id,
        scheduled_for=scheduled_for,
    )
    run.refresh_from_db(fields=["created_at"])
    return run


def _propose(actor: User, run: BankJobRun, due: payments.DueEntries, now: datetime) -> Proposal:
    """Build the run's orders from what is due, record their IDs and counts, keep the proposal.

    The same run always gives the same message and end-to-end IDs, so proposing again (after
    the proposal expired, or when a worker runs the preparation twice) changes no ID.
    """
    connection = _connection_of(run)
    account = BankAccount.objects.get(pk=run.parameters["account"], connection=connection)
    header = _header(run, account)
    prefix = run.parameters["prefix"]
    candidates: list[tuple[str, LocalInstrument | None, list[ProposedTransaction]]] = [
        (CREDIT_TRANSFER, None, _proposed(due.payables, prefix, direct_debit=False))
    ]
    schemes: tuple[LocalInstrument, ...] = ("CORE", "B2B")
    for scheme in schemes:
        chosen = [e for e in due.direct_debits if e.mandate and e.mandate.scheme == scheme]
        candidates.append((DIRECT_DEBIT, scheme, _proposed(chosen, prefix, direct_debit=True)))
    orders = []
    for kind, order_scheme, transactions in candidates:
        if not transactions:
            continue
        key = kind if order_scheme is None else f"{kind}-{order_scheme}"
        order = ProposedOrder(
            key=key,
            kind=kind,
            scheme=order_scheme,
            message_id=header.message_id(key),
            transactions=tuple(transactions),
            problems=(),
        )
        orders.append(_checked(header, order, now.date()))
    proposal = Proposal(
        run_id=run.pk,
        tenant_id=run.tenant_id,
        execution_date=header.execution_date,
        account_iban=account.iban,
        orders=tuple(orders),
        left_out=due.left_out,
    )
    with transaction.atomic():
        run.parameters["orders"] = {
            order.key: {
                "kind": order.kind,
                "scheme": order.scheme,
                "message_id": order.message_id,
                "transactions": len(order.transactions),
                "state": PREPARED,
                "order_id": "",
                "payments_written": False,
            }
            for order in orders
        }
        run.parameters["preparing"] = False
        run.counts = {
            "transactions": proposal.transactions,
            "invalid": sum(order.invalid for order in orders),
            "left_out": len(due.left_out),
        }
        if not orders:
            # Nothing is due: there is nothing to approve, and the run says so.
            run.state = RunState.DONE
            run.finished_at = now
        run.save(update_fields=["parameters", "counts", "state", "finished_at"])
        record_audit(
            tenant=run.tenant,
            actor=actor,
            action="payment_run.prepared",
            target=str(connection),
            changes={
                "run": run.pk,
                "execution_date": header.execution_date.isoformat(),
                **run.counts,
            },
        )
    _keep(run, proposal)
    return proposal


def prepare_payment_run(
    *,
    actor: User,
    connection: BankConnection,
    execution_date: date,
    account: BankAccount,
    salesforce: SalesforceClient,
    now: datetime,
    creditor_id: str = "",
    prefix: str = DEFAULT_PREFIX,
) -> Proposal:
    """Read what is due by ``execution_date`` and propose the orders for ``account``.

    ``creditor_id`` is the company's SEPA creditor identifier (needed for direct debits),
    ``prefix`` starts every end-to-end ID; batch booking is as the account is configured.
    Creates the run (queued, counts only) and keeps the
    proposal encrypted in the cache. Raises PaymentRunRefused, or the client's SalesforceError.
    """
    _check_request(actor, connection, account, execution_date, prefix, now)
    due = payments.read_due_entries(salesforce, _mappings(connection), due_on=execution_date)
    run = _create_run(
        actor=actor,
        connection=connection,
        execution_date=execution_date,
        account=account,
        creditor_id=creditor_id,
        prefix=prefix,
    )
    return _propose(actor, run, due, now)


def queue_preparation(
    *,
    actor: User,
    connection: BankConnection,
    execution_date: date,
    account: BankAccount,
    now: datetime,
    enqueue: Callable[[int], object],
    creditor_id: str = "",
    prefix: str = DEFAULT_PREFIX,
    scheduled_for: date | None = None,
) -> BankJobRun:
    """Like :func:`prepare_payment_run`, but the worker reads Salesforce; ``enqueue`` gets the ID.

    The run is Queued with ``preparing`` set until its proposal is kept. Raises
    PaymentRunRefused, and IntegrityError when the calendar prepared this day's run already.
    """
    _check_request(actor, connection, account, execution_date, prefix, now)
    with transaction.atomic():
        run = _create_run(
            actor=actor,
            connection=connection,
            execution_date=execution_date,
            account=account,
            creditor_id=creditor_id,
            prefix=prefix,
            scheduled_for=scheduled_for,
            preparing=True,
        )
        transaction.on_commit(lambda: enqueue(run.pk))
    return run


def prepare_in_worker(run_id: int) -> None:
    """The worker's side of :func:`queue_preparation`: read under the jobs' Salesforce access.

    A run whose orders went (partly) to the bank is never prepared again; anything else may be,
    as the IDs stay the same, so a redelivered task is harmless.
    """
    run = BankJobRun.objects.select_related("tenant", "connection", "started_by").get(pk=run_id)
    if run.state != RunState.QUEUED or run.started_by is None:
        return
    if any(order["state"] != PREPARED for order in run.parameters["orders"].values()):
        return
    now = datetime.now(UTC)
    try:
        progress.report(run.job_id, stage="Reading what is due from Salesforce", done=0, total=None)
        connection = _connection_of(run)
        _check_actor(run.started_by, connection)
        due = payments.read_due_entries(
            client_for_jobs(run.tenant),
            _mappings(connection),
            due_on=date.fromisoformat(run.parameters["execution_date"]),
        )
        progress.report(run.job_id, stage="Checking every transaction", done=0, total=None)
        _propose(run.started_by, run, due, now)
    except progress.JobCancelled:
        _end(run, RunState.CANCELLED, "", now)
        return
    except (PortalError, FormatError) as error:
        _fail(run, _failure_message(error), now)
        return
    ready = run.state == RunState.QUEUED
    progress.finish(
        run.job_id, state=State.DONE, stage="Ready for approval" if ready else "Nothing was due"
    )


def _failure_message(error: PortalError | FormatError) -> str:
    """What a run records of a failure: our own words and advice, or only Salesforce's error
    code (its message can quote a record's values, which must not reach the database)."""
    if isinstance(error, services.BankRefused):
        return f"{error} {error.advice}".strip()
    if isinstance(error, SalesforceError) and not isinstance(error, SalesforceSessionExpired):
        return f"Salesforce refused the work ({error.error_code or type(error).__name__})."
    return str(error)


def can_prepare_again(run: BankJobRun) -> bool:
    """Whether the run may read what is due again: not sent, not being prepared, not cancelled."""
    return (
        run.state in (RunState.QUEUED, RunState.FAILED)
        and not run.parameters.get("preparing")
        and all(order["state"] == PREPARED for order in run.parameters.get("orders", {}).values())
    )


def prepare_again(
    *, actor: User, run_id: int, salesforce: SalesforceClient, now: datetime
) -> Proposal:
    """Read what is due once more for a run whose proposal expired before anything was sent.

    Same run, same IDs; entries that became due meanwhile join, paid ones drop out. Raises
    PaymentRunRefused when an order of the run reached the bank or the date has passed.
    """
    run = _run_for(actor, run_id)
    connection = _connection_of(run)
    execution_date = date.fromisoformat(run.parameters["execution_date"])
    account = BankAccount.objects.filter(
        pk=run.parameters["account"], connection=connection
    ).first()
    if account is None:
        raise PaymentRunRefused("The run's account is no longer selected.")
    _check_request(
        actor, connection, account, execution_date, run.parameters["prefix"], now, run=run
    )
    if not can_prepare_again(run):
        raise PaymentRunRefused("Orders of this run reached the bank: prepare a new run instead.")
    due = payments.read_due_entries(salesforce, _mappings(connection), due_on=execution_date)
    run.state, run.error = RunState.QUEUED, ""
    run.save(update_fields=["state", "error"])
    return _propose(actor, run, due, now)


# -- sending ---------------------------------------------------------------------------------


def remaining_problems(proposal: Proposal, excluded: Iterable[str]) -> list[str]:
    """Every problem left once ``excluded`` entries are out, as sentences for the admin."""
    out = set(excluded)
    found: list[str] = []
    for order in proposal.orders:
        kept = [t for t in order.transactions if t.entry_id not in out]
        if not kept:
            continue
        found.extend(f"{order.label}: {problem}" for problem in order.problems)
        found.extend(
            f"{t.document_number or t.entry_id}: {problem}" for t in kept for problem in t.problems
        )
    return found


def invalid_entry_ids(proposal: Proposal) -> frozenset[str]:
    """Entries whose transaction has a problem, or sits in a file with a problem of its own."""
    return frozenset(
        t.entry_id
        for order in proposal.orders
        for t in order.transactions
        if t.problems or order.problems
    )


def _save_order(run: BankJobRun, key: str, **changes: object) -> None:
    """Save one order's state at once (committed), so a crash leaves the truth behind."""
    run.parameters["orders"][key].update(changes)
    run.save(update_fields=["parameters"])


def _upload(
    *,
    actor: User,
    run: BankJobRun,
    order: ProposedOrder,
    data: bytes,
    transactions: int,
    now: datetime,
) -> str:
    connection = _connection_of(run)
    try:
        upload = payment_upload_order(
            order.kind, order.scheme, EbicsVersion(connection.ebics_version)
        )
    except UnsupportedOrder as error:
        raise PaymentRunRefused(str(error)) from error
    client = services.ready_client(connection, now)
    _save_order(run, order.key, state=UPLOADING)
    try:
        receipt = client.upload(
            upload,
            data,
            # From here on the bank may have the order: a crash leaves it Unknown, not Prepared.
            before_last_segment=lambda order_id: _save_order(
                run, order.key, state=UNKNOWN, order_id=order_id
            ),
        )
    except UploadOutcomeUnknown as error:
        _save_order(run, order.key, state=UNKNOWN, order_id=error.order_id)
        if _settle_by_protocol(actor, run, order.key, now) == ACCEPTED:
            return str(run.parameters["orders"][order.key]["order_id"])
        raise PaymentRunRefused(
            f"The bank's answer to order {error.order_id or order.message_id} was lost: it may "
            "have been accepted. Check the bank's protocol (HAC/PTK) before sending it again; "
            "Ledgerlink will not resend it."
        ) from error
    except OrderFailed as error:
        _save_order(run, order.key, state=REFUSED)
        raise services.BankRefused(
            f"The bank refused {order.label}: {error.code} {error.description.message}",
            code=error.code,
            advice=error.description.advice,
        ) from error
    except TransportFailed as error:
        # The last segment never went out (that would be UploadOutcomeUnknown): not received.
        _save_order(run, order.key, state=PREPARED)
        raise services.BankRefused(
            f"The bank could not be reached: {error}",
            advice="Nothing was booked; send the run again in a few minutes.",
        ) from error
    except EbicsError as error:
        _save_order(run, order.key, state=UNKNOWN)
        raise PaymentRunRefused(
            f"The bank's answer could not be used ({error}); check its protocol before "
            "sending again."
        ) from error
    _save_order(run, order.key, state=ACCEPTED, order_id=receipt.order_id)
    record_audit(
        tenant=run.tenant,
        actor=actor,
        action="payment_run.order_sent",
        target=str(connection),
        changes={
            "run": run.pk,
            "kind": order.kind,
            "scheme": order.scheme or "",
            "message_id": order.message_id,
            "order_id": receipt.order_id,
            "transactions": transactions,
        },
    )
    return receipt.order_id


def _new_payments(
    order: ProposedOrder, transactions: Sequence[ProposedTransaction], execution_date: date
) -> list[payments.NewPayment]:
    return [
        payments.NewPayment(
            end_to_end_id=t.end_to_end_id,
            entry_id=t.entry_id,
            account_id=t.account_id,
            is_outgoing=order.scheme is None,
            amount=t.amount,
            currency=t.currency,
            payment_date=execution_date,
            counterparty=t.counterparty,
        )
        for t in transactions
    ]


def _begin_sending(actor: User, run_id: int, now: datetime, sender: str) -> BankJobRun:
    """Claim the run for ``sender``; refuses while another sender may still be at work.

    A sender that died leaves the run Running. Its claim lapses after STALE_SENDING, or at once
    for the same Celery task delivered again (the broker redelivers only a task whose worker
    is gone).
    """
    with transaction.atomic():
        run = _run_for(actor, run_id)
        # Lock the run's row only: two clicks on "Send" must not upload in parallel.
        run = (
            BankJobRun.objects.select_for_update(of=("self",))
            .select_related("connection", "tenant")
            .get(pk=run.pk)
        )
        since = run.parameters.get("sending_since")
        if (
            run.state == RunState.RUNNING
            and since
            and now - datetime.fromisoformat(since) < STALE_SENDING
            and run.parameters.get("sender") != sender
        ):
            raise PaymentRunRefused("This run is being sent right now.")
        if run.state == RunState.CANCELLED:
            raise PaymentRunRefused("This run was cancelled.")
        if run.state != RunState.DONE:
            run.state = RunState.RUNNING
            run.started_at = run.started_at or now
            run.error = ""
            run.parameters["sending_since"] = now.isoformat()
            run.parameters["sender"] = sender
            run.save(update_fields=["state", "started_at", "error", "parameters"])
    return run


def send_payment_run(
    *,
    actor: User,
    run_id: int,
    excluded_entry_ids: Iterable[str],
    salesforce: SalesforceClient,
    now: datetime,
    sender: str | None = None,
) -> SentRun:
    """Upload the run's orders without the excluded entries, then record Pending Payments.

    ``sender`` names who sends (a Celery task's ID; a fresh one per call by default): the same
    sender may take over its own run after it died mid-send (see ``_begin_sending``). Orders a
    dead sender left half-sent are settled first: one whose last segment never went out is
    sent again, one whose outcome is unknown is looked up in the bank's customer protocol.

    Refuses (PaymentRunRefused) while a remaining transaction has a problem, when the proposal
    expired, or when an earlier attempt left an order whose outcome is unknown. The exclusions
    of the first attempt hold for every retry. Orders the bank accepted before are not sent
    again, and a finished run sends nothing. Raises services.BankRefused when the bank refuses
    or cannot be reached (the run is then Failed and may be sent again), and the client's
    SalesforceError when the Payments cannot be written (sending again writes them).
    """
    run = _run_for(actor, run_id)
    connection = _connection_of(run)
    _check_actor(actor, connection)
    proposal = load_proposal(run)
    if run.state == RunState.DONE:
        return _outcome(run, written=0)
    if proposal is None:
        if run in unrecorded_runs(connection):
            raise ProposalExpired(
                "Orders of this run may be at the bank, but its proposal expired before their "
                "Payments were recorded in Salesforce. Record them by hand (the bank's "
                "statement shows them in the review), then mark them recorded on this page."
            )
        raise ProposalExpired("This proposal has expired: prepare a new payment run.")
    excluded = proposal.excluded if proposal.excluded is not None else frozenset(excluded_entry_ids)
    problems = remaining_problems(proposal, excluded)
    if problems:
        raise PaymentRunRefused(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} remain; exclude those "
            "transactions or fix them in Salesforce and prepare again. " + "; ".join(problems[:5])
        )
    run = _begin_sending(actor, run.pk, now, sender or f"web:{uuid.uuid4().hex}")
    proposal = replace(proposal, excluded=excluded)
    _keep(run, proposal, sending=True)
    account = BankAccount.objects.get(pk=run.parameters["account"], connection=connection)
    header = _header(run, account)
    written = 0
    try:
        stuck = _recover_orders(actor, run, now)
        if stuck:
            raise PaymentRunRefused(
                "The outcome of " + ", ".join(stuck) + " is unknown and the bank's protocol "
                "(HAC/PTK) does not show it yet: check with the bank, then mark it received "
                "or not received. Nothing is sent again before that."
            )
        for order in proposal.orders:
            kept = [t for t in order.transactions if t.entry_id not in excluded]
            state = run.parameters["orders"][order.key]
            if not kept:
                _save_order(run, order.key, state="excluded", transactions=0)
                continue
            if state["state"] != ACCEPTED:
                pain = _pain_order(header, order, kept)
                data = (
                    build_credit_transfer(pain, today=now.date())
                    if isinstance(pain, CreditTransferOrder)
                    else build_direct_debit(pain, today=now.date())
                )
                _save_order(run, order.key, transactions=len(kept))
                _upload(
                    actor=actor, run=run, order=order, data=data, transactions=len(kept), now=now
                )
            if not run.parameters["orders"][order.key]["payments_written"]:
                written += payments.write_pending_payments(
                    salesforce,
                    _mappings(connection),
                    _new_payments(order, kept, proposal.execution_date),
                )
                _save_order(run, order.key, payments_written=True)
    except (PortalError, FormatError) as error:
        _fail(run, _failure_message(error), now)
        raise
    run.state = RunState.DONE
    run.finished_at = now
    run.counts = {
        **run.counts,
        "excluded": len(excluded),
        "sent": sum(
            o["transactions"] for o in run.parameters["orders"].values() if o["state"] == ACCEPTED
        ),
        "orders": sum(1 for o in run.parameters["orders"].values() if o["state"] == ACCEPTED),
    }
    run.save(update_fields=["state", "finished_at", "counts"])
    progress.finish(run.job_id, state=State.DONE, stage="Sent")
    record_audit(
        tenant=run.tenant,
        actor=actor,
        action="payment_run.sent",
        target=str(connection),
        changes={"run": run.pk, **run.counts},
    )
    return _outcome(run, written=written)


def _recover_orders(actor: User, run: BankJobRun, now: datetime) -> list[str]:
    """Settle what a sender that died left behind; returns the orders still unknown.

    Call only while holding the run (``_begin_sending``): no other upload is under way then.
    """
    stuck = []
    for key, state in run.parameters["orders"].items():
        if state["state"] == UPLOADING:
            # Its last segment never went out (that is recorded first), so the bank cannot
            # hold the order: the same file goes again, in a new transaction.
            _save_order(run, key, state=PREPARED)
        elif state["state"] == UNKNOWN and _settle_by_protocol(actor, run, key, now) == UNKNOWN:
            stuck.append(key)
    return stuck


def _settle_by_protocol(actor: User, run: BankJobRun, key: str, now: datetime) -> str:
    """Look an order of unknown outcome up in the bank's customer protocol; its new state.

    Accepted or refused as the protocol says; Unknown while the protocol cannot be read or
    does not name the order (a bank may write it late: the admin then asks the bank).
    """
    order = run.parameters["orders"][key]
    order_id = order.get("order_id") or ""
    if not order_id:
        return UNKNOWN
    connection = _connection_of(run)
    period = DateRange(start=run.created_at.date(), end=now.date())
    try:
        protocol = services.ready_client(connection, now).protocol(period)
    except (EbicsError, PortalError):
        return UNKNOWN
    trace = trace_order(protocol, order_id)
    if trace is None:
        return UNKNOWN
    state = ACCEPTED if trace.received else REFUSED
    _save_order(run, key, state=state)
    record_audit(
        tenant=run.tenant,
        actor=actor,
        action="payment_run.order_traced",
        target=str(connection),
        changes={
            "run": run.pk,
            "order": key,
            "order_id": order_id,
            "state": state,
            "code": trace.code,
        },
    )
    return state


def _fail(run: BankJobRun, message: str, now: datetime) -> None:
    _end(run, RunState.FAILED, message, now)


def _end(run: BankJobRun, state: RunState, message: str, now: datetime) -> None:
    run.state = state
    run.error = message[:500]
    run.finished_at = now
    run.parameters["preparing"] = False
    run.save(update_fields=["state", "error", "finished_at", "parameters"])
    progress.finish(
        run.job_id,
        state=State.FAILED if state == RunState.FAILED else State.CANCELLED,
        message=run.error,
        stage=state.label,
    )


def _outcome(run: BankJobRun, *, written: int) -> SentRun:
    return SentRun(
        run_id=run.pk,
        orders=tuple(
            (key, state["state"], state["order_id"])
            for key, state in run.parameters["orders"].items()
        ),
        payments_written=written,
    )


def resolve_unknown_order(
    *, actor: User, run_id: int, order_key: str, was_received: bool, now: datetime
) -> None:
    """Settle an order whose upload outcome is unknown, after the admin checked the bank.

    ``was_received``: the bank's protocol (HAC/PTK) or its support confirms the order arrived;
    the next send then skips it and records its Payments. Otherwise it goes back to prepared
    and the next send uploads it (same message ID: a bank that has it refuses the duplicate).
    Audited. Raises PaymentRunRefused when the order's outcome is not unknown.
    """
    run = _run_for(actor, run_id)
    _check_actor(actor, _connection_of(run))
    order = run.parameters["orders"].get(order_key)
    if order is None or order["state"] not in (UPLOADING, UNKNOWN):
        raise PaymentRunRefused("That order's outcome is known already.")
    with transaction.atomic():
        _save_order(run, order_key, state=ACCEPTED if was_received else PREPARED)
        record_audit(
            tenant=run.tenant,
            actor=actor,
            action="payment_run.order_resolved",
            target=str(run.connection),
            changes={
                "run": run.pk,
                "order": order_key,
                "message_id": order["message_id"],
                "was_received": was_received,
                "at": now.isoformat(),
            },
        )


def mark_payments_recorded(*, actor: User, run_id: int, now: datetime) -> None:
    """The admin recorded by hand the Payments of orders whose proposal expired; audited.

    Only for a run whose proposal is gone: while it is kept, sending again records them.
    Raises PaymentRunRefused otherwise.
    """
    run = _run_for(actor, run_id)
    connection = _connection_of(run)
    _check_actor(actor, connection)
    if run not in unrecorded_runs(connection) or load_proposal(run) is not None:
        raise PaymentRunRefused("Nothing of this run waits to be recorded by hand.")
    with transaction.atomic():
        orders = [
            key
            for key, order in run.parameters["orders"].items()
            if order["state"] in (UPLOADING, UNKNOWN, ACCEPTED) and not order["payments_written"]
        ]
        for key in orders:
            run.parameters["orders"][key]["payments_written"] = True
        run.state = RunState.DONE
        run.finished_at = now
        run.error = "Payments recorded by hand after the proposal expired."
        run.save(update_fields=["parameters", "state", "finished_at", "error"])
        record_audit(
            tenant=run.tenant,
            actor=actor,
            action="payment_run.recorded_by_hand",
            target=str(connection),
            changes={"run": run.pk, "orders": orders, "at": now.isoformat()},
        )


# -- status reports --------------------------------------------------------------------------


@dataclass(frozen=True)
class AppliedReports:
    reports: int
    transactions: int
    rejected: int
    problems: tuple[str, ...]


def _reason(reasons: Sequence[object]) -> str:
    for reason in reasons:
        code = getattr(reason, "code", None) or getattr(reason, "proprietary", None)
        text = describe_reason(getattr(reason, "code", None)) or getattr(
            reason, "additional_information", None
        )
        if code or text:
            return " ".join(part for part in (code, text) if part)
    return "Rejected by the bank"


def apply_status_reports(
    *,
    actor: User,
    connection: BankConnection,
    start: date,
    end: date,
    salesforce: SalesforceClient,
    now: datetime,
) -> AppliedReports:
    """Download the period's pain.002 reports and move rejected Payments to Rejected.

    Accepted transactions stay Pending until a statement books them. Transactions of others
    (unknown end-to-end IDs) are ignored. Raises PaymentRunRefused, services.BankRefused, and
    the client's SalesforceError.
    """
    _check_actor(actor, connection)
    if start > end:
        raise PaymentRunRefused("The period starts after it ends.")
    version = EbicsVersion(connection.ebics_version)
    # EBICS 2.5 reports per payment type (CRZ, CDZ); EBICS 3.0 has one service for both.
    kinds = ("pain.001",) if version is EbicsVersion.H005 else ("pain.001", "pain.008")
    client = services.ready_client(connection, now)
    downloads: list[bytes] = []
    for kind in kinds:
        order = statement_download_order(
            "pain.002", DateRange(start=start, end=end), version, status_reports_for=kind
        )
        try:
            data = client.download(order)
        except OrderFailed as error:
            raise services.BankRefused(
                f"The bank answered {error.code}: {error.description.message}",
                code=error.code,
                advice=error.description.advice,
            ) from error
        except EbicsError as error:
            raise services.BankRefused(
                f"The status reports could not be downloaded: {error}",
                advice="Nothing was changed; try again in a few minutes.",
            ) from error
        if data is not None:
            downloads.append(data)
    reports = transactions = 0
    rejected: dict[str, str] = {}
    problems: list[str] = []
    for data in downloads:
        for contained in unpack_download(data, max_bytes=settings.BANK_FILE_MAX_BYTES):
            try:
                report = parse_status_report(contained.content)
            except FormatError as error:
                problems.append(f"{contained.name}: {error}")
                continue
            reports += 1
            statuses = report.effective_statuses()
            transactions += len(statuses)
            for block in report.payment_informations:
                for status in block.transactions:
                    e2e = status.original_end_to_end_id
                    if e2e and statuses.get(e2e) == "RJCT":
                        rejected[e2e] = _reason(
                            status.reasons or block.reasons or report.group_reasons
                        )
    moved = payments.reject_payments(salesforce, _mappings(connection), rejected) if rejected else 0
    record_audit(
        tenant=connection.tenant,
        actor=actor,
        action="payment_run.status_reports_applied",
        target=str(connection),
        changes={
            "period": f"{start.isoformat()}..{end.isoformat()}",
            "reports": reports,
            "transactions": transactions,
            "rejected": moved,
            "problems": len(problems),
        },
    )
    return AppliedReports(
        reports=reports, transactions=transactions, rejected=moved, problems=tuple(problems)
    )


def queue_sending(
    *,
    actor: User,
    run_id: int,
    excluded_entry_ids: Iterable[str],
    enqueue: Callable[[int], object],
) -> BankJobRun:
    """Hand the sending of a checked run to the worker; ``enqueue`` gets only the run's ID.

    The same checks as :func:`send_payment_run` run first, and the exclusions are fixed now, so
    the worker sends exactly what the admin saw. Raises PaymentRunRefused like it.
    """
    run = _run_for(actor, run_id)
    _check_actor(actor, _connection_of(run))
    proposal = load_proposal(run)
    if proposal is None:
        raise ProposalExpired("This proposal has expired: prepare a new payment run.")
    excluded = proposal.excluded if proposal.excluded is not None else frozenset(excluded_entry_ids)
    problems = remaining_problems(proposal, excluded)
    if problems:
        raise PaymentRunRefused(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} remain; exclude those "
            "transactions or fix them in Salesforce and prepare again."
        )
    if proposal.excluded is None:
        _keep(run, replace(proposal, excluded=excluded))
    run.parameters["in_background"] = True
    run.save(update_fields=["parameters"])
    transaction.on_commit(lambda: enqueue(run.pk))
    return run


def send_in_worker(run_id: int, *, sender: str) -> None:
    """The worker's side of :func:`queue_sending`: send under the jobs' Salesforce access.

    A run that is done already sends nothing, and orders the bank accepted are never sent
    again, so a redelivered task is harmless.
    """
    run = BankJobRun.objects.select_related("tenant", "started_by").get(pk=run_id)
    if run.state == RunState.DONE or run.started_by is None:
        return
    now = datetime.now(UTC)
    with contextlib.suppress(progress.JobCancelled):
        progress.report(run.job_id, stage="Sending the orders to the bank", done=0, total=None)
    try:
        send_payment_run(
            actor=run.started_by,
            run_id=run_id,
            excluded_entry_ids=(),
            salesforce=client_for_jobs(run.tenant),
            now=now,
            sender=sender,
        )
    except (PortalError, FormatError) as error:
        run.refresh_from_db()
        if run.state != RunState.FAILED:
            _fail(run, _failure_message(error), now)
