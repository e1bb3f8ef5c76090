"""Downloads: administrative order data, statements in several segments, receipts."""

import io
import os
import zipfile
from datetime import date

from banking.ebics import responses
from banking.ebics.messages import (
    DateRange,
    DownloadOrder,
    ReceiptCode,
    camt_statement_service,
    mt940_service,
)
from standins.bank.ledger import Document

JANUARY = DateRange(date(2026, 1, 1), date(2026, 1, 31))


def camt_documents(count: int, size: int = 3000) -> list[Document]:
    # Incompressible content, so that a small segment size really yields many segments.
    return [
        Document(
            f"camt.053_{n}.xml", f"<Document n='{n}'>".encode() + os.urandom(size).hex().encode()
        )
        for n in range(count)
    ]


def test_htd_describes_the_partner_accounts_and_the_users_permissions(alice) -> None:
    _, data = alice.download(DownloadOrder("HTD"))
    htd = responses.parse_htd_order_data(data)
    assert htd.host_id == "LLBANK"
    assert htd.partner_name == "Acme Industries GmbH"
    assert [account.iban for account in htd.accounts] == ["DE02100100109307118603"]
    assert htd.user is not None
    assert htd.user.user_id == "ALICE"
    assert htd.user.status == "1"
    assert "EOP camt.053" in htd.user.permitted_order_types
    assert "SCT pain.001" in htd.user.permitted_order_types


def test_hkd_lists_every_user_of_the_partner(alice) -> None:
    _, data = alice.download(DownloadOrder("HKD"))
    assert b"HKDResponseOrderData" in data
    assert b"ALICE" in data


def test_haa_lists_the_downloadable_services(alice) -> None:
    _, data = alice.download(DownloadOrder("HAA"))
    assert set(responses.parse_haa_order_data(data)) >= {
        "EOP camt.053",
        "STM camt.052",
        "EOP mt940",
    }


def test_h004_htd_and_haa_use_order_type_lists(erin_h004) -> None:
    _, htd_data = erin_h004.download(DownloadOrder("HTD"))
    htd = responses.parse_htd_order_data(htd_data)
    assert htd.user is not None
    assert "STA" in htd.user.permitted_order_types
    _, haa_data = erin_h004.download(DownloadOrder("HAA"))
    assert {"C53", "STA", "PTK"} <= set(responses.parse_haa_order_data(haa_data))


def test_camt_053_comes_zipped_in_many_segments_and_the_receipt_closes_it(
    bank, alice, fake_ledger
) -> None:
    fake_ledger.documents["camt.053"] = camt_documents(3)
    bank.control("POST", "settings", {"segment_size": 1024})
    order = DownloadOrder("BTD", camt_statement_service("camt.053", "08"), JANUARY)
    pages, data = alice.download(order)
    assert pages[0].num_segments is not None
    assert pages[0].num_segments > 3
    assert [page.segment_number for page in pages[:-1]] == list(range(1, pages[0].num_segments + 1))
    assert [page.is_last_segment for page in pages[:-1]] == [False] * (len(pages) - 2) + [True]
    assert len(pages[0].transaction_id or "") == 32
    assert pages[0].transaction_id.isupper()
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["camt.053_0.xml", "camt.053_1.xml", "camt.053_2.xml"]
    assert archive.read("camt.053_1.xml") == fake_ledger.documents["camt.053"][1].content
    assert fake_ledger.asked[-1] == ("ACME", "camt.053", JANUARY.start, JANUARY.end)
    assert pages[-1].phase == "Receipt"
    assert pages[-1].technical_code == "011000"


def test_after_the_receipt_the_transaction_is_closed(bank, alice, fake_ledger) -> None:
    fake_ledger.documents["camt.053"] = camt_documents(1)
    pages, _ = alice.download(DownloadOrder("BTD", camt_statement_service("camt.053", "08")))
    again = alice.download_segment(pages[0].transaction_id, 1, 1)
    assert again.technical_code == "091101"


def test_a_repeated_download_of_the_same_range_returns_the_data_again(alice, fake_ledger) -> None:
    fake_ledger.documents["camt.053"] = camt_documents(1)
    order = DownloadOrder("BTD", camt_statement_service("camt.053", "08"), JANUARY)
    assert alice.download(order)[1] == alice.download(order)[1]


def test_a_negative_receipt_is_answered_with_postprocess_skipped(alice, fake_ledger) -> None:
    fake_ledger.documents["camt.052"] = camt_documents(1)
    first = alice.initialise_download(
        DownloadOrder("BTD", camt_statement_service("camt.052", "08"))
    )
    assert alice.receipt(first.transaction_id, ReceiptCode.NOT_RECEIVED).technical_code == "011001"


def test_no_data_is_answered_with_no_download_data_available(alice) -> None:
    first = alice.initialise_download(DownloadOrder("BTD", mt940_service(), JANUARY))
    assert (first.technical_code, first.business_code) == ("000000", "090005")
    assert first.transaction_id is None


def test_an_unknown_service_is_unsupported(alice) -> None:
    service = camt_statement_service("camt.053", "08")
    odd = type(service)("XYZ", "camt.099", scope="DE")
    first = alice.initialise_download(DownloadOrder("BTD", odd))
    assert first.technical_code == "091006"


def test_a_date_range_ending_before_it_starts_is_refused(alice) -> None:
    backwards = DateRange(date(2026, 2, 1), date(2026, 1, 1))
    first = alice.initialise_download(
        DownloadOrder("BTD", camt_statement_service("camt.053", "08"), backwards)
    )
    assert first.technical_code == "091112"


def test_h004_sta_concatenates_mt940_files(erin_h004, fake_ledger) -> None:
    fake_ledger.documents["mt940"] = [
        Document("a.sta", b":20:STARTUMS\r\n:25:X\r\n-"),
        Document("b.sta", b":20:STARTUMS\r\n:25:Y\r\n-\r\n"),
    ]
    _, data = erin_h004.download(DownloadOrder("STA", date_range=JANUARY))
    assert data == b":20:STARTUMS\r\n:25:X\r\n-\r\n:20:STARTUMS\r\n:25:Y\r\n-\r\n"
    assert fake_ledger.asked[-1][:2] == ("GLOBEX", "mt940")


def test_h004_c53_comes_as_a_zip(erin_h004, fake_ledger) -> None:
    fake_ledger.documents["camt.053"] = camt_documents(2)
    _, data = erin_h004.download(DownloadOrder("C53", date_range=JANUARY))
    assert len(zipfile.ZipFile(io.BytesIO(data)).namelist()) == 2


def test_ptk_without_any_orders_has_no_data(erin_h004) -> None:
    first = erin_h004.initialise_download(DownloadOrder("PTK"))
    assert first.business_code == "090005"


def test_h004_crz_and_cdz_deliver_status_reports_as_a_zip(erin_h004, fake_ledger) -> None:
    fake_ledger.documents["pain.002"] = [Document("pain.002_A001.xml", b"<Document/>")]
    for order_type in ("CRZ", "CDZ"):
        _, data = erin_h004.download(DownloadOrder(order_type, date_range=JANUARY))
        assert zipfile.ZipFile(io.BytesIO(data)).namelist() == ["pain.002_A001.xml"]
