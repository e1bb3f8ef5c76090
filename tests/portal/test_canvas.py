import base64
import json

import pytest

from portal.canvas import InvalidSignedRequest, verify_signed_request
from tests.portal.signed_requests import ACME_ORG_ID, canvas_envelope, sign

SECRET = "canvas-test-secret"
INSTANCE = "https://acme.my.salesforce.com"


def verify(signed_request, secret=SECRET, max_bytes=65536):
    return verify_signed_request(signed_request, consumer_secret=secret, max_bytes=max_bytes)


@pytest.mark.parametrize("urlsafe", [False, True])
def test_a_request_signed_with_the_consumer_secret_is_accepted_in_both_alphabets(urlsafe, settings):
    context = verify(sign(canvas_envelope(INSTANCE), SECRET, urlsafe=urlsafe))
    assert context.org_id == ACME_ORG_ID
    assert context.instance_url == INSTANCE
    assert context.user_name == "Alice Admin"


def test_the_context_never_shows_its_token_in_a_repr():
    context = verify(sign(canvas_envelope(INSTANCE), SECRET))
    assert "AQ.test-token" not in repr(context)


def test_a_15_character_org_id_is_normalised():
    envelope = canvas_envelope(INSTANCE)
    envelope["context"]["organization"]["organizationId"] = ACME_ORG_ID[:15]
    assert verify(sign(envelope, SECRET)).org_id == ACME_ORG_ID


def _tampered() -> str:
    signature, _, _ = sign(canvas_envelope(INSTANCE), SECRET).partition(".")
    forged = canvas_envelope(INSTANCE)
    forged["context"]["user"]["userId"] = "0055g00000DViewAAD"
    return f"{signature}.{base64.b64encode(json.dumps(forged).encode()).decode()}"


@pytest.mark.parametrize(
    ("signed_request", "reason"),
    [
        (sign(canvas_envelope(INSTANCE), "another-secret"), "signature does not match"),
        (_tampered(), "signature does not match"),
        (sign(canvas_envelope(INSTANCE, algorithm="HMACSHA1"), SECRET), "algorithm"),
        (sign(canvas_envelope("https://evil.example.com"), SECRET), "non-Salesforce"),
        (sign(canvas_envelope("http://acme.my.salesforce.com"), SECRET), "non-Salesforce"),
        (sign(b"not json", SECRET), "not JSON"),
        (sign(b"\xff\xfe", SECRET), "not JSON"),
        (sign({"algorithm": "HMACSHA256"}, SECRET), "incomplete"),
        (sign(b'["a list"]', SECRET), "incomplete"),
        ("no-dot-at-all", "signature.envelope"),
        ("abc.", "signature.envelope"),
        ("%%%.%%%", "base64"),
        ("", "missing"),
        (None, "missing"),
        (["a", "list"], "missing"),
    ],
)
def test_forged_tampered_or_malformed_requests_are_refused(signed_request, reason):
    with pytest.raises(InvalidSignedRequest, match=reason):
        verify(signed_request)


def test_an_oversized_request_is_refused_before_any_work():
    with pytest.raises(InvalidSignedRequest, match="too large"):
        verify("a" * 70_000 + "." + "b", max_bytes=65536)


def test_without_a_configured_secret_nothing_is_accepted():
    with pytest.raises(InvalidSignedRequest, match="not configured"):
        verify(sign(canvas_envelope(INSTANCE), ""), secret="")


def test_a_malformed_user_id_is_refused():
    envelope = canvas_envelope(INSTANCE)
    envelope["context"]["user"]["userId"] = "robert'); DROP TABLE"
    with pytest.raises(InvalidSignedRequest, match="malformed ID"):
        verify(sign(envelope, SECRET))
