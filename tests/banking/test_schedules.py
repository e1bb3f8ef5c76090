"""Daily retrieval schedules: queued once a day by beat, and settling the AUTO band after."""

from datetime import UTC, datetime, time, timedelta

import pytest
import requests

from banking import jobs, services
from banking.models import BankConnection, BankJobRun, ConnectionStatus, RunState
from portal.models import AuditEvent
from tests.banking.test_connections import onboard
from tests.portal.salesforce.test_client import client_as
from tests.portal.salesforce.test_jobs import authorized  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def active(acme, finance_admin) -> BankConnection:
    return BankConnection.objects.create(
        tenant=acme,
        created_by=finance_admin,
        name="Hausbank",
        bank_url="https://ebics.hausbank.example/ebics",
        host_id="HAUSBANK",
        partner_id="ACME01",
        user_id="BOB01",
        status=ConnectionStatus.ACTIVE,
    )


def _schedule(finance_admin, connection, **values):
    return services.save_schedule(
        actor=finance_admin,
        connection=connection,
        values={"retrieve_at": time(6, 30), "kind": "camt.053", **values},
    )


def test_a_schedule_queues_one_run_a_day_however_often_beat_calls(finance_admin, active):
    _schedule(finance_admin, active)
    queued: list[int] = []
    assert jobs.start_due_retrievals(now=NINE, enqueue=queued.append) == 1
    assert jobs.start_due_retrievals(now=NINE + timedelta(minutes=1), enqueue=queued.append) == 0
    run = BankJobRun.objects.get()
    assert run.scheduled_for == NINE.date()
    assert run.parameters["start"] == (NINE.date() - timedelta(days=3)).isoformat()
    assert jobs.start_due_retrievals(now=NINE + timedelta(days=1), enqueue=queued.append) == 1


def test_nothing_starts_before_its_time_or_when_inactive(finance_admin, active):
    _schedule(finance_admin, active, retrieve_at=time(10, 0))
    assert jobs.start_due_retrievals(now=NINE, enqueue=lambda run_id: None) == 0
    _schedule(finance_admin, active, retrieve_at=time(6, 0), is_active=False)
    assert jobs.start_due_retrievals(now=NINE, enqueue=lambda run_id: None) == 0
    assert not BankJobRun.objects.exists()


def test_a_disabled_connection_is_not_retrieved(finance_admin, active):
    _schedule(finance_admin, active)
    active.status = ConnectionStatus.DISABLED
    active.save()
    assert jobs.start_due_retrievals(now=NINE, enqueue=lambda run_id: None) == 0


def test_the_schedule_is_saved_on_the_wizard_and_audited(client, finance_admin, active):
    client.force_login(finance_admin)
    response = client.post(
        f"/banking/connections/{active.pk}/schedule/",
        {
            "schedule-is_active": "on",
            "schedule-retrieve_at": "07:15",
            "schedule-kind": "mt940",
            "schedule-days_back": "2",
            "schedule-auto_settle": "on",
        },
    )
    assert response.status_code == 302
    schedule = active.schedule
    assert (schedule.retrieve_at, schedule.kind, schedule.auto_settle) == (
        time(7, 15),
        "mt940",
        True,
    )
    assert schedule.run_as == finance_admin
    assert AuditEvent.objects.filter(action="bank_connection.schedule_saved").exists()


def test_a_clerk_cannot_schedule(client, clerk, active):
    client.force_login(clerk)
    response = client.post(f"/banking/connections/{active.pk}/schedule/", {})
    assert response.status_code == 403


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("authorized")
def test_a_scheduled_run_settles_the_auto_band_after_retrieving(
    finance_admin, local_bank, local_salesforce
):
    requests.post(
        local_bank.url.removesuffix("/ebics") + "/_standin/subscribers/LLBANK/ACME/ALICE/reset",
        timeout=10,
    ).raise_for_status()
    connection = onboard(finance_admin, local_bank, partner_id="ACME", user_id="ALICE")
    _schedule(finance_admin, connection, retrieve_at=time(0, 0), days_back=20, auto_settle=True)
    queued: list[int] = []
    jobs.start_due_retrievals(now=datetime.now(UTC), enqueue=queued.append)
    (run_id,) = queued
    jobs.run_retrieval(run_id)
    run = BankJobRun.objects.get(pk=run_id)
    assert run.state == RunState.DONE, run.error
    assert run.counts["items"] > 0
    assert run.counts["auto_settled"] > 0
    alice = client_as(local_salesforce, "alice@acme.example", "alice-demo-pass")
    matched = alice.count(
        "SELECT COUNT() FROM Ledgerlink_Bank_Statement_Item__c WHERE Match_Status__c = 'Matched'"
    )
    assert matched >= run.counts["auto_settled"]


def test_a_failed_scheduled_run_is_shown_to_the_admin(client, finance_admin, active):
    _schedule(finance_admin, active)
    jobs.start_due_retrievals(now=NINE, enqueue=lambda run_id: None)
    jobs.run_retrieval(BankJobRun.objects.get().pk)
    run = BankJobRun.objects.get()
    assert run.state == RunState.FAILED
    client.force_login(finance_admin)
    page = client.get("/banking/connections/").content.decode()
    assert "The scheduled retrieval of 2026-11-23 for Hausbank failed" in page
