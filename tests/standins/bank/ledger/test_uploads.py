"""Booking uploaded pain.001 / pain.008 files, rejecting bad ones, and their pain.002."""

import copy
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from lxml import etree

from banking.formats import parse_statement_file, parse_status_report
from banking.formats.business_days import add_business_days
from standins.bank.ledger import Ledger, LedgerRejected
from standins.bank.ledger.uploads import return_reason_for
from tests.standins.bank.ledger.files import (
    COLLECTION_DAY,
    TODAY,
    Clock,
    collection,
    credit_transfer_file,
    direct_debit_file,
    first_end_to_end_ids,
    schema_errors,
)


def today_items(ledger: Ledger, day: date = TODAY) -> list:
    reports = ledger.statements("ACME", "camt.052", day, day)
    return [item for r in reports for item in parse_statement_file(r.content).statements[0].items]


@pytest.mark.parametrize("version", ["pain.001.001.09", "pain.001.001.03"])
def test_a_credit_transfer_is_booked_as_one_batch_debit(ledger: Ledger, version: str) -> None:
    ledger.book_upload("ACME", "pain.001", credit_transfer_file(version=version), "A001")

    items = today_items(ledger)
    assert [item.amount.amount for item in items] == [Decimal("-100.00"), Decimal("-250.50")]
    assert all(item.batch and item.batch.reference == "ACME-PMT-1" for item in items)
    assert [item.end_to_end_id for item in items] == ["ACME-PAY-1", "ACME-PAY-2"]
    assert items[0].counterparty is not None
    assert items[0].counterparty.iban == "NL91ABNA0417164300"


def test_single_bookings_are_asked_for_with_batch_booking_off(ledger: Ledger) -> None:
    ledger.book_upload("ACME", "pain.001", credit_transfer_file(batch_booking=False), "A001")

    items = today_items(ledger)
    assert len(items) == 2
    assert all(item.batch is None for item in items)


def test_an_accepted_upload_gets_a_status_report_that_reads_back(ledger: Ledger) -> None:
    ledger.book_upload("ACME", "pain.001", credit_transfer_file(), "A001")

    (document,) = ledger.status_reports("ACME", TODAY, TODAY)
    report = parse_status_report(document.content)
    assert report.version == "pain.002.001.10"
    assert report.original_message_id == "ACME-CT-1"
    assert report.original_message_type == "pain.001.001.09"
    assert report.group_status == "ACSP"
    assert report.effective_statuses() == {"ACME-PAY-1": "ACSP", "ACME-PAY-2": "ACSP"}
    assert report.payment_informations[0].original_payment_information_id == "ACME-PMT-1"


def test_a_transaction_to_a_bad_iban_is_rejected_in_the_status_report(ledger: Ledger) -> None:
    valid = credit_transfer_file()
    # Same shape, wrong check digits: the schema accepts it, the bank cannot.
    document = valid.replace(b"NL91ABNA0417164300", b"NL19ABNA0417164300", 1)

    ledger.book_upload("ACME", "pain.001", document, "A001")

    report = parse_status_report(ledger.status_reports("ACME", TODAY, TODAY)[0].content)
    assert report.group_status == "PART"
    assert report.effective_statuses() == {"ACME-PAY-1": "RJCT", "ACME-PAY-2": "ACSP"}
    rejected = report.payment_informations[0].transactions[0]
    assert rejected.reasons[0].code == "AC01"
    assert [item.end_to_end_id for item in today_items(ledger)] == ["ACME-PAY-2"]


@pytest.mark.parametrize("version", ["pain.008.001.08", "pain.008.001.02"])
def test_direct_debits_are_credited_on_the_collection_date(
    ledger: Ledger, clock: Clock, version: str
) -> None:
    kept = first_end_to_end_ids(lambda e2e: return_reason_for(e2e) is None, 2, "KEEP")
    document = direct_debit_file(*(collection(e2e) for e2e in kept), version=version)

    ledger.book_upload("ACME", "pain.008", document, "A002")

    assert today_items(ledger) == []
    clock.now += timedelta(days=1)
    items = today_items(ledger, COLLECTION_DAY)
    assert [item.amount.amount for item in items] == [Decimal("25.00"), Decimal("25.00")]
    assert [item.mandate_id for item in items] == [f"MNDT-{e2e}" for e2e in kept]
    assert all(item.creditor_id == "DE98ZZZ09999999999" for item in items)
    assert all(item.creditor_reference == "RF18539007547034" for item in items)


