"""Open transactions live in the store: they survive a restart and expire when left alone."""

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from banking.ebics.messages import DownloadOrder, camt_statement_service
from standins.bank import transactions
from standins.bank.errors import EbicsFault
from standins.bank.ledger import Document
from standins.bank.store import Store
from standins.bank.subscribers import SubscriberId
from tests.standins.bank.conftest import ALICE, FakeLedger, ready, start_bank
from tests.standins.bank.subscriber_client import EbicsSubscriber

OPENED_AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path):
    store = Store(tmp_path / "bank.sqlite3")
    store.create()
    with store.connect() as connection:
        yield connection


def download(transaction_id: str) -> transactions.Transaction:
    return transactions.Transaction(
        id=transaction_id,
        subscriber=SubscriberId("LLBANK", "ACME", "ALICE"),
        version="H005",
        order_type="BTD",
        direction=transactions.Direction.DOWNLOAD,
        num_segments=1,
        encrypted_key="AAAA",
        segments=("QUJD",),
    )


def test_a_saved_transaction_reads_back_unchanged(db: sqlite3.Connection) -> None:
    saved = download(transactions.new_transaction_id())
    transactions.save(db, saved, OPENED_AT)
    assert transactions.load(db, saved.id, OPENED_AT + timedelta(minutes=59)) == saved


def test_a_transaction_left_alone_for_over_an_hour_is_unknown(db: sqlite3.Connection) -> None:
    saved = download(transactions.new_transaction_id())
    transactions.save(db, saved, OPENED_AT)
    with pytest.raises(EbicsFault) as raised:
        transactions.load(db, saved.id, OPENED_AT + timedelta(minutes=61))
    assert raised.value.code == "091101"


def test_transaction_ids_are_32_upper_case_hex_digits() -> None:
    transaction_id = transactions.new_transaction_id()
    assert len(transaction_id) == 32
    assert transaction_id == transaction_id.upper()
    int(transaction_id, 16)


def test_order_ids_are_a_letter_and_three_letters_or_digits(db: sqlite3.Connection) -> None:
    assert [transactions.next_order_id(db) for _ in range(3)] == ["A001", "A002", "A003"]


def test_a_download_continues_after_the_bank_restarts(tmp_path: Path, alice_keys) -> None:
    ledger = FakeLedger()
    ledger.documents["camt.053"] = [Document("a.xml", b"<Document>" + b"x" * 40 + b"</Document>")]
    order = DownloadOrder("BTD", camt_statement_service("camt.053", "08"))
    first_run = start_bank(tmp_path, ledger)
    bank = next(first_run)
    alice = ready(bank, EbicsSubscriber(bank.ebics_url, ALICE, alice_keys))
    bank.control("POST", "settings", {"segment_size": 16})
    first = alice.initialise_download(order)
    assert first.transaction_id is not None
    assert first.num_segments is not None
    next(first_run, None)  # stops the first bank
    second_run = start_bank(tmp_path, ledger)
    restarted = next(second_run)
    alice.url = restarted.ebics_url
    try:
        second = alice.download_segment(first.transaction_id, 2, first.num_segments)
        assert (second.technical_code, second.segment_number) == ("000000", 2)
    finally:
        next(second_run, None)
