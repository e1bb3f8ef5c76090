"""Order-data encryption, segmentation and the A006 electronic signature.

Pipeline out (upload): zlib compress -> pad -> AES-128-CBC (zero IV, fresh 128-bit transaction
key) -> split -> base64 each segment; the transaction key travels RSA-encrypted (PKCS#1 v1.5)
with the bank's E002 key. Pipeline in (download) is the reverse with our E002 private key.
"""

import base64
import binascii
import hashlib
import zlib
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from lxml import etree

from banking.ebics.errors import EbicsError
from banking.ebics.keys import KeyVersion, PublicKey, SubscriberKey
from banking.ebics.randomness import RandomBytes, system_random_bytes

TRANSACTION_KEY_LENGTH = 16
BLOCK_SIZE = 16
# EBICS uses an all-zero IV: every transaction key is fresh, so the IV adds nothing.
ZERO_IV = bytes(BLOCK_SIZE)
# A segment may carry at most 1 MB of base64 text; 3/4 of that in ciphertext keeps each
# encoded segment at or below 1 MiB whichever way a bank measures it.
MAX_SEGMENT_CIPHERTEXT = 1024 * 1024 * 3 // 4
PSS_SALT_LENGTH = 32
# Streaming decryption works through the ciphertext and the inflated output in pieces of this
# size, so a large statement never needs a second full copy in memory.
STREAM_CHUNK = 1024 * 1024

SIGNATURE_NAMESPACE = {"H004": "http://www.ebics.org/S001", "H005": "http://www.ebics.org/S002"}


class DecryptionFailed(EbicsError):
    """Order data or a transaction key could not be decrypted or decompressed."""


class SignatureInvalid(EbicsError):
    """An A006 electronic signature does not match the order data and key."""


@dataclass(frozen=True)
class EncryptedOrderData:
    """Encrypted order data ready for a request: the wrapped key and the base64 segments."""

    encrypted_transaction_key: bytes
    segments: tuple[str, ...]

    @property
    def num_segments(self) -> int:
        """How many transfer segments the upload needs (at least one)."""
        return len(self.segments)


def new_transaction_key(random_bytes: RandomBytes = system_random_bytes) -> bytes:
    """Return a fresh 128-bit AES transaction key."""
    return random_bytes(TRANSACTION_KEY_LENGTH)


def pad(data: bytes) -> bytes:
    """Pad to the AES block size as EBICS does (ANSI X9.23): zero bytes, the last one the count.

    A whole block is added when the data is already aligned, so unpadding is unambiguous.
    """
    count = BLOCK_SIZE - len(data) % BLOCK_SIZE
    return data + bytes(count - 1) + bytes([count])


def unpad(data: bytes) -> bytes:
    """Remove the padding added by ``pad`` (raises ``DecryptionFailed`` when it is malformed)."""
    if not data or len(data) % BLOCK_SIZE:
        raise DecryptionFailed("decrypted order data is not a whole number of blocks")
    count = data[-1]
    if not 1 <= count <= BLOCK_SIZE:
        raise DecryptionFailed("decrypted order data has an invalid padding length")
    return data[:-count]


def encrypt_with_transaction_key(plain: bytes, transaction_key: bytes) -> bytes:
    """AES-128-CBC encrypt already-compressed data with EBICS padding."""
    encryptor = Cipher(algorithms.AES(transaction_key), modes.CBC(ZERO_IV)).encryptor()
    return encryptor.update(pad(plain)) + encryptor.finalize()


def decrypt_with_transaction_key(cipher_text: bytes, transaction_key: bytes) -> bytes:
    """Reverse ``encrypt_with_transaction_key`` (raises ``DecryptionFailed``)."""
    if len(transaction_key) != TRANSACTION_KEY_LENGTH:
        raise DecryptionFailed("the transaction key is not 128 bits long")
    if len(cipher_text) % BLOCK_SIZE:
        raise DecryptionFailed("encrypted order data is not a whole number of blocks")
    decryptor = Cipher(algorithms.AES(transaction_key), modes.CBC(ZERO_IV)).decryptor()
    return unpad(decryptor.update(cipher_text) + decryptor.finalize())


def encrypt_transaction_key(transaction_key: bytes, bank_encryption_key: PublicKey) -> bytes:
    """Wrap the transaction key with the bank's E002 key (RSA PKCS#1 v1.5)."""
    return bank_encryption_key.key.encrypt(transaction_key, padding.PKCS1v15())