def test_returned_direct_debits_appear_later_with_their_reason(
    ledger: Ledger, clock: Clock
) -> None:
    (returned,) = first_end_to_end_ids(lambda e2e: return_reason_for(e2e) is not None, 1, "RET")
    (kept,) = first_end_to_end_ids(lambda e2e: return_reason_for(e2e) is None, 1, "KEEP")
    document = direct_debit_file(collection(returned, "80.00"), collection(kept, "20.00"))
    ledger.book_upload("ACME", "pain.008", document, "A002")

    clock.now += timedelta(days=14)
    statements = ledger.statements("ACME", "camt.053", TODAY, clock.now.date())
    items = [i for d in statements for i in parse_statement_file(d.content).statements[0].items]

    (reversal,) = [item for item in items if item.is_reversal]
    assert reversal.end_to_end_id == returned
    assert reversal.amount.amount == Decimal("-80.00")
    assert reversal.return_reason == return_reason_for(returned)
    assert reversal.return_reason in {"AM04", "MD06", "AC04", "MS02", "MD01"}
    assert reversal.booking_date is not None
    assert (
        COLLECTION_DAY + timedelta(days=2)
        <= reversal.booking_date
        <= add_business_days(COLLECTION_DAY, 4)
    )
    notices = ledger.statements("ACME", "camt.054", TODAY, clock.now.date())
    assert len(notices) == 2  # the collected batch and the return
    for notice in notices:
        assert schema_errors("camt.054.001.08", notice.content) is None
    returned_notice = parse_statement_file(notices[1].content).statements[0]
    assert returned_notice.items[0].return_reason == reversal.return_reason


def test_about_one_in_fifteen_collections_comes_back() -> None:
    returned = [return_reason_for(f"E2E-{n}") for n in range(3000)]

    share = sum(reason is not None for reason in returned) / len(returned)
    assert 0.04 < share < 0.1
    assert {reason for reason in returned if reason} == {"AM04", "MD06", "AC04", "MS02", "MD01"}


def rejection(ledger: Ledger, kind: str, document: bytes, order_id: str = "B001") -> str:
    with pytest.raises(LedgerRejected) as caught:
        ledger.book_upload("ACME", kind, document, order_id)
    return caught.value.code


def assert_nothing_booked(ledger: Ledger) -> None:
    assert ledger.statements("ACME", "camt.052", TODAY, TODAY) == []


def test_a_file_breaking_its_schema_is_rejected(ledger: Ledger) -> None:
    broken = credit_transfer_file().replace(b"<PmtMtd>TRF</PmtMtd>", b"<PmtMtd>XYZ</PmtMtd>")

    assert rejection(ledger, "pain.001", broken) == "090004"
    assert_nothing_booked(ledger)
    assert ledger.status_reports("ACME", TODAY, TODAY) == []


def test_a_wrong_control_sum_is_rejected(ledger: Ledger) -> None:
    wrong = credit_transfer_file().replace(
        b"<CtrlSum>350.50</CtrlSum>", b"<CtrlSum>350.00</CtrlSum>"
    )

    assert rejection(ledger, "pain.001", wrong) == "090004"
    assert_nothing_booked(ledger)


def test_a_direct_debit_sent_as_a_credit_transfer_is_rejected(ledger: Ledger) -> None:
    assert rejection(ledger, "pain.001", direct_debit_file()) == "090004"
    assert_nothing_booked(ledger)


def test_a_file_with_a_doctype_is_rejected(ledger: Ledger) -> None:
    hostile = credit_transfer_file().replace(
        b"?>", b'?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1
    )

    assert rejection(ledger, "pain.001", hostile) == "090004"
    assert_nothing_booked(ledger)


def test_an_order_from_another_partners_account_is_rejected(ledger: Ledger) -> None:
    globex_iban = ledger.accounts("GLOBEX")[0].iban
    foreign = credit_transfer_file().replace(b"DE89370400440532013000", globex_iban.encode())

    assert rejection(ledger, "pain.001", foreign) == "091302"
    assert_nothing_booked(ledger)


