"""The Canvas host page: a Salesforce page that POSTs a signed request into Ledgerlink's frame."""

import base64
import hashlib
import hmac
import json
import re
from urllib.parse import urljoin

import requests

from tests.standins.salesforce.flows import (
    CONSUMER_SECRET,
    LEDGERLINK_URL,
    TIMEOUT,
    choose_user,
    userinfo,
)
from tests.standins.salesforce.pages import read_page

HOST_DATA = r'<script id="canvas-host-data" type="application/json">(.*?)</script>'


def _host_page(local_salesforce, browser=None, **query):
    getter = browser or requests
    return getter.get(local_salesforce.url("/canvas/host/"), params=query, timeout=TIMEOUT)


def _signed_request(html: str) -> str:
    (launch,) = [form for form in read_page(html).forms if form.target == "canvas-frame"]
    return launch.fields["signed_request"]


def _envelope(signed_request: str) -> dict:
    _, envelope = signed_request.split(".", 1)
    return json.loads(base64.b64decode(envelope, validate=True))


def test_host_page_posts_the_signed_request_into_the_canvas_frame(local_salesforce, admin):
    page = _host_page(local_salesforce, user=admin.user_id)

    assert page.status_code == 200
    parsed = read_page(page.text)
    assert [frame.get("name") for frame in parsed.iframes] == ["canvas-frame"]
    (launch,) = [form for form in parsed.forms if form.target == "canvas-frame"]
    assert launch.method == "post"
    assert launch.action == f"{LEDGERLINK_URL}/canvas/"
    assert list(launch.fields) == ["signed_request"]
    assert "<noscript>" in page.text
    assert "Acme Industries GmbH" in page.text
    assert "Alice Admin" in page.text
    assert "Local Salesforce (stand-in)" in page.text


def test_signed_request_is_sealed_with_hmac_of_the_consumer_secret(local_salesforce, admin):
    signed_request = _signed_request(_host_page(local_salesforce, user=admin.user_id).text)

    signature, envelope = signed_request.split(".", 1)

    expected = hmac.new(CONSUMER_SECRET.encode(), envelope.encode(), hashlib.sha256).digest()
    assert hmac.compare_digest(base64.b64decode(signature, validate=True), expected)
    # Standard base64, padded, as in Salesforce's own examples.
    assert len(envelope) % 4 == 0
    assert "-" not in envelope
    assert "_" not in envelope


def test_signed_request_envelope_has_the_shape_of_a_canvas_request(local_salesforce, outsider):
    canvas_request = _envelope(
        _signed_request(_host_page(local_salesforce, user=outsider.user_id).text)
    )

    assert canvas_request["algorithm"] == "HMACSHA256"
    assert isinstance(canvas_request["issuedAt"], int)
    assert canvas_request["userId"] == outsider.user_id
    client = canvas_request["client"]
    assert set(client) == {
        "instanceId",
        "oauthToken",
        "refreshToken",
        "instanceUrl",
        "targetOrigin",
    }
    assert client["refreshToken"] is None
    assert client["instanceUrl"] == local_salesforce.base_url
    assert client["targetOrigin"] == local_salesforce.base_url
    assert client["oauthToken"].startswith("00D7Q000009SAND!")
    context = canvas_request["context"]
    assert set(context) == {"user", "organization", "environment", "links", "application"}
    user = context["user"]
    assert user["userId"] == outsider.user_id
    assert user["userName"] == outsider.username
    assert user["fullName"] == "Erin Outsider"
    assert user["timeZone"] == "Europe/Berlin"
    assert user["userType"] == "STANDARD"
    assert user["currencyISOCode"] == "EUR"
    assert {"profileId", "roleId", "accessibilityModeEnabled", "profilePhotoUrl"} <= set(user)
    assert context["organization"] == {
        "organizationId": outsider.org_id,
        "name": "Globex Corporation",
        "multicurrencyEnabled": False,
        "currencyIsoCode": "EUR",
        "namespacePrefix": None,
    }
    environment = context["environment"]
    assert environment["displayLocation"] == "Visualforce"
    assert environment["uiTheme"] == "Theme4d"
    assert environment["version"]["api"] == "62.0"
    assert set(environment["dimensions"]) == {
        "width",
        "height",
        "maxWidth",
        "maxHeight",
        "clientWidth",
        "clientHeight",
    }
    assert environment["parameters"] == {}
    assert environment["record"] == {}
    links = context["links"]
    assert links["restUrl"] == "/services/data/v62.0/"
    assert links["queryUrl"] == "/services/data/v62.0/query/"
    assert links["userUrl"] == f"/{outsider.user_id}"
    application = context["application"]
    assert application["name"] == "Ledgerlink"
    assert application["developerName"] == "Ledgerlink"
    assert application["authType"] == "SIGNED_REQUEST"
    assert application["canvasUrl"] == f"{LEDGERLINK_URL}/canvas/"
    assert application["samlInitiationMethod"] == "None"
    assert application["isInstalledPersonalApp"] is False
    assert application["options"] == []


