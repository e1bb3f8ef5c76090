"""Password-protected backups of a subscriber's EBICS keys.

A backup lets a finance admin keep the keys an activated bank connection depends on outside
Ledgerlink (losing them means a new INI/HIA and a new signed letter). The file is a small JSON
envelope, UTF-8, one object::

    {
      "header": {
        "format": "ledgerlink-ebics-key-backup",
        "version": 1,
        "created_at": "2026-03-02T09:30:00+00:00",
        "kdf": {"name": "scrypt", "n": 131072, "r": 8, "p": 1, "salt": "<base64, 16 bytes>"},
        "cipher": {"name": "AES-256-GCM", "nonce": "<base64, 12 bytes>"}
      },
      "ciphertext": "<base64 of AES-256-GCM(ciphertext || 16-byte tag)>"
    }

The 32-byte AES key is scrypt(NFKC(password), salt, n, r, p). The additional authenticated data
is the header re-encoded canonically (``json.dumps(header, sort_keys=True, separators=(",",
":"), ensure_ascii=True)``, UTF-8), so changing any header field (the KDF cost, the date, the
version) makes decryption fail just like a wrong password. The plaintext is a JSON object with
the IDs, the EBICS version, the three private keys as unencrypted PKCS#8 PEM, and optionally the
subscriber's certificates (DER, base64) and the bank's public keys (PEM) with their verified flag.

Why not PKCS#12: it would carry the keys and certificates but has no place for the bank IDs, the
bank's keys or their verification state, and its common readers default to PBKDF2 or legacy
ciphers; one authenticated envelope with a memory-hard KDF keeps everything in one checked unit.

Only the subscriber's keys are secret; the bank's public keys are inside the ciphertext anyway so
a tampered file cannot swap them.
"""

import base64
import binascii
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from banking.ebics.errors import EbicsError
from banking.ebics.keys import InvalidKey, KeyVersion, load_subscriber_key
from banking.ebics.randomness import RandomBytes, system_random_bytes

FORMAT_NAME = "ledgerlink-ebics-key-backup"
FORMAT_VERSION = 1
MAXIMUM_BACKUP_SIZE = 1024 * 1024
MINIMUM_PASSWORD_LENGTH = 12
SALT_LENGTH = 16
NONCE_LENGTH = 12
KEY_LENGTH = 32

# Bounds on a backup's own KDF parameters: below the floor a file is too cheap to attack; above
# the ceilings a hostile file could make import burn gigabytes of memory.
MINIMUM_SCRYPT_N = 2**14
MAXIMUM_SCRYPT_N = 2**20
MAXIMUM_SCRYPT_R = 16
MAXIMUM_SCRYPT_P = 4

UNREADABLE = "the key backup cannot be opened: wrong password, or the file was changed"
NOT_A_BACKUP = "this file is not a Ledgerlink EBICS key backup, or it is incomplete"


class BackupError(EbicsError):
    """Base of every error raised by the key backup."""


class WeakPassword(BackupError):
    """The password is too short to protect private keys."""


class InvalidBundle(BackupError):
    """The keys handed to ``export_keys`` are not usable EBICS keys."""


class BackupUnreadable(BackupError):
    """The data is not a backup, has an unsupported version, or cannot be decrypted."""


@dataclass(frozen=True)
class ScryptCost:
    """scrypt's work parameters; the default costs about 0.4 s and 128 MiB on one core."""

    n: int = 2**17
    r: int = 8
    p: int = 1


DEFAULT_COST = ScryptCost()


@dataclass(frozen=True)
class SubscriberCertificates:
    """The subscriber's X.509 certificates (DER), as sent in H005 INI/HIA."""

    signature: bytes
    authentication: bytes
    encryption: bytes


@dataclass(frozen=True)
class BankPublicKeys:
    """The bank's public keys from HPB (PEM) and whether the admin checked the bank's letter."""

    authentication_pem: bytes
    encryption_pem: bytes
    verified: bool


@dataclass(frozen=True)
class KeyBundle:
    """Everything needed to resume an EBICS connection with the same keys.

    The private keys are unencrypted PKCS#8 PEM (``SubscriberKey.private_pem``): keep a bundle
    in memory only. They are left out of ``repr`` so a logged bundle or a traceback never shows
    them.
    """

    host_id: str
    partner_id: str
    user_id: str
    ebics_version: str
    signature_pem: bytes = field(repr=False)
    authentication_pem: bytes = field(repr=False)
    encryption_pem: bytes = field(repr=False)
    certificates: SubscriberCertificates | None = None
    bank_keys: BankPublicKeys | None = None


