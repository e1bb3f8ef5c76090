"""Bank jobs in the worker: statement retrieval with progress, kept in the run history.

A run is queued by a finance admin (or later by a schedule); the Celery task gets only the run's
ID. The worker talks to Salesforce under the tenant's job credential (authorized on the
Salesforce page) and to the bank with the connection's keys. Writing is idempotent by external
ID, so a run that is redelivered after a worker died simply runs again and writes nothing twice.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime

from django.db import transaction

from banking import retrieval, services
from banking.formats.errors import FormatError
from banking.models import BankConnection, BankJobRun, ConnectionStatus, JobKind, RunState
from portal import progress
from portal.errors import PortalError
from portal.models import User
from portal.progress import JobCancelled, State
from portal.salesforce.errors import SalesforceError, SalesforceSessionExpired
from portal.salesforce.jobs import client_for_jobs


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
) -> BankJobRun:
    """Queue a retrieval of a period's statements into Salesforce; ``enqueue`` gets the run ID.

    Raises services.StepRefused when the connection is not active or the actor may not use it.
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
        parameters={"kind": kind, "start": start.isoformat(), "end": end.isoformat()},
        job_id=job.job_id,
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
        counts={
            "files": result.files,
            "statements": len(result.statements),
            "items": result.items,
            "written_items": written.items if written else 0,
            "new_items": written.created_items if written else 0,
            "problems": len(result.problems),
        },
    )
