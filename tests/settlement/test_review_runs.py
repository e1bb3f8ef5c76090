"""Large reviews computed by a real Celery worker, with progress, cancel and the kept result."""

import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from portal import progress
from portal.models import User
from portal.roles import Role
from tests.conftest import require
from tests.processes import start_celery_worker
from tests.salesforce_fixtures import sign_in_through_canvas
from tests.settlement.test_review import CAROL, a_payment_of, an_open_invoice

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BOB = {
    "username": "bob@acme.example",
    "password": "bob-demo-pass",
    "user_id": "0055g00000BFinAAAT",
    "full_name": "Bob Finance",
}


@pytest.fixture(scope="module")
def review_worker(tmp_path_factory, django_db_setup, local_salesforce):
    """A worker on the test database, Redis and the local Salesforce, as in production."""
    require(settings.CELERY_BROKER_URL.startswith("redis://"), "REDIS_URL is not set")
    require(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    database = settings.DATABASES["default"]
    worker = start_celery_worker(
        tmp_path_factory.mktemp("review-worker"),
        {
            "REDIS_URL": settings.REDIS_URL,
            "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}",
            "LOCAL_SALESFORCE_URL": local_salesforce.url,
            # Every run here reads entries through Bulk API 2.0, as runs for huge orgs do.
            "REVIEW_BULK_READ_FROM": "1",
        },
    )
    yield worker
    worker.stop()


@pytest.fixture
def carol(local_salesforce, client, alice):
    sign_in_through_canvas(client, local_salesforce, **CAROL)
    return client


@pytest.fixture
def in_the_background(settings):
    settings.REVIEW_INLINE_PAIRS = 0


def _finished(client, job_id, worker):
    deadline = time.monotonic() + 60
    while True:
        status = client.get(f"/matching/review/runs/{job_id}/status").json()
        if status["is_finished"]:
            return status
        assert time.monotonic() < deadline, worker.log()
        time.sleep(0.2)


def _job_of(response):
    assert response.status_code == 302, response.content
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def test_a_large_review_runs_in_the_worker_and_its_result_is_kept_for_the_pages(
    alice, carol, review_worker, in_the_background
):
    invoice = an_open_invoice(alice, offset=6)
    item_id = a_payment_of(alice, invoice, "RUN-ACCEPT")
    job_id = _job_of(carol.get("/matching/review/"))
    page = carol.get(f"/matching/review/runs/{job_id}/").content.decode()
    assert "<progress" in page
    status = _finished(carol, job_id, review_worker)
    assert status["state"] == "done", status
    assert status["percent"] == 100
    review = carol.get(f"/matching/review/?run={job_id}&q={invoice['Document_Number__c']}")
    assert item_id in review.content.decode()
    assert f'name="run" value="{job_id}"' in review.content.decode()
    accepted = carol.post(
        "/matching/review/accept/",
        {
            "statement_item": item_id,
            "entry": invoice["Id"],
            "amount": str(invoice["Open_Amount__c"]),
            "run": job_id,
        },
    )
    assert accepted["Location"].endswith(f"?run={job_id}")
    after = carol.get(f"/matching/review/?run={job_id}&q={invoice['Document_Number__c']}")
    assert f'name="statement_item" value="{item_id}"' not in after.content.decode()


def test_a_queued_run_can_be_cancelled_and_then_computes_nothing(
    alice, carol, review_worker, in_the_background
):
    job_id = _job_of(carol.get("/matching/review/?background=1"))
    carol.post(f"/matching/review/runs/{job_id}/cancel/")
    status = _finished(carol, job_id, review_worker)
    assert status["state"] == "cancelled"
    assert carol.get(f"/matching/review/?run={job_id}")["Location"].endswith(f"/runs/{job_id}/")


def test_another_users_run_reads_as_missing(
    alice, carol, review_worker, in_the_background, local_salesforce
):
    job_id = _job_of(carol.get("/matching/review/?background=1"))
    bob = Client()
    sign_in_through_canvas(bob, local_salesforce, **BOB)
    User.objects.filter(salesforce_user_id=BOB["user_id"]).update(role=Role.FINANCE_ADMIN)
    assert bob.get(f"/matching/review/runs/{job_id}/status").status_code == 404
    assert bob.post(f"/matching/review/runs/{job_id}/cancel/").status_code == 404
    assert progress.load(job_id) is not None
    _finished(carol, job_id, review_worker)
