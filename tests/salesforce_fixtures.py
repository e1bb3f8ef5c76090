"""The local Salesforce as a pytest fixture, wired to the portal's settings."""

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from django.conf import settings

from tests.processes import RunningProcess

CONSUMER_TIMEOUT = 10


@contextmanager
def pointed_at(local_salesforce: RunningProcess) -> Iterator[None]:
    """Make the portal treat this stand-in as its Salesforce for the duration."""
    previous = settings.LOCAL_SALESFORCE_URL
    settings.LOCAL_SALESFORCE_URL = local_salesforce.url
    try:
        yield
    finally:
        settings.LOCAL_SALESFORCE_URL = previous


def password_grant(local_salesforce: RunningProcess, username: str, password: str) -> dict:
    response = requests.post(
        f"{local_salesforce.url}/services/oauth2/token",
        data={
            "grant_type": "password",
            "username": username,
            "password": password,
            "client_id": settings.SALESFORCE_CONSUMER_KEY,
            "client_secret": settings.SALESFORCE_CONSUMER_SECRET,
        },
        timeout=CONSUMER_TIMEOUT,
    )
    response.raise_for_status()
    return response.json()


def expire_access_tokens(local_salesforce: RunningProcess) -> None:
    requests.post(
        f"{local_salesforce.url}/_standin/expire-access-tokens", timeout=CONSUMER_TIMEOUT
    ).raise_for_status()


def userinfo_status(local_salesforce: RunningProcess, access_token: str) -> int:
    return requests.get(
        f"{local_salesforce.url}/services/oauth2/userinfo",
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=CONSUMER_TIMEOUT,
    ).status_code
