"""The OAuth 2.0 web-server, refresh and password flows and revocation, as Salesforce answers."""

import base64
import hashlib
import hmac

import requests

from tests.standins.salesforce.flows import (
    CALLBACK_URL,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    EXTRA_CALLBACK_URL,
    TIMEOUT,
    LocalSalesforce,
    Persona,
    Pkce,
    authorization_code,
    authorize_url,
    choose_user,
    exchange_code,
    log_in,
    query_of,
    refresh,
    userinfo,
)
from tests.standins.salesforce.pages import form_with_button, form_with_field


def _token_request(local_salesforce: LocalSalesforce, **form: str) -> requests.Response:
    return requests.post(local_salesforce.url("/services/oauth2/token"), data=form, timeout=TIMEOUT)


def _password_grant(local_salesforce: LocalSalesforce, username: str, password: str):
    return _token_request(
        local_salesforce,
        grant_type="password",
        client_id=CONSUMER_KEY,
        client_secret=CONSUMER_SECRET,
        username=username,
        password=password,
    )


def _error(answer: requests.Response) -> tuple[int, str, str]:
    body = answer.json()
    return answer.status_code, body["error"], body["error_description"]


def test_login_page_lists_every_seeded_user_grouped_by_org(local_salesforce):
    page = requests.get(authorize_url(local_salesforce), timeout=TIMEOUT)

    assert page.status_code == 200
    assert "Local Salesforce (stand-in)" in page.text
    users = form_with_button(page.text, "user_id").buttons
    assert [value for _, value in users] == [
        "0055g00000AAdmiAAD",
        "0055g00000BFinAAAT",
        "0055g00000CClerAAD",
        "0055g00000DViewAAD",
        "0057Q00000ESandQAD",
        "0057Q00000FOtheQAD",
    ]
    assert page.text.index("Acme Industries GmbH") < page.text.index("Globex Corporation")
    assert "Sandbox" in page.text


def test_authorization_code_with_pkce_gives_tokens_for_the_chosen_user(local_salesforce, admin):
    pkce = Pkce.new()
    state = "a state/with spaces & symbols=="
    with requests.Session() as browser:
        answer = choose_user(
            browser,
            authorize_url(
                local_salesforce,
                state=state,
                code_challenge=pkce.challenge,
                code_challenge_method="S256",
            ),
            admin.user_id,
        )
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(f"{CALLBACK_URL}?")
    query = query_of(location)
    assert query["state"] == state
    assert query["code"].startswith("aPrx")
    assert len(query["code"]) > 60

    tokens = exchange_code(local_salesforce, query["code"], pkce)

    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert set(body) == {
        "access_token",
        "refresh_token",
        "signature",
        "scope",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
    }
    assert body["access_token"].startswith("00D5g000004ACME!")
    assert len(body["access_token"]) > 90
    assert body["scope"] == "api refresh_token id openid"
    assert body["instance_url"] == local_salesforce.base_url
    assert body["id"] == local_salesforce.url(f"/id/{admin.org_id}/{admin.user_id}")
    assert body["token_type"] == "Bearer"
    assert body["issued_at"].isdigit()
    expected_signature = hmac.new(
        CONSUMER_SECRET.encode(), (body["id"] + body["issued_at"]).encode(), hashlib.sha256
    ).digest()
    assert base64.b64decode(body["signature"]) == expected_signature
    assert userinfo(local_salesforce, body["access_token"]).json()["user_id"] == admin.user_id


def test_a_grant_without_refresh_scope_gets_no_refresh_token(local_salesforce, clerk):
    code = authorization_code(local_salesforce, clerk, scope="api id")

    body = exchange_code(local_salesforce, code).json()

    assert "refresh_token" not in body
    assert body["scope"] == "api id"


def test_a_request_without_scope_is_granted_every_scope_of_the_app(local_salesforce, clerk):
    code = authorization_code(local_salesforce, clerk, scope="")

    body = exchange_code(local_salesforce, code).json()

    assert {"api", "refresh_token", "id", "openid", "web"} <= set(body["scope"].split())
    assert "refresh_token" in body


