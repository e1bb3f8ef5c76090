"""Every form POST of the portal, and the API used with the portal's session, demands a CSRF
token; without one it is refused with a 403 and nothing changes."""

import pytest

from tests.security.conftest import database_state, logged_in, url_of
from tests.security.inventory import API, PAGES, route_id

pytestmark = pytest.mark.django_db

POSTS = [route for route in PAGES if route.is_post and not route.csrf_exempt_because]
API_POSTS = [route for route in API if route.is_post]


@pytest.mark.parametrize("route", POSTS, ids=route_id)
def test_a_form_post_without_a_csrf_token_is_refused_and_changes_nothing(admin, acme_world, route):
    client = logged_in(admin, enforce_csrf_checks=True)
    before = database_state()
    response = client.post(url_of(route, acme_world), route.data)
    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert database_state() == before


@pytest.mark.parametrize("route", API_POSTS, ids=route_id)
def test_the_api_used_with_the_portal_session_demands_a_csrf_token(admin, acme_world, route):
    client = logged_in(admin, enforce_csrf_checks=True)
    response = client.post(url_of(route, acme_world), {}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_the_canvas_entry_without_a_valid_signature_starts_no_session(client, admin):
    response = client.post("/canvas/", {"signed_request": "forged.e30="})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_post_with_the_token_from_the_page_is_accepted(admin, acme_world):
    client = logged_in(admin, enforce_csrf_checks=True)
    client.get("/organisation/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/organisation/", {"origins": "https://portal.acme.example", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    admin.tenant.refresh_from_db()
    assert admin.tenant.frame_ancestors == ["https://portal.acme.example"]
