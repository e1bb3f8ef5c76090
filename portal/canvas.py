"""Verification of Salesforce Canvas signed requests.

Salesforce POSTs ``signed_request`` = ``<signature>.<envelope>``: the envelope is base64 JSON and
the signature is HMAC-SHA256 over the still-encoded envelope, keyed with the consumer secret. The
envelope carries a live session token, so nothing of it is logged, and it is only parsed once the
signature holds.
"""

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from portal.errors import PortalError
from portal.hosts import UntrustedHost, trusted_salesforce_origin
from portal.ids import InvalidSalesforceId, normalize_salesforce_id

_ALGORITHM = "HMACSHA256"


class InvalidSignedRequest(PortalError):
    pass


@dataclass(frozen=True)
class CanvasContext:
    org_id: str
    org_name: str
    user_id: str
    user_name: str
    oauth_token: str
    refresh_token: str | None
    instance_url: str
    target_origin: str
    instance_id: str
    login_url: str

    def __repr__(self) -> str:
        return f"CanvasContext(org_id={self.org_id!r}, user_id={self.user_id!r})"


def _decode_base64(text: str) -> bytes:
    """Decode standard or URL-safe base64, padded or not (Salesforce's examples use standard)."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    return base64.b64decode(cleaned, validate=True)


def verify_signed_request(
    signed_request: object, *, consumer_secret: str, max_bytes: int
) -> CanvasContext:
    """Check a Canvas signed request and return who it speaks for.

    Raises InvalidSignedRequest, with a reason fit for the 403 page, when the request is not a
    string, too large, malformed, signed with another key or algorithm, or names an instance that
    is not a Salesforce host.
    """
    if not isinstance(signed_request, str) or not signed_request:
        raise InvalidSignedRequest("The signed request is missing.")
    if not consumer_secret:
        raise InvalidSignedRequest("Canvas is not configured on this server.")
    if len(signed_request) > max_bytes:
        raise InvalidSignedRequest("The signed request is too large.")
    encoded_signature, separator, encoded_envelope = signed_request.partition(".")
    if not separator or not encoded_signature or not encoded_envelope:
        raise InvalidSignedRequest("The signed request is not of the form signature.envelope.")
    try:
        signature = _decode_base64(encoded_signature)
        envelope_bytes = _decode_base64(encoded_envelope)
        signed_bytes = encoded_envelope.encode("ascii")
    except (binascii.Error, ValueError, UnicodeEncodeError) as error:
        raise InvalidSignedRequest("The signed request is not valid base64.") from error
    expected = hmac.new(consumer_secret.encode(), signed_bytes, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        raise InvalidSignedRequest("The signature does not match.")
    try:
        envelope = json.loads(envelope_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise InvalidSignedRequest("The signed request's envelope is not JSON.") from error
    return _context_from_envelope(envelope)


def _context_from_envelope(envelope: Any) -> CanvasContext:
    try:
        if envelope["algorithm"] != _ALGORITHM:
            raise InvalidSignedRequest("The signed request uses an unsupported algorithm.")
        client = envelope["client"]
        context = envelope["context"]
        organization = context["organization"]
        user = context["user"]
        oauth_token = client["oauthToken"]
        refresh_token = client.get("refreshToken")
        if not isinstance(oauth_token, str) or not oauth_token:
            raise InvalidSignedRequest("The signed request carries no session token.")
        if refresh_token is not None and not isinstance(refresh_token, str):
            raise InvalidSignedRequest("The signed request's refresh token is malformed.")
        instance_url = trusted_salesforce_origin(client["instanceUrl"])
        target_origin = trusted_salesforce_origin(client.get("targetOrigin") or instance_url)
        login_url = context.get("links", {}).get("loginUrl") or instance_url
        return CanvasContext(
            org_id=normalize_salesforce_id(organization["organizationId"]),
            org_name=str(organization.get("name") or ""),
            user_id=normalize_salesforce_id(user["userId"]),
            user_name=str(user.get("fullName") or user.get("userName") or ""),
            oauth_token=oauth_token,
            refresh_token=refresh_token,
            instance_url=instance_url,
            target_origin=target_origin,
            instance_id=str(client.get("instanceId") or ""),
            login_url=trusted_salesforce_origin(login_url),
        )
    except UntrustedHost as error:
        raise InvalidSignedRequest("The signed request points at a non-Salesforce host.") from error
    except InvalidSalesforceId as error:
        raise InvalidSignedRequest("The signed request carries a malformed ID.") from error
    except (KeyError, TypeError, AttributeError) as error:
        raise InvalidSignedRequest("The signed request's envelope is incomplete.") from error