def export_keys(
    bundle: KeyBundle,
    password: str,
    *,
    created_at: datetime,
    cost: ScryptCost = DEFAULT_COST,
    random_bytes: RandomBytes = system_random_bytes,
) -> bytes:
    """Encrypt ``bundle`` under ``password`` into the versioned envelope described above.

    ``cost`` and ``random_bytes`` (salt, nonce) are injectable so tests run fast and repeatably.
    Raises ``WeakPassword`` for a password shorter than 12 characters (after NFKC
    normalisation), and ``InvalidBundle`` when a private key does not load, a bank key is not
    RSA PEM, ``created_at`` is naive, or the cost is outside what ``import_keys`` accepts.
    """
    normalised = _normalise(password)
    if len(normalised) < MINIMUM_PASSWORD_LENGTH:
        raise WeakPassword(
            f"the backup password needs at least {MINIMUM_PASSWORD_LENGTH} characters"
        )
    if created_at.tzinfo is None:
        raise InvalidBundle("the backup date must be an aware datetime")
    if not _is_acceptable_cost(cost):
        raise InvalidBundle("the scrypt cost is outside the range import_keys accepts")
    _check_bundle(bundle)
    salt = random_bytes(SALT_LENGTH)
    nonce = random_bytes(NONCE_LENGTH)
    header: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "created_at": created_at.isoformat(),
        "kdf": {"name": "scrypt", "n": cost.n, "r": cost.r, "p": cost.p, "salt": _b64(salt)},
        "cipher": {"name": "AES-256-GCM", "nonce": _b64(nonce)},
    }
    key = _derive_key(normalised, salt, cost)
    plaintext = json.dumps(_bundle_to_json(bundle), sort_keys=True).encode("utf-8")
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, _associated_data(header))
    envelope = {"header": header, "ciphertext": _b64(ciphertext)}
    return json.dumps(envelope, indent=2).encode("utf-8") + b"\n"


def import_keys(data: bytes, password: str) -> KeyBundle:
    """Decrypt a backup written by ``export_keys`` and return its bundle.

    Raises ``BackupUnreadable``: for input over 1 MiB (refused before parsing), for data that is
    not a backup or has an unsupported version (saying so), and, with one message that tells
    nothing more, for a wrong password or any change to the file.
    """
    if len(data) > MAXIMUM_BACKUP_SIZE:
        raise BackupUnreadable(f"{NOT_A_BACKUP}: it is larger than 1 MiB")
    envelope = _parse_json(data, NOT_A_BACKUP)
    header = envelope.get("header")
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise BackupUnreadable(NOT_A_BACKUP)
    version = header.get("version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise BackupUnreadable(
            f"this key backup has format version {version!r}; "
            f"this Ledgerlink reads version {FORMAT_VERSION}"
        )
    salt, nonce, cost, ciphertext = _read_envelope(header, envelope.get("ciphertext"))
    key = _derive_key(_normalise(password), salt, cost)
    try:
        plaintext = AESGCM(key).decrypt(nonce, ciphertext, _associated_data(header))
    except InvalidTag:
        raise BackupUnreadable(UNREADABLE) from None
    # The payload is authentic, so a shape error here means a writer we do not know.
    return _bundle_from_json(_parse_json(plaintext, UNREADABLE))


def _normalise(password: str) -> str:
    # The same password typed on another keyboard or OS may arrive composed differently.
    return unicodedata.normalize("NFKC", password)


def _derive_key(password: str, salt: bytes, cost: ScryptCost) -> bytes:
    kdf = Scrypt(salt=salt, length=KEY_LENGTH, n=cost.n, r=cost.r, p=cost.p)
    return kdf.derive(password.encode("utf-8"))