def test_signed_request_carries_a_working_access_token(local_salesforce, clerk):
    canvas_request = _envelope(
        _signed_request(_host_page(local_salesforce, user=clerk.user_id).text)
    )

    answer = userinfo(local_salesforce, canvas_request["client"]["oauthToken"])

    assert answer.status_code == 200
    assert answer.json()["user_id"] == clerk.user_id


def test_each_visit_signs_a_fresh_access_token(local_salesforce, clerk):
    first = _envelope(_signed_request(_host_page(local_salesforce, user=clerk.user_id).text))
    second = _envelope(_signed_request(_host_page(local_salesforce, user=clerk.user_id).text))

    assert first["client"]["oauthToken"] != second["client"]["oauthToken"]


def test_width_parameter_narrows_the_canvas_frame(local_salesforce, admin):
    page = _host_page(local_salesforce, user=admin.user_id, width="600")

    dimensions = _envelope(_signed_request(page.text))["context"]["environment"]["dimensions"]
    assert dimensions["width"] == "600px"
    assert "width: 600px" in page.text


def test_full_width_is_the_default(local_salesforce, admin):
    page = _host_page(local_salesforce, user=admin.user_id)

    dimensions = _envelope(_signed_request(page.text))["context"]["environment"]["dimensions"]
    assert dimensions["width"] == "100%"


def test_unusable_width_or_user_is_refused(local_salesforce, admin):
    assert _host_page(local_salesforce, user=admin.user_id, width="wide").status_code == 400
    assert _host_page(local_salesforce, user=admin.user_id, width="50").status_code == 400
    assert _host_page(local_salesforce, user="0055g00000XXXXXAAA").status_code == 400


def test_visitor_without_session_picks_a_user_first_and_comes_back(local_salesforce, clerk):
    with requests.Session() as browser:
        url = local_salesforce.url("/canvas/host/?width=600")
        chosen = choose_user(browser, url, clerk.user_id)
        page = browser.get(urljoin(url, chosen.headers["Location"]), timeout=TIMEOUT)

    assert chosen.status_code == 302
    assert chosen.headers["Location"] == "/canvas/host/?width=600"
    canvas_request = _envelope(_signed_request(page.text))
    assert canvas_request["userId"] == clerk.user_id
    assert canvas_request["context"]["environment"]["dimensions"]["width"] == "600px"


def test_session_user_wins_over_the_user_parameter(local_salesforce, admin, clerk):
    with requests.Session() as browser:
        _host_page(local_salesforce, browser, user=admin.user_id)
        page = _host_page(local_salesforce, browser, user=clerk.user_id)

    assert _envelope(_signed_request(page.text))["userId"] == admin.user_id


def test_host_page_refreshes_the_signed_request_for_the_sdk(local_salesforce, admin):
    with requests.Session() as browser:
        page = _host_page(local_salesforce, browser, user=admin.user_id)
        data = json.loads(re.search(HOST_DATA, page.text, re.DOTALL).group(1))
        url = local_salesforce.url(data["refreshUrl"])
        refreshed = browser.post(
            url, data={"width": "600"}, headers={"X-CSRFToken": data["csrfToken"]}, timeout=TIMEOUT
        )
        forged = browser.post(url, data={"width": "600"}, timeout=TIMEOUT)

    assert refreshed.status_code == 200
    canvas_request = _envelope(refreshed.json()["signed_request"])
    assert canvas_request["userId"] == admin.user_id
    assert canvas_request["context"]["environment"]["dimensions"]["width"] == "600px"
    assert forged.status_code == 403
    assert data["ledgerlinkOrigin"] == LEDGERLINK_URL


def test_canvas_sdk_is_served_from_the_instance(local_salesforce):
    answer = requests.get(
        local_salesforce.url("/canvas/sdk/js/62.0/canvas-all.js"), timeout=TIMEOUT
    )

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/javascript")
    for name in ("Sfdc.canvas", "resize", "autogrow", "signedrequest", "onReady", "postMessage"):
        assert name in answer.text
