"""Each screen and action is open to its lowest role and above; every role below gets a 403 and
changes nothing; anonymous visitors are sent to the login page (the API asks for credentials)."""

import pytest
from rest_framework.test import APIClient

from portal.roles import Role
from portal.services import create_api_key
from tests.security.conftest import database_state, logged_in, send, url_of
from tests.security.inventory import API, PAGES, Route, route_id

pytestmark = pytest.mark.django_db

# Highest first, so that "below" is a slice.
ROLES = (Role.ADMIN, Role.FINANCE_ADMIN, Role.CLERK, Role.VIEWER)

PROTECTED_PAGES = [route for route in PAGES if route.role is not None]


def _below(role: Role) -> list[Role]:
    return [other for other in ROLES if not other.includes(role)]


def _at_or_above(role: Role) -> list[Role]:
    return [other for other in ROLES if other.includes(role)]


@pytest.mark.parametrize("route", PROTECTED_PAGES, ids=route_id)
def test_a_role_below_the_lowest_allowed_gets_403_and_changes_nothing(request, acme_world, route):
    url = url_of(route, acme_world)
    for role in _below(route.role):
        client = logged_in(request.getfixturevalue(role.value))
        before = database_state()
        if route.is_get:
            assert client.get(url).status_code == 403, (role, url)
        if route.is_post:
            assert client.post(url, route.data).status_code == 403, (role, url)
        assert database_state() == before, (role, url)


@pytest.mark.parametrize("route", PROTECTED_PAGES, ids=route_id)
def test_the_lowest_allowed_role_and_those_above_are_let_in(request, acme_world, route):
    url = url_of(route, acme_world)
    for role in _at_or_above(route.role):
        response = send(logged_in(request.getfixturevalue(role.value)), route, url)
        assert response.status_code not in (401, 403, 405), (role, url)
        assert response.status_code < 500, (role, url)


@pytest.mark.parametrize("route", PROTECTED_PAGES, ids=route_id)
def test_an_anonymous_visitor_is_sent_to_the_login_page_and_changes_nothing(
    client, acme_world, route
):
    url = url_of(route, acme_world)
    before = database_state()
    for method in sorted(route.methods):
        response = client.get(url) if method == "GET" else client.post(url, route.data)
        assert response.status_code == 302, (method, url)
        assert response.url.startswith("/login/"), (method, url)
    assert database_state() == before


def _api_call(api: APIClient, route: Route, url: str):
    if route.is_get:
        return api.get(url)
    # A body every endpoint rejects or answers without side effects: the role check comes first.
    return api.post(url, {}, format="json")


@pytest.mark.parametrize("route", API, ids=route_id)
def test_an_api_key_below_the_lowest_allowed_role_gets_403(admin, acme_world, route):
    url = url_of(route, acme_world)
    for role in ROLES:
        _, plaintext = create_api_key(actor=admin, name=f"{role} key", role=role)
        api = APIClient(HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
        status = _api_call(api, route, url).status_code
        if role.includes(route.role):
            assert status not in (401, 403), (role, url)
            assert status < 500, (role, url)
        else:
            assert status == 403, (role, url)


@pytest.mark.parametrize("route", API, ids=route_id)
def test_the_api_without_credentials_answers_401(acme_world, route):
    url = url_of(route, acme_world)
    assert _api_call(APIClient(), route, url).status_code == 401


@pytest.mark.parametrize("route", PAGES, ids=route_id)
def test_a_method_the_table_does_not_list_is_refused_with_405(admin, acme_world, route):
    client = logged_in(admin)
    url = url_of(route, acme_world)
    before = database_state()
    if not route.is_get:
        assert client.get(url).status_code == 405
    if not route.is_post:
        assert client.post(url, route.data).status_code == 405
    assert database_state() == before
