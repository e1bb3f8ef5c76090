"""A data client for the user behind a request, renewing their token through the session."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest

from portal import salesforce_auth, sessions
from portal.credentials import load_credentials
from portal.salesforce.client import SalesforceClient
from portal.salesforce.errors import SalesforceSessionExpired


def client_for(request: HttpRequest) -> SalesforceClient:
    """Raises SalesforceSessionExpired when the request carries no Salesforce session."""
    credentials = load_credentials(request.session)
    if credentials is None:
        raise SalesforceSessionExpired("There is no Salesforce session; please log in again.")

    def renew_token() -> str:
        try:
            return sessions.renew_credentials(request).access_token
        except (sessions.SessionEnded, salesforce_auth.SalesforceAuthError) as error:
            raise SalesforceSessionExpired(str(error)) from error

    return build_client(credentials.instance_url, credentials.access_token, renew_token)


def build_client(
    instance_url: str, access_token: str, renew_token: Callable[[], str]
) -> SalesforceClient:
    """A data client with the configured API version, timeout and (in development) stand-in."""
    return SalesforceClient(
        instance_url=instance_url,
        access_token=access_token,
        api_version=settings.SALESFORCE_API_VERSION,
        timeout=settings.SALESFORCE_TIMEOUT_SECONDS,
        local_salesforce_url=settings.LOCAL_SALESFORCE_URL,
        renew_token=renew_token,
    )
