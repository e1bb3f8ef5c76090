"""The payment-run calendar: runs the worker prepares on given days, for a person to approve."""

import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock

import pytest
from django.core.cache import cache

from banking import jobs, payment_runs, services, tasks
from banking.formats.business_days import is_target_business_day
from banking.models import (
    BankAccount,
    BankConnection,
    BankJobRun,
    ConnectionStatus,
    PaymentRunSchedule,
    RunState,
)
from portal.models import AuditEvent
from portal.salesforce.errors import SalesforceRequestError, SalesforceSessionExpired
from tests.banking.payment_books import authorize_jobs, now, others
from tests.banking.test_jobs import bank_worker  # noqa: F401  (a fixture)

MONDAY_NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CHRISTMAS = datetime(2026, 12, 25, 9, 0, tzinfo=UTC)  # a Friday, and a TARGET holiday


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


@pytest.fixture
def account(active) -> BankAccount:
    return BankAccount.objects.create(
        connection=active, account_id="A1", iban="DE89370400440532013000", currency="EUR"
    )


def _calendar(finance_admin, connection, account, **values):
    return services.save_payment_schedule(
        actor=finance_admin,
        connection=connection,
        values={
            "weekdays": ["1", "2", "3", "4", "5"],
            "prepare_at": clock(7, 0),
            "lead_days": 1,
            "account": account,
            "creditor_id": "de98 zzz 09999999999",
            "prefix": "ll",
            **values,
        },
    )


@pytest.mark.django_db
def test_the_calendar_prepares_one_run_on_its_weekdays_only(
    finance_admin, active, account, django_capture_on_commit_callbacks
):
    _calendar(finance_admin, active, account, weekdays=["1", "3"])
    queued: list[int] = []

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.start_due_payment_runs(now=MONDAY_NINE, enqueue=queued.append) == 1
    assert jobs.start_due_payment_runs(now=MONDAY_NINE, enqueue=queued.append) == 0
    run = BankJobRun.objects.get()
    assert queued == [run.pk]
    assert run.state == RunState.QUEUED
    assert run.parameters["preparing"] is True
    assert run.scheduled_for == MONDAY_NINE.date()
    assert run.parameters["execution_date"] == "2026-11-24"
    assert run.parameters["creditor_id"] == "DE98ZZZ09999999999"
    assert run.parameters["prefix"] == "LL"
    assert run.started_by == finance_admin

    tuesday, wednesday = MONDAY_NINE + timedelta(days=1), MONDAY_NINE + timedelta(days=2)
    assert jobs.start_due_payment_runs(now=tuesday, enqueue=queued.append) == 0
    assert jobs.start_due_payment_runs(now=wednesday, enqueue=queued.append) == 1


@pytest.mark.django_db
def test_holidays_are_skipped_and_lead_days_count_business_days(finance_admin, active, account):
    _calendar(finance_admin, active, account)
    assert jobs.start_due_payment_runs(now=CHRISTMAS, enqueue=lambda run_id: None) == 0
    christmas_eve = CHRISTMAS - timedelta(days=1)
    assert jobs.start_due_payment_runs(now=christmas_eve, enqueue=lambda run_id: None) == 1
    # Thursday 24 December + 1 business day: Friday is Christmas, then the weekend.
    assert BankJobRun.objects.get().parameters["execution_date"] == "2026-12-28"


@pytest.mark.django_db
def test_nothing_is_prepared_before_its_time_when_inactive_or_for_an_inactive_connection(
    finance_admin, active, account
):
    _calendar(finance_admin, active, account, prepare_at=clock(10, 0))
    assert jobs.start_due_payment_runs(now=MONDAY_NINE, enqueue=lambda run_id: None) == 0
    _calendar(finance_admin, active, account, is_active=False)
    assert jobs.start_due_payment_runs(now=MONDAY_NINE, enqueue=lambda run_id: None) == 0
    _calendar(finance_admin, active, account, is_active=True)
    BankConnection.objects.filter(pk=active.pk).update(status=ConnectionStatus.DISABLED)
    assert jobs.start_due_payment_runs(now=MONDAY_NINE, enqueue=lambda run_id: None) == 0
    assert not BankJobRun.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"weekdays": []}, "weekday"),
        ({"weekdays": ["6"]}, "weekday"),
        ({"prefix": "LL-1"}, "prefix"),
        ({"lead_days": 11}, "lead time"),
    ],
)
def test_a_malformed_calendar_is_refused(finance_admin, active, account, values, message):
    with pytest.raises(services.StepRefused, match=message):
        _calendar(finance_admin, active, account, **values)
    assert not PaymentRunSchedule.objects.exists()


