"""Faults in the middle of a job, with the real worker, Redis, PostgreSQL and the stand-ins:
nothing lost, nothing written twice."""

import contextlib
import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings
from django.db import connection as database
from kombu import Connection

from banking import jobs, payment_runs, tasks
from banking.models import BankJobRun, RunState
from portal import progress
from portal.models import AuditEvent
from standins.bank.ledger import Ledger
from standins.bank.store import LEDGER_FILE
from tests.banking.payment_books import authorize_jobs, bank_uploads, others, prepare
from tests.banking.test_connections import control, onboard
from tests.conftest import require
from tests.portal.salesforce.test_client import client_as
from tests.portal.salesforce.test_jobs import authorized  # noqa: F401  (a fixture)
from tests.processes import RunningProcess, free_port, start_celery_worker
from tests.salesforce_fixtures import arm_failures

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DAYS = 5
BOOKINGS_A_DAY = 300


def _worker(
    log_dir: Path, local_salesforce, local_bank, broker: str = "", **extra: str
) -> RunningProcess:
    log_dir.mkdir(parents=True, exist_ok=True)
    db = settings.DATABASES["default"]
    return start_celery_worker(
        log_dir,
        {
            "BROKER_URL": broker,
            "REDIS_URL": settings.REDIS_URL,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "LOCAL_SALESFORCE_URL": local_salesforce.url,
            "LOCAL_BANK_URL": local_bank.url,
            "ENCRYPTION_KEYS": ",".join(settings.ENCRYPTION_KEYS),
            # A task of a killed worker comes back to the queue after this many seconds.
            "CELERY_VISIBILITY_TIMEOUT": "5",
            **extra,
        },
    )


def _ibans(connection) -> str:
    """The connection's accounts for SOQL: the bank books bulk payments to either of them."""
    return ", ".join(f"'{account.iban}'" for account in connection.accounts.all())


def _wait(condition, what: str, *logs: RunningProcess, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}:\n" + "\n".join(p.log() for p in logs)
        time.sleep(0.1)


def _until_finished(run_id: int, what: str, worker: RunningProcess) -> BankJobRun:
    """Wait for a run to end, done or failed, and return it as it ended."""
    _wait(
        lambda: BankJobRun.objects.get(pk=run_id).state in (RunState.DONE, RunState.FAILED),
        what,
        worker,
    )
    return BankJobRun.objects.get(pk=run_id)


