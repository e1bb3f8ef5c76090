"""A payment run in Chromium: start, read the validation report, exclude, send, apply pain.002."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.conf import settings
from django.test import Client

from banking import jobs, tasks
from banking.formats.business_days import is_target_business_day
from banking.models import BankJobRun, RunState
from portal.credentials import SalesforceCredentials, store_credentials
from tests.banking.payment_books import authorize_jobs
from tests.banking.test_jobs import bank_worker  # noqa: F401  (a fixture)
from tests.salesforce_fixtures import password_grant

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def _logged_in(page, live_server, local_salesforce, user) -> None:
    """A portal session for ``user`` holding their own Salesforce token, as after a login."""
    grant = password_grant(local_salesforce, "bob@acme.example", "bob-demo-pass")
    client = Client()
    client.force_login(user)
    session = client.session
    store_credentials(
        session,
        SalesforceCredentials(
            org_id=user.tenant.org_id,
            user_id=user.salesforce_user_id,
            access_token=grant["access_token"],
            instance_url=grant["instance_url"],
            login_url=local_salesforce.url,
        ),
    )
    session.save()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server.url,
            }
        ]
    )


def test_a_finance_admin_checks_excludes_and_sends_a_payment_run(
    local_salesforce, local_bank, live_server, page, screenshot, finance_admin, request
):
    # The books come from tests/banking/payment_books.py.
    connection, ours = request.getfixturevalue("acme_bank"), request.getfixturevalue("books")
    _logged_in(page, live_server, local_salesforce, finance_admin)
    page.goto(f"{live_server.url}/banking/connections/{connection.pk}/")
    page.get_by_role("link", name="Payment run", exact=True).click()
    page.get_by_role("heading", name="Start a payment run").wait_for()
    page.get_by_label("Account").select_option(label="DE89370400440532013000")
    page.get_by_label("SEPA creditor ID (for direct debits)").fill("DE98ZZZ09999999999")
    screenshot(page, "payment-run-start")
    page.get_by_role("button", name="Prepare the validation report").click()
    page.get_by_role("heading", name="Credit transfers (pain.001)").wait_for()
    assert page.get_by_role("button", name="Send to the bank").count() == 0
    screenshot(page, "payment-run-report", tour="14-payment-run-report")

    page.get_by_role("button", name="Exclude every transaction with problems").click()
    page.locator(f"#exclude-{ours['approved']}").wait_for()
    assert not page.locator(f"#exclude-{ours['approved']}").is_checked()
    assert page.get_by_role("button", name="Send to the bank").count() == 1
    screenshot(page, "payment-run-invalid-excluded", full_page=False)
    # Keep only this test's own entries: the demo org's valid ones would be sent too.
    kept = sorted({ours["approved"], ours["core"], ours["b2b"]})
    page.locator("input[name=exclude]").evaluate_all(
        "(boxes, kept) => boxes.forEach(box => { box.checked = !kept.includes(box.value); })",
        kept,
    )
    page.get_by_role("button", name="Check again with these exclusions").first.click()
    page.get_by_role("button", name="Send to the bank").click()
    page.get_by_text("Sent.").wait_for()
    screenshot(page, "payment-run-sent", tour="15-payment-run-sent")
    run = BankJobRun.objects.get()
    assert run.state == RunState.DONE
    accepted = [
        order for order in run.parameters["orders"].values() if order["state"] == "accepted"
    ]
    assert len(accepted) == 3
    for order in accepted:
        page.get_by_text(order["order_id"], exact=True).wait_for()

    page.get_by_role("link", name="Payment runs").click()
    page.get_by_role("button", name="Apply status reports").click()
    page.locator(".applied-reports").wait_for()
    screenshot(page, "payment-run-status-reports")


@pytest.mark.usefixtures("bank_worker")
def test_the_payment_calendar_prepares_runs_that_wait_for_approval(
    local_salesforce, local_bank, live_server, page, screenshot, finance_admin, request
):
    connection, ours = request.getfixturevalue("acme_bank"), request.getfixturevalue("books")
    authorize_jobs(finance_admin, local_salesforce)
    _logged_in(page, live_server, local_salesforce, finance_admin)
    page.goto(f"{live_server.url}/banking/connections/{connection.pk}/")
    calendar = page.locator("form.payment-schedule")
    calendar.scroll_into_view_if_needed()
    calendar.get_by_label("Wed").uncheck()
    calendar.get_by_label("At (UTC)").fill("06:30")
    calendar.get_by_label("Account").select_option(label="DE89370400440532013000")
    calendar.get_by_label("SEPA creditor ID").fill("DE98ZZZ09999999999")
    calendar.get_by_role("button", name="Save calendar").click()
    page.get_by_text("The payment-run calendar was saved").wait_for()
    page.locator("#payment-schedule").scroll_into_view_if_needed()
    screenshot(
        page,
        "payment-calendar",
        full_page=False,
        tour="16-payment-calendar",
        focus=page.locator("section:has(#payment-schedule)"),
    )
    assert connection.payment_schedule.iso_weekdays == {1, 2, 4, 5}

    # Beat on the next Monday morning: the worker reads what is due, nothing is sent.
    monday = datetime.now(UTC).date() + timedelta(days=7 - datetime.now(UTC).weekday())
    while not is_target_business_day(monday):
        monday += timedelta(days=7)
    beat = datetime.combine(monday, time(7, 0), tzinfo=UTC)
    assert jobs.start_due_payment_runs(now=beat, enqueue=tasks.prepare_payment_run.delay) == 1
    page.goto(f"{live_server.url}/banking/connections/")
    notice = page.locator(".waiting-payment-run")
    for _ in range(60):
        if notice.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    notice.wait_for()
    screenshot(page, "banks-payment-run-waiting", full_page=False, tour="17-payment-run-waiting")
    notice.get_by_role("link", name="Review and approve").click()
    page.get_by_role("heading", name="Credit transfers (pain.001)").wait_for()
    assert page.locator(f"#exclude-{ours['approved']}").count() == 1
    run = BankJobRun.objects.get(scheduled_for=monday)
    assert run.state == RunState.QUEUED
    assert all(order["state"] == "prepared" for order in run.parameters["orders"].values())

    # The same, by hand, in the background: the page follows the worker, then shows the report.
    page.goto(f"{live_server.url}/banking/connections/{connection.pk}/payment-runs/new/")
    page.get_by_label("Account").select_option(label="DE89370400440532013000")
    page.get_by_role("button", name="Prepare in the background").click()
    page.get_by_role("heading", name="Credit transfers (pain.001)").wait_for(timeout=60_000)
    screenshot(page, "payment-run-prepared-in-background", full_page=False)