@pytest.mark.django_db
def test_another_connections_account_is_refused(finance_admin, acme, active, account):
    other = BankConnection.objects.create(
        tenant=acme,
        name="Other",
        bank_url="https://ebics.other.example/ebics",
        host_id="OTHER",
        partner_id="P",
        user_id="U",
        status=ConnectionStatus.ACTIVE,
    )
    with pytest.raises(services.StepRefused, match="selected accounts"):
        _calendar(finance_admin, other, account)


@pytest.mark.django_db
def test_the_calendar_form_saves_and_is_audited(client, finance_admin, active, account):
    client.force_login(finance_admin)
    page = client.get(f"/banking/connections/{active.pk}/").content.decode()
    assert "Payment-run calendar" in page
    response = client.post(
        f"/banking/connections/{active.pk}/payment-schedule/",
        {
            "payments-is_active": "on",
            "payments-weekdays": ["2", "4"],
            "payments-prepare_at": "06:45",
            "payments-lead_days": "2",
            "payments-account": account.pk,
            "payments-prefix": "ACME",
        },
    )
    assert response.status_code == 302
    schedule = active.payment_schedule
    assert schedule.iso_weekdays == {2, 4}
    assert schedule.prepare_at == clock(6, 45)
    assert schedule.lead_days == 2
    event = AuditEvent.objects.get(action="bank_connection.payment_schedule_saved")
    assert event.changes["weekdays"] == ["", "2,4"]
    invalid = client.post(
        f"/banking/connections/{active.pk}/payment-schedule/",
        {"payments-prepare_at": "06:45", "payments-lead_days": "1"},
    )
    assert invalid.status_code == 400


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("bank_worker")
def test_a_calendar_run_is_prepared_by_the_worker_and_waits_for_approval(
    client, finance_admin, acme_bank, bob, books, local_salesforce
):
    authorize_jobs(finance_admin, local_salesforce)
    account = payment_runs.payment_accounts(acme_bank)[0]
    _calendar(finance_admin, acme_bank, account, creditor_id="DE98ZZZ09999999999")
    # The beat of the next business day, late enough for the calendar's time.
    day = now()
    while not is_target_business_day(day.date()):
        day += timedelta(days=1)
    beat = day.replace(hour=23, minute=59)
    assert jobs.start_due_payment_runs(now=beat, enqueue=tasks.prepare_payment_run.delay) == 1
    run = BankJobRun.objects.get(connection=acme_bank, scheduled_for=beat.date())

    deadline = time.monotonic() + 90
    while BankJobRun.objects.get(pk=run.pk).parameters["preparing"]:
        assert time.monotonic() < deadline, "the worker did not prepare the run"
        time.sleep(0.3)
    run.refresh_from_db()
    assert run.state == RunState.QUEUED, run.error
    proposal = payment_runs.load_proposal(run)
    assert proposal is not None
    assert {books["approved"], books["core"], books["b2b"]} <= {
        t.entry_id for order in proposal.orders for t in order.transactions
    }
    assert AuditEvent.objects.filter(action="payment_run.prepared").count() == 1

    client.force_login(finance_admin)
    banks = client.get("/banking/connections/").content.decode()
    assert "waiting-payment-run" in banks
    assert f"/banking/payment-runs/{run.pk}/" in banks

    # The report expired before anyone looked: read again, same run, same message IDs.
    message_ids = {key: order["message_id"] for key, order in run.parameters["orders"].items()}
    cache.delete(f"payment-run:{run.job_id}:proposal")
    page = client.get(f"/banking/payment-runs/{run.pk}/").content.decode()
    assert "Read what is due again" in page
    again = payment_runs.prepare_again(
        actor=finance_admin, run_id=run.pk, salesforce=bob, now=now()
    )
    assert {order.key: order.message_id for order in again.orders} == message_ids

    sent = payment_runs.send_payment_run(
        actor=finance_admin,
        run_id=run.pk,
        excluded_entry_ids=others(again, books),
        salesforce=bob,
        now=now(),
    )
    assert {state for _, state, _ in sent.orders} == {payment_runs.ACCEPTED}
    assert BankJobRun.objects.get(pk=run.pk).state == RunState.DONE
    with pytest.raises(payment_runs.PaymentRunRefused, match="reached the bank"):
        payment_runs.prepare_again(actor=finance_admin, run_id=run.pk, salesforce=bob, now=now())


def test_the_beat_task_starts_both_kinds_of_schedule(monkeypatch):
    called: list[str] = []
    monkeypatch.setattr(jobs, "start_due_retrievals", lambda **kw: called.append("retrievals"))
    monkeypatch.setattr(jobs, "start_due_payment_runs", lambda **kw: called.append("payments"))
    tasks.start_due_jobs()
    assert called == ["retrievals", "payments"]