def _associated_data(header: Mapping[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _is_acceptable_cost(cost: ScryptCost) -> bool:
    n_is_power_of_two = cost.n > 0 and cost.n & (cost.n - 1) == 0
    return (
        n_is_power_of_two
        and MINIMUM_SCRYPT_N <= cost.n <= MAXIMUM_SCRYPT_N
        and 1 <= cost.r <= MAXIMUM_SCRYPT_R
        and 1 <= cost.p <= MAXIMUM_SCRYPT_P
    )


def _read_envelope(
    header: Mapping[str, Any], encoded_ciphertext: object
) -> tuple[bytes, bytes, ScryptCost, bytes]:
    kdf = header.get("kdf")
    cipher = header.get("cipher")
    if not isinstance(kdf, dict) or not isinstance(cipher, dict):
        raise BackupUnreadable(NOT_A_BACKUP)
    if kdf.get("name") != "scrypt" or cipher.get("name") != "AES-256-GCM":
        raise BackupUnreadable(f"{NOT_A_BACKUP}: unsupported key derivation or cipher")
    numbers = [kdf.get(name) for name in ("n", "r", "p")]
    if not all(isinstance(number, int) and not isinstance(number, bool) for number in numbers):
        raise BackupUnreadable(NOT_A_BACKUP)
    cost = ScryptCost(n=kdf["n"], r=kdf["r"], p=kdf["p"])
    if not _is_acceptable_cost(cost):
        # A changed cost cannot decrypt anyway; refusing early also stops a memory bomb.
        raise BackupUnreadable(UNREADABLE)
    salt = _unb64(kdf.get("salt"))
    nonce = _unb64(cipher.get("nonce"))
    ciphertext = _unb64(encoded_ciphertext)
    if len(salt) != SALT_LENGTH or len(nonce) != NONCE_LENGTH or len(ciphertext) < 16:
        raise BackupUnreadable(UNREADABLE)
    return salt, nonce, cost, ciphertext


def _parse_json(data: bytes, message: str) -> dict[str, Any]:
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        raise BackupUnreadable(message) from None
    if not isinstance(parsed, dict):
        raise BackupUnreadable(message)
    return parsed


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(value: object) -> bytes:
    if not isinstance(value, str):
        raise BackupUnreadable(UNREADABLE)
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise BackupUnreadable(UNREADABLE) from None


def _check_bundle(bundle: KeyBundle) -> None:
    try:
        load_subscriber_key(KeyVersion.SIGNATURE, bundle.signature_pem)
        load_subscriber_key(KeyVersion.AUTHENTICATION, bundle.authentication_pem)
        load_subscriber_key(KeyVersion.ENCRYPTION, bundle.encryption_pem)
    except InvalidKey as error:
        raise InvalidBundle(str(error)) from error
    if bundle.bank_keys is not None:
        for pem in (bundle.bank_keys.authentication_pem, bundle.bank_keys.encryption_pem):
            try:
                public_key = serialization.load_pem_public_key(pem)
            except ValueError as error:
                raise InvalidBundle("a bank key is not a PEM public key") from error
            if not isinstance(public_key, rsa.RSAPublicKey):
                raise InvalidBundle("a bank key is not an RSA key")


def _bundle_to_json(bundle: KeyBundle) -> dict[str, Any]:
    certificates = bundle.certificates
    bank_keys = bundle.bank_keys
    return {
        "host_id": bundle.host_id,
        "partner_id": bundle.partner_id,
        "user_id": bundle.user_id,
        "ebics_version": bundle.ebics_version,
        "private_keys": {
            "A006": bundle.signature_pem.decode("ascii"),
            "X002": bundle.authentication_pem.decode("ascii"),
            "E002": bundle.encryption_pem.decode("ascii"),
        },
        "certificates": None
        if certificates is None
        else {
            "A006": _b64(certificates.signature),
            "X002": _b64(certificates.authentication),
            "E002": _b64(certificates.encryption),
        },
        "bank_keys": None
        if bank_keys is None
        else {
            "X002": bank_keys.authentication_pem.decode("ascii"),
            "E002": bank_keys.encryption_pem.decode("ascii"),
            "verified": bank_keys.verified,
        },
    }


def _bundle_from_json(payload: Mapping[str, Any]) -> KeyBundle:
    try:
        private_keys = payload["private_keys"]
        certificates = payload["certificates"]
        bank_keys = payload["bank_keys"]
        return KeyBundle(
            host_id=_text(payload["host_id"]),
            partner_id=_text(payload["partner_id"]),
            user_id=_text(payload["user_id"]),
            ebics_version=_text(payload["ebics_version"]),
            signature_pem=_text(private_keys["A006"]).encode("ascii"),
            authentication_pem=_text(private_keys["X002"]).encode("ascii"),
            encryption_pem=_text(private_keys["E002"]).encode("ascii"),
            certificates=None
            if certificates is None
            else SubscriberCertificates(
                signature=_unb64(certificates["A006"]),
                authentication=_unb64(certificates["X002"]),
                encryption=_unb64(certificates["E002"]),
            ),
            bank_keys=None
            if bank_keys is None
            else BankPublicKeys(
                authentication_pem=_text(bank_keys["X002"]).encode("ascii"),
                encryption_pem=_text(bank_keys["E002"]).encode("ascii"),
                verified=_flag(bank_keys["verified"]),
            ),
        )
    except (KeyError, TypeError, UnicodeEncodeError):
        raise BackupUnreadable(f"{NOT_A_BACKUP}: its content has an unknown shape") from None


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError("expected a boolean")
    return value
