"""Uploads: A006 signature check, decryption, booking in the ledger, order IDs, protocol."""

import os
import re

from banking.ebics import responses
from banking.ebics.messages import (
    DownloadOrder,
    UploadOrder,
    credit_transfer_service,
    direct_debit_service,
)

PAIN_001 = b"<?xml version='1.0'?><Document><CstmrCdtTrfInitn>SCT</CstmrCdtTrfInitn></Document>\r\n"
PAIN_008 = b"<?xml version='1.0'?><Document><CstmrDrctDbtInitn>SDD</CstmrDrctDbtInitn></Document>"


def test_a_signed_pain_001_is_booked_under_the_order_id_of_the_answer(alice, fake_ledger) -> None:
    order = UploadOrder("BTU", credit_transfer_service(), file_name="payments.xml")
    pages = alice.upload(order, PAIN_001)
    assert [(p.technical_code, p.business_code) for p in pages] == [("000000", "000000")] * 2
    order_id = pages[0].order_id
    assert order_id is not None
    assert re.fullmatch(r"[A-Z][A-Z0-9]{3}", order_id)
    assert pages[-1].order_id == order_id
    assert pages[-1].is_last_segment
    assert fake_ledger.booked == [("ACME", "pain.001", PAIN_001, order_id)]


def test_a_core_direct_debit_is_booked_as_pain_008(alice, fake_ledger) -> None:
    pages = alice.upload(UploadOrder("BTU", direct_debit_service("COR")), PAIN_008)
    assert pages[-1].business_code == "000000"
    assert fake_ledger.booked[-1][:3] == ("ACME", "pain.008", PAIN_008)


def test_a_b2b_direct_debit_is_booked_as_pain_008(alice, fake_ledger) -> None:
    alice.upload(UploadOrder("BTU", direct_debit_service("B2B")), PAIN_008)
    assert fake_ledger.booked[-1][1] == "pain.008"


def test_a_pain_001_signed_with_another_key_fails_signature_verification(
    alice, erin_keys, fake_ledger
) -> None:
    pages = alice.upload(
        UploadOrder("BTU", credit_transfer_service()), PAIN_001, signature_key=erin_keys.signature
    )
    assert (pages[-1].technical_code, pages[-1].business_code) == ("000000", "091301")
    assert fake_ledger.booked == []


def test_a_pain_008_signed_with_another_key_fails_signature_verification(
    alice, erin_keys, fake_ledger
) -> None:
    pages = alice.upload(
        UploadOrder("BTU", direct_debit_service("COR")), PAIN_008, signature_key=erin_keys.signature
    )
    assert pages[-1].business_code == "091301"
    assert fake_ledger.booked == []


def test_h004_cct_is_booked_as_pain_001(erin_h004, fake_ledger) -> None:
    pages = erin_h004.upload(UploadOrder("CCT"), PAIN_001)
    assert pages[-1].business_code == "000000"
    assert fake_ledger.booked == [("GLOBEX", "pain.001", PAIN_001, pages[0].order_id)]


def test_h004_cct_with_a_foreign_signature_is_refused(erin_h004, alice_keys, fake_ledger) -> None:
    pages = erin_h004.upload(UploadOrder("CCT"), PAIN_001, signature_key=alice_keys.signature)
    assert pages[-1].business_code == "091301"
    assert fake_ledger.booked == []


def test_a_large_upload_in_several_segments_is_joined_before_booking(alice, fake_ledger) -> None:
    document = PAIN_001 + b"<!--" + os.urandom(900_000).hex().encode() + b"-->"
    order = UploadOrder("BTU", credit_transfer_service())
    prepared = alice.prepare_upload(order, document)
    assert prepared.encrypted.num_segments == 2
    first = alice.signed(prepared.init_request)
    middle = alice.upload_segment(first.transaction_id, prepared, 1)
    assert (middle.business_code, middle.is_last_segment, middle.order_id) == (
        "000000",
        False,
        None,
    )
    last = alice.upload_segment(first.transaction_id, prepared, 2)
    assert (last.business_code, last.is_last_segment) == ("000000", True)
    assert fake_ledger.booked == [("ACME", "pain.001", document, first.order_id)]


def test_a_segment_sent_before_its_predecessor_asks_for_recovery(alice, fake_ledger) -> None:
    document = PAIN_001 + b"<!--" + os.urandom(900_000).hex().encode() + b"-->"
    prepared = alice.prepare_upload(UploadOrder("BTU", credit_transfer_service()), document)
    first = alice.signed(prepared.init_request)
    assert alice.upload_segment(first.transaction_id, prepared, 2).technical_code == "061101"
    assert fake_ledger.booked == []


def test_a_repeated_last_segment_is_answered_again_without_booking_twice(
    alice, fake_ledger
) -> None:
    prepared = alice.prepare_upload(UploadOrder("BTU", credit_transfer_service()), PAIN_001)
    first = alice.signed(prepared.init_request)
    once = alice.upload_segment(first.transaction_id, prepared, 1)
    twice = alice.upload_segment(first.transaction_id, prepared, 1)
    assert (once.business_code, once.order_id) == (twice.business_code, twice.order_id)
    assert len(fake_ledger.booked) == 1


def test_a_ledger_rejection_is_answered_with_its_code_and_shows_in_the_protocol(
    alice, fake_ledger
) -> None:
    pages = alice.upload(UploadOrder("BTU", credit_transfer_service()), b"<REJECT/>")
    assert pages[-1].business_code == "090004"
    _, hac = alice.download(DownloadOrder("HAC"))
    assert pages[0].order_id.encode() in hac
    assert b"RJCT" in hac
    assert b"BTU:090004" in hac


def test_ptk_reports_accepted_and_rejected_orders(erin_h004, fake_ledger) -> None:
    accepted = erin_h004.upload(UploadOrder("CCT"), PAIN_001)[0].order_id
    rejected = erin_h004.upload(UploadOrder("CCT"), b"<REJECT/>")[0].order_id
    _, ptk = erin_h004.download(DownloadOrder("PTK"))
    lines = ptk.decode().splitlines()
    assert any(accepted in line and "000000" in line for line in lines)
    assert any(rejected in line and "090004" in line for line in lines)


def test_an_upload_encrypted_for_an_old_bank_key_needs_a_key_update(alice, erin_keys) -> None:
    from banking.ebics.keys import BankKeys

    assert alice.bank_keys is not None
    real = alice.bank_keys
    alice.bank_keys = BankKeys(real.authentication, erin_keys.encryption.public)
    try:
        pages = alice.upload(UploadOrder("BTU", credit_transfer_service()), PAIN_001)
    finally:
        alice.bank_keys = real
    assert pages[0].technical_code == "091008"


def test_the_pain_002_status_download_uses_the_psr_service(alice, fake_ledger) -> None:
    from banking.ebics.messages import BtfService
    from standins.bank.ledger import Document

    fake_ledger.documents["pain.002"] = [Document("pain.002_A001.xml", b"<Document/>")]
    _, data = alice.download(
        DownloadOrder("BTD", BtfService("PSR", "pain.002", scope="DE", msg_name_version="10"))
    )
    assert data.startswith(b"PK")
    assert responses is not None
