"""Celery interface of the portal."""

from celery import shared_task
from django.core.cache import cache

HEARTBEAT_SECONDS = 60


@shared_task(ignore_result=True)
def record_heartbeat(nonce: str) -> None:
    """Leave a mark in the shared cache to show a worker took and ran a task."""
    cache.set(f"heartbeat:{nonce}", "done", timeout=HEARTBEAT_SECONDS)
