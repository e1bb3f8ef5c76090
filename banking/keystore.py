"""The subscriber's private keys at rest: one MultiFernet token per connection.

The token holds the three keys as PKCS#8 PEM and, for EBICS 3.0, their self-signed certificates.
It is opened only in memory, for the request or task that talks to the bank, and never logged.
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from banking.ebics.keys import (
    KeyVersion,
    SubscriberKeys,
    generate_subscriber_keys,
    load_subscriber_key,
    self_signed_certificate,
)
from portal import encryption


@dataclass(frozen=True)
class StoredKeys:
    """The subscriber's keys with their certificates (signature, authentication, encryption)."""

    keys: SubscriberKeys
    certificates: tuple[bytes, bytes, bytes] | None


def create_keys(*, common_name: str, now: datetime, with_certificates: bool) -> StoredKeys:
    """New RSA keys for A006, X002 and E002; certificates valid from ``now`` when asked for."""
    keys = generate_subscriber_keys()
    certificates = None
    if with_certificates:
        certificates = (
            self_signed_certificate(keys.signature, common_name=common_name, now=now),
            self_signed_certificate(keys.authentication, common_name=common_name, now=now),
            self_signed_certificate(keys.encryption, common_name=common_name, now=now),
        )
    return StoredKeys(keys=keys, certificates=certificates)


def seal(stored: StoredKeys) -> str:
    """The encrypted token to keep in the database."""
    document = {
        "signature": stored.keys.signature.private_pem().decode("ascii"),
        "authentication": stored.keys.authentication.private_pem().decode("ascii"),
        "encryption": stored.keys.encryption.private_pem().decode("ascii"),
        "certificates": (
            [base64.b64encode(der).decode("ascii") for der in stored.certificates]
            if stored.certificates
            else None
        ),
    }
    return encryption.encrypt(json.dumps(document).encode("utf-8"))


def unseal(token: str) -> StoredKeys:
    """Open a token made by :func:`seal`; raises encryption.DecryptionFailed if no key opens it."""
    document = json.loads(encryption.decrypt(token))
    certificates = document.get("certificates")
    return StoredKeys(
        keys=SubscriberKeys(
            signature=load_subscriber_key(KeyVersion.SIGNATURE, document["signature"].encode()),
            authentication=load_subscriber_key(
                KeyVersion.AUTHENTICATION, document["authentication"].encode()
            ),
            encryption=load_subscriber_key(KeyVersion.ENCRYPTION, document["encryption"].encode()),
        ),
        certificates=(
            (
                base64.b64decode(certificates[0]),
                base64.b64decode(certificates[1]),
                base64.b64decode(certificates[2]),
            )
            if certificates
            else None
        ),
    )
