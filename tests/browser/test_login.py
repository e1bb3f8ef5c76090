"""Logging in, in a real browser: with Salesforce OAuth, and from inside Salesforce (Canvas)."""

import pytest
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib.sessions.backends.cache import SessionStore
from django.db import connection

from portal.credentials import load_credentials
from portal.models import Tenant, User
from tests.salesforce_fixtures import expire_access_tokens, userinfo_status

pytestmark = [pytest.mark.browser, pytest.mark.integration]

ALICE = "0055g00000AAdmiAAD"
ERIN = "0057Q00000ESandQAD"


def _session_of(page):
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    return SessionStore(session_key=cookie["value"])


def _database_contains(text: str) -> bool:
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            if any(text in str(row) for row in cursor.fetchall()):
                return True
    return False


def test_a_user_logs_in_with_salesforce_oauth_and_stays_logged_in(
    local_salesforce, live_server, page, screenshot
):
    page.goto(f"{live_server.url}/login/")
    screenshot(page, "login", tour="01-login")
    page.get_by_role("button", name="Log in with Salesforce").click()
    page.wait_for_url(f"{local_salesforce.url}/**")
    screenshot(page, "local-salesforce-login", tour="02-local-salesforce-login")
    page.get_by_role("button", name="Alice Admin").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_text("Connected as Alice Admin").is_visible()
    assert page.locator(".who .org").inner_text().startswith("Acme Industries GmbH")
    screenshot(page, "onboarding", tour="03-onboarding")

    tenant = Tenant.objects.get()
    assert tenant.org_id == "00D5g000004ACMEEA4"
    assert tenant.instance_url == local_salesforce.url
    assert User.objects.get().role == "admin"
    # Tokens live in the session only: neither allauth's tables nor any other row holds them.
    assert SocialAccount.objects.count() == 0
    assert SocialToken.objects.count() == 0
    credentials = load_credentials(_session_of(page))
    assert credentials.refresh_token
    assert not _database_contains(credentials.access_token)
    assert not _database_contains(credentials.refresh_token)

    page.get_by_role("link", name="Users & roles").click()
    assert page.get_by_role("cell", name="Alice Admin you").is_visible()
    screenshot(page, "users")

    expire_access_tokens(local_salesforce)
    page.goto(f"{live_server.url}/")
    assert page.get_by_text("Connected as Alice Admin").is_visible()
    renewed = load_credentials(_session_of(page))
    assert renewed.access_token != credentials.access_token

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/login/")
    assert userinfo_status(local_salesforce, renewed.access_token) == 403


def test_a_sandbox_user_logs_in_through_the_sandbox_choice(local_salesforce, live_server, page):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Sandbox (test.salesforce.com)").check()
    page.get_by_role("button", name="Log in with Salesforce").click()
    page.get_by_role("button", name="Erin Outsider").click()
    page.wait_for_url(f"{live_server.url}/")
    tenant = Tenant.objects.get(org_id="00D7Q000009SANDUA4")
    assert tenant.is_sandbox
    assert page.locator(".who .badge").inner_text() == "Sandbox"


def test_a_user_opens_ledgerlink_inside_salesforce_and_moves_between_pages(
    local_salesforce, live_server, page, screenshot
):
    page.goto(f"{local_salesforce.url}/canvas/host/?user={ALICE}")
    frame = page.frame_locator("iframe[name=canvas-frame]")
    frame.get_by_text("Connected as Alice Admin").wait_for()
    screenshot(page, "canvas-home", tour="12-inside-salesforce")
    frame.get_by_role("link", name="Users & roles").click()
    frame.get_by_role("heading", name="Users and roles").wait_for()
    frame.get_by_role("link", name="Audit log").click()
    frame.get_by_role("heading", name="Audit log").wait_for()
    assert frame.get_by_text("tenant.connected").is_visible()
    screenshot(page, "canvas-audit-log")
    assert User.objects.get(salesforce_user_id=ALICE).role == "admin"


