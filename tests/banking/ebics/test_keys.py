import base64
import hashlib

import pytest

from banking.ebics import keys, responses
from tests.banking.ebics.conftest import SENT_AT, read_fixture


def test_public_key_digest_matches_the_digest_epics_sent_for_the_same_bank_key():
    # haa.xml carries BankPubKeyDigests computed by epics for the key in hpb_response_order.xml,
    # whose modulus starts with a zero byte: a check on the leading-zero rule too.
    bank = responses.parse_hpb_order_data(read_fixture("hpb_response_order.xml"))
    assert bank.keys.encryption.digest() == base64.b64decode(
        "dFAYe281vj9NB7w+VoWIdfHnjY9hNbZLbHsDOu76QAE="
    )


def test_public_key_digest_hashes_lowercase_hex_without_leading_zeros_joined_by_a_space():
    assert keys.public_key_digest("010001", "00ABCDEF") == hashlib.sha256(b"10001 abcdef").digest()


def test_letter_format_prints_upper_case_pairs_sixteen_to_a_line():
    lines = keys.format_digest_for_letter(bytes(range(32)))
    assert lines == (
        "00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F",
        "10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F",
    )


def test_generated_keys_are_distinct_2048_bit_keys_with_their_versions(subscriber_keys):
    versions = [
        subscriber_keys.signature.version,
        subscriber_keys.authentication.version,
        subscriber_keys.encryption.version,
    ]
    assert versions == ["A006", "X002", "E002"]
    moduli = {k.public.modulus_hex for k in (subscriber_keys.signature, subscriber_keys.encryption)}
    assert len(moduli) == 2
    assert subscriber_keys.signature.private_key.key_size == 2048


def test_private_pem_loads_back_to_the_same_key(subscriber_keys):
    key = subscriber_keys.authentication
    loaded = keys.load_subscriber_key(keys.KeyVersion.AUTHENTICATION, key.private_pem())
    assert loaded.public.digest() == key.public.digest()


def test_loading_garbage_raises_invalid_key():
    with pytest.raises(keys.InvalidKey):
        keys.load_subscriber_key(keys.KeyVersion.SIGNATURE, b"not a key")


def test_keys_shorter_than_2048_bits_are_refused():
    with pytest.raises(keys.InvalidKey):
        keys.generate_subscriber_key(keys.KeyVersion.SIGNATURE, key_size=1024)


def test_self_signed_certificate_carries_the_key_and_hashes_stably(subscriber_keys):
    key = subscriber_keys.signature
    der = keys.self_signed_certificate(key, common_name="ACME ALICE", now=SENT_AT)
    assert keys.public_key_from_certificate(keys.KeyVersion.SIGNATURE, der) == key.public
    assert keys.certificate_digest(der) == keys.certificate_digest(
        keys.self_signed_certificate(key, common_name="ACME ALICE", now=SENT_AT)
    )


def test_self_signed_certificate_refuses_a_naive_clock(subscriber_keys):
    with pytest.raises(keys.InvalidKey):
        keys.self_signed_certificate(
            subscriber_keys.signature, common_name="x", now=SENT_AT.replace(tzinfo=None)
        )
