"""Shared fixtures: personas of two orgs, and the real components the suite runs against.

Personas: Alice (admin), Bob (finance admin), Carol (clerk) and Dave (viewer) work at Acme; Erin
is an admin of Globex, another org: the outsider who must never see Acme's configuration.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

from portal.models import Tenant, User
from portal.roles import Role
from tests.processes import start_local_bank, start_local_salesforce
from tests.salesforce_fixtures import pointed_at

ACME_ORG_ID = "00D5g000004ACMEEA4"
GLOBEX_ORG_ID = "00D7Q000009SANDUA4"

# The payment-run books (fixtures bob, acme_bank, books) serve the banking and the fault tests.
pytest_plugins = ["tests.banking.payment_books"]

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip when a component is missing on a developer's machine; fail in CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required)")
    pytest.skip(reason)


def make_user(tenant: Tenant, salesforce_user_id: str, name: str, role: Role) -> User:
    user = User.objects.create(
        tenant=tenant,
        salesforce_user_id=salesforce_user_id,
        username=f"{tenant.org_id}:{salesforce_user_id}",
        name=name,
        role=role,
    )
    user.set_unusable_password()
    user.save()
    return user


@pytest.fixture
def acme(db, settings) -> Tenant:
    url = settings.LOCAL_SALESFORCE_URL
    return Tenant.objects.create(
        org_id=ACME_ORG_ID, name="Acme Industries GmbH", login_url=url, instance_url=url
    )


@pytest.fixture
def globex(db, settings) -> Tenant:
    url = settings.LOCAL_SALESFORCE_URL
    return Tenant.objects.create(
        org_id=GLOBEX_ORG_ID,
        name="Globex Corporation",
        is_sandbox=True,
        login_url=url,
        instance_url=url,
    )


@pytest.fixture
def admin(acme) -> User:
    return make_user(acme, "0055g00000AAdmiAAD", "Alice Admin", Role.ADMIN)


@pytest.fixture
def finance_admin(acme) -> User:
    return make_user(acme, "0055g00000BFinAAAT", "Bob Finance", Role.FINANCE_ADMIN)


@pytest.fixture
def clerk(acme) -> User:
    return make_user(acme, "0055g00000CClerAAD", "Carol Clerk", Role.CLERK)


@pytest.fixture
def viewer(acme) -> User:
    return make_user(acme, "0055g00000DViewAAD", "Dave Viewer", Role.VIEWER)


@pytest.fixture
def outsider(globex) -> User:
    return make_user(globex, "0057Q00000ESandQAD", "Erin Outsider", Role.ADMIN)


@pytest.fixture(scope="session")
def local_salesforce(live_server, tmp_path_factory):
    """The local Salesforce over real HTTP, sending OAuth callbacks and Canvas posts to the
    live server; the portal's settings point at it while it runs."""
    process = start_local_salesforce(
        Path(tmp_path_factory.mktemp("local-salesforce")), ledgerlink_url=live_server.url
    )
    with pointed_at(process):
        yield process
    process.stop()


@pytest.fixture(scope="session")
def local_bank(local_salesforce, tmp_path_factory):
    """The local EBICS bank over real HTTP, its demo payments drawn from the local Salesforce's
    open invoices; the portal accepts its plain-http URL while it runs."""
    data_dir = Path(tmp_path_factory.mktemp("local-bank"))
    salesforce_data = Path(local_salesforce.log_path).parent / "salesforce.sqlite3"
    process = start_local_bank(data_dir, salesforce_data=salesforce_data)
    previous = settings.LOCAL_BANK_URL
    settings.LOCAL_BANK_URL = process.url
    yield process
    settings.LOCAL_BANK_URL = previous
    process.stop()


# Browsers: Debian's Chromium driven by Playwright. One browser for the whole session, because
# Playwright's sync API allows only one running instance per thread.
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screens"
TOUR = Path(__file__).resolve().parents[1] / "docs" / "tour"


@pytest.fixture(scope="session")
def browser():
    require(Path(CHROMIUM).exists(), "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, full_page: bool = True, tour: str = "", focus=None) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if tour and os.environ.get("LEDGERLINK_TOUR"):
            # `make tour` refreshes the guided tour's pictures (docs/tour.md) from these runs:
            # the part of the page the tour talks about, or the top of the page.
            TOUR.mkdir(parents=True, exist_ok=True)
            target = TOUR / f"{tour}.png"
            if focus is not None:
                focus.screenshot(path=str(target))
            else:
                page.screenshot(path=str(target), full_page=False)
        return path

    return take
