"""Key backups: Acme's finance admin exports the EBICS keys under a password and restores them."""

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization

from banking.ebics import backup, crypto, keys
from banking.ebics.errors import EbicsError
from tests.banking.ebics.conftest import SENT_AT, counting_bytes

PASSWORD = "correct horse battery staple"
# The cheapest cost import accepts, so the suite stays fast; production uses the default.
FAST = backup.ScryptCost(n=2**14, r=8, p=1)


def public_pem(key: keys.SubscriberKey) -> bytes:
    return key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.fixture(scope="module")
def acme_bundle(subscriber_keys, bank_private_keys) -> backup.KeyBundle:
    return backup.KeyBundle(
        host_id="TESTBANK",
        partner_id="ACME",
        user_id="ALICE",
        ebics_version="H005",
        signature_pem=subscriber_keys.signature.private_pem(),
        authentication_pem=subscriber_keys.authentication.private_pem(),
        encryption_pem=subscriber_keys.encryption.private_pem(),
        certificates=backup.SubscriberCertificates(
            *(
                keys.self_signed_certificate(key, common_name="ACME", now=SENT_AT)
                for key in (
                    subscriber_keys.signature,
                    subscriber_keys.authentication,
                    subscriber_keys.encryption,
                )
            )
        ),
        bank_keys=backup.BankPublicKeys(
            authentication_pem=public_pem(bank_private_keys.authentication),
            encryption_pem=public_pem(bank_private_keys.encryption),
            verified=True,
        ),
    )


@pytest.fixture(scope="module")
def exported(acme_bundle) -> bytes:
    return backup.export_keys(acme_bundle, PASSWORD, created_at=SENT_AT, cost=FAST)


def rewrite(data: bytes, change) -> bytes:
    envelope = json.loads(data)
    change(envelope)
    return json.dumps(envelope).encode()


def flip_first_ciphertext_byte(envelope: dict) -> None:
    raw = bytearray(base64.b64decode(envelope["ciphertext"]))
    raw[0] ^= 0x01
    envelope["ciphertext"] = base64.b64encode(bytes(raw)).decode()


def test_a_backup_restores_the_same_bundle(acme_bundle, exported):
    assert backup.import_keys(exported, PASSWORD) == acme_bundle


def test_a_bundle_without_certificates_or_bank_keys_round_trips(acme_bundle):
    bare = backup.KeyBundle(
        host_id="TESTBANK",
        partner_id="ACME",
        user_id="ALICE",
        ebics_version="H004",
        signature_pem=acme_bundle.signature_pem,
        authentication_pem=acme_bundle.authentication_pem,
        encryption_pem=acme_bundle.encryption_pem,
    )
    data = backup.export_keys(bare, PASSWORD, created_at=SENT_AT, cost=FAST)
    assert backup.import_keys(data, PASSWORD) == bare


def test_restored_signature_key_still_signs_what_the_original_public_key_verifies(
    subscriber_keys, exported
):
    restored = backup.import_keys(exported, PASSWORD)
    signature_key = keys.load_subscriber_key(keys.KeyVersion.SIGNATURE, restored.signature_pem)
    order_data = b"<Document>pain.001</Document>"
    signature = crypto.sign_order_data(order_data, signature_key)
    crypto.verify_order_signature(order_data, signature, subscriber_keys.signature.public)


def test_the_file_is_a_documented_envelope_without_private_material_in_clear(acme_bundle, exported):
    envelope = json.loads(exported)
    header = envelope["header"]
    assert header["format"] == "ledgerlink-ebics-key-backup"
    assert header["version"] == 1
    assert header["created_at"] == "2026-03-02T09:30:00+00:00"
    assert header["kdf"]["name"] == "scrypt"
    assert header["cipher"]["name"] == "AES-256-GCM"
    assert b"PRIVATE KEY" not in exported
    assert b"TESTBANK" not in exported
    assert acme_bundle.signature_pem[40:80] not in exported


def test_the_default_cost_is_at_least_the_recommended_scrypt_work():
    assert backup.DEFAULT_COST.n >= 2**17
    assert backup.DEFAULT_COST.r == 8


def test_injected_randomness_makes_the_file_repeatable(acme_bundle):
    def export() -> bytes:
        return backup.export_keys(
            acme_bundle, PASSWORD, created_at=SENT_AT, cost=FAST, random_bytes=counting_bytes
        )

    assert export() == export()


def test_a_wrong_password_is_refused_with_one_plain_message(exported):
    with pytest.raises(backup.BackupUnreadable) as refused:
        backup.import_keys(exported, "correct horse battery stapler")
    assert str(refused.value) == backup.UNREADABLE


def test_a_changed_ciphertext_reads_like_a_wrong_password(exported):
    tampered = rewrite(exported, flip_first_ciphertext_byte)
    with pytest.raises(backup.BackupUnreadable) as refused:
        backup.import_keys(tampered, PASSWORD)
    assert str(refused.value) == backup.UNREADABLE


