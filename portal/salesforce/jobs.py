"""Salesforce access for background jobs, which have no browser session to borrow a token from."""

from django.db import transaction

from portal import salesforce_auth
from portal.credentials import SalesforceCredentials
from portal.encryption import decrypt, encrypt
from portal.models import SalesforceJobCredential, Tenant, User
from portal.salesforce.client import SalesforceClient
from portal.salesforce.connection import build_client
from portal.salesforce.errors import SalesforceSessionExpired
from portal.services import record_audit


@transaction.atomic
def authorize_background_jobs(*, actor: User, credentials: SalesforceCredentials) -> None:
    """Let the tenant's jobs run under the actor's Salesforce access from now on.

    Raises SalesforceSessionExpired when the session has no refresh token (a Canvas session):
    the user must log in with Salesforce (OAuth) once to grant it.
    """
    if not credentials.refresh_token:
        raise SalesforceSessionExpired(
            "This session has no refresh token. Log in with Salesforce in a browser tab once "
            "to let scheduled jobs use your access."
        )
    SalesforceJobCredential.objects.update_or_create(
        tenant=actor.tenant,
        defaults={
            "user": actor,
            "encrypted_refresh_token": encrypt(credentials.refresh_token.encode()),
            "login_url": credentials.login_url,
            "instance_url": credentials.instance_url,
        },
    )
    record_audit(
        tenant=actor.tenant, actor=actor, action="jobs.authorized", target=f"jobs run as {actor}"
    )


def _renewed_access_token(credential: SalesforceJobCredential) -> str:
    refresh_token = decrypt(credential.encrypted_refresh_token).decode()
    try:
        grant = salesforce_auth.refresh_access_token(credential.login_url, refresh_token)
    except salesforce_auth.SalesforceAuthError as error:
        raise SalesforceSessionExpired(
            f"Scheduled jobs lost their Salesforce access ({error}); "
            "a finance admin must authorize them again."
        ) from error
    if grant.refresh_token and grant.refresh_token != refresh_token:
        # Salesforce rotated the refresh token: the old one no longer works.
        SalesforceJobCredential.objects.filter(pk=credential.pk).update(
            encrypted_refresh_token=encrypt(grant.refresh_token.encode())
        )
        credential.refresh_from_db()
    return grant.access_token


def client_for_jobs(tenant: Tenant) -> SalesforceClient:
    """A data client for the tenant's background jobs.

    Raises SalesforceSessionExpired when no one authorized jobs or the access was revoked.
    """
    credential = SalesforceJobCredential.objects.filter(tenant=tenant).first()
    if credential is None:
        raise SalesforceSessionExpired("No one has authorized scheduled jobs for this org yet.")
    return build_client(
        credential.instance_url,
        _renewed_access_token(credential),
        lambda: _renewed_access_token(credential),
    )
