"""Portal sessions: starting one from a Salesforce login, keeping its token fresh, ending it."""

import logging
from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth import login, logout
from django.http import HttpRequest

from portal import salesforce_auth, services
from portal.credentials import SalesforceCredentials, load_credentials, store_credentials
from portal.errors import PortalError
from portal.models import User

logger = logging.getLogger(__name__)
Result = TypeVar("Result")


class SessionEnded(PortalError):
    """The Salesforce session is gone and cannot be renewed: the user must log in again."""


def start_session(
    request: HttpRequest,
    *,
    credentials: SalesforceCredentials,
    user_name: str,
    org_name: str = "",
    is_sandbox: bool = False,
) -> User:
    """Sign in the user the credentials belong to and keep the credentials in the session.

    The org's name and sandbox flag come from the org itself when the user may read them; the
    values given here are the fallback.
    """
    organization = salesforce_auth.fetch_organization(credentials)
    user = services.sign_in(
        identity=services.SignIn(
            org_id=credentials.org_id,
            org_name=organization.name if organization else org_name,
            user_id=credentials.user_id,
            user_name=user_name,
            login_url=credentials.login_url,
            instance_url=credentials.instance_url,
            is_sandbox=organization.is_sandbox if organization else is_sandbox,
        )
    )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    store_credentials(request.session, credentials)
    return user


def end_session(request: HttpRequest) -> None:
    """Log out and revoke the Salesforce token (the refresh token takes its access tokens along)."""
    credentials = load_credentials(request.session)
    if credentials is not None:
        salesforce_auth.revoke_token(
            credentials.login_url, credentials.refresh_token or credentials.access_token
        )
    logout(request)


def call_salesforce(
    request: HttpRequest, call: Callable[[SalesforceCredentials], Result]
) -> Result:
    """Run a Salesforce call with the user's token, renewing it once if it has expired.

    Raises SessionEnded when there is no token, or it expired and cannot be renewed.
    """
    credentials = load_credentials(request.session)
    if credentials is None:
        raise SessionEnded("There is no Salesforce session.")
    try:
        return call(credentials)
    except salesforce_auth.TokenRejected:
        return call(renew_credentials(request))


def renew_credentials(request: HttpRequest) -> SalesforceCredentials:
    """Trade the session's refresh token for a new access token and keep both in the session.

    Raises SessionEnded when there is no refresh token or Salesforce refuses it.
    """
    credentials = load_credentials(request.session)
    if credentials is None or not credentials.refresh_token:
        raise SessionEnded("The Salesforce session has expired.")
    try:
        grant = salesforce_auth.refresh_access_token(
            credentials.login_url, credentials.refresh_token
        )
    except salesforce_auth.TokenRejected as error:
        raise SessionEnded(str(error)) from error
    credentials = credentials.with_tokens(grant.access_token, grant.refresh_token)
    store_credentials(request.session, credentials)
    logger.info("Renewed the Salesforce session of user %s", credentials.user_id)
    return credentials
