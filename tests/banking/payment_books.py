"""The books a payment-run test starts from: the ACME org's due entries and its bank connection.

Shared by the payment-run tests and the fault tests (registered in tests/conftest.py).
"""

import secrets
import sqlite3
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from banking import payment_runs
from banking.formats.business_days import add_business_days
from portal.credentials import SalesforceCredentials
from portal.salesforce.jobs import authorize_background_jobs
from standins.bank.store import STORE_FILE
from tests.banking.test_connections import onboard
from tests.portal.salesforce.test_client import client_as
from tests.salesforce_fixtures import authorization_code_grant, reset

CREDITOR_ID = "DE98ZZZ09999999999"
SUPPLIER_IBAN = "DE02120300000000202051"
CUSTOMER_IBAN = "DE02500105170137075030"
B2B_CUSTOMER_IBAN = "DE88100900001234567892"


def now() -> datetime:
    return datetime.now(UTC)


def execution_date() -> date:
    return add_business_days(now().date(), 1)


@pytest.fixture
def bob(local_salesforce):
    reset(local_salesforce)
    return client_as(local_salesforce, "bob@acme.example", "bob-demo-pass")


@pytest.fixture
def acme_bank(local_bank, finance_admin):
    requests.post(
        local_bank.url.removesuffix("/ebics") + "/_standin/subscribers/LLBANK/ACME/ALICE/reset",
        timeout=10,
    ).raise_for_status()
    return onboard(finance_admin, local_bank, partner_id="ACME", user_id="ALICE")


def create(client, sobject: str, fields: dict) -> str:
    (body,) = client.composite(
        [{"method": "POST", "url": f"sobjects/{sobject}", "referenceId": "new", "body": fields}]
    )
    return body["id"]


def entry(client, account_id: str, label: str, **fields) -> str:
    due = (now().date() - timedelta(days=3)).isoformat()
    values = {
        "Account__c": account_id,
        "External_Id__c": f"TEST-{label}-{secrets.token_hex(4)}",
        "Document_Number__c": label,
        "Amount__c": "120.50",
        "Open_Amount__c": "120.50",
        "Currency__c": "EUR",
        "Status__c": "Open",
        "Type__c": "Invoice",
        "Due_Date__c": due,
        "Document_Date__c": due,
        **fields,
    }
    return create(client, "Ledgerlink_Entry__c", values)


@pytest.fixture
def books(bob) -> dict[str, str]:
    """A supplier with a bank account and four payables; two customers with mandates (CORE and
    B2B) and one without a mandate, each with a direct-debit invoice."""
    supplier = create(bob, "Account", {"Name": "Testlieferant GmbH", "AccountNumber": "K99001"})
    create(
        bob,
        "Ledgerlink_Payment_Instrument__c",
        {
            "Account__c": supplier,
            "Account_Holder__c": "Testlieferant GmbH",
            "IBAN__c": SUPPLIER_IBAN,
            "BIC__c": "BYLADEM1001",
            "Mandate_Reference__c": f"BANK-{secrets.token_hex(4)}",
            "Active__c": True,
        },
    )
    payable = {"Direction__c": "Payable", "Approval_Status__c": "Approved"}
    books = {
        "approved": entry(bob, supplier, "INV-A", **payable),
        "excluded": entry(bob, supplier, "INV-X", **payable, Exclude_From_Payment_Run__c=True),
        "unapproved": entry(
            bob, supplier, "INV-U", Direction__c="Payable", Approval_Status__c="Pending"
        ),
        "later": entry(
            bob,
            supplier,
            "INV-L",
            **payable,
            Due_Date__c=(execution_date() + timedelta(days=30)).isoformat(),
        ),
    }
    receivable = {"Direction__c": "Receivable", "Direct_Debit__c": True}
    for label, iban, scheme in (("core", CUSTOMER_IBAN, "CORE"), ("b2b", B2B_CUSTOMER_IBAN, "B2B")):
        customer = create(bob, "Account", {"Name": f"Kunde {label} AG", "AccountNumber": "D9"})
        mandate = create(
            bob,
            "Ledgerlink_Payment_Instrument__c",
            {
                "Account__c": customer,
                "Account_Holder__c": f"Kunde {label} AG",
                "IBAN__c": iban,
                "Mandate_Reference__c": f"MNDT-{label}-{secrets.token_hex(4)}",
                "Scheme__c": scheme,
                "Sequence_Type__c": "RCUR",
                "Signing_Date__c": "2025-01-15",
                "Active__c": True,
            },
        )
        books[label] = entry(
            bob, customer, f"RE-{label}", **receivable, Payment_Instrument__c=mandate
        )
    stranger = create(bob, "Account", {"Name": "Ohne Mandat KG", "AccountNumber": "D8"})
    books["no_mandate"] = entry(bob, stranger, "RE-none", **receivable)
    return books


