"""The content of the initialisation letters (INI and HIA letters) an admin signs and sends.

The bank activates a subscriber only after comparing the hashes printed here with the keys
received through INI and HIA. Rendering (HTML, PDF) belongs to the portal; this module only
computes what to print.
"""

from dataclasses import dataclass
from datetime import datetime

from banking.ebics.keys import (
    PublicKey,
    SubscriberKeys,
    certificate_digest,
    format_digest_for_letter,
)
from banking.ebics.messages import EbicsVersion, InvalidRequest, Subscriber


@dataclass(frozen=True)
class LetterKey:
    """One key as printed on the letter."""

    version: str
    exponent_hex: str
    modulus_hex: str
    hash_lines: tuple[str, ...]


@dataclass(frozen=True)
class InitialisationLetter:
    """Everything the INI and HIA letters show, ready for a template."""

    host_id: str
    partner_id: str
    user_id: str
    protocol: str
    created_at: datetime
    signature: LetterKey
    authentication: LetterKey
    encryption: LetterKey


def _letter_key(key: PublicKey, certificate: bytes | None) -> LetterKey:
    # With certificates (H005) the bank compares the certificate's hash, not the key's.
    digest = certificate_digest(certificate) if certificate is not None else key.digest()
    return LetterKey(
        version=key.version.value,
        exponent_hex=key.exponent_hex,
        modulus_hex=key.modulus_hex,
        hash_lines=format_digest_for_letter(digest),
    )


def build_initialisation_letter(
    subscriber: Subscriber,
    keys: SubscriberKeys,
    *,
    created_at: datetime,
    version: EbicsVersion = EbicsVersion.H005,
    certificates: tuple[bytes, bytes, bytes] | None = None,
) -> InitialisationLetter:
    """Compute the letter content for the A006, X002 and E002 keys.

    ``certificates`` (signature, authentication, encryption; DER) are required for H005.
    Raises ``InvalidRequest`` when they are missing for H005 or ``created_at`` is naive.
    """
    if created_at.tzinfo is None:
        raise InvalidRequest("the letter date must be an aware datetime")
    if version is EbicsVersion.H005 and certificates is None:
        raise InvalidRequest("EBICS 3.0 letters show certificate hashes: pass the certificates")
    signature_cert, authentication_cert, encryption_cert = certificates or (None, None, None)
    return InitialisationLetter(
        host_id=subscriber.host_id,
        partner_id=subscriber.partner_id,
        user_id=subscriber.user_id,
        protocol=version.value,
        created_at=created_at,
        signature=_letter_key(keys.signature.public, signature_cert),
        authentication=_letter_key(keys.authentication.public, authentication_cert),
        encryption=_letter_key(keys.encryption.public, encryption_cert),
    )
