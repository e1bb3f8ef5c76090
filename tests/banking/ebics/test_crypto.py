import base64
import hashlib
import io
import zlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

from banking.ebics import crypto
from tests.banking.ebics.conftest import counting_bytes

FIXED_KEY = bytes.fromhex("000102030405060708090a0b0c0d0e0f")


@pytest.mark.parametrize(("length", "pad_length"), [(0, 16), (1, 15), (15, 1), (16, 16), (17, 15)])
def test_padding_fills_with_zeros_and_ends_with_the_pad_length(length, pad_length):
    padded = crypto.pad(b"x" * length)
    assert len(padded) == length + pad_length
    assert padded[length:-1] == bytes(pad_length - 1)
    assert padded[-1] == pad_length
    assert crypto.unpad(padded) == b"x" * length


def test_fixed_key_encryption_is_aes_128_cbc_with_a_zero_iv():
    # Known answer: FIPS-197's AES-128 vector, as the first block of a CBC run with a zero IV.
    plain = bytes.fromhex("00112233445566778899aabbccddeeff")
    cipher_text = crypto.encrypt_with_transaction_key(plain, FIXED_KEY)
    assert cipher_text[:16] == bytes.fromhex("69c4e0d86a7b0430d8cdb78070b4c55a")
    assert crypto.decrypt_with_transaction_key(cipher_text, FIXED_KEY) == plain


def test_order_data_round_trips_through_the_bank_and_back(bank_private_keys, bank_keys):
    order_data = b"<Document>" + b"payment " * 1000 + b"</Document>"
    encrypted = crypto.encrypt_order_data(order_data, bank_keys.encryption, FIXED_KEY)
    assert encrypted.num_segments == 1
    decrypted = crypto.decrypt_order_data(
        encrypted.encrypted_transaction_key, encrypted.segments, bank_private_keys.encryption
    )
    assert decrypted == order_data


def test_fixed_transaction_key_ciphertext_decrypts_byte_for_byte(bank_private_keys, bank_keys):
    encrypted = crypto.encrypt_order_data(b"camt", bank_keys.encryption, FIXED_KEY)
    assert (
        crypto.decrypt_transaction_key(
            encrypted.encrypted_transaction_key, bank_private_keys.encryption
        )
        == FIXED_KEY
    )
    cipher_text = base64.b64decode(encrypted.segments[0])
    assert cipher_text == crypto.encrypt_with_transaction_key(zlib.compress(b"camt"), FIXED_KEY)


def test_large_ciphertext_is_split_into_segments_of_at_most_one_mebibyte():
    segments = crypto.segment(bytes(crypto.MAX_SEGMENT_CIPHERTEXT * 2 + 5))
    assert len(segments) == 3
    assert all(len(s) <= 1024 * 1024 for s in segments)
    assert crypto.join_segments(segments) == bytes(crypto.MAX_SEGMENT_CIPHERTEXT * 2 + 5)


def test_decrypting_with_the_wrong_key_raises_decryption_failed(subscriber_keys, bank_keys):
    encrypted = crypto.encrypt_order_data(b"x", bank_keys.encryption, FIXED_KEY)
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt_order_data(
            encrypted.encrypted_transaction_key, encrypted.segments, subscriber_keys.encryption
        )


def test_transaction_keys_come_from_the_injected_source():
    assert crypto.new_transaction_key(counting_bytes) == FIXED_KEY


def test_order_data_digest_ignores_carriage_returns_line_feeds_and_ctrl_z():
    assert crypto.order_data_digest(b"a\r\nb\x1a") == hashlib.sha256(b"ab").digest()


def test_a006_signature_verifies_with_pss_sha256_over_the_order_data_digest(subscriber_keys):
    signature = crypto.sign_order_data(b"<Document/>\n", subscriber_keys.signature)
    subscriber_keys.signature.public.key.verify(
        signature,
        hashlib.sha256(b"<Document/>").digest(),
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
        hashes.SHA256(),
    )