@pytest.mark.parametrize(
    "change",
    [
        lambda envelope: envelope["header"].update(created_at="2030-01-01T00:00:00+00:00"),
        lambda envelope: envelope["header"]["kdf"].update(n=2**15),
        lambda envelope: envelope["header"].update(extra="field"),
    ],
    ids=["date", "kdf cost", "added field"],
)
def test_a_changed_header_is_detected_because_it_is_authenticated(exported, change):
    with pytest.raises(backup.BackupUnreadable) as refused:
        backup.import_keys(rewrite(exported, change), PASSWORD)
    assert str(refused.value) == backup.UNREADABLE


def test_reformatting_the_json_does_not_break_a_backup(acme_bundle, exported):
    compact = json.dumps(json.loads(exported), separators=(",", ":")).encode()
    assert backup.import_keys(compact, PASSWORD) == acme_bundle


@pytest.mark.parametrize("length", [0, 10, 200, -40])
def test_a_truncated_file_is_refused(exported, length):
    with pytest.raises(backup.BackupUnreadable):
        backup.import_keys(exported[:length], PASSWORD)


def test_a_truncated_ciphertext_is_refused(exported):
    def cut(envelope: dict) -> None:
        envelope["ciphertext"] = envelope["ciphertext"][:20]

    with pytest.raises(backup.BackupUnreadable) as refused:
        backup.import_keys(rewrite(exported, cut), PASSWORD)
    assert str(refused.value) == backup.UNREADABLE


@pytest.mark.parametrize(
    "data",
    [
        b"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
        b"[1, 2, 3]",
        b'{"header": {"format": "something-else", "version": 1}, "ciphertext": ""}',
        b"\xff\xfe not utf-8",
        b"[" * 100_000,
    ],
    ids=["pem", "json list", "other format", "binary", "deep nesting"],
)
def test_something_that_is_not_a_backup_is_named_so(data):
    with pytest.raises(backup.BackupUnreadable, match="not a Ledgerlink EBICS key backup"):
        backup.import_keys(data, PASSWORD)


def test_a_newer_format_version_is_refused_with_its_number(exported):
    newer = rewrite(exported, lambda envelope: envelope["header"].update(version=2))
    with pytest.raises(backup.BackupUnreadable, match="format version 2"):
        backup.import_keys(newer, PASSWORD)


def test_a_file_over_one_mebibyte_is_refused_before_parsing():
    with pytest.raises(backup.BackupUnreadable, match="larger than 1 MiB"):
        backup.import_keys(b"{" + b" " * (1024 * 1024), PASSWORD)


def test_a_hostile_kdf_cost_is_refused_without_deriving(exported):
    bomb = rewrite(exported, lambda envelope: envelope["header"]["kdf"].update(n=2**30))
    with pytest.raises(backup.BackupUnreadable):
        backup.import_keys(bomb, PASSWORD)


@pytest.mark.parametrize("password", ["", "short", "elevenchars"])
def test_a_password_under_twelve_characters_is_refused(acme_bundle, password):
    with pytest.raises(backup.WeakPassword):
        backup.export_keys(acme_bundle, password, created_at=SENT_AT, cost=FAST)


def test_a_twelve_character_password_is_enough(acme_bundle):
    data = backup.export_keys(acme_bundle, "twelve chars", created_at=SENT_AT, cost=FAST)
    assert backup.import_keys(data, "twelve chars") == acme_bundle


def test_a_password_typed_in_another_unicode_form_still_opens_the_backup(acme_bundle):
    composed = "Grüße aus Zürich"
    decomposed = "Gru\u0308ße aus Zu\u0308rich"
    data = backup.export_keys(acme_bundle, composed, created_at=SENT_AT, cost=FAST)
    assert backup.import_keys(data, decomposed) == acme_bundle


def test_a_bundle_with_a_broken_private_key_is_not_exported(acme_bundle):
    broken = backup.KeyBundle(
        host_id="TESTBANK",
        partner_id="ACME",
        user_id="ALICE",
        ebics_version="H005",
        signature_pem=b"not a key",
        authentication_pem=acme_bundle.authentication_pem,
        encryption_pem=acme_bundle.encryption_pem,
    )
    with pytest.raises(backup.InvalidBundle):
        backup.export_keys(broken, PASSWORD, created_at=SENT_AT, cost=FAST)


def test_a_naive_creation_date_is_refused(acme_bundle):
    with pytest.raises(backup.InvalidBundle):
        backup.export_keys(
            acme_bundle, PASSWORD, created_at=SENT_AT.replace(tzinfo=None), cost=FAST
        )


def test_a_bundle_never_shows_its_private_keys_when_printed(acme_bundle):
    assert "PRIVATE KEY" not in repr(acme_bundle)
    assert "TESTBANK" in repr(acme_bundle)


def test_every_backup_error_is_an_ebics_error():
    assert issubclass(backup.BackupError, EbicsError)
