"""INI, HIA, activation and HPB: the subscriber's life cycle at the bank."""

import base64

import requests

from banking.ebics.keys import generate_subscriber_keys
from banking.ebics.messages import EbicsVersion, Subscriber
from tests.standins.bank.conftest import ALICE, ERIN, LocalBank
from tests.standins.bank.subscriber_client import TIMEOUT, EbicsSubscriber


def states(bank: LocalBank) -> dict[tuple[str, str], str]:
    return {(s["partner_id"], s["user_id"]): s["state"] for s in bank.control("GET", "subscribers")}


def test_the_seed_holds_alice_and_erin_as_new_subscribers(bank: LocalBank) -> None:
    assert states(bank) == {("ACME", "ALICE"): "new", ("GLOBEX", "ERIN"): "new"}


def test_ini_then_hia_leave_the_subscriber_waiting_for_the_bank(bank, alice_keys) -> None:
    client = EbicsSubscriber(bank.ebics_url, ALICE, alice_keys)
    ini = client.ini()
    assert (ini.technical_code, ini.business_code) == ("000000", "000000")
    assert ini.order_id is not None
    assert states(bank)[("ACME", "ALICE")] == "ini_received"
    client.hia()
    assert states(bank)[("ACME", "ALICE")] == "initialised"


def test_the_admin_page_lists_subscribers_with_an_activate_button(bank, alice_keys) -> None:
    EbicsSubscriber(bank.ebics_url, ALICE, alice_keys).ini()
    page = requests.get(
        f"{bank.base_url}/_standin/subscribers", headers={"Accept": "text/html"}, timeout=TIMEOUT
    )
    assert page.status_code == 200
    assert "INI received" in page.text
    assert 'action="/_standin/subscribers/LLBANK/ACME/ALICE/activate"' in page.text
    assert alice_keys.signature.public.digest().hex().upper() in page.text


def test_hpb_before_activation_is_refused_as_invalid_user_state(bank, alice_keys) -> None:
    client = EbicsSubscriber(bank.ebics_url, ALICE, alice_keys)
    client.ini()
    client.hia()
    hpb = client.hpb()
    assert hpb.technical_code == "091002"
    assert not hpb.has_order_data


def test_activation_of_a_subscriber_without_keys_is_refused(bank: LocalBank) -> None:
    answer = requests.post(
        f"{bank.base_url}/_standin/subscribers/LLBANK/ACME/ALICE/activate", timeout=TIMEOUT
    )
    assert answer.status_code == 409


def test_hpb_after_activation_hands_out_the_keys_of_the_banks_letter(bank, alice) -> None:
    letter = bank.control("GET", "bank-keys")["keys"]
    assert alice.bank_keys is not None
    assert (
        alice.bank_keys.authentication.digest().hex().upper() == letter["X002"]["public_key_sha256"]
    )
    assert alice.bank_keys.encryption.digest().hex().upper() == letter["E002"]["public_key_sha256"]


def test_h004_hpb_carries_the_same_keys_as_rsa_values(bank, erin_h004, alice) -> None:
    assert erin_h004.bank_keys == alice.bank_keys


def test_ini_after_activation_is_refused_as_invalid_user_state(bank, alice) -> None:
    assert alice.ini().technical_code == "091002"


def test_auto_activation_makes_the_subscriber_ready_after_ini_and_hia(bank, alice_keys) -> None:
    bank.control("POST", "settings", {"auto_activate": True})
    client = EbicsSubscriber(bank.ebics_url, ALICE, alice_keys)
    client.ini()
    client.hia()
    assert states(bank)[("ACME", "ALICE")] == "ready"
    assert client.hpb().technical_code == "000000"


def test_a_suspended_subscriber_can_no_longer_fetch_bank_keys(bank, alice) -> None:
    bank.control("POST", "subscribers/LLBANK/ACME/ALICE/suspend")
    assert alice.hpb().technical_code == "091002"