def prepare(finance_admin, connection, bob) -> payment_runs.Proposal:
    account = next(a for a in connection.accounts.all() if a.iban == "DE89370400440532013000")
    return payment_runs.prepare_payment_run(
        actor=finance_admin,
        connection=connection,
        execution_date=execution_date(),
        account=account,
        salesforce=bob,
        now=now(),
        creditor_id=CREDITOR_ID,
    )


def entry_ids(proposal: payment_runs.Proposal) -> set[str]:
    return {t.entry_id for order in proposal.orders for t in order.transactions}


def others(proposal: payment_runs.Proposal, books: dict[str, str]) -> set[str]:
    return entry_ids(proposal) - set(books.values())


def payments(client, e2e_ids) -> dict[str, dict]:
    quoted = ", ".join(f"'{e2e}'" for e2e in e2e_ids)
    return {
        row["End_To_End_Id__c"]: row
        for row in client.query(
            "SELECT Id, End_To_End_Id__c, Status__c, Type__c, Amount__c, Return_Reason__c "
            f"FROM Ledgerlink_Payment__c WHERE End_To_End_Id__c IN ({quoted})"
        )
    }


def open_amount(client, entry_id: str) -> Decimal:
    (row,) = client.query(f"SELECT Open_Amount__c FROM Ledgerlink_Entry__c WHERE Id = '{entry_id}'")
    return Decimal(str(row["Open_Amount__c"]))


def authorize_jobs(user, local_salesforce) -> None:
    """Authorize the worker's Salesforce access as ``user`` (after the books are written)."""
    grant = authorization_code_grant(local_salesforce, user.salesforce_user_id)
    authorize_background_jobs(
        actor=user,
        credentials=SalesforceCredentials(
            org_id=user.tenant.org_id,
            user_id=user.salesforce_user_id,
            access_token=grant["access_token"],
            refresh_token=grant["refresh_token"],
            instance_url=local_salesforce.url,
            login_url=local_salesforce.url,
        ),
    )


def bank_uploads(local_bank) -> list[tuple[str, str]]:
    """(order type, return code) of every upload the bank finished, from its own protocol."""
    store = Path(local_bank.log_path).parent / "bank" / STORE_FILE
    with sqlite3.connect(store) as db:
        rows = db.execute(
            "SELECT order_type, code FROM protocol_entries WHERE order_type IN ('BTU', 'CCT', "
            "'CDD', 'CDB') ORDER BY id"
        ).fetchall()
    return [(row[0], row[1]) for row in rows]


def send_ours(finance_admin, proposal: payment_runs.Proposal, books, bob) -> payment_runs.SentRun:
    """Send the run with only this test's own entries (the demo org's would be sent too)."""
    return payment_runs.send_payment_run(
        actor=finance_admin,
        run_id=proposal.run_id,
        excluded_entry_ids=others(proposal, books),
        salesforce=bob,
        now=now(),
    )