@pytest.mark.usefixtures("authorized")
def test_a_worker_killed_mid_retrieval_loses_nothing_and_writes_nothing_twice(
    tmp_path, finance_admin, local_salesforce, local_bank
):
    require(settings.CELERY_BROKER_URL.startswith("redis://"), "REDIS_URL is not set")
    require(database.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    connection = onboard(finance_admin, local_bank)
    ledger = Ledger(
        Path(local_bank.log_path).parent / "bank" / LEDGER_FILE, lambda: datetime.now(UTC)
    )
    today = datetime.now(UTC).date()
    for days_ago in range(1, DAYS + 1):
        ledger.add_bulk_bookings(
            connection.partner_id, BOOKINGS_A_DAY, today - timedelta(days=days_ago), seed=days_ago
        )
    alice = client_as(local_salesforce, "alice@acme.example", "alice-demo-pass")
    before = alice.count("SELECT COUNT() FROM Ledgerlink_Bank_Statement_Item__c")

    first = _worker(tmp_path / "first", local_salesforce, local_bank)
    run = jobs.start_retrieval(
        actor=finance_admin,
        connection=connection,
        kind="camt.053",
        start=today - timedelta(days=DAYS),
        end=today,
        enqueue=tasks.retrieve_statements.delay,
    )

    def writing() -> bool:
        job = progress.load(run.job_id)
        return job is not None and job.stage.startswith("Writing") and job.done >= 1

    try:
        _wait(writing, "the run never started writing", first)
    finally:
        first.process.kill()  # no warm shutdown: the task stays unacknowledged
        first.process.wait(timeout=10)
    written_before_the_kill = alice.count("SELECT COUNT() FROM Ledgerlink_Bank_Statement_Item__c")
    assert before < written_before_the_kill < before + DAYS * BOOKINGS_A_DAY

    # Past the visibility timeout, a starting worker takes the unacknowledged task back at once.
    time.sleep(6)
    second = _worker(tmp_path / "second", local_salesforce, local_bank)
    try:
        _wait(
            lambda: BankJobRun.objects.get(pk=run.pk).state == RunState.DONE,
            "the redelivered run did not finish",
            second,
        )
    finally:
        second.stop()
    run.refresh_from_db()
    assert run.counts["items"] == DAYS * BOOKINGS_A_DAY
    after = alice.count("SELECT COUNT() FROM Ledgerlink_Bank_Statement_Item__c")
    assert after == before + DAYS * BOOKINGS_A_DAY
    keys = [
        row["External_Id__c"]
        for row in alice.query(
            "SELECT External_Id__c FROM Ledgerlink_Bank_Statement_Item__c "
            f"WHERE Bank_Statement__r.Account_IBAN__c IN ({_ibans(connection)})"
        )
    ]
    assert len(keys) == len(set(keys)) == DAYS * BOOKINGS_A_DAY


@pytest.mark.parametrize(
    ("stalled_phase", "the_bank_has_it"),
    [("transfer", True), ("initialisation", False)],
    ids=["after-the-last-segment", "before-the-last-segment"],
)
def test_a_worker_killed_mid_send_uploads_no_order_twice_and_the_rerun_completes(
    tmp_path,
    finance_admin,
    acme_bank,
    bob,
    books,
    local_salesforce,
    local_bank,
    stalled_phase,
    the_bank_has_it,
):
    require(settings.CELERY_BROKER_URL.startswith("redis://"), "REDIS_URL is not set")
    require(database.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    authorize_jobs(finance_admin, local_salesforce)
    proposal = prepare(finance_admin, acme_bank, bob)
    uploads_before = len(bank_uploads(local_bank))
    # The bank holds its answer to the first file for a minute: long enough to kill the worker
    # while it waits, either for the bank's verdict on the whole file or for the transaction.
    control(
        local_bank,
        "POST",
        "failures",
        json={"stall": {"order_type": "BTU", "phase": stalled_phase, "seconds": 60}},
    )
    first = _worker(tmp_path / "first", local_salesforce, local_bank)
    try:
        payment_runs.queue_sending(
            actor=finance_admin,
            run_id=proposal.run_id,
            excluded_entry_ids=others(proposal, books),
            enqueue=tasks.send_payment_run.delay,
        )

        def stalled() -> bool:
            order = BankJobRun.objects.get(pk=proposal.run_id).parameters["orders"]["pain.001"]
            if the_bank_has_it:
                return len(bank_uploads(local_bank)) > uploads_before
            return (
                order["state"] == payment_runs.UPLOADING
                and not control(local_bank, "GET", "failures").json()
            )

        _wait(stalled, "the send never reached the stalled answer", first)
    finally:
        first.process.kill()
        first.process.wait(timeout=10)
    run = BankJobRun.objects.get(pk=proposal.run_id)
    assert run.state == RunState.RUNNING
    expected = payment_runs.UNKNOWN if the_bank_has_it else payment_runs.UPLOADING
    assert run.parameters["orders"]["pain.001"]["state"] == expected

    time.sleep(6)  # past the visibility timeout: the next worker takes the task back
    second = _worker(tmp_path / "second", local_salesforce, local_bank)
    try:
        _until_finished(proposal.run_id, "the redelivered send did not finish", second)
    finally:
        second.stop()
    run.refresh_from_db()
    assert run.state == RunState.DONE, run.error
    assert run.counts["sent"] == 3
    # Each of the three files reached the bank exactly once.
    assert bank_uploads(local_bank)[uploads_before:] == [("BTU", "000000")] * 3
    traced = AuditEvent.objects.filter(action="payment_run.order_traced")
    assert [event.changes["state"] for event in traced] == (
        [payment_runs.ACCEPTED] if the_bank_has_it else []
    )
    e2e = [t.end_to_end_id for o in proposal.orders for t in o.transactions]
    rows = bob.query(
        "SELECT End_To_End_Id__c, Status__c FROM Ledgerlink_Payment__c WHERE End_To_End_Id__c "
        "IN (" + ", ".join(f"'{key}'" for key in e2e) + ")"
    )
    assert sorted(row["Status__c"] for row in rows) == ["Pending"] * 3


def test_the_bank_dropping_a_segmented_upload_is_recovered_in_the_job(
    tmp_path, finance_admin, acme_bank, bob, books, local_salesforce, local_bank
):
    require(settings.CELERY_BROKER_URL.startswith("redis://"), "REDIS_URL is not set")
    require(database.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    authorize_jobs(finance_admin, local_salesforce)
    proposal = prepare(finance_admin, acme_bank, bob)
    uploads_before = len(bank_uploads(local_bank))
    log_before = len(Path(local_bank.log_path).read_text())
    # Small segments make every file a segmented upload; the bank takes segment 2 of the first
    # one and drops the connection before answering, twice.
    control(
        local_bank,
        "POST",
        "failures",
        json={
            "drop_connection": {"order_type": "BTU", "phase": "transfer", "segment": 2, "times": 2}
        },
    )
    worker = _worker(tmp_path, local_salesforce, local_bank, EBICS_UPLOAD_SEGMENT_BYTES=str(96))
    try:
        payment_runs.queue_sending(
            actor=finance_admin,
            run_id=proposal.run_id,
            excluded_entry_ids=others(proposal, books),
            enqueue=tasks.send_payment_run.delay,
        )
        _until_finished(proposal.run_id, "the send did not finish", worker)
    finally:
        worker.stop()
        control(local_bank, "DELETE", "failures")
    run = BankJobRun.objects.get(pk=proposal.run_id)
    assert run.state == RunState.DONE, run.error
    bank_log = Path(local_bank.log_path).read_text()[log_before:]
    assert "BTU transfer segment 3" in bank_log
    assert bank_log.count("BTU transfer segment 2 -> 000000/000000 (dropped)") == 2
    assert bank_uploads(local_bank)[uploads_before:] == [("BTU", "000000")] * 3
    assert not AuditEvent.objects.filter(action="payment_run.order_traced").exists()


@pytest.fixture(scope="module")
def fault_worker(tmp_path_factory, django_db_setup, local_salesforce, local_bank):
    require(settings.CELERY_BROKER_URL.startswith("redis://"), "REDIS_URL is not set")
    require(database.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    worker = _worker(tmp_path_factory.mktemp("fault-worker"), local_salesforce, local_bank)
    yield worker
    worker.stop()


def _retrieve(finance_admin, connection, worker) -> BankJobRun:
    today = datetime.now(UTC).date()
    run = jobs.start_retrieval(
        actor=finance_admin,
        connection=connection,
        kind="camt.053",
        start=today - timedelta(days=3),
        end=today,
        enqueue=tasks.retrieve_statements.delay,
    )
    return _until_finished(run.pk, "the run did not finish", worker)


def _with_bookings(finance_admin, local_bank, count: int):
    connection = onboard(finance_admin, local_bank)
    ledger = Ledger(
        Path(local_bank.log_path).parent / "bank" / LEDGER_FILE, lambda: datetime.now(UTC)
    )
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    ledger.add_bulk_bookings(connection.partner_id, count, yesterday, seed=11)
    return connection


@pytest.mark.usefixtures("authorized")
@pytest.mark.parametrize(
    ("mode", "count"), [("unavailable", 2), ("request_limit", 2), ("expired_session", 1)]
)
def test_salesforce_failing_mid_job_is_retried_or_refreshed_and_the_job_finishes(
    finance_admin, local_salesforce, local_bank, fault_worker, mode, count
):
    connection = _with_bookings(finance_admin, local_bank, 50)
    arm_failures(local_salesforce, mode, count)
    run = _retrieve(finance_admin, connection, fault_worker)
    assert run.state == RunState.DONE, (run.error, fault_worker.log())
    assert run.counts["new_items"] == 50


@pytest.mark.parametrize(
    ("mode", "count"), [("unavailable", 2), ("request_limit", 2), ("expired_session", 1)]
)
def test_salesforce_failing_while_a_payment_run_is_sent_is_retried_and_nothing_doubles(
    finance_admin, acme_bank, bob, books, local_salesforce, local_bank, fault_worker, mode, count
):
    authorize_jobs(finance_admin, local_salesforce)
    proposal = prepare(finance_admin, acme_bank, bob)
    uploads_before = len(bank_uploads(local_bank))
    # The worker's first Salesforce calls are the Pending Payments it writes after uploading.
    arm_failures(local_salesforce, mode, count)
    payment_runs.queue_sending(
        actor=finance_admin,
        run_id=proposal.run_id,
        excluded_entry_ids=others(proposal, books),
        enqueue=tasks.send_payment_run.delay,
    )
    run = _until_finished(proposal.run_id, "the send did not finish", fault_worker)
    assert run.state == RunState.DONE, (run.error, fault_worker.log())
    armed = requests.get(f"{local_salesforce.url}/_standin/failures", timeout=10).json()
    assert armed["armed"] is None, "the worker never met the failures"
    assert bank_uploads(local_bank)[uploads_before:] == [("BTU", "000000")] * 3
    e2e = [t.end_to_end_id for o in proposal.orders for t in o.transactions]
    rows = bob.query(
        "SELECT Status__c FROM Ledgerlink_Payment__c WHERE End_To_End_Id__c IN ("
        + ", ".join(f"'{key}'" for key in e2e)
        + ")"
    )
    assert [row["Status__c"] for row in rows] == ["Pending"] * 3


@pytest.mark.usefixtures("authorized")
def test_salesforce_down_for_longer_stops_the_job_clearly_and_a_rerun_completes_once(
    finance_admin, local_salesforce, local_bank, fault_worker
):
    connection = _with_bookings(finance_admin, local_bank, 50)
    arm_failures(local_salesforce, "unavailable", 50)
    try:
        failed = _retrieve(finance_admin, connection, fault_worker)
    finally:
        requests.delete(f"{local_salesforce.url}/_standin/failures", timeout=10).raise_for_status()
    assert failed.state == RunState.FAILED
    assert failed.error.startswith("Salesforce refused the work")
    rerun = _retrieve(finance_admin, connection, fault_worker)
    assert rerun.state == RunState.DONE, rerun.error
    assert rerun.counts["items"] == 50
    alice = client_as(local_salesforce, "alice@acme.example", "alice-demo-pass")
    assert (
        alice.count(
            "SELECT COUNT() FROM Ledgerlink_Bank_Statement_Item__c "
            f"WHERE Bank_Statement__r.Account_IBAN__c IN ({_ibans(connection)})"
        )
        == 50
    )


def _redis(port: int, folder: Path) -> None:
    subprocess.run(
        [
            "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(port),
            "--dir", str(folder), "--appendonly", "yes", "--appendfsync", "always", "--save", "",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    _wait(lambda: _redis_answers(port), "redis did not start")


def _redis_answers(port: int) -> bool:
    try:
        return bool(redis.Redis(port=port, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.usefixtures("authorized")
def test_jobs_queued_before_the_broker_restarts_still_run(
    tmp_path, finance_admin, local_salesforce, local_bank
):
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    connection = _with_bookings(finance_admin, local_bank, 20)
    port = free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    _redis(port, tmp_path)
    try:
        today = datetime.now(UTC).date()
        run = jobs.start_retrieval(
            actor=finance_admin,
            connection=connection,
            kind="camt.053",
            start=today - timedelta(days=3),
            end=today,
            enqueue=lambda run_id: None,
        )
        with Connection(broker) as queue:
            # Celery's documented `connection` option is missing from celery-types.
            tasks.retrieve_statements.apply_async((run.pk,), connection=queue)  # type: ignore[call-arg]
        # The broker restarts with the job queued and no worker running.
        redis.Redis(port=port).shutdown()
        _wait(lambda: not _redis_answers(port), "redis did not stop")
        _redis(port, tmp_path)
        worker = _worker(tmp_path / "worker", local_salesforce, local_bank, broker=broker)
        try:
            _wait(
                lambda: BankJobRun.objects.get(pk=run.pk).state == RunState.DONE,
                "the queued run did not run after the restart",
                worker,
            )
        finally:
            worker.stop()
    finally:
        with contextlib.suppress(redis.RedisError):
            redis.Redis(port=port).shutdown(nosave=True)
    run.refresh_from_db()
    assert run.counts["items"] == 20


def _bank_control(local_bank, method: str, path: str, **kwargs) -> None:
    requests.request(
        method, local_bank.url.removesuffix("/ebics") + f"/_standin/{path}", timeout=10, **kwargs
    ).raise_for_status()


@pytest.mark.usefixtures("authorized")
def test_the_bank_dropping_the_connection_mid_download_is_recovered_in_the_job(
    finance_admin, local_salesforce, local_bank, fault_worker
):
    connection = _with_bookings(finance_admin, local_bank, 300)
    _bank_control(local_bank, "POST", "settings", json={"segment_size": 8 * 1024})
    _bank_control(
        local_bank,
        "POST",
        "failures",
        json={"drop_connection": {"order_type": "BTD", "phase": "transfer", "segment": 3}},
    )
    try:
        run = _retrieve(finance_admin, connection, fault_worker)
    finally:
        _bank_control(local_bank, "DELETE", "failures")
        _bank_control(local_bank, "POST", "settings", json={"segment_size": 786_432})
    assert run.state == RunState.DONE, run.error
    assert run.counts["new_items"] == 300
    assert "BTD transfer segment 3 -> 000000/000000 (dropped)" in local_bank.log()


@pytest.mark.usefixtures("authorized")
def test_a_statement_with_malformed_entries_is_written_without_them_and_they_are_reported(
    finance_admin, local_salesforce, local_bank, fault_worker
):
    connection = _with_bookings(finance_admin, local_bank, 40)
    _bank_control(
        local_bank,
        "POST",
        "failures",
        json={"malformed_entries": {"order_type": "BTD", "entries": 2}},
    )
    try:
        run = _retrieve(finance_admin, connection, fault_worker)
    finally:
        _bank_control(local_bank, "DELETE", "failures")
    assert run.state == RunState.DONE, run.error
    assert run.counts["problems"] == 2
    assert run.counts["items"] == 38
    assert run.counts["new_items"] == 38