@pytest.mark.parametrize(
    ("error", "recorded"),
    [
        (
            SalesforceRequestError(
                "duplicate value found: Testlieferant GmbH DE02120300000000202051",
                error_code="DUPLICATE_VALUE",
            ),
            "Salesforce refused the work (DUPLICATE_VALUE).",
        ),
        (SalesforceSessionExpired("Please log in again."), "Please log in again."),
        (
            services.BankRefused("The bank answered 091116.", advice="Try again later."),
            "The bank answered 091116. Try again later.",
        ),
    ],
)
def test_a_failed_run_records_our_words_never_salesforces_quote_of_a_record(error, recorded):
    assert payment_runs._failure_message(error) == recorded


@pytest.mark.django_db
def test_a_run_being_prepared_can_be_cancelled_and_the_worker_then_reads_nothing(
    client, finance_admin, active, account, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        run = payment_runs.queue_preparation(
            actor=finance_admin,
            connection=active,
            execution_date=now().date() + timedelta(days=1),
            account=account,
            now=now(),
            enqueue=lambda run_id: None,
        )
    client.force_login(finance_admin)
    page = client.get(f"/banking/payment-runs/{run.pk}/").content.decode()
    assert "Reading what is due" in page
    assert 'id="job-cancel"' in page

    client.post(f"/banking/runs/{run.pk}/cancel/")
    monkeypatch.setattr(
        payment_runs.payments, "read_due_entries", lambda *a, **k: pytest.fail("read anyway")
    )
    payment_runs.prepare_in_worker(run.pk)

    run.refresh_from_db()
    assert run.state == RunState.CANCELLED
    page = client.get(f"/banking/payment-runs/{run.pk}/").content.decode()
    assert "This run was cancelled: nothing of it was sent." in page
    assert "Send to the bank" not in page


@pytest.mark.django_db
def test_every_page_tells_finance_admins_of_failed_runs_and_runs_to_approve(
    client, finance_admin, clerk, active, account
):
    failed = BankJobRun.objects.create(
        tenant=active.tenant,
        connection=active,
        kind="retrieval",
        state=RunState.FAILED,
        error="The bank answered 091002.",
        job_id="j1",
        scheduled_for=MONDAY_NINE.date(),
    )
    BankJobRun.objects.create(
        tenant=active.tenant,
        connection=active,
        kind="payment_run",
        state=RunState.QUEUED,
        parameters={"execution_date": "2026-11-24", "orders": {}, "preparing": False},
        counts={"transactions": 3},
        job_id="j2",
        scheduled_for=MONDAY_NINE.date(),
    )
    client.force_login(finance_admin)
    home = client.get("/banking/runs/").content.decode()
    assert 'class="nav-count bad"' in home
    assert ">2</span>" in home
    banks = client.get("/banking/connections/").content.decode()
    assert "The bank answered 091002." in banks
    assert "waiting-payment-run" in banks
    # A later successful run of the same kind clears the failure.
    BankJobRun.objects.create(
        tenant=active.tenant,
        connection=active,
        kind="retrieval",
        state=RunState.DONE,
        job_id="j3",
        scheduled_for=MONDAY_NINE.date() + timedelta(days=1),
    )
    assert 'class="nav-count"' in client.get("/banking/runs/").content.decode()
    assert failed.error not in client.get("/banking/connections/").content.decode()
    client.force_login(clerk)
    assert "nav-count" not in client.get("/matching/review/", follow=True).content.decode()


@pytest.mark.django_db
def test_a_run_with_nothing_due_is_done_at_once_and_waits_for_nobody(
    client, finance_admin, active, account, monkeypatch
):
    monkeypatch.setattr(
        payment_runs.payments,
        "read_due_entries",
        lambda *a, **k: payment_runs.payments.DueEntries(
            payables=(), direct_debits=(), left_out=(("a0B000000000001AAA", "not approved"),)
        ),
    )
    proposal = payment_runs.prepare_payment_run(
        actor=finance_admin,
        connection=active,
        execution_date=now().date() + timedelta(days=1),
        account=account,
        salesforce=None,  # type: ignore[arg-type]  # read_due_entries is replaced
        now=now(),
    )
    run = BankJobRun.objects.get(pk=proposal.run_id)
    assert run.state == RunState.DONE
    assert run.counts == {"transactions": 0, "invalid": 0, "left_out": 1}
    client.force_login(finance_admin)
    page = client.get(f"/banking/payment-runs/{run.pk}/").content.decode()
    assert "Nothing was due" in page
    assert "not approved" in page
    assert "Send to the bank" not in page
