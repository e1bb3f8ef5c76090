"""Protocol checks every request passes: versions, signatures, replay, order types, failures."""

import os
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from banking.ebics import messages, responses, xmlsig
from banking.ebics.messages import DownloadOrder, camt_statement_service
from standins.bank.ledger import Document
from tests.standins.bank.conftest import ALICE, LocalBank
from tests.standins.bank.subscriber_client import TIMEOUT, EbicsSubscriber

EOD = DownloadOrder("BTD", camt_statement_service("camt.053", "08"))


def test_hev_announces_h004_and_h005(bank: LocalBank, alice_keys) -> None:
    client = EbicsSubscriber(bank.ebics_url, ALICE, alice_keys)
    hev = responses.parse_hev_response(client.post(messages.build_hev_request("LLBANK")))
    assert hev.return_code == "000000"
    assert {(v.protocol, v.version) for v in hev.versions} == {
        ("H004", "02.50"),
        ("H005", "03.00"),
    }


def test_every_ebics_response_is_signed_with_the_banks_x002_key(alice) -> None:
    body = alice.post(
        messages.build_download_initialisation(
            alice.subscriber,
            alice.keys.authentication,
            alice.bank_keys,
            messages.new_request_stamp(datetime.now(UTC)),
            DownloadOrder("HAA"),
        )
    )
    root = xmlsig.parse_document(body)
    xmlsig.verify_auth_signature(root, alice.bank_keys.authentication)
    tampered = body.replace(
        b"<ReturnCode>000000</ReturnCode>", b"<ReturnCode>000001</ReturnCode>", 1
    )
    with pytest.raises(xmlsig.AuthenticationFailed):
        xmlsig.verify_auth_signature(
            xmlsig.parse_document(tampered), alice.bank_keys.authentication
        )


def test_a_replayed_nonce_is_refused(alice) -> None:
    stamp = messages.new_request_stamp(datetime.now(UTC))
    assert alice.initialise_download(DownloadOrder("HAA"), stamp).technical_code == "000000"
    assert alice.initialise_download(DownloadOrder("HAA"), stamp).technical_code == "091103"


def test_a_timestamp_far_from_the_banks_clock_is_refused(alice) -> None:
    stale = messages.new_request_stamp(datetime.now(UTC) - timedelta(hours=3))
    assert alice.initialise_download(DownloadOrder("HAA"), stale).technical_code == "091103"


def test_a_request_signed_with_another_x002_key_fails_authentication(alice, erin_keys) -> None:
    own = alice.keys
    alice.keys = type(own)(own.signature, erin_keys.authentication, own.encryption)
    try:
        answer = alice.initialise_download(DownloadOrder("HAA"))
    finally:
        alice.keys = own
    assert answer.technical_code == "061001"


def test_a_request_changed_after_signing_fails_authentication(alice) -> None:
    xml = messages.build_download_initialisation(
        alice.subscriber,
        alice.keys.authentication,
        alice.bank_keys,
        messages.new_request_stamp(datetime.now(UTC)),
        DownloadOrder("HTD"),
    )
    changed = xml.replace(
        b"<AdminOrderType>HTD</AdminOrderType>", b"<AdminOrderType>HKD</AdminOrderType>"
    )
    assert responses.parse_response(alice.post(changed)).technical_code == "061001"


def test_an_order_type_ebics_does_not_define_is_invalid(alice) -> None:
    assert alice.initialise_download(DownloadOrder("XYZ")).technical_code == "091005"


def test_an_order_type_this_bank_does_not_offer_is_unsupported(alice) -> None:
    assert alice.initialise_download(DownloadOrder("HVU")).technical_code == "091006"


def test_stale_bank_key_digests_require_a_key_update(alice, erin_keys) -> None:
    real = alice.bank_keys
    alice.bank_keys = type(real)(erin_keys.authentication.public, real.encryption)
    try:
        xml = messages.build_download_initialisation(
            alice.subscriber,
            alice.keys.authentication,
            alice.bank_keys,
            messages.new_request_stamp(datetime.now(UTC)),
            DownloadOrder("HAA"),
        )
    finally:
        alice.bank_keys = real
    assert responses.parse_response(alice.post(xml)).technical_code == "091008"


def test_an_unknown_transaction_id_is_answered_with_tx_unknown(alice) -> None:
    assert alice.download_segment("0" * 32, 2, 2).technical_code == "091101"


def test_malformed_xml_is_answered_with_invalid_xml(alice) -> None:
    assert responses.parse_response(alice.post(b"<not-ebics")).technical_code == "091010"


