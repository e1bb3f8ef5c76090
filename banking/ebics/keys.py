"""Subscriber and bank RSA keys: generation, PEM (de)serialisation and EBICS public-key hashes.

Key versions: A006 (electronic signature, RSASSA-PSS/SHA-256), X002 (authentication,
PKCS#1 v1.5/SHA-256) and E002 (encryption, PKCS#1 v1.5 key transport).
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from banking.ebics.errors import EbicsError

MINIMUM_KEY_SIZE = 2048
PUBLIC_EXPONENT = 65537


class InvalidKey(EbicsError):
    """A key could not be loaded or is too weak for EBICS."""


class KeyVersion(StrEnum):
    """The EBICS key versions Ledgerlink uses."""

    SIGNATURE = "A006"
    AUTHENTICATION = "X002"
    ENCRYPTION = "E002"


@dataclass(frozen=True)
class PublicKey:
    """An RSA public key with its EBICS version, for a subscriber or a bank."""

    version: KeyVersion
    key: rsa.RSAPublicKey

    @property
    def exponent_hex(self) -> str:
        """The public exponent in lowercase hex without leading zeros."""
        return format(self.key.public_numbers().e, "x")

    @property
    def modulus_hex(self) -> str:
        """The modulus in lowercase hex without leading zeros."""
        return format(self.key.public_numbers().n, "x")

    @property
    def modulus_bytes(self) -> bytes:
        """The modulus as unsigned big-endian bytes (for ds:Modulus)."""
        n = self.key.public_numbers().n
        return n.to_bytes((n.bit_length() + 7) // 8, "big")

    @property
    def exponent_bytes(self) -> bytes:
        """The exponent as unsigned big-endian bytes (for ds:Exponent)."""
        e = self.key.public_numbers().e
        return e.to_bytes((e.bit_length() + 7) // 8, "big")

    def digest(self) -> bytes:
        """Return the EBICS public-key hash: SHA-256 over ``"<exponent hex> <modulus hex>"``."""
        return public_key_digest(self.exponent_hex, self.modulus_hex)


@dataclass(frozen=True)
class SubscriberKey:
    """One of the subscriber's private keys with its EBICS version."""

    version: KeyVersion
    private_key: rsa.RSAPrivateKey

    @property
    def public(self) -> PublicKey:
        """The public half, as sent to the bank in INI/HIA."""
        return PublicKey(self.version, self.private_key.public_key())

    def private_pem(self) -> bytes:
        """Serialise the private key as unencrypted PKCS#8 PEM; the caller encrypts it at rest."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


@dataclass(frozen=True)
class SubscriberKeys:
    """The three keys of an EBICS subscriber."""

    signature: SubscriberKey
    authentication: SubscriberKey
    encryption: SubscriberKey


@dataclass(frozen=True)
class BankKeys:
    """The bank's public keys as received with HPB."""

    authentication: PublicKey
    encryption: PublicKey


def generate_subscriber_key(
    version: KeyVersion, *, key_size: int = MINIMUM_KEY_SIZE
) -> SubscriberKey:
    """Generate a fresh RSA key for ``version``.

    Raises ``InvalidKey`` when ``key_size`` is below the EBICS minimum of 2048 bits.
    """
    if key_size < MINIMUM_KEY_SIZE:
        raise InvalidKey(f"EBICS keys need at least {MINIMUM_KEY_SIZE} bits, not {key_size}")
    private_key = rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=key_size)
    return SubscriberKey(version, private_key)


def generate_subscriber_keys(*, key_size: int = MINIMUM_KEY_SIZE) -> SubscriberKeys:
    """Generate the A006, X002 and E002 keys of a new subscriber (raises ``InvalidKey``)."""
    return SubscriberKeys(
        signature=generate_subscriber_key(KeyVersion.SIGNATURE, key_size=key_size),
        authentication=generate_subscriber_key(KeyVersion.AUTHENTICATION, key_size=key_size),
        encryption=generate_subscriber_key(KeyVersion.ENCRYPTION, key_size=key_size),
    )


