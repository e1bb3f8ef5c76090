"""The userinfo endpoint and the identity URL, and what they say about dead tokens."""

import requests

from tests.standins.salesforce.flows import TIMEOUT, log_in, refresh, userinfo


def test_userinfo_describes_the_token_owner_as_salesforce_does(local_salesforce, admin):
    tokens = log_in(local_salesforce, admin)

    answer = userinfo(local_salesforce, tokens["access_token"])

    assert answer.status_code == 200
    body = answer.json()
    assert {
        "sub",
        "user_id",
        "organization_id",
        "preferred_username",
        "nickname",
        "name",
        "given_name",
        "family_name",
        "email",
        "email_verified",
        "zoneinfo",
        "locale",
        "language",
        "active",
        "user_type",
        "utcOffset",
        "updated_at",
        "is_app_installed",
        "photos",
        "urls",
        "is_lightning_login_user",
    } <= set(body)
    assert body["sub"] == tokens["id"]
    assert body["user_id"] == admin.user_id
    assert body["organization_id"] == admin.org_id
    assert body["preferred_username"] == admin.username
    assert body["email"] == admin.username
    assert body["given_name"] == admin.first_name
    assert body["family_name"] == admin.last_name
    assert body["name"] == "Alice Admin"
    assert body["zoneinfo"] == "Europe/Berlin"
    assert body["utcOffset"] == 3_600_000
    assert body["user_type"] == "STANDARD"
    assert body["active"] is True
    assert body["updated_at"] == "2024-09-02T08:15:00Z"
    base = local_salesforce.base_url
    assert body["urls"]["rest"] == f"{base}/services/data/v{{version}}/"
    assert body["urls"]["sobjects"] == f"{base}/services/data/v{{version}}/sobjects/"
    assert body["urls"]["query"] == f"{base}/services/data/v{{version}}/query/"
    assert body["urls"]["profile"] == f"{base}/{admin.user_id}"
    assert requests.get(body["photos"]["picture"], timeout=TIMEOUT).status_code == 200


def test_userinfo_takes_the_token_as_a_query_parameter_and_by_post(local_salesforce, outsider):
    access_token = log_in(local_salesforce, outsider)["access_token"]
    url = local_salesforce.url("/services/oauth2/userinfo")

    by_query = requests.get(url, params={"oauth_token": access_token}, timeout=TIMEOUT)
    by_post = requests.post(
        url, headers={"Authorization": f"Bearer {access_token}"}, timeout=TIMEOUT
    )

    assert by_query.json()["organization_id"] == outsider.org_id
    assert by_post.json()["user_id"] == outsider.user_id


def test_userinfo_answers_a_bad_token_with_bad_oauth_token(local_salesforce):
    answer = userinfo(local_salesforce, "00D5g000004ACME!AQnotatoken")
    missing = requests.get(local_salesforce.url("/services/oauth2/userinfo"), timeout=TIMEOUT)

    assert (answer.status_code, answer.text) == (403, "Bad_OAuth_Token")
    assert (missing.status_code, missing.text) == (403, "Bad_OAuth_Token")


def test_identity_url_describes_the_token_owner(local_salesforce, finance_manager):
    tokens = log_in(local_salesforce, finance_manager)

    answer = requests.get(
        tokens["id"], headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=TIMEOUT
    )

    assert answer.status_code == 200
    body = answer.json()
    assert {
        "id",
        "asserted_user",
        "user_id",
        "organization_id",
        "username",
        "nick_name",
        "display_name",
        "email",
        "status",
        "photos",
        "urls",
        "active",
        "user_type",
        "language",
        "locale",
        "utcOffset",
        "last_modified_date",
        "is_app_installed",
    } <= set(body)
    assert body["id"] == tokens["id"]
    assert body["user_id"] == finance_manager.user_id
    assert body["username"] == finance_manager.username
    assert body["display_name"] == "Bob Finance"
    assert body["last_modified_date"] == "2024-09-02T08:16:00.000+0000"
    assert body["urls"]["rest"].endswith("/services/data/v{version}/")


def test_identity_url_fills_in_the_version_when_asked(local_salesforce, finance_manager):
    tokens = log_in(local_salesforce, finance_manager)

    body = requests.get(
        tokens["id"],
        params={"version": "latest", "oauth_token": tokens["access_token"]},
        timeout=TIMEOUT,
    ).json()

    assert body["urls"]["rest"] == local_salesforce.url("/services/data/v62.0/")


def test_identity_url_of_another_user_is_forbidden(local_salesforce, admin, clerk):
    tokens = log_in(local_salesforce, admin)

    answer = requests.get(
        local_salesforce.url(f"/id/{clerk.org_id}/{clerk.user_id}"),
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=TIMEOUT,
    )

    assert answer.status_code == 403


def test_identity_url_answers_a_bad_token_with_invalid_session_id(local_salesforce, admin):
    answer = requests.get(
        local_salesforce.url(f"/id/{admin.org_id}/{admin.user_id}"),
        headers={"Authorization": "Bearer 00D5g000004ACME!AQnotatoken"},
        timeout=TIMEOUT,
    )

    assert answer.status_code == 401
    assert answer.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]


def test_expired_access_tokens_are_refused_until_the_client_refreshes(local_salesforce, clerk):
    tokens = log_in(local_salesforce, clerk)
    assert userinfo(local_salesforce, tokens["access_token"]).status_code == 200

    expired = requests.post(local_salesforce.url("/_standin/expire-access-tokens"), timeout=TIMEOUT)

    assert expired.status_code == 200
    assert expired.json()["expired"] >= 1
    assert userinfo(local_salesforce, tokens["access_token"]).status_code == 403
    identity = requests.get(
        tokens["id"], params={"oauth_token": tokens["access_token"]}, timeout=TIMEOUT
    )
    assert identity.status_code == 401
    refreshed = refresh(local_salesforce, tokens["refresh_token"])
    assert refreshed.status_code == 200
    assert userinfo(local_salesforce, refreshed.json()["access_token"]).status_code == 200
