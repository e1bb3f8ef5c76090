"""The review flow in Chromium inside the local Salesforce: accepting twice settles once, and a
review computed in the background shows its progress and can be cancelled."""

import pytest

from tests.portal.salesforce.test_client import client_as
from tests.salesforce_fixtures import reset
from tests.settlement.test_review import a_payment_of, an_open_invoice

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CAROL = "0055g00000CClerAAD"


def _entry_items(alice, invoice) -> int:
    return alice.count(
        "SELECT COUNT() FROM Ledgerlink_Entry_Item__c "
        f"WHERE Entry__c = '{invoice['Id']}' AND External_Id__c LIKE 'LL-IN-%'"
    )


def test_accepting_twice_writes_the_entry_items_once(
    local_salesforce, live_server, page, screenshot
):
    reset(local_salesforce)
    alice = client_as(local_salesforce, "alice@acme.example", "alice-demo-pass")
    invoice = an_open_invoice(alice, offset=7)
    item_id = a_payment_of(alice, invoice, "BROWSER-TWICE")
    page.goto(f"{local_salesforce.url}/canvas/host/?user={CAROL}")
    frame = page.frame_locator("iframe[name=canvas-frame]")
    frame.get_by_role("link", name="Review").click()
    frame.get_by_label("Amount, name or reference").fill(invoice["Document_Number__c"])
    frame.get_by_role("button", name="Filter").click()
    suggestion = frame.locator(
        f'li.suggestion:has(input[name=statement_item][value="{item_id}"])'
    ).first
    suggestion.wait_for()
    fields = frame.locator(f"#accept-{item_id}").evaluate(
        "form => Array.from(new FormData(form).entries())"
    )
    suggestion.get_by_role("button", name="Accept").dblclick()
    frame.get_by_text("Settled in Salesforce.").wait_for()
    # The retry: the same accept posted again from the page as it was before.
    frame.locator("body").evaluate(
        """(body, fields) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = "/matching/review/accept/";
            for (const [name, value] of fields) {
                const input = document.createElement("input");
                input.type = "hidden"; input.name = name; input.value = value;
                form.appendChild(input);
            }
            body.appendChild(form);
            form.submit();
        }""",
        fields,
    )
    frame.locator(".messages").wait_for()
    screenshot(page, "review-accepted-twice", full_page=False)
    assert _entry_items(alice, invoice) == 1


def test_a_background_review_shows_its_progress_and_can_be_cancelled(
    local_salesforce, live_server, page, screenshot
):
    reset(local_salesforce)
    page.goto(f"{local_salesforce.url}/canvas/host/?user={CAROL}")
    frame = page.frame_locator("iframe[name=canvas-frame]")
    frame.get_by_role("link", name="Review").click()
    frame.get_by_role("link", name="compute in the background").click()
    frame.get_by_role("heading", name="Computing the review").wait_for()
    frame.locator("progress").wait_for()
    screenshot(page, "review-run-progress", full_page=False, tour="11-review-in-background")
    frame.get_by_role("button", name="Cancel").click()
    frame.get_by_role("heading", name="Review run cancelled").wait_for()
    frame.get_by_role("link", name="Start again").wait_for()
    screenshot(page, "review-run-cancelled", full_page=False)