def test_user_signature_data_uses_s002_for_h005_and_s001_for_h004(subscriber_keys):
    for version, namespace in (("H005", "S002"), ("H004", "S001")):
        xml = crypto.build_user_signature_data(
            b"data", subscriber_keys.signature, partner_id="ACME", user_id="ALICE", version=version
        )
        root = etree.fromstring(xml)
        assert root.tag == f"{{http://www.ebics.org/{namespace}}}UserSignatureData"
        ns = {"s": f"http://www.ebics.org/{namespace}"}
        assert root.findtext("s:OrderSignatureData/s:SignatureVersion", namespaces=ns) == "A006"
        assert root.findtext("s:OrderSignatureData/s:PartnerID", namespaces=ns) == "ACME"


def test_a006_signature_of_other_data_is_rejected(subscriber_keys):
    signature = crypto.sign_order_data(b"<Document>100</Document>", subscriber_keys.signature)
    crypto.verify_order_signature(
        b"<Document>100</Document>\r\n", signature, subscriber_keys.signature.public
    )
    with pytest.raises(crypto.SignatureInvalid):
        crypto.verify_order_signature(
            b"<Document>900</Document>", signature, subscriber_keys.signature.public
        )


def _encrypted(plain: bytes, key: bytes) -> bytes:
    return crypto.encrypt_with_transaction_key(zlib.compress(plain), key)


def test_streaming_decryption_writes_the_same_bytes_as_the_one_shot_path(subscriber_keys):
    plain = b"<Ntry>12.50 EUR</Ntry>" * 200_000
    key = bytes(range(16))
    wrapped = crypto.encrypt_transaction_key(key, subscriber_keys.encryption.public)
    sink = io.BytesIO()
    written = crypto.decrypt_order_data_into(
        wrapped, _encrypted(plain, key), subscriber_keys.encryption, sink
    )
    assert sink.getvalue() == plain
    assert written == len(plain)


def test_streaming_decryption_refuses_truncated_compressed_data(subscriber_keys):
    key = bytes(range(16))
    wrapped = crypto.encrypt_transaction_key(key, subscriber_keys.encryption.public)
    truncated = crypto.encrypt_with_transaction_key(zlib.compress(b"abc" * 1000)[:-6], key)
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt_order_data_into(wrapped, truncated, subscriber_keys.encryption, io.BytesIO())


def test_smaller_segments_each_decode_on_their_own_and_join_to_the_whole():
    cipher_text = bytes(range(256)) * 10
    segments = crypto.segment(cipher_text, 480)
    assert len(segments) == 6
    assert all("=" not in text for text in segments[:-1])
    assert crypto.join_segments(segments) == cipher_text


@pytest.mark.parametrize("size", [0, 47, 50, 96 + 16, crypto.MAX_SEGMENT_CIPHERTEXT + 48])
def test_a_segment_size_off_the_block_and_base64_grid_is_refused(size):
    with pytest.raises(crypto.InvalidSegmentSize):
        crypto.segment(b"data", size)


def test_segment_decoder_joins_segments_cut_anywhere_in_the_base64_text():
    data = bytes(range(256)) * 7
    text = base64.b64encode(data).decode("ascii")
    decoder = crypto.SegmentDecoder()
    for start in range(0, len(text), 37):
        decoder.add(text[start : start + 37])
    assert bytes(decoder.finish()) == data


def test_segment_decoder_joins_separately_encoded_segments():
    decoder = crypto.SegmentDecoder()
    for piece in (b"first piece", b"second"):
        decoder.add(base64.b64encode(piece).decode("ascii"))
    assert bytes(decoder.finish()) == b"first piecesecond"


def test_segment_decoder_refuses_text_left_over_at_the_end():
    decoder = crypto.SegmentDecoder()
    decoder.add("QUJD" + "RA")
    with pytest.raises(crypto.DecryptionFailed):
        decoder.finish()
