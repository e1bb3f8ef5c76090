"""Ledgerlink's EBICS client against the local bank, in its own process over HTTP(S): every order
type, both protocol versions, a dropped connection mid-download, and TLS."""

import io
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from banking.ebics.client import Connection, EbicsClient
from banking.ebics.errors import TransportFailed
from banking.ebics.keys import generate_subscriber_keys, self_signed_certificate
from banking.ebics.messages import DateRange, EbicsVersion, Subscriber
from banking.ebics.orders import payment_upload_order, statement_download_order
from banking.ebics_http import HttpTransport
from banking.formats.pain_writer import build_credit_transfer, build_direct_debit
from banking.formats.payment_order import AccountHolder
from banking.formats.statement_file import parse_statement_file
from banking.formats.status_report import parse_status_report
from standins.bank.ledger import Ledger
from standins.bank.store import LEDGER_FILE
from tests.banking.formats.orders import (
    collection,
    credit_transfer_order,
    direct_debit_order,
    payment,
)
from tests.processes import start_local_bank
from tests.standins.bank.test_https import write_test_ca_and_server_certificate

pytestmark = pytest.mark.integration

TIMEOUT = 10
BOOKINGS = 60


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    data_dir = Path(tmp_path_factory.mktemp("ebics-client-bank"))
    running = start_local_bank(data_dir, auto_activate=True)
    yield running
    running.stop()


def _ledger(bank) -> Ledger:
    """The bank's own ledger file, to book test data into as the bank's back office would."""
    return Ledger(bank.log_path.parent / "bank" / LEDGER_FILE, _now)


def _control(bank, method: str, path: str, **kwargs) -> requests.Response:
    response = requests.request(
        method, bank.url.removesuffix("/ebics") + f"/_standin/{path}", timeout=TIMEOUT, **kwargs
    )
    response.raise_for_status()
    return response


def _onboarded(bank, version: EbicsVersion, partner_id: str) -> EbicsClient:
    keys = generate_subscriber_keys()
    certificates = tuple(
        self_signed_certificate(key, common_name=partner_id, now=_now())
        for key in (keys.signature, keys.authentication, keys.encryption)
    )
    connection = Connection(
        subscriber=Subscriber(host_id="LLBANK", partner_id=partner_id, user_id="U1"),
        version=version,
        keys=keys,
        certificates=(certificates[0], certificates[1], certificates[2]),
    )
    transport = HttpTransport(bank.url, timeout=(5, 60))
    client = EbicsClient(connection, transport, clock=_now)
    client.send_ini()
    client.send_hia()
    parameters = client.download_bank_keys()
    letter = _control(bank, "GET", "bank-keys").json()["keys"]
    assert (
        parameters.keys.authentication.digest().hex().upper()
        == (letter["X002"]["public_key_sha256"])
    )
    return EbicsClient(replace(connection, bank_keys=parameters.keys), transport, clock=_now)


def _unzipped(data: bytes) -> list[bytes]:
    if not data.startswith(b"PK"):
        return [data]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [archive.read(name) for name in archive.namelist()]


def _bookings(data: bytes | None) -> list[tuple[object, ...]]:
    assert data is not None
    return [
        (item.amount, item.end_to_end_id, item.booking_date)
        for content in _unzipped(data)
        for statement in parse_statement_file(content).statements
        for item in statement.items
    ]


