"""The review page and the matching API under load: 20 concurrent users, driven by locust.

    python -m benchmarks.load [--quick] [--users 20] [--workers N] [--think-seconds 3]

``make bench`` runs it with the other benchmarks. Phases: 3 s warm-up (not recorded), 20 s for
each baseline, 40 s for each loaded phase, about 2.5 minutes in all; ``--quick``: 2, 5 and 10 s,
under a minute. Nothing is left behind: processes are stopped and files live in one temporary
folder.

What runs, all on loopback:

- the local Salesforce with its default demo org (Acme: 200 accounts, 2,000 entries, 61
  unmatched statement items), to which the benchmark adds payments of 40 further open invoices,
  so that the review reads about 100 unmatched items against the open entries (about 900);
- Ledgerlink itself, served by gunicorn (sync workers, 2 x CPUs + 1 by default) with DEBUG as in
  .env.example, a fresh SQLite database (migrated first) and Redis database 4 as its cache, so
  that sessions are shared by the workers as in production. (The file cache would also be shared,
  but it lives in var/ of the checkout, outside the temporary folder.) The keys the run adds to
  Redis database 4 are deleted at the end;
- one Canvas sign-in per virtual user (Alice, Bob and Carol in turn, each with a real token from
  the local Salesforce's password grant); Bob is made finance admin and Carol clerk, Alice is
  admin as the org's first user. The API is called with an API key, as an ERP would.

Locust (in this process, FastHttpUser) runs four phases: the review page (GET /matching/review/)
and the matching API (POST /api/v1/matching/suggestions, with a body built from the same org:
the unmatched items against every open entry) with 1 user (the baseline) and with ``--users``
users. Each loaded user pauses ``--think-seconds`` (3 s by default, a clerk reading a suggestion)
between requests; ``--think-seconds 0`` measures saturation instead (the baselines never
pause). A request counts as failed unless it answers 200 with the expected content; the
reasons are listed, with the gunicorn log's error lines. Latencies are exact per-request times
(not locust's rounded buckets). The last columns show the CPU time per request spent by the
gunicorn workers, the local Salesforce, the load generator and the rest of the machine.

The goal (p95 under 300 ms for a review page of about 100 items with 20 users) is reported as
met or missed for the loaded review phase.

Reading the numbers. Everything shares the machine's cores, so with no think time the loaded
phases measure saturation: by Little's law the latency is users / throughput, and throughput is
at most cores / CPU time per request. One review page costs about 115 ms of Ledgerlink CPU and
55 ms of local-Salesforce CPU (2 cores: at most about 12 pages/s, so about 1.7 s each for 20
users without pauses); its 1-user latency is about 250-450 ms. The page makes six sequential
Salesforce calls (two COUNT queries to decide whether to run in the worker, the unmatched
items, the open entries, the open entries again for their accounts' names, the mandates'
IBANs), matches in memory (about 65 ms) and renders 50 rows (about 60 ms). The matching API
(about 100 items against 900 open items) costs about 40 ms of CPU. The SQLite database of this
set-up answers "database is locked" now and then under 20 users, when an API key's
last-used time is written (once a minute) by concurrent workers: a deferred SQLite
transaction that reads and then writes cannot wait for the lock; PostgreSQL in production
does not have this problem.
"""

import argparse
import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# isort: split
# Importing locust patches the standard library for gevent; nothing may import ssl before it.
from locust import FastHttpUser, constant, task
from locust.env import Environment

# isort: split
import http.cookiejar

import gevent
import psutil
import redis
import requests

from portal.salesforce.client import SalesforceClient
from tests.portal.signed_requests import canvas_envelope, sign
from tests.processes import ROOT, RunningProcess, free_port, start_local_salesforce, wait_for_http

CONSUMER_KEY = "3MVG9LedgerlinkDevConsumerKey.LocalSalesforce"
CONSUMER_SECRET = "ledgerlink-dev-consumer-secret-change-me"
API_VERSION = "62.0"
TIMEOUT_SECONDS = 30
ENTRY = "Ledgerlink_Entry__c"
ITEM = "Ledgerlink_Bank_Statement_Item__c"
REVIEW_PATH = "/matching/review/"
API_PATH = "/api/v1/matching/suggestions"
GOAL_P95_MS = 300.0
EXTRA_PAYMENTS = 40
# Each suggestion row carries its statement item in the accept and the reject form.
_ROW = re.compile(r'name="statement_item" value="([^"]+)"')


