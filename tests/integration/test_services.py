"""The real components: PostgreSQL, Redis and a Celery worker."""

import secrets
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from portal.tasks import record_heartbeat
from tests.conftest import require
from tests.processes import start_celery_worker

pytestmark = pytest.mark.integration


def test_the_suite_runs_on_postgresql(db):
    require(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert "PostgreSQL" in cursor.fetchone()[0]


def test_broker_and_cache_are_redis():
    require(settings.CELERY_BROKER_URL.startswith("redis://"), "REDIS_URL is not set")
    cache.set("integration-probe", "1", timeout=5)
    assert cache.get("integration-probe") == "1"


@pytest.fixture(scope="module")
def celery_worker(tmp_path_factory):
    require(settings.CELERY_BROKER_URL.startswith("redis://"), "REDIS_URL is not set")
    worker = start_celery_worker(
        tmp_path_factory.mktemp("worker"),
        {"REDIS_URL": settings.REDIS_URL, "DATABASE_URL": ""},
    )
    yield worker
    worker.stop()


def test_a_task_makes_the_round_trip_through_a_real_worker(celery_worker):
    nonce = secrets.token_hex(8)
    record_heartbeat.delay(nonce)
    deadline = time.monotonic() + 30
    while cache.get(f"heartbeat:{nonce}") != "done":
        assert time.monotonic() < deadline, celery_worker.log()
        time.sleep(0.1)


def test_healthz_reports_the_real_services_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