def test_pkce_verifier_that_does_not_match_is_refused(local_salesforce, admin):
    pkce = Pkce.new()
    code = authorization_code(
        local_salesforce, admin, code_challenge=pkce.challenge, code_challenge_method="S256"
    )

    answer = exchange_code(local_salesforce, code, Pkce.new())

    assert _error(answer) == (400, "invalid_grant", "invalid code verifier")
    # The failed attempt used the code up: guessing verifiers one by one gets nowhere.
    assert _error(exchange_code(local_salesforce, code, pkce))[1] == "invalid_grant"


def test_missing_pkce_verifier_is_refused_when_a_challenge_was_given(local_salesforce, admin):
    pkce = Pkce.new()
    code = authorization_code(
        local_salesforce, admin, code_challenge=pkce.challenge, code_challenge_method="S256"
    )

    answer = exchange_code(local_salesforce, code)

    assert _error(answer) == (400, "invalid_grant", "invalid code verifier")


def test_plain_pkce_challenge_is_accepted(local_salesforce, admin):
    verifier = Pkce.new().verifier
    code = authorization_code(
        local_salesforce, admin, code_challenge=verifier, code_challenge_method="plain"
    )

    answer = exchange_code(local_salesforce, code, code_verifier=verifier)

    assert answer.status_code == 200, answer.text


def test_code_is_single_use_and_its_reuse_revokes_the_tokens_it_gave(local_salesforce, admin):
    code = authorization_code(local_salesforce, admin)
    first = exchange_code(local_salesforce, code)
    assert first.status_code == 200

    second = exchange_code(local_salesforce, code)

    assert _error(second) == (400, "invalid_grant", "invalid authorization code")
    assert userinfo(local_salesforce, first.json()["access_token"]).status_code == 403
    assert refresh(local_salesforce, first.json()["refresh_token"]).status_code == 400


def test_unknown_code_is_refused(local_salesforce):
    answer = exchange_code(local_salesforce, "aPrxNotACode")

    assert _error(answer) == (400, "invalid_grant", "invalid authorization code")


def test_token_request_with_another_redirect_uri_is_refused(local_salesforce, admin):
    code = authorization_code(local_salesforce, admin)

    answer = exchange_code(local_salesforce, code, redirect_uri=EXTRA_CALLBACK_URL)

    assert _error(answer) == (400, "redirect_uri_mismatch", "redirect_uri must match configuration")


def test_unregistered_redirect_uri_gets_an_error_page_and_no_redirect(local_salesforce):
    answer = requests.get(
        authorize_url(local_salesforce, redirect_uri="https://evil.example/callback"),
        allow_redirects=False,
        timeout=TIMEOUT,
    )

    assert answer.status_code == 400
    assert "Location" not in answer.headers
    assert "redirect_uri_mismatch" in answer.text
    assert "evil.example" not in answer.text


def test_redirect_uri_from_the_extra_callback_list_is_accepted(local_salesforce, clerk):
    code = authorization_code(local_salesforce, clerk, redirect_uri=EXTRA_CALLBACK_URL)

    answer = exchange_code(local_salesforce, code, redirect_uri=EXTRA_CALLBACK_URL)

    assert answer.status_code == 200, answer.text


def test_unknown_client_id_gets_an_error_page_and_no_redirect(local_salesforce):
    answer = requests.get(
        authorize_url(local_salesforce, client_id="3MVG9Unknown"),
        allow_redirects=False,
        timeout=TIMEOUT,
    )

    assert answer.status_code == 400
    assert "Location" not in answer.headers
    assert "invalid_client_id" in answer.text


def test_unknown_scope_is_refused_by_redirect(local_salesforce):
    answer = requests.get(
        authorize_url(local_salesforce, scope="api banking"), allow_redirects=False, timeout=TIMEOUT
    )

    assert answer.status_code == 302
    assert query_of(answer.headers["Location"]) == {
        "error": "invalid_scope",
        "error_description": "the requested scope is not allowed",
        "state": "state-1",
    }


