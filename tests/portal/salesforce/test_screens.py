"""The Salesforce pages, for a finance admin signed in through Canvas with a real token."""

import pytest

from portal.models import AuditEvent, FieldMapping
from tests.portal.test_salesforce_sessions import BOB
from tests.salesforce_fixtures import reset, sign_in_through_canvas

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bob(local_salesforce, client):
    """Bob, finance admin of Acme, signed in from inside Salesforce."""
    reset(local_salesforce)
    sign_in_through_canvas(client, local_salesforce, **BOB)
    return client


def test_the_onboarding_finds_the_ledgerlink_package(bob):
    page = bob.get("/").content.decode()
    assert "Every object and field Ledgerlink needs is there." in page


def test_the_connection_page_checks_every_concept_and_shows_api_usage(bob):
    page = bob.get("/salesforce/").content.decode()
    assert page.count("Found, with every field.") == 6
    assert "calls" in page


def test_a_mapping_onto_missing_fields_is_refused_with_every_problem(bob):
    form = {
        "object_name": "Ledgerlink_Entry_Item__c",
        "external_id": "External_Id__c",
        "entry": "Entry__c",
        "payment": "Nope__c",
        "amount": "External_Id__c",
    }
    page = bob.post("/salesforce/mappings/entry_item/", form).content.decode()
    assert "has no field Nope__c" in page
    assert "cannot hold a money value" in page
    assert FieldMapping.objects.count() == 0


def test_a_fitting_mapping_is_saved_and_audited(bob):
    form = {
        "object_name": "Ledgerlink_Entry_Item__c",
        "external_id": "External_Id__c",
        "entry": "Entry__c",
        "payment": "Payment__c",
        "amount": "Amount__c",
    }
    response = bob.post("/salesforce/mappings/entry_item/", form)
    assert response.status_code == 302
    assert FieldMapping.objects.get().object_name == "Ledgerlink_Entry_Item__c"
    assert AuditEvent.objects.filter(action="field_mapping.saved").exists()
    bob.post("/salesforce/mappings/entry_item/reset/")
    assert FieldMapping.objects.count() == 0


def test_an_unknown_object_is_reported_not_crashed(bob):
    form = {
        "object_name": "Invoice__c",
        "external_id": "A__c",
        "entry": "B__c",
        "payment": "C__c",
        "amount": "D__c",
    }
    page = bob.post("/salesforce/mappings/entry_item/", form).content.decode()
    assert "no object Invoice__c" in page


def test_an_unknown_concept_is_404(bob):
    assert bob.get("/salesforce/mappings/invoices/").status_code == 404
