"""The local Salesforce as a pytest fixture, wired to the portal's settings."""

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode, urljoin

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


def authorization_code_grant(local_salesforce: RunningProcess, user_id: str) -> dict:
    """Tokens from the web-server flow with PKCE, driven over HTTP as a browser would."""
    from tests.standins.salesforce.flows import Pkce, query_of
    from tests.standins.salesforce.pages import form_with_button

    pkce = Pkce.new()
    callback = f"{local_salesforce.ledgerlink_url}/accounts/salesforce/login/callback/"
    authorize = f"{local_salesforce.url}/services/oauth2/authorize?" + urlencode(
        {
            "response_type": "code",
            "client_id": settings.SALESFORCE_CONSUMER_KEY,
            "redirect_uri": callback,
            "state": "test",
            "scope": "api refresh_token id openid",
            "code_challenge": pkce.challenge,
            "code_challenge_method": "S256",
        }
    )
    with requests.Session() as browser:
        page = browser.get(authorize, timeout=CONSUMER_TIMEOUT)
        form = form_with_button(page.text, "user_id", user_id)
        answer = browser.post(
            urljoin(authorize, form.action),
            data=form.fields | {"user_id": user_id},
            allow_redirects=False,
            timeout=CONSUMER_TIMEOUT,
        )
    code = query_of(answer.headers["Location"])["code"]
    response = requests.post(
        f"{local_salesforce.url}/services/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": callback,
            "code_verifier": pkce.verifier,
            "client_id": settings.SALESFORCE_CONSUMER_KEY,
            "client_secret": settings.SALESFORCE_CONSUMER_SECRET,
        },
        timeout=CONSUMER_TIMEOUT,
    )
    response.raise_for_status()
    return response.json()


def arm_failures(local_salesforce: RunningProcess, mode: str, count: int) -> None:
    """Make the stand-in's next ``count`` data-API calls fail (503, limit, or expired session)."""
    requests.post(
        f"{local_salesforce.url}/_standin/failures",
        json={"mode": mode, "count": count},
        timeout=CONSUMER_TIMEOUT,
    ).raise_for_status()


def reset(local_salesforce: RunningProcess) -> None:
    requests.post(
        f"{local_salesforce.url}/_standin/reset", timeout=CONSUMER_TIMEOUT
    ).raise_for_status()


def sign_in_through_canvas(
    client,
    local_salesforce: RunningProcess,
    *,
    username: str,
    password: str,
    user_id: str,
    full_name: str,
) -> dict:
    """Open Ledgerlink from inside the local Salesforce as this user, with a real token."""
    from tests.portal.signed_requests import canvas_envelope, sign

    grant = password_grant(local_salesforce, username, password)
    envelope = canvas_envelope(local_salesforce.url)
    envelope["client"]["oauthToken"] = grant["access_token"]
    envelope["context"]["user"].update(userId=user_id, fullName=full_name)
    client.post("/canvas/", {"signed_request": sign(envelope, settings.SALESFORCE_CONSUMER_SECRET)})
    return grant