def test_other_response_types_are_refused_by_redirect(local_salesforce):
    answer = requests.get(
        authorize_url(local_salesforce, response_type="token"),
        allow_redirects=False,
        timeout=TIMEOUT,
    )

    assert query_of(answer.headers["Location"])["error"] == "unsupported_response_type"


def test_deny_redirects_back_with_access_denied(local_salesforce):
    with requests.Session() as browser:
        url = authorize_url(local_salesforce, state="keep me")
        page = browser.get(url, timeout=TIMEOUT)
        form = form_with_button(page.text, "action", "deny")
        answer = browser.post(
            url, data=form.fields | {"action": "deny"}, allow_redirects=False, timeout=TIMEOUT
        )

    assert answer.status_code == 302
    assert answer.headers["Location"] == (
        f"{CALLBACK_URL}?error=access_denied"
        "&error_description=end-user+denied+authorization&state=keep+me"
    )


def test_login_form_posted_without_csrf_token_is_refused(local_salesforce, admin):
    answer = requests.post(
        authorize_url(local_salesforce),
        data={"user_id": admin.user_id},
        allow_redirects=False,
        timeout=TIMEOUT,
    )

    assert answer.status_code == 403


def test_username_and_password_form_logs_the_user_in(local_salesforce, finance_manager):
    with requests.Session() as browser:
        url = authorize_url(local_salesforce, login_hint=finance_manager.username)
        page = browser.get(url, timeout=TIMEOUT)
        form = form_with_field(page.text, "username")
        assert form.fields["username"] == finance_manager.username
        wrong = browser.post(
            url, data=form.fields | {"pw": "guess"}, allow_redirects=False, timeout=TIMEOUT
        )
        right = browser.post(
            url,
            data=form.fields | {"pw": finance_manager.password},
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    assert wrong.status_code == 200
    assert "Please check your username and password" in wrong.text
    assert right.status_code == 302
    code = query_of(right.headers["Location"])["code"]
    access_token = exchange_code(local_salesforce, code).json()["access_token"]
    assert userinfo(local_salesforce, access_token).json()["user_id"] == finance_manager.user_id


def test_logged_in_user_is_not_asked_again_unless_the_client_prompts(local_salesforce, admin):
    with requests.Session() as browser:
        choose_user(browser, authorize_url(local_salesforce), admin.user_id)
        again = browser.get(authorize_url(local_salesforce), allow_redirects=False, timeout=TIMEOUT)
        prompted = browser.get(
            authorize_url(local_salesforce, prompt="login"), allow_redirects=False, timeout=TIMEOUT
        )
        browser.get(local_salesforce.url("/secur/logout.jsp"), timeout=TIMEOUT)
        after_logout = browser.get(
            authorize_url(local_salesforce), allow_redirects=False, timeout=TIMEOUT
        )

    assert again.status_code == 302
    assert "code" in query_of(again.headers["Location"])
    assert prompted.status_code == 200
    assert after_logout.status_code == 200


def test_refresh_token_is_rotated_and_old_one_refused(local_salesforce, admin):
    tokens = log_in(local_salesforce, admin)

    rotated = refresh(local_salesforce, tokens["refresh_token"])

    assert rotated.status_code == 200, rotated.text
    body = rotated.json()
    assert body["refresh_token"] != tokens["refresh_token"]
    assert body["access_token"] != tokens["access_token"]
    assert body["id"] == tokens["id"]
    assert body["scope"] == tokens["scope"]
    assert userinfo(local_salesforce, body["access_token"]).status_code == 200
    reused = refresh(local_salesforce, tokens["refresh_token"])
    assert _error(reused) == (400, "invalid_grant", "expired access/refresh token")


def test_reuse_of_a_rotated_refresh_token_revokes_the_whole_family(local_salesforce, admin):
    tokens = log_in(local_salesforce, admin)
    rotated = refresh(local_salesforce, tokens["refresh_token"]).json()

    refresh(local_salesforce, tokens["refresh_token"])

    assert refresh(local_salesforce, rotated["refresh_token"]).status_code == 400
    assert userinfo(local_salesforce, rotated["access_token"]).status_code == 403
    assert userinfo(local_salesforce, tokens["access_token"]).status_code == 403


def test_refresh_needs_the_client_secret(local_salesforce, admin):
    tokens = log_in(local_salesforce, admin)

    answer = _token_request(
        local_salesforce,
        grant_type="refresh_token",
        refresh_token=tokens["refresh_token"],
        client_id=CONSUMER_KEY,
        client_secret="wrong",
    )

    assert _error(answer) == (400, "invalid_client", "invalid client credentials")
    assert refresh(local_salesforce, tokens["refresh_token"]).status_code == 200


def test_password_grant_gives_an_access_token_without_refresh_token(local_salesforce, clerk):
    answer = _password_grant(local_salesforce, clerk.username, clerk.password)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "refresh_token" not in body
    assert body["access_token"].startswith("00D5g000004ACME!")
    assert body["id"].endswith(f"/{clerk.org_id}/{clerk.user_id}")
    assert userinfo(local_salesforce, body["access_token"]).status_code == 200


def test_password_grant_with_a_wrong_password_is_refused(local_salesforce, clerk):
    answer = _password_grant(local_salesforce, clerk.username, "carol-wrong-pass")

    assert _error(answer) == (400, "invalid_grant", "authentication failure")


def test_client_credentials_are_accepted_as_http_basic(local_salesforce, clerk):
    answer = requests.post(
        local_salesforce.url("/services/oauth2/token"),
        data={"grant_type": "password", "username": clerk.username, "password": clerk.password},
        auth=(CONSUMER_KEY, CONSUMER_SECRET),
        timeout=TIMEOUT,
    )

    assert answer.status_code == 200, answer.text


def test_wrong_client_credentials_are_refused(local_salesforce, clerk):
    unknown = _token_request(
        local_salesforce,
        grant_type="password",
        client_id="3MVG9Unknown",
        client_secret=CONSUMER_SECRET,
        username=clerk.username,
        password=clerk.password,
    )
    wrong_secret = _token_request(
        local_salesforce,
        grant_type="password",
        client_id=CONSUMER_KEY,
        client_secret="wrong",
        username=clerk.username,
        password=clerk.password,
    )

    assert _error(unknown) == (400, "invalid_client_id", "client identifier invalid")
    assert _error(wrong_secret) == (400, "invalid_client", "invalid client credentials")


def test_unsupported_grant_type_is_refused(local_salesforce):
    answer = _token_request(
        local_salesforce,
        grant_type="client_credentials",
        client_id=CONSUMER_KEY,
        client_secret=CONSUMER_SECRET,
    )

    assert _error(answer) == (400, "unsupported_grant_type", "grant type not supported")


def test_revoking_a_refresh_token_revokes_its_access_tokens(local_salesforce, admin):
    tokens = log_in(local_salesforce, admin)

    answer = requests.post(
        local_salesforce.url("/services/oauth2/revoke"),
        data={"token": tokens["refresh_token"]},
        timeout=TIMEOUT,
    )

    assert answer.status_code == 200
    assert answer.content == b""
    assert userinfo(local_salesforce, tokens["access_token"]).status_code == 403
    assert refresh(local_salesforce, tokens["refresh_token"]).status_code == 400


def test_revoking_an_access_token_leaves_the_refresh_token_working(local_salesforce, admin):
    tokens = log_in(local_salesforce, admin)

    answer = requests.get(
        local_salesforce.url("/services/oauth2/revoke"),
        params={"token": tokens["access_token"]},
        timeout=TIMEOUT,
    )

    assert answer.status_code == 200
    assert userinfo(local_salesforce, tokens["access_token"]).status_code == 403
    assert refresh(local_salesforce, tokens["refresh_token"]).status_code == 200


def test_revoking_an_unknown_token_is_refused(local_salesforce):
    answer = requests.post(
        local_salesforce.url("/services/oauth2/revoke"), data={"token": "nonsense"}, timeout=TIMEOUT
    )

    assert _error(answer) == (400, "unsupported_token_type", "this token type is not supported")


def test_token_answers_are_not_cached(local_salesforce, clerk: Persona):
    answer = _password_grant(local_salesforce, clerk.username, clerk.password)

    assert "no-store" in answer.headers["Cache-Control"]
