import pytest

from banking.ebics import keys, letter
from banking.ebics.messages import EbicsVersion, InvalidRequest
from tests.banking.ebics.conftest import SENT_AT


def test_h004_letter_prints_the_public_key_hashes(acme_subscriber, subscriber_keys):
    content = letter.build_initialisation_letter(
        acme_subscriber, subscriber_keys, created_at=SENT_AT, version=EbicsVersion.H004
    )
    assert content.signature.version == "A006"
    assert content.authentication.hash_lines == keys.format_digest_for_letter(
        subscriber_keys.authentication.public.digest()
    )
    assert content.encryption.exponent_hex == "10001"


def test_h005_letter_prints_the_certificate_hashes(acme_subscriber, subscriber_keys):
    signature, authentication, encryption = (
        keys.self_signed_certificate(key, common_name="ACME", now=SENT_AT)
        for key in (
            subscriber_keys.signature,
            subscriber_keys.authentication,
            subscriber_keys.encryption,
        )
    )
    certificates = (signature, authentication, encryption)
    content = letter.build_initialisation_letter(
        acme_subscriber, subscriber_keys, created_at=SENT_AT, certificates=certificates
    )
    assert content.signature.hash_lines == keys.format_digest_for_letter(
        keys.certificate_digest(certificates[0])
    )


def test_h005_letter_without_certificates_is_refused(acme_subscriber, subscriber_keys):
    with pytest.raises(InvalidRequest):
        letter.build_initialisation_letter(acme_subscriber, subscriber_keys, created_at=SENT_AT)