@pytest.mark.parametrize("version", [EbicsVersion.H005, EbicsVersion.H004])
def test_the_client_runs_every_order_type_against_the_local_bank(bank, version):
    partner = f"CLIENT{version.value}"
    client = _onboarded(bank, version, partner)
    assert {"H004", "H005"} <= {v.protocol for v in client.versions().versions}

    details = client.subscriber_details()
    accounts = [account for account in details.accounts if account.iban]
    assert len(accounts) == 2
    assert client.customer_details()
    assert client.available_orders()

    yesterday = _now().date() - timedelta(days=1)
    _ledger(bank).add_bulk_bookings(partner, BOOKINGS, yesterday, seed=7)
    period = DateRange(yesterday, yesterday)
    for kind in ("camt.053", "mt940"):
        data = client.download(statement_download_order(kind, period, version))
        assert data is not None, kind
        items = sum(
            len(statement.items)
            for content in _unzipped(data)
            for statement in parse_statement_file(content).statements
        )
        assert items == BOOKINGS, kind
    for kind in ("camt.052", "camt.054"):
        # Whether the bank has such reports for the day depends on its bookings; either answer
        # (data, or "no data available") is a finished order, never an error.
        client.download(statement_download_order(kind, period, version))

    today = _now().date()
    own = AccountHolder(name="Client Test GmbH", iban=accounts[0].iban or "", bic=accounts[0].bic)
    transfers = credit_transfer_order(
        payment(1),
        payment(2),
        message_id=f"CT-{version.value}",
        debtor=own,
        requested_execution_date=today + timedelta(days=3),
        created_at=_now(),
    )
    receipt = client.upload(
        payment_upload_order("pain.001", None, version),
        build_credit_transfer(transfers, today=today),
    )
    assert receipt.order_id
    for scheme in ("CORE", "B2B"):
        debits = direct_debit_order(
            collection(1),
            collection(2),
            message_id=f"DD-{scheme}-{version.value}",
            creditor=own,
            local_instrument=scheme,
            requested_collection_date=today + timedelta(days=5),
            created_at=_now(),
        )
        assert client.upload(
            payment_upload_order("pain.008", scheme, version),
            build_direct_debit(debits, today=today),
        ).order_id

    reports = client.download(
        statement_download_order("pain.002", DateRange(today, today), version)
    )
    assert reports is not None
    parsed = [parse_status_report(content) for content in _unzipped(reports)]
    assert parsed
    assert client.protocol(DateRange(today, today))


def test_a_connection_dropped_mid_download_is_recovered_and_nothing_is_duplicated(bank):
    client = _onboarded(bank, EbicsVersion.H005, "DROPPED")
    yesterday = _now().date() - timedelta(days=1)
    _ledger(bank).add_bulk_bookings("DROPPED", 400, yesterday, seed=3)
    order = statement_download_order("camt.053", DateRange(yesterday, yesterday), EbicsVersion.H005)
    # Small segments, so the download has several and the bank can drop the second.
    _control(bank, "POST", "settings", json={"segment_size": 4 * 1024})
    try:
        expected = client.download(order)
        _control(
            bank,
            "POST",
            "failures",
            json={"drop_connection": {"order_type": "BTD", "phase": "transfer", "segment": 2}},
        )
        recovered = client.download(order)
        consumed = _control(bank, "GET", "failures").json() == []
    finally:
        _control(bank, "DELETE", "failures")
        _control(bank, "POST", "settings", json={"segment_size": 786_432})
    # Each download is made afresh (creation times differ); the bookings are the same.
    assert _bookings(recovered) == _bookings(expected)
    assert consumed, "the bank never dropped the connection"
    assert "BTD transfer segment 2" in bank.log()
    assert len(_bookings(recovered)) == 400


def test_the_client_reaches_a_bank_over_verified_tls_only(tmp_path):
    ca, certificate, key = write_test_ca_and_server_certificate(tmp_path)
    bank = start_local_bank(tmp_path, tls=(certificate, key, ca))
    try:
        connection = Connection(
            subscriber=Subscriber(host_id="LLBANK", partner_id="TLS", user_id="U1"),
            version=EbicsVersion.H004,
            keys=generate_subscriber_keys(),
        )
        trusted = EbicsClient(connection, HttpTransport(bank.url, verify=str(ca)), clock=_now)
        assert trusted.versions().versions
        untrusted = EbicsClient(connection, HttpTransport(bank.url), clock=_now)
        with pytest.raises(TransportFailed, match="TLS certificate") as failure:
            untrusted.versions()
        assert not failure.value.retryable
    finally:
        bank.stop()
