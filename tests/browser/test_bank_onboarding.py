"""A finance admin connects the local bank through the wizard inside Salesforce, in Chromium: keys,
letter, the bank's activation on its own admin page, key verification, then a statement download
written to Salesforce and a payment order upload."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from banking.formats.pain_writer import build_credit_transfer
from banking.formats.payment_order import AccountHolder
from banking.models import BankConnection, ConnectionStatus
from tests.banking.formats.orders import credit_transfer_order, payment
from tests.portal.salesforce.test_client import client_as
from tests.salesforce_fixtures import reset

pytestmark = [pytest.mark.browser, pytest.mark.integration]

TIMEOUT = 10


def _bank_base(local_bank) -> str:
    return local_bank.url.removesuffix("/ebics")


def _statement_items(alice) -> int:
    return alice.count("SELECT COUNT() FROM Ledgerlink_Bank_Statement_Item__c")


def test_a_finance_admin_connects_the_bank_and_retrieves_and_sends_through_the_wizard(
    local_salesforce, local_bank, live_server, page, screenshot
):
    reset(local_salesforce)
    alice = client_as(local_salesforce, "alice@acme.example", "alice-demo-pass")
    requests.post(
        f"{_bank_base(local_bank)}/_standin/subscribers/LLBANK/ACME/ALICE/reset", timeout=TIMEOUT
    ).raise_for_status()
    page.set_viewport_size({"width": 1280, "height": 1000})
    # The wizard's pages grow tall; inside the Canvas frame headless Chromium stops routing clicks
    # to the lower part of the grown cross-site frame, so this walk runs at the top level (the
    # Canvas frame itself is covered by the login and review tests).
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("button", name="Log in with Salesforce").click()
    page.get_by_role("button", name="Alice Admin").click()
    page.wait_for_url(f"{live_server.url}/")
    frame = page
    frame.get_by_role("link", name="Banks").click()
    frame.get_by_role("heading", name="Bank connections").wait_for()
    frame.get_by_role("link", name="New connection").click()

    frame.get_by_label("Name").fill("Local bank")
    frame.get_by_label("Bank URL (EBICS endpoint)").fill(local_bank.url)
    frame.get_by_label("Host ID").fill("LLBANK")
    frame.get_by_label("Partner ID (customer ID)").fill("ACME")
    frame.get_by_label("User ID (subscriber ID)").fill("ALICE")
    frame.get_by_label("EBICS version").select_option("H005")
    screenshot(page, "bank-connection-new", tour="04-bank-connection-new")
    frame.get_by_role("button", name="Save").click()
    frame.get_by_role("heading", name="Create the keys").wait_for()
    screenshot(page, "bank-connection-wizard-new")

    frame.get_by_role("button", name="Create keys").click()
    frame.get_by_role("button", name="Send keys to the bank (INI and HIA)").click()
    frame.get_by_role("heading", name="Download and sign the initialisation letter").wait_for()
    screenshot(page, "bank-connection-keys-sent", tour="05-bank-keys-sent")
    with page.expect_download() as download:
        frame.get_by_role("link", name="Download the initialisation letter (PDF)").click()
    letter = download.value
    assert letter.suggested_filename.endswith(".pdf")
    frame.get_by_role("button", name="I have sent the signed letter").click()
    frame.get_by_role("heading", name="Wait for the bank to activate you").wait_for()
    frame.get_by_role("button", name="Download the bank's keys").click()
    frame.get_by_text("has not activated this subscriber yet").first.wait_for()
    screenshot(page, "bank-connection-waiting")

    # The bank's side: its admin activates the subscriber on the bank's own page.
    bank_page = page.context.new_page()
    bank_page.goto(f"{_bank_base(local_bank)}/_standin/subscribers")
    row = bank_page.locator("tr", has_text="ACME").filter(has_text="ALICE")
    row.get_by_role("button", name="Activate").click()
    bank_page.locator("tr", has_text="ACME").filter(has_text="Ready").wait_for()
    screenshot(bank_page, "local-bank-subscribers", tour="06-local-bank-activates")
    bank_page.close()
    page.bring_to_front()

    frame.get_by_role("button", name="Download the bank's keys").click()
    frame.get_by_role("heading", name="Compare the bank's keys with its letter").wait_for()
    screenshot(
        page,
        "bank-connection-bank-keys",
        tour="07-bank-keys",
        focus=frame.get_by_role("region", name="The bank's keys", exact=True),
    )
    letter_hashes = requests.get(
        f"{_bank_base(local_bank)}/_standin/bank-keys", timeout=TIMEOUT
    ).json()["keys"]
    frame.get_by_label("Authentication key hash (X002) from the bank's letter").fill(
        letter_hashes["X002"]["certificate_sha256"]
    )
    frame.get_by_label("Encryption key hash (E002) from the bank's letter").fill(
        letter_hashes["E002"]["certificate_sha256"]
    )
    frame.get_by_role("button", name="The hashes match: trust the bank's keys").click()
    frame.get_by_role("heading", name="The connection is active").wait_for()
    frame.get_by_role("heading", name="Accounts").wait_for()
    screenshot(page, "bank-connection-active", tour="08-bank-connection-active")
    connection = BankConnection.objects.get(partner_id="ACME")
    assert connection.status == ConnectionStatus.ACTIVE

    before = _statement_items(alice)
    today = datetime.now(UTC).date()
    retrieve = frame.get_by_role("region", name="Retrieve statements")
    retrieve.get_by_label("Statement", exact=True).select_option("camt.053")
    retrieve.get_by_label("From", exact=True).fill((today - timedelta(days=20)).isoformat())
    retrieve.get_by_label("To", exact=True).fill(today.isoformat())
    retrieve.get_by_role("button", name="Retrieve", exact=True).click()
    frame.get_by_text("Written to Salesforce").wait_for()
    screenshot(
        page,
        "bank-connection-retrieved",
        tour="09-statements-retrieved",
        focus=frame.get_by_role("region", name="Retrieve statements"),
    )
    written = _statement_items(alice)
    assert written > before
    # Retrieving the same period again writes nothing twice.
    frame.get_by_role("region", name="Retrieve statements").get_by_role(
        "button", name="Retrieve", exact=True
    ).click()
    frame.get_by_text("(0 new)").wait_for()
    assert _statement_items(alice) == written

    account = connection.accounts.exclude(iban="").first()
    order = credit_transfer_order(
        payment(1),
        payment(2),
        message_id=f"BROWSER-{datetime.now(UTC):%H%M%S%f}",
        debtor=AccountHolder(name="Acme Industries GmbH", iban=account.iban, bic=account.bic),
        requested_execution_date=today + timedelta(days=3),
        created_at=datetime.now(UTC),
    )
    frame.get_by_label("Payment file (pain.001 or pain.008)").set_input_files(
        {
            "name": "payments.xml",
            "mimeType": "application/xml",
            "buffer": build_credit_transfer(order, today=today),
        }
    )
    frame.get_by_role("button", name="Sign and send").click()
    frame.get_by_text("The bank accepted the pain.001 order").wait_for()
    screenshot(page, "bank-connection-payment-sent")
