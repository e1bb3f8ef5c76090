"""The stand-in's own login page at the root, its home page and logging out."""

from urllib.parse import urljoin

import requests

from tests.standins.salesforce.flows import TIMEOUT, choose_user


def test_root_shows_the_login_page_to_a_visitor(local_salesforce):
    page = requests.get(local_salesforce.url("/"), timeout=TIMEOUT)

    assert page.status_code == 200
    assert "Log in as Alice Admin" in page.text
    assert "Local Salesforce (stand-in)" in page.text


def test_chosen_user_lands_on_a_home_page_until_logging_out(local_salesforce, outsider):
    with requests.Session() as browser:
        chosen = choose_user(browser, local_salesforce.url("/"), outsider.user_id)
        home = browser.get(
            urljoin(local_salesforce.base_url, chosen.headers["Location"]), timeout=TIMEOUT
        )
        logged_out = browser.get(local_salesforce.url("/secur/logout.jsp"), timeout=TIMEOUT)
        after = browser.get(local_salesforce.url("/"), timeout=TIMEOUT)

    assert chosen.status_code == 302
    assert "Welcome, Erin" in home.text
    assert "Globex Corporation" in home.text
    assert "Sandbox" in home.text
    assert "You are logged out" in logged_out.text
    assert "Log in as Alice Admin" in after.text


def test_login_pages_may_not_be_framed(local_salesforce):
    page = requests.get(local_salesforce.url("/"), timeout=TIMEOUT)

    assert page.headers["X-Frame-Options"] == "DENY"
