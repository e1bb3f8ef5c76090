"""POST /api/v1/matching/suggestions and `manage.py match_items`: the same JSON in and out."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from portal.roles import Role
from portal.services import create_api_key
from settlement.api import _EXAMPLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(admin):
    _, key = create_api_key(actor=admin, name="ERP", role=Role.VIEWER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def test_an_invoice_paid_with_its_number_is_suggested_with_evidence(api):
    response = api.post("/api/v1/matching/suggestions", _EXAMPLE, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    (suggestion,) = body["suggestions"]
    assert suggestion["statement_item_id"] == "S1"
    (allocation,) = suggestion["allocations"]
    assert allocation["open_item_id"] == "E1"
    assert allocation["amount"] == "1190.00"
    assert suggestion["band"] in {"AUTO", "SUGGEST", "REVIEW"}
    assert suggestion["evidence"]
    assert set(body) >= {
        "suggestions",
        "unmatched_statement_item_ids",
        "unmatched_open_item_ids",
        "statistics",
    }


def test_malformed_input_is_a_400_listing_every_problem(api):
    document = {
        "statement_items": [{"id": "S1", "amount": "ten", "currency": "EUR"}],
        "open_items": [{"id": "E1", "currency": "EUR"}],
    }
    response = api.post("/api/v1/matching/suggestions", document, format="json")
    assert response.status_code == 400
    paths = {problem["path"] for problem in response.json()["problems"]}
    assert {"statement_items[0].amount", "statement_items[0].booking_date"} <= paths
    assert any(path.startswith("open_items[0]") for path in paths)


def test_unknown_fields_are_ignored(api):
    document = json.loads(json.dumps(_EXAMPLE))
    document["statement_items"][0]["colour"] = "blue"
    document["surprise"] = True
    assert api.post("/api/v1/matching/suggestions", document, format="json").status_code == 200


def test_the_command_prints_what_the_api_answers(api, tmp_path):
    path = tmp_path / "input.json"
    path.write_text(json.dumps(_EXAMPLE))
    out = io.StringIO()
    call_command("match_items", str(path), stdout=out)
    assert (
        json.loads(out.getvalue())
        == api.post("/api/v1/matching/suggestions", _EXAMPLE, format="json").json()
    )


def test_the_command_refuses_malformed_input_in_one_line(tmp_path):
    path = tmp_path / "input.json"
    path.write_text("{not json")
    with pytest.raises(CommandError) as refused:
        call_command("match_items", str(path))
    assert "\n" not in str(refused.value)
