"""An EBICS client for a stored bank connection: its keys opened, its transport configured.

This is the one place that turns configuration into a working client; services call it and never
see a private key themselves.
"""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

from banking import keystore
from banking.ebics.client import Connection, EbicsClient
from banking.ebics.keys import BankKeys, KeyVersion, PublicKey
from banking.ebics.messages import EbicsVersion, Subscriber
from banking.ebics_http import HttpTransport
from banking.models import BankConnection


class UntrustedBankUrl(ValueError):
    """The bank URL is not https (or the configured local bank)."""


def check_bank_url(url: str) -> str:
    """Return the URL if Ledgerlink may send keys and orders there, else raise UntrustedBankUrl.

    Banks speak EBICS over TLS only; plain http is accepted just for the configured local bank.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a malformed port)
    except ValueError as error:
        raise UntrustedBankUrl("The bank URL is malformed.") from error
    if parts.username or parts.password:
        raise UntrustedBankUrl("The bank URL must not contain a user name or password.")
    if not parts.hostname:
        raise UntrustedBankUrl("The bank URL needs a host.")
    local = settings.LOCAL_BANK_URL
    if local and urlsplit(local)[:2] == parts[:2]:
        return url
    if parts.scheme != "https":
        raise UntrustedBankUrl("Banks are reached over https only.")
    return url


def public_key_pem(key: PublicKey) -> str:
    return key.key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def public_key_from_pem(version: KeyVersion, pem: str) -> PublicKey:
    key = serialization.load_pem_public_key(pem.encode("ascii"))
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("The stored bank key is not an RSA key.")
    return PublicKey(version=version, key=key)


def bank_keys_of(connection: BankConnection) -> BankKeys | None:
    """The bank's keys once downloaded (verified or not: HPB itself needs none)."""
    if not (connection.bank_authentication_key and connection.bank_encryption_key):
        return None
    return BankKeys(
        authentication=public_key_from_pem(
            KeyVersion.AUTHENTICATION, connection.bank_authentication_key
        ),
        encryption=public_key_from_pem(KeyVersion.ENCRYPTION, connection.bank_encryption_key),
    )


def subscriber_of(connection: BankConnection) -> Subscriber:
    return Subscriber(
        host_id=connection.host_id, partner_id=connection.partner_id, user_id=connection.user_id
    )


def transport_for(connection: BankConnection) -> HttpTransport:
    return HttpTransport(
        check_bank_url(connection.bank_url),
        timeout=(settings.EBICS_CONNECT_TIMEOUT, settings.EBICS_READ_TIMEOUT),
        verify=settings.EBICS_CA_BUNDLE or True,
    )


def client_for(
    connection: BankConnection, *, transport: HttpTransport | None = None
) -> EbicsClient:
    """A client speaking as the connection's subscriber; its keys must exist."""
    stored = keystore.unseal(connection.encrypted_keys)
    return EbicsClient(
        Connection(
            subscriber=subscriber_of(connection),
            version=EbicsVersion(connection.ebics_version),
            keys=stored.keys,
            bank_keys=bank_keys_of(connection),
            certificates=stored.certificates,
        ),
        transport or transport_for(connection),
        clock=lambda: datetime.now(UTC),
        upload_segment_size=settings.EBICS_UPLOAD_SEGMENT_BYTES,
    )