def test_ledgerlink_fits_a_narrow_canvas_frame(local_salesforce, live_server, page, screenshot):
    page.set_viewport_size({"width": 700, "height": 900})
    page.goto(f"{local_salesforce.url}/canvas/host/?user={ALICE}&width=420")
    frame = page.frame_locator("iframe[name=canvas-frame]")
    frame.get_by_text("Connected as Alice Admin").wait_for()
    width = frame.locator("body").evaluate("body => body.scrollWidth")
    assert width <= 420
    screenshot(page, "canvas-narrow")


def test_a_finance_admin_sees_the_salesforce_connection_and_mappings(
    local_salesforce, live_server, page, screenshot
):
    page.goto(f"{local_salesforce.url}/canvas/host/?user=0055g00000BFinAAAT")
    frame = page.frame_locator("iframe[name=canvas-frame]")
    frame.get_by_text("Every object and field Ledgerlink needs is there.").wait_for()
    frame.get_by_role("link", name="Salesforce").click()
    frame.get_by_role("heading", name="Objects Ledgerlink needs").wait_for()
    screenshot(page, "salesforce-connection")
    frame.get_by_role("link", name="Field mappings").click()
    frame.get_by_role("link", name="Edit").nth(2).click()
    frame.get_by_label("Amount").fill("External_Id__c")
    frame.get_by_role("button", name="Check and save").click()
    frame.get_by_text("cannot hold a money value").wait_for()
    screenshot(page, "field-mapping-problems")


def test_a_clerk_reviews_and_accepts_a_match_inside_salesforce(
    local_salesforce, live_server, page, screenshot
):
    from tests.portal.salesforce.test_client import client_as
    from tests.salesforce_fixtures import reset
    from tests.settlement.test_review import a_payment_of, an_open_invoice

    reset(local_salesforce)
    alice = client_as(local_salesforce, "alice@acme.example", "alice-demo-pass")
    invoice = an_open_invoice(alice)
    item_id = a_payment_of(alice, invoice, "BROWSER-REVIEW")
    page.goto(f"{local_salesforce.url}/canvas/host/?user=0055g00000CClerAAD")
    frame = page.frame_locator("iframe[name=canvas-frame]")
    frame.get_by_role("link", name="Review").click()
    frame.get_by_role("heading", name="Review matches").wait_for()
    frame.get_by_label("Amount, name or reference").fill(invoice["Document_Number__c"])
    frame.get_by_role("button", name="Filter").click()
    suggestion = frame.locator(
        f'li.suggestion:has(input[name=statement_item][value="{item_id}"])'
    ).first
    suggestion.wait_for()
    screenshot(page, "review", tour="10-review")
    suggestion.get_by_role("button", name="Accept").click()
    frame.get_by_text("Settled in Salesforce.").wait_for()
    matched = next(
        iter(
            alice.query(
                "SELECT Match_Status__c FROM Ledgerlink_Bank_Statement_Item__c "
                f"WHERE Id = '{item_id}'"
            )
        )
    )
    assert matched["Match_Status__c"] == "Matched"


def test_a_clerk_accepts_with_the_keyboard(local_salesforce, live_server, page, screenshot):
    from tests.portal.salesforce.test_client import client_as
    from tests.salesforce_fixtures import reset
    from tests.settlement.test_review import a_payment_of, an_open_invoice

    reset(local_salesforce)
    alice = client_as(local_salesforce, "alice@acme.example", "alice-demo-pass")
    invoice = an_open_invoice(alice, offset=5)
    item_id = a_payment_of(alice, invoice, "KEYBOARD-REVIEW")
    page.goto(f"{local_salesforce.url}/canvas/host/?user=0055g00000CClerAAD")
    frame = page.frame_locator("iframe[name=canvas-frame]")
    frame.get_by_role("link", name="Review").click()
    frame.get_by_label("Amount, name or reference").fill(invoice["Document_Number__c"])
    frame.get_by_role("button", name="Filter").click()
    frame.locator("li.suggestion").first.wait_for()
    frame.locator("h1").click()
    page.keyboard.press("j")
    screenshot(page, "review-keyboard")
    page.keyboard.press("a")
    frame.get_by_text("Settled in Salesforce.").wait_for()
    matched = next(
        iter(
            alice.query(
                "SELECT Match_Status__c FROM Ledgerlink_Bank_Statement_Item__c "
                f"WHERE Id = '{item_id}'"
            )
        )
    )
    assert matched["Match_Status__c"] == "Matched"
