"""Sessions and API bearer tokens against the local Salesforce, over real HTTP."""

import pytest
from rest_framework.test import APIClient

from portal import sessions
from portal.credentials import SalesforceCredentials, load_credentials, store_credentials
from portal.models import AuditEvent, Tenant, User
from portal.salesforce_auth import fetch_identity
from tests.portal.signed_requests import canvas_envelope, sign
from tests.salesforce_fixtures import (
    expire_access_tokens,
    password_grant,
    sign_in_through_canvas,
    userinfo_status,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_salesforce_bearer_token_authenticates_api_calls(local_salesforce, acme, admin):
    grant = password_grant(local_salesforce, "carol@acme.example", "carol-demo-pass")
    response = APIClient().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {grant['access_token']}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["tenant"]["org_id"] == "00D5g000004ACMEEA4"
    assert body["user"]["salesforce_user_id"] == "0055g00000CClerAAD"
    assert body["role"] == "viewer"


def test_an_expired_bearer_token_is_refused(local_salesforce, acme):
    grant = password_grant(local_salesforce, "dave@acme.example", "dave-demo-pass")
    expire_access_tokens(local_salesforce)
    response = APIClient().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {grant['access_token']}")
    assert response.status_code == 401
    assert User.objects.filter(salesforce_user_id="0055g00000DViewAAD").count() == 0


def test_a_token_of_another_org_cannot_pose_as_a_connected_one(local_salesforce, acme, globex):
    grant = password_grant(local_salesforce, "erin@globex.example.sandbox", "erin-demo-pass")
    # Erin's token is genuine, but for Globex: it must not open Acme, whatever the prefix says.
    forged = "00D5g000004ACME" + grant["access_token"][15:]
    response = APIClient().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert response.status_code == 401


def test_an_expired_session_is_renewed_with_the_refresh_token(local_salesforce, rf, acme):
    grant = password_grant(local_salesforce, "alice@acme.example", "alice-demo-pass")
    refresh = _refresh_token_for(local_salesforce)
    request = _request_with_session(rf)
    _store_alices_tokens(request, local_salesforce, grant["access_token"], refresh)
    expire_access_tokens(local_salesforce)
    identity = sessions.call_salesforce(
        request, lambda c: fetch_identity(c.instance_url, c.access_token)
    )
    assert identity.user_id == "0055g00000AAdmiAAD"
    renewed = load_credentials(request.session)
    assert renewed.access_token != grant["access_token"]
    assert renewed.refresh_token != refresh


def test_without_a_refresh_token_an_expired_session_ends(local_salesforce, rf, acme):
    grant = password_grant(local_salesforce, "alice@acme.example", "alice-demo-pass")
    request = _request_with_session(rf)
    store_credentials(
        request.session,
        SalesforceCredentials(
            org_id=acme.org_id,
            user_id="0055g00000AAdmiAAD",
            access_token=grant["access_token"],
            instance_url=local_salesforce.url,
            login_url=local_salesforce.url,
            from_canvas=True,
        ),
    )
    expire_access_tokens(local_salesforce)
    with pytest.raises(sessions.SessionEnded):
        sessions.call_salesforce(request, lambda c: fetch_identity(c.instance_url, c.access_token))


def test_a_genuine_canvas_request_signs_the_user_in(local_salesforce, client):
    grant = password_grant(local_salesforce, "bob@acme.example", "bob-demo-pass")
    response = client.post("/canvas/", {"signed_request": _signed_for_bob(grant)})
    assert response.status_code == 302
    tenant = Tenant.objects.get()
    assert tenant.name == "Acme Industries GmbH"
    assert tenant.users.get().role == "admin"
    assert AuditEvent.objects.filter(action="tenant.connected").count() == 1
    home = client.get("/")
    assert home.status_code == 200
    assert "Connected as Bob Finance" in home.content.decode()


def test_logout_revokes_the_salesforce_token(local_salesforce, client):
    grant = sign_in_through_canvas(client, local_salesforce, **BOB)
    assert userinfo_status(local_salesforce, grant["access_token"]) == 200
    client.post("/logout/")
    assert userinfo_status(local_salesforce, grant["access_token"]) == 403
    assert client.get("/").status_code == 302


BOB = {
    "username": "bob@acme.example",
    "password": "bob-demo-pass",
    "user_id": "0055g00000BFinAAAT",
    "full_name": "Bob Finance",
}


def _signed_for_bob(grant):
    from django.conf import settings

    envelope = canvas_envelope(grant["instance_url"])
    envelope["client"]["oauthToken"] = grant["access_token"]
    envelope["context"]["user"].update(userId=BOB["user_id"], fullName=BOB["full_name"])
    return sign(envelope, settings.SALESFORCE_CONSUMER_SECRET)


def _store_alices_tokens(request, local_salesforce, access_token, refresh_token):
    store_credentials(
        request.session,
        SalesforceCredentials(
            org_id="00D5g000004ACMEEA4",
            user_id="0055g00000AAdmiAAD",
            access_token=access_token,
            refresh_token=refresh_token,
            instance_url=local_salesforce.url,
            login_url=local_salesforce.url,
        ),
    )


def _request_with_session(rf):
    from django.contrib.sessions.backends.cache import SessionStore

    request = rf.get("/")
    request.session = SessionStore()
    return request


def _refresh_token_for(local_salesforce):
    """A refresh token the way the web-server flow gets one: authorize, pick a user, exchange."""
    from tests.salesforce_fixtures import authorization_code_grant

    return authorization_code_grant(local_salesforce, "0055g00000AAdmiAAD")["refresh_token"]


def test_no_token_reaches_the_logs(local_salesforce, client, settings, caplog, rf, acme):
    caplog.set_level("DEBUG")
    grant = sign_in_through_canvas(
        client,
        local_salesforce,
        username="carol@acme.example",
        password="carol-demo-pass",
        user_id="0055g00000CClerAAD",
        full_name="Carol Clerk",
    )
    client.get("/")
    APIClient().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {grant['access_token']}")
    tokens = _refresh_token_for(local_salesforce)
    expire_access_tokens(local_salesforce)
    request = _request_with_session(rf)
    _store_alices_tokens(request, local_salesforce, grant["access_token"], tokens)
    sessions.call_salesforce(request, lambda c: fetch_identity(c.instance_url, c.access_token))
    client.post("/logout/")
    assert caplog.records
    assert grant["access_token"] not in caplog.text
    assert grant["access_token"][16:] not in caplog.text
    assert tokens not in caplog.text