def load_subscriber_key(version: KeyVersion, pem: bytes) -> SubscriberKey:
    """Load an unencrypted PEM private key written by ``SubscriberKey.private_pem``.

    Raises ``InvalidKey`` when the PEM is unreadable, not RSA, or shorter than 2048 bits.
    """
    try:
        private_key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as error:
        raise InvalidKey(f"cannot read the {version} private key: {error}") from error
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise InvalidKey(f"the {version} key is not an RSA key")
    if private_key.key_size < MINIMUM_KEY_SIZE:
        raise InvalidKey(f"the {version} key has only {private_key.key_size} bits")
    return SubscriberKey(version, private_key)


def public_key_from_numbers(version: KeyVersion, *, modulus: bytes, exponent: bytes) -> PublicKey:
    """Build a public key from the big-endian bytes of ds:Modulus and ds:Exponent.

    Raises ``InvalidKey`` when the numbers do not form a usable RSA key.
    """
    try:
        numbers = rsa.RSAPublicNumbers(
            e=int.from_bytes(exponent, "big"), n=int.from_bytes(modulus, "big")
        )
        return PublicKey(version, numbers.public_key())
    except ValueError as error:
        raise InvalidKey(f"the {version} key numbers are not a valid RSA key: {error}") from error


def public_key_from_certificate(version: KeyVersion, der: bytes) -> PublicKey:
    """Extract the RSA public key from a DER X.509 certificate (ds:X509Certificate content).

    Raises ``InvalidKey`` when the certificate is unreadable or its key is not RSA.
    """
    try:
        certificate = x509.load_der_x509_certificate(der)
    except ValueError as error:
        raise InvalidKey(f"cannot read the {version} certificate: {error}") from error
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidKey(f"the {version} certificate does not hold an RSA key")
    return PublicKey(version, key)


def public_key_digest(exponent_hex: str, modulus_hex: str) -> bytes:
    """SHA-256 of the lowercase hex exponent and modulus, leading zeros removed, one space apart."""
    text = f"{exponent_hex.lower().lstrip('0')} {modulus_hex.lower().lstrip('0')}"
    return hashlib.sha256(text.encode("ascii")).digest()


def format_digest_for_letter(digest: bytes) -> tuple[str, ...]:
    """Return the hash as banks print it on the initialisation letter.

    Upper-case hex byte pairs separated by single spaces, sixteen pairs a line (two lines for
    SHA-256), so an admin can compare it with the bank's letter pair by pair.
    """
    pairs = [f"{byte:02X}" for byte in digest]
    return tuple(" ".join(pairs[start : start + 16]) for start in range(0, len(pairs), 16))


CERTIFICATE_VALIDITY = timedelta(days=5 * 365)


def self_signed_certificate(key: SubscriberKey, *, common_name: str, now: datetime) -> bytes:
    """Return a DER self-signed X.509 certificate for ``key``, valid five years from ``now``.

    EBICS 3.0 (H005) sends subscriber keys as certificates in INI and HIA; without a CA the
    bank accepts self-signed ones, checked through the initialisation letter.
    Raises ``InvalidKey`` when ``now`` is naive.
    """
    if now.tzinfo is None:
        raise InvalidKey("the certificate start needs an aware datetime")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.private_key.public_key())
        # Serial from the key itself so the same key and date give the same certificate.
        .serial_number(int.from_bytes(key.public.digest()[:16], "big") >> 1)
        .not_valid_before(now)
        .not_valid_after(now + CERTIFICATE_VALIDITY)
        .sign(key.private_key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)


def certificate_digest(der: bytes) -> bytes:
    """SHA-256 of a DER certificate: the hash shown on the H005 initialisation letter."""
    return hashlib.sha256(der).digest()