def decrypt_transaction_key(encrypted_key: bytes, encryption_key: SubscriberKey) -> bytes:
    """Unwrap a transaction key with our E002 private key (raises ``DecryptionFailed``)."""
    try:
        return encryption_key.private_key.decrypt(encrypted_key, padding.PKCS1v15())
    except ValueError as error:
        message = "the transaction key cannot be decrypted with our E002 key"
        raise DecryptionFailed(message) from error


# Segments are cut at whole AES blocks and whole base64 quanta, so each decodes on its own.
SEGMENT_GRANULARITY = 48


class InvalidSegmentSize(ValueError):
    """A segment size that is not a multiple of 48 bytes within 48..MAX_SEGMENT_CIPHERTEXT."""


def check_segment_size(size: int) -> int:
    """``size`` if segments may be cut at it, else ``InvalidSegmentSize``."""
    if not SEGMENT_GRANULARITY <= size <= MAX_SEGMENT_CIPHERTEXT or size % SEGMENT_GRANULARITY:
        raise InvalidSegmentSize(
            f"a segment holds a multiple of {SEGMENT_GRANULARITY} bytes of ciphertext, "
            f"at most {MAX_SEGMENT_CIPHERTEXT}"
        )
    return size


def segment(cipher_text: bytes, size: int = MAX_SEGMENT_CIPHERTEXT) -> tuple[str, ...]:
    """Split ciphertext into base64 segments of ``size`` bytes (at most 1 MiB of base64 each;
    always at least one segment)."""
    check_segment_size(size)
    chunks = [cipher_text[start : start + size] for start in range(0, len(cipher_text), size)] or [
        b""
    ]
    return tuple(base64.b64encode(chunk).decode("ascii") for chunk in chunks)


def join_segments(segments: tuple[str, ...] | list[str]) -> bytes:
    """Decode and join base64 segments in order (raises ``DecryptionFailed`` on bad base64)."""
    try:
        return b"".join(base64.b64decode("".join(s.split()), validate=True) for s in segments)
    except binascii.Error as error:
        raise DecryptionFailed("order data segment is not valid base64") from error


class SegmentDecoder:
    """Decodes download segments one by one into a single growing ciphertext buffer.

    The encrypted order data is base64-encoded and then cut into segments. Banks usually cut
    at a multiple of four characters, so each segment decodes alone, but nothing forbids
    another cut: a partial base64 quantum is carried into the next segment, which makes the
    result the decoding of the concatenated text either way.
    """

    def __init__(self) -> None:
        self.cipher_text = bytearray()
        self._pending = ""

    def add(self, segment_text: str) -> None:
        """Decode one segment (raises ``DecryptionFailed`` on bad base64)."""
        text = self._pending + "".join(segment_text.split())
        cut = len(text) - len(text) % 4
        self._pending = text[cut:]
        try:
            self.cipher_text += base64.b64decode(text[:cut], validate=True)
        except binascii.Error as error:
            raise DecryptionFailed("order data segment is not valid base64") from error

    def finish(self) -> bytearray:
        """Return the joined ciphertext (raises ``DecryptionFailed`` if text is left over)."""
        if self._pending:
            raise DecryptionFailed("the order data segments do not end on a whole base64 block")
        return self.cipher_text


def encrypt_order_data(
    order_data: bytes,
    bank_encryption_key: PublicKey,
    transaction_key: bytes,
    segment_size: int = MAX_SEGMENT_CIPHERTEXT,
) -> EncryptedOrderData:
    """Compress, encrypt and segment order data for upload to the bank."""
    cipher_text = encrypt_with_transaction_key(zlib.compress(order_data), transaction_key)
    return EncryptedOrderData(
        encrypted_transaction_key=encrypt_transaction_key(transaction_key, bank_encryption_key),
        segments=segment(cipher_text, segment_size),
    )


def decrypt_order_data(
    encrypted_transaction_key: bytes,
    segments: tuple[str, ...] | list[str],
    encryption_key: SubscriberKey,
) -> bytes:
    """Join, decrypt and decompress downloaded order data.

    Raises ``DecryptionFailed`` when the key, the ciphertext or the compression is broken.
    """
    transaction_key = decrypt_transaction_key(encrypted_transaction_key, encryption_key)
    return decompress(decrypt_with_transaction_key(join_segments(segments), transaction_key))


class ByteSink(Protocol):
    """Where streamed plaintext goes: a binary file, ``io.BytesIO``, a hashing adaptor."""

    def write(self, data: bytes, /) -> int: ...


def _inflate_into(inflater: "zlib._Decompress", data: bytes, sink: ByteSink) -> int:
    written = 0
    try:
        chunk = inflater.decompress(data, STREAM_CHUNK)
        while True:
            if chunk:
                sink.write(chunk)
                written += len(chunk)
            if not inflater.unconsumed_tail:
                return written
            chunk = inflater.decompress(inflater.unconsumed_tail, STREAM_CHUNK)
    except zlib.error as error:
        raise DecryptionFailed(f"order data is not zlib-compressed: {error}") from error


