"""The REST API's authentication: API keys, Salesforce bearer tokens, and the schema."""

import re

import pytest
from rest_framework.test import APIClient

from portal.models import ApiKey
from portal.roles import Role
from portal.services import create_api_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_an_api_key_answers_me_with_tenant_key_and_role(api, admin):
    api_key, plaintext = create_api_key(actor=admin, name="ERP export", role=Role.CLERK)
    response = api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    assert response.status_code == 200
    assert response.json() == {
        "tenant": {
            "org_id": "00D5g000004ACMEEA4",
            "name": "Acme Industries GmbH",
            "is_sandbox": False,
        },
        "user": None,
        "api_key": {"prefix": api_key.prefix, "name": "ERP export"},
        "role": "clerk",
    }
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_a_revoked_key_is_refused(api, admin, client):
    api_key, plaintext = create_api_key(actor=admin, name="ERP", role=Role.CLERK)
    client.force_login(admin)
    client.post(f"/api-keys/{api_key.pk}/revoke/")
    response = api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unknown or revoked API key."}


@pytest.mark.parametrize(
    "header",
    ["Api-Key llk_0000_wrong", "Api-Key nonsense", "Api-Key", "Api-Key a b", "Basic dXNlcjpwYXNz"],
)
def test_wrong_or_malformed_credentials_are_refused(api, admin, header):
    create_api_key(actor=admin, name="ERP", role=Role.CLERK)
    assert api.get("/api/v1/me", HTTP_AUTHORIZATION=header).status_code == 401


def test_without_credentials_the_api_asks_for_them(api):
    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Api-Key"


def test_a_bearer_token_of_an_unknown_org_is_refused_without_calling_salesforce(api):
    response = api.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer 00D000000000001!AQ.whatever")
    assert response.status_code == 401
    assert "connected org" in response.json()["detail"]


def test_a_logged_in_portal_user_can_call_the_api_from_the_browser(client, finance_admin):
    client.force_login(finance_admin)
    body = client.get("/api/v1/me").json()
    assert body["user"] == {"salesforce_user_id": "0055g00000BFinAAAT", "name": "Bob Finance"}
    assert body["role"] == "finance_admin"


def test_the_key_is_shown_once_in_the_portal_and_then_never_again(client, admin):
    client.force_login(admin)
    created = client.post("/api-keys/", {"name": "ERP", "role": "viewer"}).content.decode()
    prefix = ApiKey.objects.get().prefix
    plaintext = re.search(rf"llk_{prefix}_[A-Za-z0-9_-]{{20,}}", created).group(0)
    listed = client.get("/api-keys/").content.decode()
    assert f"llk_{prefix}_…" in listed
    assert plaintext not in listed
    assert "Copy this key now" not in listed


def test_the_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    document = schema.json()
    assert "/api/v1/me" in document["paths"]
    assert {"apiKey", "salesforceBearer"} <= set(document["components"]["securitySchemes"])
    assert client.get("/api/v1/docs/").status_code == 200
