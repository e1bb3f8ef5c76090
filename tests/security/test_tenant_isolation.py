"""Erin, admin of Globex, can name Acme's objects in URLs but never reach them.

A URL naming one of Acme's objects answers her exactly as for an object that never existed
(404, or for a review run the "run has expired" redirect), and changes nothing. Her own pages and
her API key show nothing of Acme.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from portal.roles import Role
from portal.services import create_api_key
from tests.security.conftest import ACME_MARKERS, database_state, logged_in, url_of
from tests.security.inventory import API, PAGES, ROUTES, Scope, route_id

pytestmark = pytest.mark.django_db

OBJECT_ROUTES = [route for route in PAGES if route.scope in (Scope.TENANT_OBJECT, Scope.USER_JOB)]
# Every page Erin may open as an admin of her own org, with the URL arguments of an Acme object.
ERIN_PAGES = [route for route in PAGES if route.is_get and route.role is not None]

# An ID no object has, to compare Erin's answer for Acme's object with.
NEVER_EXISTED = {
    "connection_id": 987_654_321,
    "run_id": 987_654_321,
    "configuration_id": 987_654_321,
    "user_id": 987_654_321,
    "key_id": 987_654_321,
    "job_id": "never-existed-job-0000000000",
}


def _never_existed(arguments: dict[str, object]) -> dict[str, object]:
    return {name: NEVER_EXISTED.get(name, value) for name, value in arguments.items()}


def test_every_url_naming_an_object_is_covered():
    named = {route.name for route in ROUTES if route.scope is not Scope.NONE}
    assert {route.name for route in OBJECT_ROUTES} <= named
    assert named - {route.name for route in OBJECT_ROUTES} == {
        # Concepts are the same fixed names in every org; what they map to is read per tenant.
        "portal:salesforce_edit_mapping",
        "portal:salesforce_reset_mapping",
        # Read from the caller's own Salesforce org with the caller's own token.
        "settlement:settle_by_hand",
    }


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=route_id)
def test_an_outsider_naming_an_acme_object_gets_what_a_missing_one_gets(
    outsider, acme_world, route
):
    arguments = route.arguments(acme_world)
    acme_url = reverse(route.name, kwargs=arguments)
    missing_url = reverse(route.name, kwargs=_never_existed(arguments))
    client = logged_in(outsider)
    before = database_state()
    for method in sorted(route.methods):
        call = client.get if method == "GET" else client.post
        answer = call(acme_url, route.data)
        assert answer.status_code == route.missing_status, (method, acme_url)
        assert answer.status_code == call(missing_url, route.data).status_code
        body = answer.content.decode(errors="replace")
        assert not [marker for marker in ACME_MARKERS if marker in body], (method, acme_url)
    assert database_state() == before


@pytest.mark.parametrize("route", ERIN_PAGES, ids=route_id)
def test_no_page_of_the_outsider_shows_anything_of_acme(outsider, acme_world, route):
    client = logged_in(outsider)
    response = client.get(url_of(route, acme_world), follow=True)
    body = response.content.decode(errors="replace")
    assert not [marker for marker in ACME_MARKERS if marker in body]


def test_the_outsiders_lists_hold_only_her_own_org(outsider, acme_world):
    client = logged_in(outsider)
    for name in (
        "portal:users",
        "portal:api_keys",
        "portal:audit_log",
        "banking:connections",
        "banking:runs",
        "settlement:configurations",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        body = response.content.decode()
        assert not [marker for marker in ACME_MARKERS if marker in body], name
    assert "Erin Outsider" in client.get(reverse("portal:users")).content.decode()


def test_the_outsiders_api_key_knows_only_her_org(outsider, acme_world):
    _, plaintext = create_api_key(actor=outsider, name="Globex ERP", role=Role.ADMIN)
    api = APIClient(HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    me = api.get(reverse("portal:api_me")).json()
    assert me["tenant"]["org_id"] == outsider.tenant.org_id
    for route in API:
        url = reverse(route.name)
        response = api.get(url) if route.is_get else api.post(url, {}, format="json")
        body = response.content.decode(errors="replace")
        assert not [marker for marker in ACME_MARKERS if marker in body], url


def test_an_acme_api_key_does_not_open_the_portal_of_any_org(client, acme_world, admin):
    _, plaintext = create_api_key(actor=admin, name="ERP", role=Role.ADMIN)
    response = client.get(reverse("portal:users"), HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    assert response.status_code == 302
    assert response.url.startswith("/login/")
