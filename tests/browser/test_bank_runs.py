"""The run history and a run's page, in Chromium: a finished retrieval and a queued one."""

from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.conf import settings
from django.test import Client

from banking import jobs
from tests.banking.test_connections import onboard
from tests.portal.salesforce.test_jobs import authorized  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def _logged_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.mark.usefixtures("authorized")
def test_a_finance_admin_follows_retrieval_runs(
    local_salesforce, local_bank, live_server, page, screenshot, finance_admin
):
    requests.post(
        local_bank.url.removesuffix("/ebics") + "/_standin/subscribers/LLBANK/ACME/ALICE/reset",
        timeout=10,
    ).raise_for_status()
    connection = onboard(finance_admin, local_bank, partner_id="ACME", user_id="ALICE")
    today = datetime.now(UTC).date()
    finished = jobs.start_retrieval(
        actor=finance_admin,
        connection=connection,
        kind="camt.053",
        start=today - timedelta(days=20),
        end=today,
        enqueue=lambda run_id: None,
    )
    jobs.run_retrieval(finished.pk)
    queued = jobs.start_retrieval(
        actor=finance_admin,
        connection=connection,
        kind="mt940",
        start=today - timedelta(days=2),
        end=today,
        enqueue=lambda run_id: None,
    )
    _logged_in(page, live_server, finance_admin)
    page.goto(f"{live_server.url}/banking/runs/")
    page.get_by_role("heading", name="Runs").wait_for()
    screenshot(page, "bank-runs", tour="13-runs")
    page.goto(f"{live_server.url}/banking/runs/{finished.pk}/")
    page.get_by_text("written to Salesforce").wait_for()
    screenshot(page, "bank-run-done")
    page.goto(f"{live_server.url}/banking/runs/{queued.pk}/")
    page.locator("progress").wait_for()
    page.get_by_text("Waiting for a worker").wait_for()
    screenshot(page, "bank-run-queued")
    page.get_by_role("button", name="Cancel").click()
    page.get_by_text("The run was cancelled").wait_for()
