"""The bank with the real ledger: demo statements download, payments book, status reports follow."""

import io
import zipfile
from pathlib import Path

import pytest

from banking.ebics import responses
from banking.ebics.messages import (
    BtfService,
    DownloadOrder,
    UploadOrder,
    camt_statement_service,
    credit_transfer_service,
    mt940_service,
)
from tests.standins.bank.conftest import ALICE, LocalBank, ready
from tests.standins.bank.ledger.files import credit_transfer_file, transfer
from tests.standins.bank.subscriber_client import EbicsSubscriber


@pytest.fixture
def alice_at_real_bank(real_bank: LocalBank, alice_keys) -> EbicsSubscriber:
    return ready(real_bank, EbicsSubscriber(real_bank.ebics_url, ALICE, alice_keys))


def test_htd_lists_the_ledgers_accounts(alice_at_real_bank) -> None:
    _, data = alice_at_real_bank.download(DownloadOrder("HTD"))
    htd = responses.parse_htd_order_data(data)
    assert htd.accounts
    assert all(a.iban and a.iban.startswith("DE") for a in htd.accounts)


def test_demo_statements_download_as_a_zip_of_camt_053_files(alice_at_real_bank) -> None:
    _, data = alice_at_real_bank.download(
        DownloadOrder("BTD", camt_statement_service("camt.053", "08"))
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist()
    assert b"BkToCstmrStmt" in archive.read(archive.namelist()[0])


def test_demo_statements_download_as_mt940(alice_at_real_bank) -> None:
    _, data = alice_at_real_bank.download(DownloadOrder("BTD", mt940_service()))
    assert b":20:" in data
    assert b":62F:" in data


def test_a_credit_transfer_is_booked_and_its_status_report_can_be_fetched(
    alice_at_real_bank,
) -> None:
    pages = alice_at_real_bank.upload(
        UploadOrder("BTU", credit_transfer_service()), credit_transfer_file(transfer(1))
    )
    assert (pages[-1].technical_code, pages[-1].business_code) == ("000000", "000000")
    _, data = alice_at_real_bank.download(
        DownloadOrder("BTD", BtfService("PSR", "pain.002", scope="DE", msg_name_version="10"))
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert any(pages[0].order_id in name for name in archive.namelist())


def test_a_file_the_ledger_rejects_is_answered_with_its_business_code(alice_at_real_bank) -> None:
    pages = alice_at_real_bank.upload(
        UploadOrder("BTU", credit_transfer_service()), b"<?xml version='1.0'?><Document/>"
    )
    assert pages[-1].business_code == "090004"


def test_the_ledger_file_lives_beside_the_banks_store(real_bank: LocalBank, tmp_path: Path) -> None:
    assert (tmp_path / "bank.sqlite3").exists()
    assert (tmp_path / "ledger.sqlite3").exists()