def test_open_enrolment_creates_an_unknown_user_and_its_partners_accounts(
    bank, fake_ledger
) -> None:
    newcomer = Subscriber("LLBANK", "INITECH", "PETER")
    client = EbicsSubscriber(bank.ebics_url, newcomer, generate_subscriber_keys())
    assert client.ini().technical_code == "000000"
    assert states(bank)[("INITECH", "PETER")] == "ini_received"
    assert "INITECH" in fake_ledger.partners


def test_without_open_enrolment_an_unknown_user_is_refused(bank, alice_keys) -> None:
    bank.control("POST", "settings", {"open_enrolment": False})
    stranger = Subscriber("LLBANK", "INITECH", "PETER")
    assert EbicsSubscriber(bank.ebics_url, stranger, alice_keys).ini().technical_code == "091002"


def test_an_unknown_host_is_answered_with_invalid_host_id(bank, alice_keys) -> None:
    elsewhere = Subscriber("OTHERBANK", "ACME", "ALICE")
    assert EbicsSubscriber(bank.ebics_url, elsewhere, alice_keys).ini().technical_code == "091011"


def test_resetting_a_subscriber_allows_a_new_ini(bank, alice) -> None:
    bank.control("POST", "subscribers/LLBANK/ACME/ALICE/reset")
    assert states(bank)[("ACME", "ALICE")] == "new"
    assert alice.ini().technical_code == "000000"


def test_a_global_reset_forgets_subscribers_and_reseeds(bank, alice) -> None:
    bank.control("POST", "reset")
    assert states(bank) == {("ACME", "ALICE"): "new", ("GLOBEX", "ERIN"): "new"}


def test_the_bank_letter_shows_certificate_and_key_hashes(bank) -> None:
    letter = bank.control("GET", "bank-keys")
    assert letter["host_id"] == "LLBANK"
    for version in ("X002", "E002"):
        entry = letter["keys"][version]
        assert len(entry["public_key_sha256"]) == 64
        assert len(entry["certificate_sha256"]) == 64
        assert (
            base64.b64decode(entry["public_key_sha256_base64"]).hex().upper()
            == (entry["public_key_sha256"])
        )


def test_erin_enrols_with_h004_as_well(bank, erin_keys) -> None:
    client = EbicsSubscriber(bank.ebics_url, ERIN, erin_keys, EbicsVersion.H004)
    assert client.ini().technical_code == "000000"
    assert client.hia().technical_code == "000000"
    assert states(bank)[("GLOBEX", "ERIN")] == "initialised"


def test_h005_certificate_hashes_are_kept_for_the_letter_check(bank, alice_keys) -> None:
    from datetime import UTC, datetime

    from banking.ebics import messages
    from banking.ebics.keys import certificate_digest, self_signed_certificate

    certificate = self_signed_certificate(
        alice_keys.signature, common_name="ALICE", now=datetime.now(UTC)
    )
    client = EbicsSubscriber(bank.ebics_url, ALICE, alice_keys)
    client.post(
        messages.build_ini_request(
            ALICE, alice_keys.signature.public, certificate=certificate, now=datetime.now(UTC)
        )
    )
    (alice,) = [s for s in bank.control("GET", "subscribers") if s["user_id"] == "ALICE"]
    assert alice["certificate_hashes"] == {"A006": certificate_digest(certificate).hex().upper()}


def test_the_return_code_switch_also_refuses_an_ini(bank, alice_keys) -> None:
    bank.control(
        "POST",
        "failures",
        {"return_code": {"order_type": "INI", "code": "091002", "kind": "technical"}},
    )
    client = EbicsSubscriber(bank.ebics_url, ALICE, alice_keys)
    assert client.ini().technical_code == "091002"
    assert states(bank)[("ACME", "ALICE")] == "new"
    assert client.ini().technical_code == "000000"


def test_a_dropped_hia_answer_still_stores_the_keys(bank, alice_keys) -> None:
    bank.control("POST", "failures", {"drop_connection": {"order_type": "HIA"}})
    client = EbicsSubscriber(bank.ebics_url, ALICE, alice_keys)
    try:
        client.hia()
    except requests.ConnectionError:
        pass
    else:
        raise AssertionError("the connection was not dropped")
    assert states(bank)[("ACME", "ALICE")] == "hia_received"
