"""Tenant isolation and roles, with the personas of tests/conftest.py."""

import pytest
from django.urls import reverse

from portal.models import ApiKey, AuditEvent, User
from portal.roles import Role
from portal.services import create_api_key

pytestmark = pytest.mark.django_db

PAGES = [
    "portal:home",
    "portal:users",
    "portal:api_keys",
    "portal:organisation",
    "portal:audit_log",
]


@pytest.fixture(autouse=True)
def no_salesforce_calls(monkeypatch):
    # The onboarding page checks the org live; these tests are about Ledgerlink's own rules.
    monkeypatch.setattr("portal.views.onboarding_steps", lambda request: [])


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    for page in PAGES:
        response = client.get(reverse(page))
        assert response.status_code == 302
        assert response.url.startswith("/login/")


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("admin", set(PAGES)),
        ("finance_admin", {"portal:home", "portal:audit_log"}),
        ("clerk", {"portal:home"}),
        ("viewer", {"portal:home"}),
    ],
)
def test_each_role_sees_only_its_pages(client, request, persona, allowed):
    client.force_login(request.getfixturevalue(persona))
    for page in PAGES:
        expected = 200 if page in allowed else 403
        assert client.get(reverse(page)).status_code == expected, page


def test_the_shell_shows_org_user_and_role(client, clerk):
    client.force_login(clerk)
    page = client.get(reverse("portal:home")).content.decode()
    assert "Acme Industries GmbH" in page
    assert "Carol Clerk" in page
    assert "Clerk" in page
    assert "Users &amp; roles" not in page


def test_an_admin_assigns_a_role_and_the_change_is_audited(client, admin, viewer):
    client.force_login(admin)
    response = client.post(reverse("portal:change_role", args=[viewer.pk]), {"role": "clerk"})
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.role == Role.CLERK
    event = AuditEvent.objects.get(action="user.role_changed")
    assert event.actor == admin
    assert event.changes == {"role": ["viewer", "clerk"]}


def test_the_last_admin_cannot_step_down(client, admin):
    client.force_login(admin)
    client.post(reverse("portal:change_role", args=[admin.pk]), {"role": "viewer"})
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_a_clerk_cannot_change_roles(client, clerk, viewer):
    client.force_login(clerk)
    response = client.post(reverse("portal:change_role", args=[viewer.pk]), {"role": "admin"})
    assert response.status_code == 403
    viewer.refresh_from_db()
    assert viewer.role == Role.VIEWER


def test_an_outsider_gets_404_for_another_orgs_user(client, outsider, viewer):
    client.force_login(outsider)
    response = client.post(reverse("portal:change_role", args=[viewer.pk]), {"role": "admin"})
    assert response.status_code == 404
    viewer.refresh_from_db()
    assert viewer.role == Role.VIEWER


def test_an_outsider_gets_404_for_another_orgs_api_key(client, outsider, admin):
    api_key, _ = create_api_key(actor=admin, name="ERP", role=Role.CLERK)
    client.force_login(outsider)
    response = client.post(reverse("portal:revoke_api_key", args=[api_key.pk]))
    assert response.status_code == 404
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_an_outsider_sees_nothing_of_another_org_on_its_own_pages(client, outsider, admin, viewer):
    create_api_key(actor=admin, name="Acme ERP", role=Role.CLERK)
    client.force_login(outsider)
    for page in PAGES:
        content = client.get(reverse(page)).content.decode()
        assert "Acme" not in content, page
        assert "Dave Viewer" not in content, page
        assert "Alice Admin" not in content, page


def test_an_admin_adds_a_custom_framing_domain_and_it_is_used(client, admin):
    client.force_login(admin)
    client.post(reverse("portal:organisation"), {"origins": "https://portal.acme.example\n"})
    admin.tenant.refresh_from_db()
    assert admin.tenant.frame_ancestors == ["https://portal.acme.example"]
    policy = client.get(reverse("portal:home")).headers["Content-Security-Policy"]
    assert "https://portal.acme.example" in policy
    assert AuditEvent.objects.filter(action="tenant.frame_ancestors_changed").exists()


@pytest.mark.parametrize(
    "origin",
    [
        "http://insecure.example",
        "https://*.example",
        "https://a.example/path",
        "https://a.example; script-src *",
    ],
)
def test_a_framing_domain_must_be_a_plain_https_origin(client, admin, origin):
    client.force_login(admin)
    response = client.post(reverse("portal:organisation"), {"origins": origin})
    assert response.status_code == 200
    admin.tenant.refresh_from_db()
    assert admin.tenant.frame_ancestors == []


def test_the_first_user_of_an_org_becomes_its_admin_and_later_ones_viewers(db):
    from portal.services import SignIn, sign_in

    def arrive(user_id):
        return sign_in(
            identity=SignIn(
                org_id="00D5g000004ACMEEA4",
                org_name="Acme",
                user_id=user_id,
                user_name=user_id,
                login_url="http://127.0.0.1:8001",
                instance_url="http://127.0.0.1:8001",
                is_sandbox=False,
            )
        )

    assert arrive("0055g00000AAdmiAAD").role == Role.ADMIN
    assert arrive("0055g00000CClerAAD").role == Role.VIEWER
    assert arrive("0055g00000AAdmiAAD").role == Role.ADMIN
    assert User.objects.count() == 2


def test_other_pages_deny_framing(client):
    response = client.get(reverse("portal:login"))
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_security_headers_are_set(client):
    response = client.get(reverse("portal:login"))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_api_keys_are_stored_only_as_hashes(admin):
    api_key, plaintext = create_api_key(actor=admin, name="ERP", role=Role.CLERK)
    secret = plaintext.rsplit("_", 1)[1]
    stored = ApiKey.objects.filter(pk=api_key.pk).values().get()
    assert all(secret not in str(value) for value in stored.values())