def test_the_same_message_uploaded_twice_is_booked_once(ledger: Ledger) -> None:
    ledger.book_upload("ACME", "pain.001", credit_transfer_file(), "A001")

    assert rejection(ledger, "pain.001", credit_transfer_file(), "A002") == "091116"
    assert len(today_items(ledger)) == 2
    assert len(ledger.status_reports("ACME", TODAY, TODAY)) == 1


def test_an_order_id_used_before_is_rejected(ledger: Ledger) -> None:
    ledger.book_upload("ACME", "pain.001", credit_transfer_file(), "A001")

    other = credit_transfer_file(message_id="ACME-CT-2")
    assert rejection(ledger, "pain.001", other, "A001") == "091115"
    assert len(today_items(ledger)) == 2


def test_the_same_message_id_from_another_partner_is_not_a_duplicate(ledger: Ledger) -> None:
    ledger.book_upload("ACME", "pain.001", credit_transfer_file(), "A001")
    globex_iban = ledger.accounts("GLOBEX")[0].iban
    document = credit_transfer_file().replace(b"DE89370400440532013000", globex_iban.encode())

    ledger.book_upload("GLOBEX", "pain.001", document, "A001")

    assert len(ledger.status_reports("GLOBEX", TODAY, TODAY)) == 1


def with_second_block(document: bytes) -> bytes:
    """The credit transfer file with its block repeated under new IDs (two blocks, 4 payments)."""
    root = etree.fromstring(document)
    q = "{" + etree.QName(root).namespace + "}"
    initiation = root[0]
    second = copy.deepcopy(initiation.find(q + "PmtInf"))
    second.find(q + "PmtInfId").text = "ACME-PMT-2"
    for end_to_end_id in second.iter(q + "EndToEndId"):
        end_to_end_id.text += "-B"
    initiation.append(second)
    header = initiation.find(q + "GrpHdr")
    header.find(q + "NbOfTxs").text = "4"
    header.find(q + "CtrlSum").text = "701.00"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_a_credit_transfer_with_two_blocks_books_two_batches(ledger: Ledger) -> None:
    ledger.book_upload("ACME", "pain.001", with_second_block(credit_transfer_file()), "A001")

    items = today_items(ledger)
    assert [item.batch.reference for item in items if item.batch] == ["ACME-PMT-1"] * 2 + [
        "ACME-PMT-2"
    ] * 2
    report = parse_status_report(ledger.status_reports("ACME", TODAY, TODAY)[0].content)
    blocks = [block.original_payment_information_id for block in report.payment_informations]
    assert blocks == ["ACME-PMT-1", "ACME-PMT-2"]


def test_group_totals_over_several_blocks_are_checked(ledger: Ledger) -> None:
    document = with_second_block(credit_transfer_file()).replace(b">701.00<", b">700.00<")

    assert rejection(ledger, "pain.001", document) == "090004"
    assert_nothing_booked(ledger)


def test_collections_of_two_sequence_types_report_both_blocks(ledger: Ledger, clock: Clock) -> None:
    kept = first_end_to_end_ids(lambda e2e: return_reason_for(e2e) is None, 2, "KEEP")
    document = direct_debit_file(
        collection(kept[0], sequence_type="FRST"), collection(kept[1], sequence_type="RCUR")
    )

    ledger.book_upload("ACME", "pain.008", document, "A002")

    report = parse_status_report(ledger.status_reports("ACME", TODAY, TODAY)[0].content)
    blocks = [block.original_payment_information_id for block in report.payment_informations]
    assert blocks == ["ACME-PMT-DD-FRST", "ACME-PMT-DD-RCUR"]
    clock.now += timedelta(days=1)
    assert [item.end_to_end_id for item in today_items(ledger, COLLECTION_DAY)] == kept


def test_simultaneous_uploads_of_one_message_book_it_once(ledger: Ledger) -> None:
    document = credit_transfer_file()
    outcomes: list[str] = []

    def upload(order_id: str) -> None:
        try:
            ledger.book_upload("ACME", "pain.001", document, order_id)
            outcomes.append("booked")
        except LedgerRejected as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=upload, args=(f"T{n:03d}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["091116"] * 5 + ["booked"]
    assert len(today_items(ledger)) == 2
