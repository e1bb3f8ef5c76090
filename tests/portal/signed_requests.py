"""Canvas signed requests as Salesforce makes them, for tests (and forgeries of them)."""

import base64
import hashlib
import hmac
import json
from typing import Any

ACME_ORG_ID = "00D5g000004ACMEEA4"
ALICE_ID = "0055g00000AAdmiAAD"


def canvas_envelope(instance_url: str, **overrides: Any) -> dict[str, Any]:
    envelope: dict[str, Any] = {
        "algorithm": "HMACSHA256",
        "issuedAt": 1_234_567,
        "userId": ALICE_ID,
        "client": {
            "instanceId": "_:Ledgerlink:",
            "oauthToken": "00D5g000004ACME!AQ.test-token",
            "refreshToken": None,
            "instanceUrl": instance_url,
            "targetOrigin": instance_url,
        },
        "context": {
            "user": {
                "userId": ALICE_ID,
                "userName": "alice@acme.example",
                "fullName": "Alice Admin",
            },
            "organization": {"organizationId": ACME_ORG_ID, "name": "Acme Industries GmbH"},
            "links": {"loginUrl": instance_url},
        },
    }
    envelope.update(overrides)
    return envelope


def sign(envelope: dict[str, Any] | bytes, secret: str, *, urlsafe: bool = False) -> str:
    raw = envelope if isinstance(envelope, bytes) else json.dumps(envelope).encode()
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    encoded_envelope = encode(raw).decode()
    signature = hmac.new(secret.encode(), encoded_envelope.encode(), hashlib.sha256).digest()
    return f"{encode(signature).decode()}.{encoded_envelope}"
