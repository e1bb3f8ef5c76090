"""Celery interface of banking: each task loads by ID and calls one service."""

from datetime import UTC, datetime

from celery import shared_task

from banking import jobs, payment_runs


@shared_task(ignore_result=True, acks_late=True)
def retrieve_statements(run_id: int) -> None:
    """Run a queued statement retrieval (see banking.jobs)."""
    jobs.run_retrieval(run_id)


@shared_task(ignore_result=True)
def start_due_retrievals() -> None:
    """Beat's periodic call: queue the retrievals whose scheduled time has come."""
    jobs.start_due_retrievals(now=datetime.now(UTC), enqueue=retrieve_statements.delay)


@shared_task(ignore_result=True, acks_late=True)
def send_payment_run(run_id: int) -> None:
    """Send a checked payment run (see banking.payment_runs.queue_sending)."""
    payment_runs.send_in_worker(run_id)
