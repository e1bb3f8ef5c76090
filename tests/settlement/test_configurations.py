"""Matching configurations: edited by finance admins, checked by the engine's rules, audited."""

from datetime import date
from decimal import Decimal

import pytest

from portal.models import AuditEvent
from settlement import matching
from settlement.models import MatchingConfiguration
from settlement.services import engine_configurations

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Invoices by number",
    "active": "on",
    "priority": "10",
    "template": "entry_by_document_number",
    "reference_patterns": r"RE[- ]?(?P<document>\d{4}-\d{4})",
    "custom_field": "",
    "amount_tolerance_percent": "2.00",
    "amount_tolerance_absolute": "1.00",
    "auto_threshold": "0.980",
    "suggest_threshold": "0.800",
    "allow_auto": "on",
}


def test_a_finance_admin_creates_a_configuration_and_it_is_audited(client, finance_admin):
    client.force_login(finance_admin)
    response = client.post("/matching/configurations/new/", VALID)
    assert response.status_code == 302
    saved = MatchingConfiguration.objects.get()
    assert saved.reference_patterns == [r"RE[- ]?(?P<document>\d{4}-\d{4})"]
    event = AuditEvent.objects.get(action="matching_configuration.saved")
    assert event.changes["template"] == ["", "entry_by_document_number"]
    assert "Invoices by number" in client.get("/matching/configurations/").content.decode()


def test_every_problem_of_a_configuration_is_listed_and_nothing_saved(client, finance_admin):
    client.force_login(finance_admin)
    broken = VALID | {
        "reference_patterns": "(unclosed",
        "auto_threshold": "0.500",
        "suggest_threshold": "0.900",
        "template": "custom_field",
    }
    page = client.post("/matching/configurations/new/", broken).content.decode()
    assert "unclosed" in page
    assert "suggest_threshold" in page
    assert "custom_field" in page
    assert MatchingConfiguration.objects.count() == 0


def test_the_engine_uses_the_tenants_configurations(client, finance_admin):
    client.force_login(finance_admin)
    client.post("/matching/configurations/new/", VALID)
    configurations = engine_configurations(finance_admin.tenant)
    assert configurations is not None
    (configuration,) = configurations
    assert configuration.template is matching.Template.ENTRY_BY_DOCUMENT_NUMBER
    assert configuration.amount_tolerance_percent == Decimal("2.00")
    result = matching.match_items(
        [
            matching.StatementItem(
                id="S1",
                amount=Decimal("980.00"),
                currency="EUR",
                booking_date=date(2026, 11, 20),
                remittance_information="Zahlung RE 2026-0042 danke",
            )
        ],
        [
            matching.OpenItem(
                id="E1",
                open_amount=Decimal("1000.00"),
                currency="EUR",
                document_number="2026-0042",
            )
        ],
        engine_configurations(finance_admin.tenant),
    )
    assert [s.statement_item_id for s in result.suggestions] == ["S1"]


def test_without_configurations_the_defaults_apply(acme):
    assert engine_configurations(acme) is None


def test_a_clerk_may_not_edit_configurations(client, clerk):
    client.force_login(clerk)
    assert client.get("/matching/configurations/").status_code == 403
    assert client.post("/matching/configurations/new/", VALID).status_code == 403


def test_an_outsider_gets_404_for_another_orgs_configuration(client, finance_admin, outsider):
    client.force_login(finance_admin)
    client.post("/matching/configurations/new/", VALID)
    configuration = MatchingConfiguration.objects.get()
    client.force_login(outsider)
    assert client.get(f"/matching/configurations/{configuration.pk}/").status_code == 404
    assert client.post(f"/matching/configurations/{configuration.pk}/delete/").status_code == 404
    assert MatchingConfiguration.objects.count() == 1


def test_deleting_a_configuration_is_audited(client, finance_admin):
    client.force_login(finance_admin)
    client.post("/matching/configurations/new/", VALID)
    configuration = MatchingConfiguration.objects.get()
    client.post(f"/matching/configurations/{configuration.pk}/delete/")
    assert MatchingConfiguration.objects.count() == 0
    assert AuditEvent.objects.filter(action="matching_configuration.deleted").exists()
