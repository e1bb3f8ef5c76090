"""Salesforce's OAuth and identity endpoints: who a token belongs to, refresh, revoke.

These calls authenticate users; reading and writing the org's data is the Salesforce client's job.
"""

import logging
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from portal.credentials import SalesforceCredentials
from portal.errors import PortalError
from portal.ids import InvalidSalesforceId, normalize_salesforce_id

logger = logging.getLogger(__name__)


class SalesforceAuthError(PortalError):
    pass


class TokenRejected(SalesforceAuthError):
    """The token is expired, revoked or not a token at all."""


class SalesforceUnavailable(SalesforceAuthError):
    """Salesforce could not be reached or answered with a server error; worth retrying later."""


@dataclass(frozen=True)
class SalesforceIdentity:
    org_id: str
    user_id: str
    name: str
    username: str


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    refresh_token: str | None
    instance_url: str


def _timeout() -> float:
    return float(settings.SALESFORCE_TIMEOUT_SECONDS)


def fetch_identity(base_url: str, access_token: str) -> SalesforceIdentity:
    """Ask Salesforce's userinfo endpoint at base_url whom the token belongs to.

    Raises TokenRejected for a bad token, SalesforceUnavailable for network or server trouble.
    """
    try:
        response = requests.get(
            f"{base_url}/services/oauth2/userinfo",
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=_timeout(),
        )
    except requests.RequestException as error:
        raise SalesforceUnavailable("Salesforce could not be reached.") from error
    if response.status_code in (401, 403):
        raise TokenRejected("Salesforce did not accept the session token.")
    if response.status_code != 200:
        raise SalesforceUnavailable(f"Salesforce answered {response.status_code}.")
    return _identity_from_userinfo(response.json())


def _identity_from_userinfo(data: Any) -> SalesforceIdentity:
    try:
        return SalesforceIdentity(
            org_id=normalize_salesforce_id(data["organization_id"]),
            user_id=normalize_salesforce_id(data["user_id"]),
            name=str(data.get("name") or ""),
            username=str(data.get("preferred_username") or ""),
        )
    except (KeyError, TypeError, InvalidSalesforceId) as error:
        raise SalesforceAuthError("Salesforce's user information was not understood.") from error


def refresh_access_token(login_url: str, refresh_token: str) -> TokenGrant:
    """Trade a refresh token for a new access token (and, with rotation, a new refresh token).

    Raises TokenRejected when the refresh token is no longer valid.
    """
    try:
        response = requests.post(
            f"{login_url}/services/oauth2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": settings.SALESFORCE_CONSUMER_KEY,
                "client_secret": settings.SALESFORCE_CONSUMER_SECRET,
            },
            timeout=_timeout(),
        )
    except requests.RequestException as error:
        raise SalesforceUnavailable("Salesforce could not be reached.") from error
    if response.status_code == 400:
        raise TokenRejected("Salesforce refused to renew the session; please log in again.")
    if response.status_code != 200:
        raise SalesforceUnavailable(f"Salesforce answered {response.status_code}.")
    data = response.json()
    return TokenGrant(
        access_token=data["access_token"],
        refresh_token=data.get("refresh_token"),
        instance_url=data.get("instance_url", ""),
    )


def revoke_token(login_url: str, token: str) -> None:
    """Revoke a token at Salesforce; a failure is logged, not raised, so logout always works."""
    try:
        response = requests.post(
            f"{login_url}/services/oauth2/revoke", data={"token": token}, timeout=_timeout()
        )
    except requests.RequestException:
        logger.warning("Token revocation could not reach Salesforce at %s", login_url)
        return
    if response.status_code != 200:
        logger.warning("Salesforce answered %s to a token revocation", response.status_code)


@dataclass(frozen=True)
class Organization:
    name: str
    is_sandbox: bool


def fetch_organization(credentials: SalesforceCredentials) -> Organization | None:
    """Read the org's name and sandbox flag; None when the user may not read them.

    The login works without them (the tenant is then named by its ID), so failures only log.
    """
    try:
        response = requests.get(
            f"{credentials.instance_url}/services/data/v{settings.SALESFORCE_API_VERSION}/query",
            params={"q": "SELECT Name, IsSandbox FROM Organization LIMIT 1"},
            headers={"Authorization": f"Bearer {credentials.access_token}"},
            timeout=_timeout(),
        )
        records = response.json().get("records", []) if response.status_code == 200 else []
    except (requests.RequestException, ValueError, AttributeError):
        records = []
    if not records:
        logger.warning("Organization name could not be read for org %s", credentials.org_id)
        return None
    return Organization(
        name=str(records[0].get("Name") or ""), is_sandbox=bool(records[0].get("IsSandbox"))
    )
