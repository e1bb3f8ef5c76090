"""Statement retrieval as a job in a real Celery worker: queued by ID, progress, run history."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.conf import settings
from django.db import connection as database

from banking import jobs
from banking.models import BankJobRun, RunState
from tests.banking.test_connections import onboard
from tests.conftest import require
from tests.portal.salesforce.test_client import client_as
from tests.portal.salesforce.test_jobs import authorized  # noqa: F401  (a fixture)
from tests.processes import start_celery_worker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def bank_worker(tmp_path_factory, django_db_setup, local_salesforce, local_bank):
    """A worker on the test database, Redis, the local Salesforce and the local bank."""
    require(settings.CELERY_BROKER_URL.startswith("redis://"), "REDIS_URL is not set")
    require(database.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    db = settings.DATABASES["default"]
    worker = start_celery_worker(
        tmp_path_factory.mktemp("bank-worker"),
        {
            "REDIS_URL": settings.REDIS_URL,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "LOCAL_SALESFORCE_URL": local_salesforce.url,
            "LOCAL_BANK_URL": local_bank.url,
            "ENCRYPTION_KEYS": ",".join(settings.ENCRYPTION_KEYS),
        },
    )
    yield worker
    worker.stop()


@pytest.fixture
def acme_bank(local_bank, finance_admin):
    requests.post(
        local_bank.url.removesuffix("/ebics") + "/_standin/subscribers/LLBANK/ACME/ALICE/reset",
        timeout=10,
    ).raise_for_status()
    return onboard(finance_admin, local_bank, partner_id="ACME", user_id="ALICE")


def _finished(client, run_id, worker) -> dict:
    deadline = time.monotonic() + 60
    while True:
        status = client.get(f"/banking/runs/{run_id}/status").json()
        if status["is_finished"]:
            return status
        assert time.monotonic() < deadline, worker.log()
        time.sleep(0.2)


def _period() -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {
        "kind": "camt.053",
        "start": (today - timedelta(days=20)).isoformat(),
        "end": today.isoformat(),
        "background": "1",
    }


@pytest.mark.usefixtures("authorized")
def test_a_retrieval_runs_in_the_worker_and_a_second_run_writes_nothing_twice(
    client, finance_admin, acme_bank, bank_worker, local_salesforce
):
    alice = client_as(local_salesforce, "alice@acme.example", "alice-demo-pass")
    before = alice.count("SELECT COUNT() FROM Ledgerlink_Bank_Statement_Item__c")
    client.force_login(finance_admin)
    response = client.post(f"/banking/connections/{acme_bank.pk}/retrieve/", _period())
    assert response.status_code == 302
    run = BankJobRun.objects.get()
    assert response["Location"] == f"/banking/runs/{run.pk}/"
    assert "<progress" in client.get(response["Location"]).content.decode()
    status = _finished(client, run.pk, bank_worker)
    assert status["run_state"] == "done", (status, bank_worker.log())
    run.refresh_from_db()
    assert run.counts["items"] > 0
    assert run.counts["new_items"] == run.counts["items"]
    assert run.seconds is not None
    after = alice.count("SELECT COUNT() FROM Ledgerlink_Bank_Statement_Item__c")
    assert after == before + run.counts["items"]

    client.post(f"/banking/connections/{acme_bank.pk}/retrieve/", _period())
    again = BankJobRun.objects.exclude(pk=run.pk).get()
    assert _finished(client, again.pk, bank_worker)["run_state"] == "done"
    again.refresh_from_db()
    assert again.counts["new_items"] == 0
    assert alice.count("SELECT COUNT() FROM Ledgerlink_Bank_Statement_Item__c") == after
    history = client.get("/banking/runs/").content.decode()
    assert "Statement retrieval" in history


def _queued(finance_admin, connection) -> BankJobRun:
    today = datetime.now(UTC).date()
    return jobs.start_retrieval(
        actor=finance_admin,
        connection=connection,
        kind="camt.053",
        start=today - timedelta(days=3),
        end=today,
        enqueue=lambda run_id: None,
    )


def test_without_authorized_jobs_a_run_fails_with_a_clear_error(finance_admin, acme_bank):
    run = _queued(finance_admin, acme_bank)
    jobs.run_retrieval(run.pk)
    run.refresh_from_db()
    assert run.state == RunState.FAILED
    assert "authorized scheduled jobs" in run.error


def test_a_cancelled_run_stays_cancelled_when_a_worker_takes_it_later(
    client, finance_admin, acme_bank
):
    run = _queued(finance_admin, acme_bank)
    client.force_login(finance_admin)
    client.post(f"/banking/runs/{run.pk}/cancel/")
    jobs.run_retrieval(run.pk)
    run.refresh_from_db()
    assert run.state == RunState.CANCELLED
    assert run.counts == {}


def test_another_orgs_run_reads_as_missing(client, outsider, finance_admin, acme_bank):
    run = _queued(finance_admin, acme_bank)
    client.force_login(outsider)
    assert client.get(f"/banking/runs/{run.pk}/").status_code == 404
    assert client.get(f"/banking/runs/{run.pk}/status").status_code == 404
    assert client.post(f"/banking/runs/{run.pk}/cancel/").status_code == 404
