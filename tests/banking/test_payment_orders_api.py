"""POST /api/v1/payment-orders: JSON in, pain.001/pain.008 out, or every problem listed."""

from datetime import date

import pytest
from django.utils import timezone
from lxml import etree
from rest_framework.test import APIClient

from banking.formats import read_payment_order
from banking.formats.business_days import add_business_days
from portal.roles import Role
from portal.services import create_api_key

pytestmark = pytest.mark.django_db

ACME_IBAN = "DE89370400440532013000"
SUPPLIER_IBAN = "FR1420041010050500013M02606"
CUSTOMER_IBAN = "NL91ABNA0417164300"


def _next_business_day() -> date:
    return add_business_days(timezone.localdate(), 2)


@pytest.fixture
def api(admin):
    _, key = create_api_key(actor=admin, name="ERP", role=Role.CLERK)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def credit_transfer(**overrides):
    order = {
        "type": "credit_transfer",
        "initiating_party": "Acme Industries GmbH",
        "debtor": {"name": "Acme Industries GmbH", "iban": ACME_IBAN, "bic": "COBADEFFXXX"},
        "requested_date": _next_business_day().isoformat(),
        "transactions": [
            {
                "end_to_end_id": "E2E-0001",
                "amount": "1250.00",
                "creditor": {"name": "Fournisseur Müller SARL", "iban": SUPPLIER_IBAN},
                "remittance_information": "Invoice 2026-0042",
            },
            {
                "end_to_end_id": "E2E-0002",
                "amount": "99.95",
                "creditor": {"name": "Beta B.V.", "iban": CUSTOMER_IBAN},
                "creditor_reference": "RF18539007547034",
            },
        ],
    }
    order.update(overrides)
    return order


def test_a_credit_transfer_is_built_as_schema_valid_pain_001(api):
    response = api.post("/api/v1/payment-orders", credit_transfer(), format="json")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/xml")
    document = etree.fromstring(response.content)
    assert "pain.001.001.09" in document.tag
    order = read_payment_order(response.content)
    assert [t.end_to_end_id for t in order.transactions] == ["E2E-0001", "E2E-0002"]
    assert str(sum(t.amount.amount for t in order.transactions)) == "1349.95"


def test_the_same_order_twice_gets_the_same_message_id(api):
    first = api.post("/api/v1/payment-orders", credit_transfer(), format="json")
    second = api.post("/api/v1/payment-orders", credit_transfer(), format="json")
    assert first["Content-Disposition"] == second["Content-Disposition"]


def test_a_direct_debit_is_built_as_pain_008(api):
    order = {
        "type": "direct_debit",
        "version": "pain.008.001.02",
        "initiating_party": "Acme Industries GmbH",
        "creditor": {"name": "Acme Industries GmbH", "iban": ACME_IBAN},
        "creditor_id": "DE98ZZZ09999999999",
        "requested_date": add_business_days(timezone.localdate(), 3).isoformat(),
        "transactions": [
            {
                "end_to_end_id": "DD-1",
                "amount": "49.00",
                "debtor": {"name": "Kunde AG", "iban": CUSTOMER_IBAN},
                "mandate": {"mandate_id": "MANDATE-1", "signed_on": "2025-01-15"},
                "sequence_type": "RCUR",
            }
        ],
    }
    response = api.post("/api/v1/payment-orders", order, format="json")
    assert response.status_code == 200, response.content
    assert b"pain.008.001.02" in response.content
    assert b"DE98ZZZ09999999999" in response.content


def test_every_problem_of_an_order_is_listed_at_once(api):
    order = credit_transfer()
    order["transactions"][0]["creditor"]["iban"] = "DE00123456780000000000"
    order["transactions"][1]["amount"] = "-5.00"
    response = api.post("/api/v1/payment-orders", order, format="json")
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert {(p["transaction"], p["field"].split(".")[0]) for p in problems} >= {
        (0, "creditor"),
        (1, "amount"),
    }


def test_wrong_types_and_missing_parties_are_all_reported(api):
    order = credit_transfer(requested_date="tomorrow")
    del order["debtor"]
    order["transactions"][1].pop("creditor")
    order["transactions"][0]["amount"] = "lots"
    response = api.post("/api/v1/payment-orders", order, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "requested_date" in body
    assert "transactions" in body


def test_a_viewer_may_not_build_payment_orders(admin):
    _, key = create_api_key(actor=admin, name="Dashboard", role=Role.VIEWER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert (
        client.post("/api/v1/payment-orders", credit_transfer(), format="json").status_code == 403
    )
