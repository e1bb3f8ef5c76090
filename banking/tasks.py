"""Celery interface of banking: each task loads by ID and calls one service."""

from datetime import UTC, datetime

from celery import Task, shared_task

from banking import jobs, payment_runs


@shared_task(ignore_result=True, acks_late=True)
def retrieve_statements(run_id: int) -> None:
    """Run a queued statement retrieval (see banking.jobs)."""
    jobs.run_retrieval(run_id)


@shared_task(ignore_result=True)
def start_due_jobs() -> None:
    """Beat's periodic call: queue the retrievals and payment runs whose time has come."""
    now = datetime.now(UTC)
    jobs.start_due_retrievals(now=now, enqueue=retrieve_statements.delay)
    jobs.start_due_payment_runs(now=now, enqueue=prepare_payment_run.delay)


@shared_task(ignore_result=True, acks_late=True)
def prepare_payment_run(run_id: int) -> None:
    """Read what a queued payment run would send (see banking.payment_runs.queue_preparation)."""
    payment_runs.prepare_in_worker(run_id)


@shared_task(bind=True, ignore_result=True, acks_late=True)
def send_payment_run(self: Task, run_id: int) -> None:
    """Send a checked payment run (see banking.payment_runs.queue_sending).

    The task's ID names the sender, so a delivery of this task after its worker died may take
    the run over at once.
    """
    payment_runs.send_in_worker(run_id, sender=f"task:{self.request.id}")