def test_a_dropped_connection_is_recovered_by_sending_the_same_segment_again(
    bank, alice, fake_ledger
) -> None:
    fake_ledger.documents["camt.053"] = [Document("a.xml", os.urandom(2000).hex().encode())]
    bank.control("POST", "settings", {"segment_size": 512})
    bank.control(
        "POST",
        "failures",
        {"drop_connection": {"order_type": "BTD", "phase": "transfer", "segment": 2, "times": 1}},
    )
    first = alice.initialise_download(EOD)
    total = first.num_segments
    with pytest.raises(requests.ConnectionError):
        alice.download_segment(first.transaction_id, 2, total)
    pages = [first] + [
        alice.download_segment(first.transaction_id, n, total) for n in range(2, total + 1)
    ]
    data = responses.decrypt_response_order_data(pages, alice.keys.encryption)
    assert data.startswith(b"PK")
    assert bank.control("GET", "failures") == []


def test_the_return_code_switch_answers_the_armed_code_once(bank, alice, fake_ledger) -> None:
    fake_ledger.documents["camt.053"] = [Document("a.xml", b"<Document/>")]
    bank.control(
        "POST",
        "failures",
        {"return_code": {"order_type": "BTD", "code": "061099", "kind": "technical", "times": 1}},
    )
    assert alice.initialise_download(EOD).technical_code == "061099"
    assert alice.initialise_download(EOD).technical_code == "000000"


def test_a_business_return_code_switch_answers_in_the_body(bank, alice) -> None:
    bank.control(
        "POST",
        "failures",
        {"return_code": {"order_type": "HTD", "code": "091116", "kind": "business"}},
    )
    answer = alice.initialise_download(DownloadOrder("HTD"))
    assert (answer.technical_code, answer.business_code) == ("000000", "091116")


def test_clearing_the_failure_switches_disarms_them(bank, alice) -> None:
    bank.control("POST", "failures", {"return_code": {"order_type": "HTD", "code": "091116"}})
    bank.control("DELETE", "failures")
    assert alice.initialise_download(DownloadOrder("HTD")).technical_code == "000000"


def test_a_malformed_failure_switch_is_refused(bank) -> None:
    answer = requests.post(
        f"{bank.base_url}/_standin/failures",
        json={"return_code": {"order_type": "HTD", "code": "12"}},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 400


def test_health_answers_json(bank) -> None:
    assert bank.control("GET", "health") == {"status": "ok", "host_id": "LLBANK"}


def test_the_log_names_order_type_phase_and_codes_but_no_data(alice, fake_ledger, caplog) -> None:
    fake_ledger.documents["camt.053"] = [
        Document("secret.xml", b"<Document>SECRET-IBAN</Document>")
    ]
    with caplog.at_level("INFO", logger="standins.bank"):
        alice.download(EOD)
    lines = [r.getMessage() for r in caplog.records if r.name == "standins.bank"]
    assert "EBICS H005 BTD initialisation segment 1 -> 000000/000000" in lines
    assert "EBICS H005 BTD receipt -> 011000/000000" in lines
    assert not any("SECRET" in line for line in lines)


def test_a_defect_inside_the_bank_is_answered_with_internal_error(alice, fake_ledger) -> None:
    def broken(*arguments):
        raise RuntimeError("the ledger is broken")

    fake_ledger.statements = broken
    answer = alice.initialise_download(
        DownloadOrder("BTD", camt_statement_service("camt.054", "08"))
    )
    assert answer.technical_code == "061099"
    assert alice.initialise_download(DownloadOrder("HTD")).technical_code == "000000"


def test_an_unknown_failure_switch_is_refused_and_nothing_is_armed(bank) -> None:
    answer = requests.post(
        f"{bank.base_url}/_standin/failures",
        json={"return_code": {"order_type": "HTD", "code": "091116"}, "meteor": {}},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 400
    assert "meteor" in answer.json()["error"]
    assert bank.control("GET", "failures") == []


def test_the_stall_switch_processes_the_request_and_answers_late(bank, alice, fake_ledger) -> None:
    fake_ledger.documents["camt.053"] = [Document("a.xml", b"<Document/>")]
    bank.control(
        "POST",
        "failures",
        {"stall": {"order_type": "BTD", "phase": "initialisation", "seconds": 1}},
    )
    started = time.monotonic()
    assert alice.initialise_download(EOD).technical_code == "000000"
    assert time.monotonic() - started >= 1
    assert bank.control("GET", "failures") == []


@pytest.mark.parametrize("seconds", [0, -1, 601, "5", True, None])
def test_a_stall_needs_a_sensible_number_of_seconds(bank, seconds) -> None:
    answer = requests.post(
        f"{bank.base_url}/_standin/failures",
        json={"stall": {"order_type": "BTD", "seconds": seconds}},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 400
    assert "seconds" in answer.json()["error"]
