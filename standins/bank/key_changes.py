"""HCS: a Ready subscriber replaces all three keys with an order signed by its current A006 key.

No new letter is needed: the signature with the activated key vouches for the new ones, so the
subscriber stays Ready and the bank accepts only the new keys from then on.
"""

import sqlite3
from datetime import datetime

from lxml import etree

from banking.ebics import xmlsig
from banking.ebics.keys import (
    MINIMUM_KEY_SIZE,
    InvalidKey,
    KeyVersion,
    PublicKey,
    certificate_digest,
    public_key_from_certificate,
    public_key_from_numbers,
)
from standins.bank import subscribers
from standins.bank.errors import EbicsFault, business
from standins.bank.incoming import b64decode, child, local, text
from standins.bank.subscribers import SubscriberId

INVALID_ORDER_DATA_FORMAT = "090004"
UNSUPPORTED_KEY_VERSION = {"A006": "091201", "X002": "091202", "E002": "091203"}
KEYLENGTH_ERROR = {"A006": "091204", "X002": "091205", "E002": "091206"}
_INFOS = (
    ("SignaturePubKeyInfo", "SignatureVersion", KeyVersion.SIGNATURE),
    ("AuthenticationPubKeyInfo", "AuthenticationVersion", KeyVersion.AUTHENTICATION),
    ("EncryptionPubKeyInfo", "EncryptionVersion", KeyVersion.ENCRYPTION),
)


def _key(info: etree._Element, version: KeyVersion) -> tuple[PublicKey, str | None]:
    certificate = text(info, "X509Data", "X509Certificate")
    try:
        if certificate:
            der = b64decode(certificate, "X509Certificate")
            return public_key_from_certificate(version, der), certificate_digest(der).hex().upper()
        modulus = b64decode(text(info, "PubKeyValue", "RSAKeyValue", "Modulus"), "Modulus")
        exponent = b64decode(text(info, "PubKeyValue", "RSAKeyValue", "Exponent"), "Exponent")
        return public_key_from_numbers(version, modulus=modulus, exponent=exponent), None
    except (InvalidKey, EbicsFault) as error:
        raise business(INVALID_ORDER_DATA_FORMAT, f"unusable {version} key: {error}") from error


def apply_hcs(
    db: sqlite3.Connection, subscriber_id: SubscriberId, order_data: bytes, now: datetime
) -> None:
    """Replace the subscriber's keys with those in HCSRequestOrderData.

    Raises ``EbicsFault`` (business) 090004 for malformed order data or another subscriber,
    091201-091203 for unsupported key versions, 091204-091206 for keys under 2048 bits.
    """
    try:
        root = xmlsig.parse_document(order_data)
    except xmlsig.MalformedDocument as error:
        raise business(INVALID_ORDER_DATA_FORMAT, str(error)) from error
    if local(root) != "HCSRequestOrderData":
        raise business(INVALID_ORDER_DATA_FORMAT, f"{local(root)} is not HCS order data")
    if (text(root, "PartnerID"), text(root, "UserID")) != (
        subscriber_id.partner_id,
        subscriber_id.user_id,
    ):
        raise business(INVALID_ORDER_DATA_FORMAT, "HCS order data names another subscriber")
    keys: dict[KeyVersion, PublicKey] = {}
    hashes: dict[str, str] = {}
    for info_name, version_name, version in _INFOS:
        info = child(root, info_name)
        if info is None:
            raise business(INVALID_ORDER_DATA_FORMAT, f"HCS order data lacks {info_name}")
        if text(info, version_name) != version.value:
            raise business(UNSUPPORTED_KEY_VERSION[version.value], f"{text(info, version_name)}")
        key, certificate_hash = _key(info, version)
        if key.key.key_size < MINIMUM_KEY_SIZE:
            raise business(KEYLENGTH_ERROR[version.value], f"{key.key.key_size}-bit key")
        keys[version] = key
        if certificate_hash is not None:
            hashes[version.value] = certificate_hash
    subscribers.replace_keys(
        db,
        subscriber_id,
        signature_key=keys[KeyVersion.SIGNATURE],
        authentication_key=keys[KeyVersion.AUTHENTICATION],
        encryption_key=keys[KeyVersion.ENCRYPTION],
        certificate_hashes=hashes,
        now=now,
    )
