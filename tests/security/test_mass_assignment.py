"""Forms take only the fields they show: a POST that adds a tenant, a status or keys of its own
cannot move an object into another org or skip the onboarding steps."""

import pytest

from banking.models import BankConnection, ConnectionStatus
from settlement.models import MatchingConfiguration
from tests.security.conftest import logged_in

pytestmark = pytest.mark.django_db

SMUGGLED = {"status": "active", "encrypted_keys": "smuggled", "is_locked_to_creator": "on"}


def test_a_new_connection_belongs_to_the_creators_org_whatever_the_post_says(
    finance_admin, outsider
):
    response = logged_in(finance_admin).post(
        "/banking/connections/new/",
        {
            "name": "Hausbank",
            "bank_url": "https://ebics.hausbank.example/ebics",
            "host_id": "HAUSBANK",
            "partner_id": "ACME01",
            "user_id": "BOB01",
            "ebics_version": "H005",
            "tenant": outsider.tenant.pk,
            **SMUGGLED,
        },
    )
    assert response.status_code == 302
    connection = BankConnection.objects.get()
    assert connection.tenant == finance_admin.tenant
    assert connection.status == ConnectionStatus.NEW
    assert connection.encrypted_keys == ""
    assert not connection.is_locked_to_creator


def test_an_edited_connection_keeps_its_org_and_its_state(finance_admin, outsider, acme_world):
    connection = acme_world.connection
    connection.status = ConnectionStatus.KEYS_CREATED
    connection.save()
    logged_in(finance_admin).post(
        f"/banking/connections/{connection.pk}/edit/",
        {
            "name": "Renamed",
            "bank_url": connection.bank_url,
            "host_id": connection.host_id,
            "partner_id": connection.partner_id,
            "user_id": connection.user_id,
            "ebics_version": connection.ebics_version,
            "tenant": outsider.tenant.pk,
            **SMUGGLED,
        },
    )
    connection.refresh_from_db()
    assert connection.name == "Renamed"
    assert connection.tenant == finance_admin.tenant
    assert connection.status != ConnectionStatus.ACTIVE
    assert connection.encrypted_keys == ""


def test_a_new_matching_configuration_belongs_to_the_creators_org(finance_admin, outsider):
    logged_in(finance_admin).post(
        "/matching/configurations/new/",
        {
            "name": "Smuggled",
            "template": "standard",
            "priority": "1",
            "amount_tolerance_percent": "0",
            "amount_tolerance_absolute": "0",
            "auto_threshold": "0.97",
            "suggest_threshold": "0.75",
            "tenant": outsider.tenant.pk,
        },
    )
    assert MatchingConfiguration.objects.get(name="Smuggled").tenant == finance_admin.tenant


def test_an_admin_cannot_give_a_role_that_does_not_exist(admin, acme_world):
    viewer = acme_world.user
    logged_in(admin).post(f"/users/{viewer.pk}/role/", {"role": "superuser"})
    viewer.refresh_from_db()
    assert viewer.role == "viewer"
