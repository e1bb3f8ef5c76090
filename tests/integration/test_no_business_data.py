"""No business data at rest: after the flows that touch it, nothing of it is in the database,
the cache (Redis) or the logs.

The full proof, over the whole daily job, comes with the end-to-end issue; this one covers every
flow that exists so far: login, statements and status reports parsed, payment orders built,
field mappings checked against the org, entries read from Salesforce, and a bank connection
onboarded over EBICS whose statements are retrieved and written to Salesforce, the review
kept for its user, and a payment run proposed and sent. Whatever passes through the cache has an
expiry.
"""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from banking import payment_runs, retrieval
from banking.formats.business_days import add_business_days
from portal.models import Tenant, User
from portal.roles import Role
from portal.salesforce.mapping import default_mapping
from portal.salesforce.records import read_open_entries
from portal.services import create_api_key
from tests.banking.test_connections import onboard
from tests.conftest import require
from tests.portal.salesforce.test_client import client_as
from tests.portal.test_salesforce_sessions import BOB
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
