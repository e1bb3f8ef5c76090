"""Bank jobs in the worker: statement retrieval with progress, kept in the run history, and
the schedules that start jobs by themselves (daily retrievals, the payment-run calendar).

A run is queued by a finance admin or by beat (``start_due_retrievals``,
``start_due_payment_runs``); the Celery task gets only the run's ID. The worker talks to
Salesforce under the tenant's job credential (authorized on the Salesforce page) and to the bank
with the connection's keys. Writing is idempotent by external ID, so a run that is redelivered
after a worker died simply runs again and writes nothing twice.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from django.db import IntegrityError, transaction

from banking import payment_runs, retrieval, services
from banking.formats.business_days import add_business_days, is_target_business_day
from banking.formats.errors import FormatError
from banking.models import (
    BankConnection,
    BankJobRun,
    ConnectionStatus,
    JobKind,
    PaymentRunSchedule,
    RetrievalSchedule,
    RunState,
)
from portal import progress
from portal.errors import PortalError
from portal.models import User
from portal.progress import JobCancelled, State
from portal.salesforce.client import SalesforceClient
from portal.salesforce.errors import SalesforceError, SalesforceSessionExpired
from portal.salesforce.jobs import client_for_jobs
from settlement.matching import Band
from settlement.review import compute_review, settle_many


def _now() -> datetime:
    return datetime.now(UTC)


@transaction.atomic
def start_retrieval(
    *,
    actor: User,
    connection: BankConnection,
    kind: str,
    start: date,
    end: date,
    enqueue: Callable[[int], object],
    auto_settle: bool = False,
    apply_status_reports: bool = False,
    scheduled_for: date | None = None,
) -> BankJobRun:
    """Queue a retrieval of a period's statements into Salesforce; ``enqueue`` gets the run ID.

    With ``apply_status_reports`` the run also applies the period's pain.002 reports, and with
    ``auto_settle`` it then settles the AUTO band. Raises services.StepRefused when
    the connection is not active or the actor may not use it.
    """
    if connection.tenant_id != actor.tenant_id:
        raise services.StepRefused("That connection belongs to another organisation.")
    if connection.status != ConnectionStatus.ACTIVE:
        raise services.StepRefused("Only an active connection retrieves statements.")
    if kind not in services.STATEMENT_KINDS or start > end:
        raise services.StepRefused("Choose a statement kind and a period that starts first.")
    job = progress.start(kind=JobKind.RETRIEVAL.value, user=actor)
    run = BankJobRun.objects.create(
        tenant=actor.tenant,
        connection=connection,
        kind=JobKind.RETRIEVAL,
        started_by=actor,
        parameters={
            "kind": kind,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "auto_settle": auto_settle,
            "apply_status_reports": apply_status_reports,
        },
        job_id=job.job_id,
        scheduled_for=scheduled_for,
    )
    transaction.on_commit(lambda: enqueue(run.pk))
    return run


def _finish(
    run: BankJobRun, state: RunState, *, error: str = "", counts: dict[str, int] | None = None
) -> None:
    run.state = state
    run.error = error[:500]
    run.counts = counts or run.counts
    run.finished_at = _now()
    run.save(update_fields=["state", "error", "counts", "finished_at"])
    progress_state = {
        RunState.DONE: State.DONE,
        RunState.FAILED: State.FAILED,
        RunState.CANCELLED: State.CANCELLED,
    }[state]
    progress.finish(run.job_id, state=progress_state, message=error, stage=state.label)


def run_retrieval(run_id: int) -> None:
    """Run a queued retrieval to its end, recording the outcome; a finished run is left alone."""
    run = BankJobRun.objects.select_related("connection", "started_by", "tenant").get(pk=run_id)
    if run.state not in (RunState.QUEUED, RunState.RUNNING):
        return
    connection, actor = run.connection, run.started_by
    if connection is None or actor is None:
        _finish(run, RunState.FAILED, error="The connection or its user no longer exists.")
        return
    run.state = RunState.RUNNING
    run.started_at = _now()
    run.save(update_fields=["state", "started_at"])

    def report(stage: str, done: int, total: int | None) -> None:
        progress.report(run.job_id, stage=stage, done=done, total=total)

    try:
        report("Connecting to Salesforce", 0, None)
        salesforce = client_for_jobs(run.tenant)
        result = retrieval.retrieve_statements(
            actor=actor,
            connection=connection,
            kind=run.parameters["kind"],
            start=date.fromisoformat(run.parameters["start"]),
            end=date.fromisoformat(run.parameters["end"]),
            now=_now(),
            salesforce=salesforce,
            on_progress=report,
        )
        rejected, report_problems = 0, ""
        if run.parameters.get("apply_status_reports"):
            report("Applying payment status reports", 0, None)
            rejected, report_problems = _apply_status_reports(run, actor, connection, salesforce)
        settled = 0
        if run.parameters.get("auto_settle"):
            settled = _settle_auto_band(run, salesforce, report)
    except JobCancelled:
        _finish(run, RunState.CANCELLED)
        return
    except services.BankRefused as refused:
        _finish(run, RunState.FAILED, error=f"{refused} {refused.advice}".strip())
        return
    except SalesforceSessionExpired as error:
        _finish(run, RunState.FAILED, error=str(error))
        return
    except SalesforceError as error:
        # Salesforce's own message can quote a record's values: keep only its code.
        code = getattr(error, "error_code", "") or type(error).__name__
        _finish(run, RunState.FAILED, error=f"Salesforce refused the work ({code}).")
        return
    except (PortalError, FormatError) as error:
        _finish(run, RunState.FAILED, error=str(error))
        return
    written = result.written
    _finish(
        run,
        RunState.DONE,
        error=report_problems,
        counts={
            "files": result.files,
            "statements": len(result.statements),
            "items": result.items,
            "written_items": written.items if written else 0,
            "new_items": written.created_items if written else 0,
            "problems": len(result.problems),
            "collected": result.own_payments.collected if result.own_payments else 0,
            "reversed": result.own_payments.reversed if result.own_payments else 0,
            "rejected": rejected,
            "auto_settled": settled,
        },
    )


def _apply_status_reports(
    run: BankJobRun, actor: User, connection: BankConnection, salesforce: SalesforceClient
) -> tuple[int, str]:
    """Apply the period's pain.002 reports: (payments moved to Rejected, what went wrong).

    The statements are written already, so a bank that cannot deliver reports (or reports
    that cannot be read) leaves the run done, with the reason in its error for the admin.
    """
    try:
        applied = payment_runs.apply_status_reports(
            actor=actor,
            connection=connection,
            start=date.fromisoformat(run.parameters["start"]),
            end=date.fromisoformat(run.parameters["end"]),
            salesforce=salesforce,
            now=_now(),
        )
    except services.BankRefused as refused:
        return 0, f"Status reports were not applied: {refused} {refused.advice}".strip()
    problems = len(applied.problems)
    note = (
        f"{problems} status report{'s' if problems != 1 else ''} could not be read."
        if problems
        else ""
    )
    return applied.rejected, note


def _settle_auto_band(
    run: BankJobRun,
    salesforce: SalesforceClient,
    report: Callable[[str, int, int | None], None],
) -> int:
    """Settle every AUTO suggestion now; the configurations decide what may be AUTO at all."""
    review = compute_review(client=salesforce, tenant=run.tenant, on_progress=report)
    automatic = [
        (s.statement_item_id, [(a.open_item_id, a.amount) for a in s.allocations])
        for s in review.result.suggestions
        if s.band is Band.AUTO
    ]
    report("Settling the AUTO band", 0, len(automatic))
    return settle_many(client=salesforce, tenant=run.tenant, requests=automatic).settled


def start_due_retrievals(*, now: datetime, enqueue: Callable[[int], object]) -> int:
    """Queue today's run of every active schedule whose time has come; returns how many.

    A schedule runs once a day however often this is called: the run is keyed by its day.
    """
    started = 0
    schedules = RetrievalSchedule.objects.filter(
        is_active=True, retrieve_at__lte=now.time(), connection__status=ConnectionStatus.ACTIVE
    ).select_related("connection", "run_as")
    for schedule in schedules:
        if BankJobRun.objects.filter(
            connection=schedule.connection, kind=JobKind.RETRIEVAL, scheduled_for=now.date()
        ).exists():
            continue
        try:
            start_retrieval(
                actor=schedule.run_as,
                connection=schedule.connection,
                kind=schedule.kind,
                start=now.date() - timedelta(days=schedule.days_back),
                end=now.date(),
                enqueue=enqueue,
                auto_settle=schedule.auto_settle,
                apply_status_reports=schedule.apply_status_reports,
                scheduled_for=now.date(),
            )
        except IntegrityError:
            continue  # another beat queued it at the same moment
        except PortalError:
            continue  # the connection changed meanwhile; its page says why
        started += 1
    return started


def start_due_payment_runs(*, now: datetime, enqueue: Callable[[int], object]) -> int:
    """Prepare today's payment run of every calendar whose day and time have come.

    Only on the calendar's weekdays and on TARGET business days, once a day however often this
    is called. The prepared run waits for a finance admin's approval; nothing is sent here.
    """
    started = 0
    if not is_target_business_day(now.date()):
        return 0
    schedules = PaymentRunSchedule.objects.filter(
        is_active=True, prepare_at__lte=now.time(), connection__status=ConnectionStatus.ACTIVE
    ).select_related("connection", "account", "run_as")
    for schedule in schedules:
        if now.isoweekday() not in schedule.iso_weekdays:
            continue
        if BankJobRun.objects.filter(
            connection=schedule.connection, kind=JobKind.PAYMENT_RUN, scheduled_for=now.date()
        ).exists():
            continue
        try:
            payment_runs.queue_preparation(
                actor=schedule.run_as,
                connection=schedule.connection,
                execution_date=add_business_days(now.date(), schedule.lead_days),
                account=schedule.account,
                now=now,
                enqueue=enqueue,
                creditor_id=schedule.creditor_id,
                prefix=schedule.prefix,
                scheduled_for=now.date(),
            )
        except IntegrityError:
            continue  # another beat queued it at the same moment
        except PortalError:
            continue  # the connection or account changed meanwhile; its page says why
        started += 1
    return started
