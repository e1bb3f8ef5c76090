"""The bank's own X002 (authentication) and E002 (encryption) keys and their certificates.

Generated on first start and kept in the store, so the bank's letter stays valid across restarts.
"""

import base64
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509

from banking.ebics.keys import (
    KeyVersion,
    PublicKey,
    SubscriberKey,
    certificate_digest,
    generate_subscriber_key,
    load_subscriber_key,
    self_signed_certificate,
)

BANK_COMMON_NAME = "LLBANK Ledgerlink local bank"


@dataclass(frozen=True)
class BankKey:
    """One private key of the bank with its self-signed DER certificate (for H005 HPB)."""

    key: SubscriberKey
    certificate: bytes

    @property
    def public(self) -> PublicKey:
        """The public half, as HPB hands it out."""
        return self.key.public


@dataclass(frozen=True)
class BankIdentity:
    """Both keys of the bank."""

    authentication: BankKey
    encryption: BankKey

    @property
    def authentication_created_at(self) -> datetime:
        """When the bank's keys were made (the start of the X002 certificate)."""
        certificate = x509.load_der_x509_certificate(self.authentication.certificate)
        return certificate.not_valid_before_utc

    def letter(self) -> dict[str, dict[str, str]]:
        """The hashes a bank prints on its letter: public-key (H004) and certificate (H005)."""
        return {
            key.key.version.value: {
                "public_key_sha256": key.public.digest().hex().upper(),
                "public_key_sha256_base64": base64.b64encode(key.public.digest()).decode(),
                "certificate_sha256": certificate_digest(key.certificate).hex().upper(),
            }
            for key in (self.authentication, self.encryption)
        }


def _load_or_create(db: sqlite3.Connection, version: KeyVersion, now: datetime) -> BankKey:
    row = db.execute(
        "SELECT private_pem, certificate FROM bank_keys WHERE version = ?", (version.value,)
    ).fetchone()
    if row is not None:
        return BankKey(load_subscriber_key(version, bytes(row[0])), bytes(row[1]))
    key = generate_subscriber_key(version)
    certificate = self_signed_certificate(key, common_name=BANK_COMMON_NAME, now=now)
    db.execute(
        "INSERT INTO bank_keys (version, private_pem, certificate) VALUES (?, ?, ?)",
        (version.value, key.private_pem(), certificate),
    )
    return BankKey(key, certificate)


def load_or_create_bank_identity(db: sqlite3.Connection, now: datetime) -> BankIdentity:
    """Read the bank's keys, generating RSA-2048 keys and certificates the first time."""
    return BankIdentity(
        authentication=_load_or_create(db, KeyVersion.AUTHENTICATION, now),
        encryption=_load_or_create(db, KeyVersion.ENCRYPTION, now),
    )