class LoadTestFailed(RuntimeError):
    """The set-up went wrong (a process, a sign-in, the data); the message says what."""


@dataclass(frozen=True)
class Persona:
    username: str
    password: str
    user_id: str
    full_name: str
    role: str


# Alice comes first: the first user of an org becomes its admin; the others are promoted.
PERSONAS = (
    Persona("alice@acme.example", "alice-demo-pass", "0055g00000AAdmiAAD", "Alice Admin", "admin"),
    Persona(
        "bob@acme.example", "bob-demo-pass", "0055g00000BFinAAAT", "Bob Finance", "finance_admin"
    ),
    Persona("carol@acme.example", "carol-demo-pass", "0055g00000CClerAAD", "Carol Clerk", "clerk"),
)

# Run by `manage.py shell`: roles for Bob and Carol, and an API key, printed on the last line.
_ROLES_AND_API_KEY = """
from portal.models import User
from portal.roles import Role
from portal.services import assign_role, create_api_key
users = {{user.salesforce_user_id: user for user in User.objects.all()}}
alice = users[{alice!r}]
for user_id, role in {roles!r}:
    assign_role(actor=alice, user=users[user_id], role=Role(role))
print(create_api_key(actor=alice, name="load test", role=Role.VIEWER)[1])
"""


@dataclass(frozen=True)
class Durations:
    warm_up: float
    baseline: float
    load: float


@dataclass(frozen=True)
class Measurement:
    phase: str
    users: int
    requests: int
    failures: int
    seconds: float
    latencies_ms: tuple[float, ...]
    cpu_seconds: dict[str, float]
    failure_reasons: dict[str, int]

    def percentile(self, share: float) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else float("nan")
        return statistics.quantiles(self.latencies_ms, n=1000, method="inclusive")[
            round(share * 1000) - 1
        ]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def cpu_ms_per_request(self, name: str) -> float:
        return 1000 * self.cpu_seconds.get(name, 0.0) / self.requests if self.requests else 0.0


@dataclass
class Recorder:
    """Collects every request locust makes while ``recording`` is on."""

    recording: bool = False
    latencies_ms: list[float] = field(default_factory=list)
    failures: int = 0
    failure_reasons: dict[str, int] = field(default_factory=dict)

    def on_request(self, response_time: float, exception: BaseException | None, **_: Any) -> None:
        if not self.recording:
            return
        self.latencies_ms.append(response_time)
        if exception is not None:
            self.failures += 1
            reason = str(exception)[:200]
            self.failure_reasons[reason] = self.failure_reasons.get(reason, 0) + 1


# -- Processes -----------------------------------------------------------------------------------


