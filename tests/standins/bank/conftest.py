"""A local bank per test (in-process, real HTTP on a free port) with a fake or the real ledger."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from banking.ebics.keys import SubscriberKeys, generate_subscriber_keys
from banking.ebics.messages import EbicsVersion, Subscriber
from standins.bank.ledger import AccountInfo, Document, Ledger, LedgerRejected
from standins.bank.runtime import RunningBank, assemble
from standins.bank.server import BankServer
from tests.standins.bank.subscriber_client import TIMEOUT, EbicsSubscriber


def clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class FakeLedger:
    """The ledger interface with canned documents and a record of what was booked."""

    partners: dict[str, str] = field(default_factory=dict)
    documents: dict[str, list[Document]] = field(default_factory=dict)
    booked: list[tuple[str, str, bytes, str]] = field(default_factory=list)
    asked: list[tuple[str, str, date, date]] = field(default_factory=list)

    def ensure_partner(self, partner_id: str, holder_name: str) -> None:
        self.partners.setdefault(partner_id, holder_name)

    def accounts(self, partner_id: str) -> list[AccountInfo]:
        if partner_id not in self.partners:
            return []
        return [
            AccountInfo(
                iban="DE02100100109307118603",
                bic="LLBKDEFFXXX",
                currency="EUR",
                holder_name=self.partners[partner_id],
                number="9307118603",
                description="Current account",
            )
        ]

    def statements(self, partner_id: str, kind: str, start: date, end: date) -> list[Document]:
        self.asked.append((partner_id, kind, start, end))
        return self.documents.get(kind, [])

    def status_reports(self, partner_id: str, start: date, end: date) -> list[Document]:
        return self.documents.get("pain.002", [])

    def book_upload(self, partner_id: str, kind: str, document: bytes, order_id: str) -> None:
        if b"REJECT" in document:
            raise LedgerRejected("090004", "the fake ledger rejects this document")
        self.booked.append((partner_id, kind, document, order_id))

    def seed_demo(self, salesforce_data: Path | None) -> None:
        return None


@dataclass
class LocalBank:
    """A running bank: its base URL, parts and ledger, and a control-API helper."""

    base_url: str
    running: RunningBank
    ledger: Any

    @property
    def ebics_url(self) -> str:
        return f"{self.base_url}/ebics"

    def control(self, method: str, path: str, payload: Any = None) -> Any:
        answer = requests.request(
            method, f"{self.base_url}/_standin/{path}", json=payload, timeout=TIMEOUT
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    def activate(self, subscriber: Subscriber) -> None:
        self.control(
            "POST",
            f"subscribers/{subscriber.host_id}/{subscriber.partner_id}/{subscriber.user_id}/activate",
        )


def serve(server: BankServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


def start_bank(data_dir: Path, ledger: Any) -> Iterator[LocalBank]:
    running = assemble(data_dir, ledger, clock)
    server = running.server("127.0.0.1", 0)
    thread = serve(server)
    port = server.server_address[1]
    try:
        yield LocalBank(f"http://127.0.0.1:{port}", running, ledger)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=TIMEOUT)


@pytest.fixture
def fake_ledger() -> FakeLedger:
    return FakeLedger()


@pytest.fixture
def bank(tmp_path: Path, fake_ledger: FakeLedger) -> Iterator[LocalBank]:
    yield from start_bank(tmp_path, fake_ledger)


@pytest.fixture
def real_bank(tmp_path: Path) -> Iterator[LocalBank]:
    yield from start_bank(tmp_path, Ledger(tmp_path / "ledger.sqlite3", clock))


@pytest.fixture(scope="session")
def alice_keys() -> SubscriberKeys:
    return generate_subscriber_keys()


@pytest.fixture(scope="session")
def erin_keys() -> SubscriberKeys:
    return generate_subscriber_keys()


ALICE = Subscriber("LLBANK", "ACME", "ALICE")
ERIN = Subscriber("LLBANK", "GLOBEX", "ERIN")


def ready(bank: LocalBank, subscriber: EbicsSubscriber) -> EbicsSubscriber:
    """INI, HIA, activation by the bank, HPB: the subscriber can now do business."""
    assert subscriber.ini().technical_code == "000000"
    assert subscriber.hia().technical_code == "000000"
    bank.activate(subscriber.subscriber)
    assert subscriber.hpb().technical_code == "000000"
    return subscriber


@pytest.fixture
def alice(bank: LocalBank, alice_keys: SubscriberKeys) -> EbicsSubscriber:
    """Alice of ACME, enrolled with H005 and activated."""
    return ready(bank, EbicsSubscriber(bank.ebics_url, ALICE, alice_keys))


@pytest.fixture
def erin_h004(bank: LocalBank, erin_keys: SubscriberKeys) -> EbicsSubscriber:
    """Erin of GLOBEX, enrolled with H004 (EBICS 2.5) and activated."""
    return ready(bank, EbicsSubscriber(bank.ebics_url, ERIN, erin_keys, EbicsVersion.H004))