def decrypt_order_data_into(
    encrypted_transaction_key: bytes,
    cipher_text: bytes | bytearray | memoryview,
    encryption_key: SubscriberKey,
    sink: ByteSink,
) -> int:
    """Decrypt joined ciphertext with our E002 key and inflate it into ``sink`` piece by piece.

    Memory stays at one chunk of plaintext beyond the ciphertext the caller already holds.
    Returns the number of plaintext bytes written. Raises ``DecryptionFailed`` when the key,
    the padding or the compression is broken; ``sink`` may then hold partial data, which the
    caller must discard.
    """
    transaction_key = decrypt_transaction_key(encrypted_transaction_key, encryption_key)
    if len(transaction_key) != TRANSACTION_KEY_LENGTH:
        raise DecryptionFailed("the transaction key is not 128 bits long")
    view = memoryview(cipher_text)
    if not len(view) or len(view) % BLOCK_SIZE:
        raise DecryptionFailed("encrypted order data is not a whole number of blocks")
    decryptor = Cipher(algorithms.AES(transaction_key), modes.CBC(ZERO_IV)).decryptor()
    inflater = zlib.decompressobj()
    written = 0
    # The last block carries the padding, so one block is always held back until the end.
    held = b""
    for start in range(0, len(view), STREAM_CHUNK):
        plain = held + decryptor.update(view[start : start + STREAM_CHUNK])
        held = plain[-BLOCK_SIZE:]
        written += _inflate_into(inflater, plain[:-BLOCK_SIZE], sink)
    written += _inflate_into(inflater, unpad(held + decryptor.finalize()), sink)
    try:
        rest = inflater.flush()
    except zlib.error as error:
        raise DecryptionFailed(f"order data is not zlib-compressed: {error}") from error
    if rest:
        sink.write(rest)
        written += len(rest)
    if not inflater.eof or inflater.unused_data:
        raise DecryptionFailed("the compressed order data is truncated or has trailing bytes")
    return written


def decompress(data: bytes) -> bytes:
    """zlib-decompress order data (raises ``DecryptionFailed``)."""
    try:
        return zlib.decompress(data)
    except zlib.error as error:
        raise DecryptionFailed(f"order data is not zlib-compressed: {error}") from error


def order_data_digest(order_data: bytes) -> bytes:
    """SHA-256 of the order data with CR, LF and Ctrl-Z removed, as the A006 hash input."""
    return hashlib.sha256(order_data.translate(None, b"\r\n\x1a")).digest()


def sign_order_data(order_data: bytes, signature_key: SubscriberKey) -> bytes:
    """Return the A006 signature value: RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32) over the digest.

    The EBICS signature process treats the order-data hash as the message, so PSS hashes it
    once more, as the reference clients do.
    """
    return signature_key.private_key.sign(
        order_data_digest(order_data),
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=PSS_SALT_LENGTH),
        hashes.SHA256(),
    )


def verify_order_signature(order_data: bytes, signature: bytes, signature_key: PublicKey) -> None:
    """Check an A006 signature as the bank does (raises ``SignatureInvalid``)."""
    try:
        signature_key.key.verify(
            signature,
            order_data_digest(order_data),
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=PSS_SALT_LENGTH),
            hashes.SHA256(),
        )
    except InvalidSignature as error:
        raise SignatureInvalid("the A006 signature does not match the order data") from error


def build_user_signature_data(
    order_data: bytes,
    signature_key: SubscriberKey,
    *,
    partner_id: str,
    user_id: str,
    version: str = "H005",
) -> bytes:
    """Build the UserSignatureData XML (S002 for H005, S001 for H004) signing ``order_data``."""
    namespace = SIGNATURE_NAMESPACE[version]
    root = etree.Element(f"{{{namespace}}}UserSignatureData", nsmap={None: namespace})
    signature = etree.SubElement(root, f"{{{namespace}}}OrderSignatureData")
    etree.SubElement(signature, f"{{{namespace}}}SignatureVersion").text = KeyVersion.SIGNATURE
    etree.SubElement(signature, f"{{{namespace}}}SignatureValue").text = base64.b64encode(
        sign_order_data(order_data, signature_key)
    ).decode("ascii")
    etree.SubElement(signature, f"{{{namespace}}}PartnerID").text = partner_id
    etree.SubElement(signature, f"{{{namespace}}}UserID").text = user_id
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
