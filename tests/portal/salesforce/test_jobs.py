"""Background jobs run under a finance admin's encrypted, rotating refresh token."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from portal.credentials import SalesforceCredentials
from portal.models import SalesforceJobCredential
from portal.salesforce.errors import SalesforceSessionExpired
from portal.salesforce.jobs import authorize_background_jobs, client_for_jobs
from tests.salesforce_fixtures import authorization_code_grant, reset

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def authorized(local_salesforce, acme, finance_admin):
    reset(local_salesforce)
    grant = authorization_code_grant(local_salesforce, finance_admin.salesforce_user_id)
    authorize_background_jobs(
        actor=finance_admin,
        credentials=SalesforceCredentials(
            org_id=acme.org_id,
            user_id=finance_admin.salesforce_user_id,
            access_token=grant["access_token"],
            refresh_token=grant["refresh_token"],
            instance_url=local_salesforce.url,
            login_url=local_salesforce.url,
        ),
    )
    return grant


def test_a_job_client_renews_its_token_and_keeps_the_rotated_one_encrypted(authorized, acme):
    before = SalesforceJobCredential.objects.get().encrypted_refresh_token
    client = client_for_jobs(acme)
    assert client.count("SELECT COUNT() FROM Ledgerlink_Entry__c") >= 0
    after = SalesforceJobCredential.objects.get().encrypted_refresh_token
    assert after != before
    assert authorized["refresh_token"] not in after
    # The rotated token works for the next job, too.
    assert client_for_jobs(acme).count("SELECT COUNT() FROM Ledgerlink_Entry__c") >= 0


def test_without_authorization_jobs_say_so(acme):
    with pytest.raises(SalesforceSessionExpired, match="authorized"):
        client_for_jobs(acme)


def test_a_canvas_session_cannot_authorize_jobs(acme, finance_admin):
    with pytest.raises(SalesforceSessionExpired, match="no refresh token"):
        authorize_background_jobs(
            actor=finance_admin,
            credentials=SalesforceCredentials(
                org_id=acme.org_id,
                user_id=finance_admin.salesforce_user_id,
                access_token="00D5g000004ACME!x",
                instance_url="http://127.0.0.1:8001",
                login_url="http://127.0.0.1:8001",
                from_canvas=True,
            ),
        )


def test_secrets_are_reencrypted_with_a_new_key(authorized, acme, settings):
    new_key = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [new_key, *settings.ENCRYPTION_KEYS]
    call_command("reencrypt_secrets")
    settings.ENCRYPTION_KEYS = [new_key]
    assert client_for_jobs(acme).count("SELECT COUNT() FROM Ledgerlink_Entry__c") >= 0
