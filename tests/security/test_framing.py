"""Pages Salesforce shows in its Canvas frame may be framed by Salesforce's domains only; every
other answer (pages, the API, errors, framework pages) refuses to be framed at all."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from portal.hosts import FRAMING_SOURCES, local_salesforce_origin
from portal.roles import Role
from portal.services import create_api_key
from tests.security.conftest import logged_in, url_of
from tests.security.inventory import API, PAGES, Route, route_id

pytestmark = pytest.mark.django_db


def _frame_ancestors(response) -> list[str]:
    policy = response["Content-Security-Policy"]
    directives = {
        part.strip().split(" ")[0]: part.strip().split(" ")[1:] for part in policy.split(";")
    }
    return directives["frame-ancestors"]


def _assert_frameable_by_salesforce_only(response) -> None:
    sources = _frame_ancestors(response)
    allowed = {"'self'", *FRAMING_SOURCES, *settings.FRAME_ANCESTORS_EXTRA}
    if local_salesforce_origin():
        allowed.add(local_salesforce_origin())
    assert "https://*.salesforce.com" in sources
    assert set(sources) <= allowed
    assert "X-Frame-Options" not in response


def _assert_never_framed(response) -> None:
    assert _frame_ancestors(response) == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


def _page_answer(request, route: Route, url: str):
    """The view's own answer: a GET where it has one; else a POST its role check refuses."""
    if route.role is None:
        client = logged_in(request.getfixturevalue("admin"))
        return client.get(url) if route.is_get else client.post(url, route.data)
    lowest = Role.VIEWER if route.role is not Role.VIEWER else None
    if route.is_get or lowest is None:
        return logged_in(request.getfixturevalue(route.role.value)).get(url)
    return logged_in(request.getfixturevalue(lowest.value)).post(url, route.data)


@pytest.mark.parametrize("route", PAGES, ids=route_id)
def test_each_page_sends_the_framing_headers_its_table_entry_says(request, acme_world, route):
    response = _page_answer(request, route, url_of(route, acme_world))
    assert response.status_code < 500
    if route.frameable:
        _assert_frameable_by_salesforce_only(response)
    else:
        _assert_never_framed(response)


@pytest.mark.parametrize("route", API, ids=route_id)
def test_no_api_answer_may_be_framed(admin, acme_world, route):
    _, plaintext = create_api_key(actor=admin, name="ERP", role=Role.ADMIN)
    api = APIClient(HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    url = url_of(route, acme_world)
    response = api.get(url) if route.is_get else api.post(url, {}, format="json")
    assert not route.frameable
    _assert_never_framed(response)


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/accounts/3rdparty/", "/no-such-page/", "/static/missing.css"]
)
def test_framework_pages_and_unknown_urls_may_not_be_framed(client, path):
    _assert_never_framed(client.get(path))


def test_a_frameable_page_refused_to_an_anonymous_visitor_is_still_only_framed_by_salesforce(
    client,
):
    response = client.get("/users/")
    assert response.status_code == 302
    _assert_frameable_by_salesforce_only(response)


def test_a_tenants_own_framing_domain_is_offered_to_its_users_only(admin, outsider, acme_world):
    admin.tenant.frame_ancestors = ["https://portal.acme.example"]
    admin.tenant.save()
    assert "https://portal.acme.example" in _frame_ancestors(logged_in(admin).get("/users/"))
    assert "https://portal.acme.example" not in _frame_ancestors(logged_in(outsider).get("/users/"))
