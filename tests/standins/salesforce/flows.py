"""Drive the local Salesforce over HTTP as a browser and as Ledgerlink would."""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import requests

from tests.standins.salesforce.pages import form_with_button

TIMEOUT = 5
CONSUMER_KEY = "3MVG9TestsConsumerKey.LocalSalesforce"
CONSUMER_SECRET = "tests-consumer-secret"
LEDGERLINK_URL = "http://127.0.0.1:8000"
CALLBACK_URL = f"{LEDGERLINK_URL}/accounts/salesforce/login/callback/"
EXTRA_CALLBACK_URL = "http://localhost:8000/accounts/salesforce/login/callback/"
ACME = "00D5g000004ACMEEA4"
GLOBEX = "00D7Q000009SANDUA4"


@dataclass(frozen=True)
class Persona:
    user_id: str
    org_id: str
    username: str
    password: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class LocalSalesforce:
    base_url: str
    data_path: Path

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> "Pkce":
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode()).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode())


def authorize_url(local_salesforce: LocalSalesforce, **overrides: str) -> str:
    parameters = {
        "response_type": "code",
        "client_id": CONSUMER_KEY,
        "redirect_uri": CALLBACK_URL,
        "state": "state-1",
        "scope": "api refresh_token id openid",
    } | overrides
    return local_salesforce.url(f"/services/oauth2/authorize?{urlencode(parameters)}")


def query_of(location: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def choose_user(browser: requests.Session, page_url: str, user_id: str) -> requests.Response:
    """Open a login page and press the button of ``user_id``, as a browser would."""
    page = browser.get(page_url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text
    form = form_with_button(page.text, "user_id", user_id)
    assert form.method == "post"
    return browser.post(
        urljoin(page_url, form.action),
        data=form.fields | {"user_id": user_id},
        allow_redirects=False,
        timeout=TIMEOUT,
    )


def authorization_code(
    local_salesforce: LocalSalesforce, persona: Persona, **overrides: str
) -> str:
    """Run the browser leg of the web-server flow for ``persona`` and return the code."""
    with requests.Session() as browser:
        answer = choose_user(browser, authorize_url(local_salesforce, **overrides), persona.user_id)
    assert answer.status_code == 302, answer.text
    return query_of(answer.headers["Location"])["code"]


def exchange_code(
    local_salesforce: LocalSalesforce, code: str, pkce: Pkce | None = None, **overrides: str
) -> requests.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK_URL,
        "client_id": CONSUMER_KEY,
        "client_secret": CONSUMER_SECRET,
    }
    if pkce is not None:
        form["code_verifier"] = pkce.verifier
    return requests.post(
        local_salesforce.url("/services/oauth2/token"), data=form | overrides, timeout=TIMEOUT
    )


def log_in(local_salesforce: LocalSalesforce, persona: Persona) -> dict[str, str]:
    """Tokens for ``persona`` from the whole web-server flow with PKCE, as Ledgerlink gets them."""
    pkce = Pkce.new()
    code = authorization_code(
        local_salesforce, persona, code_challenge=pkce.challenge, code_challenge_method="S256"
    )
    answer = exchange_code(local_salesforce, code, pkce)
    assert answer.status_code == 200, answer.text
    tokens: dict[str, str] = answer.json()
    return tokens


def refresh(local_salesforce: LocalSalesforce, refresh_token: str) -> requests.Response:
    return requests.post(
        local_salesforce.url("/services/oauth2/token"),
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": CONSUMER_KEY,
            "client_secret": CONSUMER_SECRET,
        },
        timeout=TIMEOUT,
    )


def userinfo(local_salesforce: LocalSalesforce, access_token: str) -> requests.Response:
    return requests.get(
        local_salesforce.url("/services/oauth2/userinfo"),
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=TIMEOUT,
    )
