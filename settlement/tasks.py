"""Celery interface of settlement: each task loads by ID and calls one service."""

from celery import shared_task

from settlement import runs


@shared_task(ignore_result=True, acks_late=True)
def compute_review_run(job_id: str) -> None:
    """Compute a queued review run (see settlement.runs)."""
    runs.run_review(job_id)
