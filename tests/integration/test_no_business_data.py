"""No business data at rest: after the flows that touch it, nothing of it is in the database,
the cache (Redis) or the logs.

The first proof covers the flows in the web process: login, statements and status reports
parsed, payment orders built, entries read from Salesforce, a bank connection onboarded over EBICS
whose statements are retrieved and written to Salesforce, the review kept for its user, and a
payment run proposed and sent; whatever passes through the cache has an expiry. The second runs
the daily job in the worker (scheduled retrieval with auto-settle, a calendar payment run
prepared and sent, a review run) and scans the database, every Redis key and value after the
cache's lifetimes have passed, and the logs of both processes.
"""

import json
import time
from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day
from decimal import Decimal
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from banking import jobs, payment_runs, retrieval, services, tasks
from banking.formats.business_days import add_business_days, is_target_business_day
from banking.models import BankJobRun, JobKind, RunState
from portal.models import Tenant, User
from portal.roles import Role
from portal.salesforce.mapping import default_mapping
from portal.salesforce.records import read_open_entries
from portal.services import create_api_key
from tests.banking.payment_books import authorize_jobs, others
from tests.banking.test_connections import onboard
from tests.conftest import require
from tests.portal.salesforce.test_client import client_as
from tests.portal.test_salesforce_sessions import BOB
from tests.processes import start_celery_worker
from tests.salesforce_fixtures import reset, sign_in_through_canvas

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CAMT053 = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "fixtures"
    / "camt"
    / "oca"
    / "test-camt053"
)
# Business values of the flows below: IBANs, names, amounts, references.
SECRETS = [
    "NL46ABNA0499998748",
    "NL69ABNA0522123643",
    "INSURANCE COMPANY TESTX",
    "3rd party Media",
    "754.25",
    "1405.31",
    "Fournisseur Müller SARL",
    "FR1420041010050500013M02606",
    "Invoice 2026-0042",
]


