"""POST /canvas/: anything but a genuine signed request gets a 403 and creates nothing."""

import pytest

from portal.models import AuditEvent, Tenant, User
from tests.portal.signed_requests import canvas_envelope, sign

pytestmark = pytest.mark.django_db


def _assert_nothing_created(client, response):
    assert response.status_code == 403
    assert b"could not verify this request" in response.content
    assert Tenant.objects.count() == 0
    assert User.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert "sessionid" not in response.cookies
    assert not client.session.keys()


@pytest.mark.parametrize(
    "make_request",
    [
        pytest.param(lambda s: sign(canvas_envelope(s.LOCAL_SALESFORCE_URL), "wrong"), id="forged"),
        pytest.param(
            lambda s: (
                sign(canvas_envelope(s.LOCAL_SALESFORCE_URL), s.SALESFORCE_CONSUMER_SECRET)[:-8]
                + "AAAAAAA="
            ),
            id="tampered",
        ),
        pytest.param(
            lambda s: sign(
                canvas_envelope(s.LOCAL_SALESFORCE_URL, algorithm="HMACSHA512"),
                s.SALESFORCE_CONSUMER_SECRET,
            ),
            id="other-algorithm",
        ),
        pytest.param(lambda s: "not.a.signed.request!", id="malformed"),
        pytest.param(
            lambda s: sign(
                canvas_envelope("https://attacker.example"), s.SALESFORCE_CONSUMER_SECRET
            ),
            id="non-salesforce-instance",
        ),
        pytest.param(lambda s: "x" * (s.CANVAS_MAX_SIGNED_REQUEST_BYTES + 1), id="oversized"),
    ],
)
def test_a_bad_signed_request_is_refused_and_creates_nothing(client, settings, make_request):
    response = client.post("/canvas/", {"signed_request": make_request(settings)})
    _assert_nothing_created(client, response)


def test_a_missing_signed_request_is_refused(client):
    _assert_nothing_created(client, client.post("/canvas/", {}))


def test_the_refusal_page_may_be_framed_by_salesforce_to_explain_itself(client):
    response = client.post("/canvas/", {"signed_request": "bad"})
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://*.force.com" in policy
    assert "X-Frame-Options" not in response.headers


def test_canvas_only_takes_posts(client):
    assert client.get("/canvas/").status_code == 405
