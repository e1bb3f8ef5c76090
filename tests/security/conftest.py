"""Acme's objects that URLs name, Globex's mirror of them, and a fingerprint of the database.

Personas come from tests/conftest.py: Alice (admin), Bob (finance admin), Carol (clerk) and Dave
(viewer) of Acme; Erin, admin of Globex, is the outsider.
"""

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from banking.models import BankConnection, BankJobRun, ConnectionStatus, JobKind
from portal import progress
from portal.roles import Role
from portal.services import create_api_key
from settlement.models import MatchingConfiguration
from tests.security.inventory import AcmeWorld, Route

# Nothing listens on the discard port of the loopback interface: a step that does reach for the
# bank fails at once, without leaving the machine.
UNREACHABLE_BANK = "https://127.0.0.1:9/ebics"

# Words that only Acme's configuration contains; none may appear on Erin's pages.
ACME_MARKERS = (
    "Acme",
    "00D5g000004ACMEEA4",
    "Alice Admin",
    "Bob Finance",
    "Carol Clerk",
    "Dave Viewer",
    "ACMEHOST",
    "ACMEPART",
)

_CONFIGURATION_APPS = ("portal", "banking", "settlement", "socialaccount", "account")
# Bookkeeping that every authenticated API call updates, refused or not.
_BOOKKEEPING = {"portal.ApiKey": {"last_used_at"}}


@pytest.fixture
def acme_world(admin, finance_admin, clerk, viewer) -> AcmeWorld:
    connection = BankConnection.objects.create(
        tenant=admin.tenant,
        created_by=finance_admin,
        name="Acme Hausbank",
        bank_url=UNREACHABLE_BANK,
        host_id="ACMEHOST",
        partner_id="ACMEPART",
        user_id="ACMEUSER",
        status=ConnectionStatus.ACTIVE,
    )
    run_job = progress.start(kind="retrieval", user=finance_admin)
    run = BankJobRun.objects.create(
        tenant=admin.tenant,
        connection=connection,
        kind=JobKind.RETRIEVAL,
        started_by=finance_admin,
        job_id=run_job.job_id,
    )
    payment_run = BankJobRun.objects.create(
        tenant=admin.tenant,
        connection=connection,
        kind=JobKind.PAYMENT_RUN,
        started_by=finance_admin,
        # A prepared run whose proposal is no longer in the cache (it expired).
        parameters={"execution_date": "2026-11-23", "prefix": "LL", "orders": {}},
        job_id=progress.start(kind="payment_run", user=finance_admin).job_id,
    )
    configuration = MatchingConfiguration.objects.create(
        tenant=admin.tenant, name="Acme matching rules"
    )
    api_key, _ = create_api_key(actor=admin, name="Acme ERP key", role=Role.CLERK)
    review_job = progress.start(kind="review", user=clerk)
    return AcmeWorld(
        connection=connection,
        run=run,
        payment_run=payment_run,
        configuration=configuration,
        api_key=api_key,
        user=viewer,
        review_job_id=review_job.job_id,
    )


def database_state() -> dict[str, list[dict[str, object]]]:
    """Every configuration row, so a test can show that a refused request changed nothing."""
    state: dict[str, list[dict[str, object]]] = {}
    for model in apps.get_models():
        if model._meta.app_label in _CONFIGURATION_APPS:
            ignored = _BOOKKEEPING.get(model._meta.label, set())
            rows = model._default_manager.order_by("pk").values()
            state[model._meta.label] = [
                {name: value for name, value in row.items() if name not in ignored} for row in rows
            ]
    return state


def url_of(route: Route, world: AcmeWorld) -> str:
    return reverse(route.name, kwargs=route.arguments(world))


def logged_in(user, *, enforce_csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(user)
    return client


def send(client: Client, route: Route, url: str):
    """The route's own request: a GET where it answers GET, else a POST with its data."""
    if route.is_get:
        return client.get(url)
    return client.post(url, route.data)