def _database_text() -> str:
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            chunks.extend(str(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def _keys_without_expiry() -> list[bytes]:
    """Cache keys that would stay for ever; Celery's own queue bookkeeping is not the cache."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    return [
        key
        for key in client.scan_iter()
        if client.ttl(key) == -1 and not key.startswith((b"_kombu", b"celery", b"unacked"))
    ]


def _redis_text() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL)
    chunks: list[str] = []
    for key in client.scan_iter():
        chunks.append(repr(key))
        if client.type(key) == b"string":
            chunks.append(repr(client.get(key)))
    return "\n".join(chunks)


def test_no_business_data_reaches_the_database_the_cache_or_the_logs(
    local_salesforce, local_bank, client, settings, caplog, acme, admin
):
    require(settings.REDIS_URL.startswith("redis://"), "REDIS_URL is not set")
    caplog.set_level("DEBUG")
    reset(local_salesforce)

    # Login from inside Salesforce, and the pages that read the org.
    sign_in_through_canvas(client, local_salesforce, **BOB)
    client.get("/")
    client.get("/salesforce/")

    # The stateless API with business data in and out.
    _, key = create_api_key(actor=admin, name="ERP", role=Role.CLERK)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    parsed = api.post(
        "/api/v1/statements/parse", CAMT053.read_bytes(), content_type="application/xml"
    )
    assert parsed.status_code == 200
    from tests.banking.test_payment_orders_api import credit_transfer

    built = api.post("/api/v1/payment-orders", credit_transfer(), format="json")
    assert built.status_code == 200
    bad = credit_transfer()
    bad["transactions"][0]["amount"] = "-754.25"
    assert api.post("/api/v1/payment-orders", bad, format="json").status_code == 400

    # Entries read from Salesforce, in memory only.
    alice = client_as(local_salesforce, "alice@acme.example", "alice-demo-pass")
    entries = list(read_open_entries(alice, default_mapping("entry")))
    assert entries
    entry_values = [entries[0].document_number, str(entries[0].open_amount)]

    # A bank connection onboarded, statements retrieved over EBICS and written to Salesforce.
    requests.post(
        local_bank.url.removesuffix("/ebics") + "/_standin/subscribers/LLBANK/ACME/ALICE/reset",
        timeout=10,
    ).raise_for_status()
    connection = onboard(admin, local_bank, partner_id="ACME", user_id="ALICE")
    today = datetime.now(UTC).date()
    retrieved = retrieval.retrieve_statements(
        actor=admin,
        connection=connection,
        kind="camt.053",
        start=today - timedelta(days=20),
        end=today,
        now=datetime.now(UTC),
        salesforce=alice,
    )
    assert retrieved.written is not None
    items = [item for statement in retrieved.statements for item in statement.items]
    bank_values = [
        value
        for item in items[:10]
        for value in (
            item.counterparty.name if item.counterparty else None,
            item.counterparty.iban if item.counterparty else None,
            item.remittance_information,
        )
        if value
    ]
    assert bank_values

    # The review, kept briefly for the user, and a payment run proposed and sent.
    User.objects.filter(salesforce_user_id=BOB["user_id"]).update(role=Role.CLERK)
    assert client.get("/matching/review/").status_code == 200
    account = next(a for a in connection.accounts.all() if a.iban == "DE89370400440532013000")
    proposal = payment_runs.prepare_payment_run(
        actor=admin,
        connection=connection,
        execution_date=add_business_days(today, 1),
        account=account,
        salesforce=alice,
        now=datetime.now(UTC),
        creditor_id="DE98ZZZ09999999999",
    )
    payment_runs.send_payment_run(
        actor=admin,
        run_id=proposal.run_id,
        excluded_entry_ids=payment_runs.invalid_entry_ids(proposal),
        salesforce=alice,
        now=datetime.now(UTC),
    )
    sent = [t for order in proposal.orders for t in order.transactions if not t.problems]
    assert sent
    payment_values = [
        value
        for transaction in sent[:10]
        for value in (transaction.counterparty.name, transaction.counterparty.iban)
        if value
    ]

    assert Tenant.objects.exists()
    # Business data may pass through the cache only encrypted and with an expiry.
    assert _keys_without_expiry() == []
    stored = _database_text() + _redis_text() + caplog.text
    for value in [*SECRETS, *entry_values, *bank_values, *payment_values]:
        assert value not in stored, f"{value!r} was found at rest"
    assert json.dumps(parsed.json())  # the answer itself carried the data


# -- the daily job, run by the worker ---------------------------------------------------------

# Short cache lifetimes, for the worker and this process alike, so the scan can wait them out.
# A job's progress must outlive its wait in the queue (an expired one means "abandoned").
SHORT_SECONDS = {
    "JOB_PROGRESS_SECONDS": 30,
    "REVIEW_RESULT_SECONDS": 10,
    "REVIEW_RECENT_SECONDS": 10,
    "PAYMENT_PROPOSAL_SECONDS": 30,
    "PAYMENT_SENDING_SECONDS": 30,
}


@pytest.fixture
def short_lived_worker(tmp_path, settings, local_salesforce, local_bank):
    require(settings.CELERY_BROKER_URL.startswith("redis://"), "REDIS_URL is not set")
    require(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    for name, seconds in SHORT_SECONDS.items():
        setattr(settings, name, seconds)
    settings.REVIEW_INLINE_PAIRS = 0  # the review, too, runs in the worker
    db = settings.DATABASES["default"]
    worker = start_celery_worker(
        tmp_path,
        {
            "REDIS_URL": settings.REDIS_URL,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "LOCAL_SALESFORCE_URL": local_salesforce.url,
            "LOCAL_BANK_URL": local_bank.url,
            "ENCRYPTION_KEYS": ",".join(settings.ENCRYPTION_KEYS),
            **{name: str(seconds) for name, seconds in SHORT_SECONDS.items()},
        },
    )
    yield worker
    worker.stop()


def _until(condition, what: str, worker, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}\n{worker.log()}"
        time.sleep(0.3)


def _finished(run: BankJobRun) -> bool:
    run.refresh_from_db()
    return run.state in (RunState.DONE, RunState.FAILED, RunState.CANCELLED) or (
        run.kind == JobKind.PAYMENT_RUN
        and run.state == RunState.QUEUED
        and not run.parameters.get("preparing")
    )


def _all_of_redis() -> str:
    """Every key with its value, whatever its type (Celery's queues are lists and hashes)."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    chunks: list[str] = []
    for key in client.scan_iter():
        chunks.append(repr(key))
        kind = client.type(key)
        if kind == b"string":
            chunks.append(repr(client.get(key)))
        elif kind == b"list":
            chunks.extend(repr(value) for value in client.lrange(key, 0, -1))
        elif kind == b"hash":
            chunks.extend(repr(value) for value in client.hgetall(key).items())
        elif kind == b"set":
            chunks.extend(repr(value) for value in client.smembers(key))
        elif kind == b"zset":
            chunks.extend(repr(value) for value in client.zrange(key, 0, -1))
    return "\n".join(chunks)


def _cache_keys() -> list[bytes]:
    """The application's cache keys (Django's prefix), not Celery's queue bookkeeping.

    The clerk's session stays for its own lifetime: it holds the encrypted Salesforce tokens and
    the login, no business data, and it is scanned with the rest.
    """
    client = redis.Redis.from_url(settings.REDIS_URL)
    return [
        key for key in client.scan_iter() if b":1:" in key and b"django.contrib.sessions" not in key
    ]


def test_the_daily_job_in_the_worker_leaves_no_business_data_once_the_cache_expired(
    short_lived_worker, client, caplog, finance_admin, acme_bank, bob, books, local_salesforce
):
    """Scheduled retrieval with auto-settle, a calendar payment run prepared and sent, and a
    review, all in the worker; then the cache's lifetimes pass and nothing of it is found."""
    caplog.set_level("DEBUG")
    worker = short_lived_worker
    authorize_jobs(finance_admin, local_salesforce)
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # only this test's keys from here on
    now = datetime.now(UTC)

    # 1. The daily retrieval, settling the AUTO band.
    services.save_schedule(
        actor=finance_admin,
        connection=acme_bank,
        values={"retrieve_at": time_of_day(0, 0), "kind": "camt.053", "auto_settle": True},
    )
    assert jobs.start_due_retrievals(now=now, enqueue=tasks.retrieve_statements.delay) == 1
    retrieval_run = BankJobRun.objects.get(connection=acme_bank, kind=JobKind.RETRIEVAL)
    _until(lambda: _finished(retrieval_run), "the retrieval did not finish", worker)
    assert retrieval_run.state == RunState.DONE, retrieval_run.error
    assert retrieval_run.counts["new_items"] > 0

    # 2. The payment-run calendar: the worker prepares, the admin approves, the worker sends.
    account = payment_runs.payment_accounts(acme_bank)[0]
    services.save_payment_schedule(
        actor=finance_admin,
        connection=acme_bank,
        values={
            "weekdays": "1,2,3,4,5",
            "prepare_at": time_of_day(0, 0),
            "lead_days": 1,
            "account": account,
            "creditor_id": "DE98ZZZ09999999999",
        },
    )
    beat = now
    while not is_target_business_day(beat.date()):
        beat += timedelta(days=1)
    assert jobs.start_due_payment_runs(now=beat, enqueue=tasks.prepare_payment_run.delay) == 1
    payment_run = BankJobRun.objects.get(connection=acme_bank, kind=JobKind.PAYMENT_RUN)
    _until(lambda: _finished(payment_run), "the payment run was not prepared", worker)
    proposal = payment_runs.load_proposal(payment_run)
    assert proposal is not None, payment_run.error
    payment_runs.queue_sending(
        actor=finance_admin,
        run_id=payment_run.pk,
        excluded_entry_ids=others(proposal, books) | payment_runs.invalid_entry_ids(proposal),
        enqueue=tasks.send_payment_run.delay,
    )
    _until(
        lambda: BankJobRun.objects.get(pk=payment_run.pk).state in (RunState.DONE, RunState.FAILED),
        "the payment run was not sent",
        worker,
    )
    payment_run.refresh_from_db()
    assert payment_run.state == RunState.DONE, payment_run.error

    # 3. A review, computed by the worker and kept for the clerk's pages.
    sign_in_through_canvas(client, local_salesforce, **BOB)
    started = client.get("/matching/review/?background=1")
    job_id = started["Location"].rstrip("/").rsplit("/", 1)[-1]
    _until(
        lambda: client.get(f"/matching/review/runs/{job_id}/status").json()["is_finished"],
        "the review run did not finish",
        worker,
    )
    assert client.get(f"/matching/review/?run={job_id}").status_code == 200

    # What the job handled: statement items, the paid and collected counterparties, amounts.
    items = bob.query(
        "SELECT Counterparty_Name__c, Counterparty_IBAN__c, Remittance_Information__c, "
        "Amount__c FROM Ledgerlink_Bank_Statement_Item__c WHERE Bank_Statement__r."
        f"Account_IBAN__c IN ({', '.join(repr(a.iban) for a in acme_bank.accounts.all())}) "
        "LIMIT 200"
    )
    handled = {
        str(value)
        for item in items
        for value in (
            item["Counterparty_Name__c"],
            item["Counterparty_IBAN__c"],
            item["Remittance_Information__c"],
        )
        if value and len(str(value)) >= 6
    }
    handled |= {f"{Decimal(str(item['Amount__c'])):.2f}" for item in items if item["Amount__c"]}
    handled |= {
        value
        for order in proposal.orders
        for t in order.transactions
        for value in (t.counterparty.name, t.counterparty.iban, t.document_number)
        if value
    }
    handled |= {"Testlieferant GmbH", "Kunde core AG", "Kunde b2b AG"}
    handled = {value for value in handled if len(value) >= 6}  # "120.50" and longer
    assert len(handled) > 50

    # Wait the cache's lifetimes out: then only Celery's bookkeeping may be left.
    longest = max(SHORT_SECONDS.values()) + 2
    _until(lambda: _cache_keys() == [], "cache keys outlived their expiry", worker, longest + 30)

    at_rest = _database_text() + _all_of_redis() + caplog.text + worker.log()
    found = sorted(value for value in handled if value in at_rest)
    assert found == [], f"found at rest: {found[:10]}"