def _ledgerlink_environment(folder: Path, salesforce_url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        # The development defaults, not whatever a developer's .env holds; these win over it.
        "ENV_FILE": str(ROOT / ".env.example"),
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{folder / 'ledgerlink.sqlite3'}",
        "REDIS_URL": redis_url,
        "LOCAL_SALESFORCE_URL": salesforce_url,
        "LOCAL_BANK_URL": "",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def _run_manage(environment: dict[str, str], *arguments: str) -> str:
    finished = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if finished.returncode != 0:
        raise LoadTestFailed(f"manage.py {arguments[0]} failed:\n{finished.stderr[-3000:]}")
    return finished.stdout


def _start_gunicorn(
    folder: Path, port: int, workers: int, environment: dict[str, str]
) -> RunningProcess:
    log_path = folder / "gunicorn.log"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "120",
            "--worker-tmp-dir",
            str(folder),
        ],
        cwd=ROOT,
        env=environment,
        # gunicorn's own messages and Django's error reports both go to the standard streams.
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    running = RunningProcess(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    try:
        wait_for_http(f"{running.url}/healthz", running, timeout=60)
    except RuntimeError:
        running.stop()
        raise
    return running


@contextmanager
def _redis_keys_removed_afterwards(redis_url: str) -> Iterator[None]:
    """Delete, at the end, the keys the run added (sessions, cached identities) to the database."""
    database = redis.Redis.from_url(redis_url, socket_timeout=TIMEOUT_SECONDS)
    before = set(database.scan_iter(count=1000))
    try:
        yield
    finally:
        added = [key for key in database.scan_iter(count=1000) if key not in before]
        if added:
            database.delete(*added)
        database.close()


def _cpu_seconds(process: psutil.Process, *, with_children: bool) -> float:
    """CPU time of a process, with its living children (gunicorn's workers) if asked."""
    members = [process, *process.children(recursive=True)] if with_children else [process]
    total = 0.0
    for member in members:
        try:
            times = member.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


@dataclass(frozen=True)
class Watched:
    """A process whose CPU time is counted per request; the load generator's without children
    (they are the servers under test)."""

    name: str
    process: psutil.Process
    with_children: bool

    def cpu_seconds(self) -> float:
        return _cpu_seconds(self.process, with_children=self.with_children)


def _busy_cpu_seconds() -> float:
    """CPU time the whole machine spent on anything, over all cores, since boot."""
    times = psutil.cpu_times()
    return float(sum(times)) - times.idle - getattr(times, "iowait", 0.0)


# -- Data and sign-ins ---------------------------------------------------------------------------


def _password_grant(salesforce_url: str, persona: Persona) -> dict[str, Any]:
    response = requests.post(
        f"{salesforce_url}/services/oauth2/token",
        data={
            "grant_type": "password",
            "username": persona.username,
            "password": persona.password,
            "client_id": CONSUMER_KEY,
            "client_secret": CONSUMER_SECRET,
        },
        timeout=TIMEOUT_SECONDS,
    )
    if response.status_code != 200:
        raise LoadTestFailed(f"the password grant for {persona.username} failed: {response.text}")
    grant: dict[str, Any] = response.json()
    return grant


def _salesforce_client(salesforce_url: str) -> SalesforceClient:
    grant = _password_grant(salesforce_url, PERSONAS[0])
    return SalesforceClient(
        instance_url=grant["instance_url"],
        access_token=grant["access_token"],
        api_version=API_VERSION,
        timeout=TIMEOUT_SECONDS,
        local_salesforce_url=salesforce_url,
    )


def _add_payments(client: SalesforceClient, count: int) -> int:
    """Upsert statement items that pay open invoices the demo statements leave alone."""
    paid = " ".join(
        f"{row['Remittance_Information__c']} {row['Counterparty_Name__c']}".upper()
        for row in client.query(
            f"SELECT Remittance_Information__c, Counterparty_Name__c FROM {ITEM}"
        )
    )
    invoices = client.query(
        "SELECT Id, Document_Number__c, Open_Amount__c, Account__r.Name "
        f"FROM {ENTRY} "
        "WHERE Status__c = 'Open' AND Direction__c = 'Receivable' AND Type__c = 'Invoice' "
        "AND Open_Amount__c > 100 ORDER BY Document_Number__c"
    )
    uncontested = (
        invoice
        for invoice in invoices
        if invoice["Document_Number__c"].upper() not in paid
        and (invoice["Account__r"] or {}).get("Name", "").upper()[:20] not in paid
    )
    items = [
        {
            "External_Id__c": f"LOAD-{number:04d}",
            "Booking_Date__c": "2026-11-20",
            "Amount__c": str(invoice["Open_Amount__c"]),
            "Currency__c": "EUR",
            "Credit_Debit__c": "CRDT",
            "Status__c": "BOOK",
            "Match_Status__c": "Unmatched",
            "Counterparty_Name__c": invoice["Account__r"]["Name"].upper(),
            "Remittance_Information__c": f"Rechnung {invoice['Document_Number__c']} danke",
        }
        for number, invoice in zip(range(count), uncontested, strict=False)
    ]
    client.upsert(ITEM, "External_Id__c", items)
    return len(items)


def _api_body(client: SalesforceClient) -> dict[str, Any]:
    """What an ERP would send: the org's unmatched items against every open entry."""
    statement_items = [
        {
            "id": row["Id"],
            "amount": str(row["Amount__c"]),
            "currency": row["Currency__c"] or "EUR",
            "booking_date": row["Booking_Date__c"],
            "counterparty_name": row["Counterparty_Name__c"] or "",
            "remittance_information": row["Remittance_Information__c"] or "",
        }
        for row in client.query(
            "SELECT Id, Amount__c, Currency__c, Booking_Date__c, Counterparty_Name__c, "
            f"Remittance_Information__c FROM {ITEM} WHERE Match_Status__c = 'Unmatched'"
        )
        if row["Amount__c"] and row["Booking_Date__c"]
    ]
    open_items = [
        {
            "id": row["Id"],
            "open_amount": str(
                -row["Open_Amount__c"]
                if row["Direction__c"] == "Payable"
                else row["Open_Amount__c"]
            ),
            "currency": row["Currency__c"] or "EUR",
            "document_number": row["Document_Number__c"] or "",
            "account_name": (row["Account__r"] or {}).get("Name") or "",
        }
        for row in client.query(
            "SELECT Id, Open_Amount__c, Direction__c, Currency__c, Document_Number__c, "
            f"Account__r.Name FROM {ENTRY} WHERE Status__c = 'Open' AND Open_Amount__c != 0"
        )
    ]
    return {"statement_items": statement_items, "open_items": open_items}


def _sign_in_through_canvas(ledgerlink_url: str, salesforce_url: str, persona: Persona) -> str:
    """Open Ledgerlink from inside the local Salesforce as this persona; the session ID."""
    grant = _password_grant(salesforce_url, persona)
    envelope = canvas_envelope(salesforce_url, userId=persona.user_id)
    envelope["client"]["oauthToken"] = grant["access_token"]
    envelope["context"]["user"].update(
        userId=persona.user_id, userName=persona.username, fullName=persona.full_name
    )
    answer = requests.post(
        f"{ledgerlink_url}/canvas/",
        data={"signed_request": sign(envelope, CONSUMER_SECRET)},
        allow_redirects=False,
        timeout=TIMEOUT_SECONDS,
    )
    session_id = answer.cookies.get("sessionid")
    if answer.status_code != 302 or not session_id:
        raise LoadTestFailed(
            f"the Canvas sign-in of {persona.username} failed: {answer.status_code}"
        )
    return str(session_id)


# -- Locust --------------------------------------------------------------------------------------


_TITLE = re.compile(r"<title>\s*(.*?)\s*</title>", re.DOTALL)


def _failure(status: int, text: str | None, error: object) -> str:
    """The status and what the answer says: Django's debug page names the exception in its title;
    status 0 is no answer at all, and the error says why."""
    if status == 0:
        return f"no answer: {error!r}"
    title = _TITLE.search(text or "")
    said = title.group(1) if title else (text or "")[:100]
    return f"status {status}: {' '.join(said.split())}"


def _error_lines(log: str, limit: int = 6) -> list[str]:
    """The last distinct error lines of a server log."""
    seen: dict[str, None] = {}
    for line in log.splitlines():
        if "Error" in line or "Exception" in line:
            seen.pop(line.strip(), None)
            seen[line.strip()] = None
    return list(seen)[-limit:]


def _refuse_cookies(user: FastHttpUser) -> None:
    # The session travels in an explicit header; the jar must not add a second Cookie header.
    user.client.cookiejar.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


def _reviewer_class(host: str, session_ids: list[str], think_seconds: float) -> type[FastHttpUser]:
    sessions = itertools.cycle(session_ids)

    class Reviewer(FastHttpUser):
        wait_time = constant(think_seconds)
        network_timeout = 120.0
        connection_timeout = 10.0

        def on_start(self) -> None:
            _refuse_cookies(self)
            self.cookie = f"sessionid={next(sessions)}"

        @task
        def review_page(self) -> None:
            with self.client.get(
                REVIEW_PATH, headers={"Cookie": self.cookie}, catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(_failure(response.status_code, response.text, response.error))
                elif not _ROW.search(response.text or ""):
                    response.failure("the page shows no suggestion")

    Reviewer.host = host
    return Reviewer


def _api_caller_class(
    host: str, api_key: str, body: str, think_seconds: float
) -> type[FastHttpUser]:
    class ApiCaller(FastHttpUser):
        wait_time = constant(think_seconds)
        network_timeout = 120.0
        connection_timeout = 10.0

        def on_start(self) -> None:
            _refuse_cookies(self)

        @task
        def suggestions(self) -> None:
            with self.client.post(
                API_PATH,
                data=body,
                headers={"Authorization": f"Api-Key {api_key}", "Content-Type": "application/json"},
                catch_response=True,
            ) as response:
                if response.status_code != 200:
                    response.failure(
                        f"status {response.status_code}: {(response.text or '')[:100]}"
                    )
                elif '"suggestions"' not in (response.text or ""):
                    response.failure("the answer holds no suggestions")

    ApiCaller.host = host
    return ApiCaller


def _run_phase(
    phase: str,
    user_class: type[FastHttpUser],
    users: int,
    seconds: float,
    warm_up: float,
    watched: list[Watched],
) -> Measurement:
    """Run ``users`` users; record ``seconds`` after a ``warm_up`` that is not recorded."""
    recorder = Recorder()
    environment = Environment(user_classes=[user_class])
    environment.events.request.add_listener(recorder.on_request)
    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.sleep(warm_up)
    cpu_before = {process.name: process.cpu_seconds() for process in watched}
    busy_before = _busy_cpu_seconds()
    recorder.recording = True
    started = time.perf_counter()
    gevent.sleep(seconds)
    recorder.recording = False
    elapsed = time.perf_counter() - started
    cpu_after = {process.name: process.cpu_seconds() for process in watched}
    busy = _busy_cpu_seconds() - busy_before
    cpu_seconds = {name: cpu_after[name] - cpu_before[name] for name in cpu_after}
    # Whatever else runs on the machine (other test suites, say) competes for the same cores.
    cpu_seconds["other"] = max(0.0, busy - sum(cpu_seconds.values()))
    runner.quit()
    runner.greenlet.join(timeout=TIMEOUT_SECONDS)
    return Measurement(
        phase=phase,
        users=users,
        requests=len(recorder.latencies_ms),
        failures=recorder.failures,
        seconds=elapsed,
        latencies_ms=tuple(recorder.latencies_ms),
        cpu_seconds=cpu_seconds,
        failure_reasons=recorder.failure_reasons,
    )


def _print_table(measurements: list[Measurement], process_names: list[str]) -> None:
    cpu_headers = "".join(f" {name[:12]:>12}" for name in process_names)
    print(
        f"{'phase':36} {'users':>5} {'requests':>8} {'failures':>8} {'req/s':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}{cpu_headers}"
    )
    for row in measurements:
        cpu = "".join(f" {row.cpu_ms_per_request(name):>12.1f}" for name in process_names)
        print(
            f"{row.phase:36} {row.users:>5} {row.requests:>8} {row.failures:>8} "
            f"{row.throughput:>7.1f} {row.percentile(0.50):>7.0f} {row.percentile(0.95):>7.0f} "
            f"{row.percentile(0.99):>7.0f}{cpu}"
        )
        for reason, count in row.failure_reasons.items():
            print(f"    {count} x {reason}")
    print(
        f"(the last {len(process_names)} columns: CPU milliseconds per request in each process; "
        "other: the rest of the machine)"
    )


# -- Main ----------------------------------------------------------------------------------------


def _sign_everyone_in(
    ledgerlink_url: str, salesforce_url: str, environment: dict[str, str], users: int
) -> tuple[list[str], str]:
    """One Ledgerlink session per virtual user (the personas in turn), roles and an API key."""
    session_ids = [
        _sign_in_through_canvas(ledgerlink_url, salesforce_url, persona)
        for persona in itertools.islice(itertools.cycle(PERSONAS), max(users, len(PERSONAS)))
    ]
    script = _ROLES_AND_API_KEY.format(
        alice=PERSONAS[0].user_id,
        roles=[(persona.user_id, persona.role) for persona in PERSONAS[1:]],
    )
    api_key = (
        _run_manage(environment, "shell", "--no-startup", "-c", script).strip().splitlines()[-1]
    )
    return session_ids, api_key


def _review_summary(ledgerlink_url: str, session_id: str) -> str:
    """What the review page says it shows: suggestions, items without one, rows on page 1."""
    page = requests.get(
        f"{ledgerlink_url}{REVIEW_PATH}",
        headers={"Cookie": f"sessionid={session_id}"},
        timeout=TIMEOUT_SECONDS,
    ).text
    counts = re.search(r"(\d+) suggestions?, (\d+) items? without one", page)
    if counts is None:
        raise LoadTestFailed(f"the review page does not show suggestions:\n{page[:2000]}")
    return (
        f"{counts.group(1)} suggestions and {counts.group(2)} items without one, "
        f"{len(set(_ROW.findall(page)))} rows on page 1"
    )


def run(arguments: argparse.Namespace, durations: Durations) -> list[Measurement]:
    """Start everything, run the four phases, print the table; stop everything, always."""
    with tempfile.TemporaryDirectory(prefix="ledgerlink-load-") as name:
        folder = Path(name)
        port = free_port()
        ledgerlink_url = f"http://127.0.0.1:{port}"
        started: list[RunningProcess] = []
        with _redis_keys_removed_afterwards(arguments.redis_url):
            try:
                salesforce = start_local_salesforce(folder, ledgerlink_url=ledgerlink_url)
                started.append(salesforce)
                environment = _ledgerlink_environment(folder, salesforce.url, arguments.redis_url)
                _run_manage(environment, "migrate", "--no-input")
                client = _salesforce_client(salesforce.url)
                added = _add_payments(client, EXTRA_PAYMENTS)
                body = _api_body(client)
                gunicorn = _start_gunicorn(folder, port, arguments.workers, environment)
                started.append(gunicorn)
                session_ids, api_key = _sign_everyone_in(
                    ledgerlink_url, salesforce.url, environment, arguments.users
                )
                summary = _review_summary(ledgerlink_url, session_ids[-1])
                print(
                    f"local Salesforce: {added} payments added to the demo org; "
                    f"{len(body['statement_items'])} unmatched statement items, "
                    f"{len(body['open_items'])} open entries"
                )
                print(
                    f"review page: {summary}; API body: "
                    f"{len(body['statement_items'])} items x {len(body['open_items'])} open items; "
                    f"gunicorn: {arguments.workers} sync workers; "
                    f"{os.cpu_count()} CPUs; think time {arguments.think_seconds} s"
                )
                watched = [
                    Watched("ledgerlink", psutil.Process(gunicorn.process.pid), True),
                    Watched("salesforce", psutil.Process(salesforce.process.pid), True),
                    Watched("locust", psutil.Process(), False),
                ]
                think = arguments.think_seconds
                api_body = json.dumps(body)
                # The baselines never pause: they show the latency of an idle server.
                phases = [
                    (
                        "baseline: review page",
                        _reviewer_class(ledgerlink_url, session_ids, 0.0),
                        1,
                        durations.baseline,
                    ),
                    (
                        "review page",
                        _reviewer_class(ledgerlink_url, session_ids, think),
                        arguments.users,
                        durations.load,
                    ),
                    (
                        "baseline: matching API",
                        _api_caller_class(ledgerlink_url, api_key, api_body, 0.0),
                        1,
                        durations.baseline,
                    ),
                    (
                        "matching API",
                        _api_caller_class(ledgerlink_url, api_key, api_body, think),
                        arguments.users,
                        durations.load,
                    ),
                ]
                measurements = [
                    _run_phase(phase, user_class, users, seconds, durations.warm_up, watched)
                    for phase, user_class, users, seconds in phases
                ]
                if any(row.failures for row in measurements):
                    print("errors in the gunicorn log:")
                    for line in _error_lines(gunicorn.log()):
                        print(f"    {line[:300]}")
            finally:
                for process in reversed(started):
                    process.stop()
    _print_table(measurements, [*(process.name for process in watched), "other"])
    loaded = measurements[1]
    verdict = "met" if loaded.percentile(0.95) < GOAL_P95_MS and not loaded.failures else "missed"
    print(
        f"goal p95 < {GOAL_P95_MS:.0f} ms (review page, {loaded.users} users): {verdict} "
        f"(p95 {loaded.percentile(0.95):.0f} ms, {loaded.failures} failures)"
    )
    return measurements


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="short phases (about a minute)")
    parser.add_argument("--users", type=int, default=20, help="concurrent users under load")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers"
    )
    parser.add_argument(
        "--think-seconds", type=float, default=3.0, help="pause of each user between requests"
    )
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/4", help="the cache of the gunicorn workers"
    )
    arguments = parser.parse_args()
    run(arguments, Durations(2, 5, 10) if arguments.quick else Durations(3, 20, 40))


if __name__ == "__main__":
    main()
