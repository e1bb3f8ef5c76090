"""Liveness of what Ledgerlink depends on: database, broker and cache."""

import logging
import secrets
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection

from config.celery import app as celery_app

logger = logging.getLogger(__name__)
_BROKER_TIMEOUT_SECONDS = 3


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_broker() -> None:
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=_BROKER_TIMEOUT_SECONDS)


def _check_cache() -> None:
    key = "healthz:" + secrets.token_hex(8)
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was written")
    cache.delete(key)


CHECKS: dict[str, Callable[[], None]] = {
    "database": _check_database,
    "broker": _check_broker,
    "cache": _check_cache,
}


def check_health() -> dict[str, str]:
    """Run every check; each answers "ok" or "unavailable" (details go to the log only)."""
    states = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:  # A health check reports every failure, whatever its kind.
            logger.exception("Health check %s failed", name)
            states[name] = "unavailable"
        else:
            states[name] = "ok"
    return states
