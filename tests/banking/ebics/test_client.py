"""EbicsClient against the scripted bank: whole orders, recovery and every refusal path."""

import base64
import io
import random
from datetime import UTC, date, datetime

import pytest

from banking.ebics import crypto, keys
from banking.ebics.client import (
    BankKeysMissing,
    Connection,
    EbicsClient,
    OrderFailed,
    ResponseNotAuthentic,
    TransportFailed,
    UploadOutcomeUnknown,
    payment_upload_order,
    statement_download_order,
)
from banking.ebics.messages import (
    DateRange,
    DownloadOrder,
    EbicsVersion,
    InvalidRequest,
    Subscriber,
)
from banking.ebics.responses import UnexpectedResponse
from tests.banking.ebics.conftest import counting_bytes, read_fixture
from tests.banking.ebics.scripted_bank import Fault, ScriptedBank

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))
CAMT = b"<Document>" + b"<Ntry><Amt Ccy='EUR'>12.50</Amt></Ntry>" * 400 + b"</Document>"
BOTH_VERSIONS = pytest.mark.parametrize("version", [EbicsVersion.H004, EbicsVersion.H005])
C53_OR_BTD = {EbicsVersion.H004: "C53", EbicsVersion.H005: "BTD EOP camt.053"}


def clock() -> datetime:
    return NOW


def incompressible(size: int) -> bytes:
    """Data zlib cannot shrink, so an upload really needs several segments."""
    return random.Random(7).randbytes(size)


@pytest.fixture
def acme() -> Subscriber:
    return Subscriber(host_id="TESTBANK", partner_id="ACME", user_id="ALICE")


@pytest.fixture
def certificates(subscriber_keys) -> tuple[bytes, bytes, bytes]:
    return tuple(  # type: ignore[return-value]
        keys.self_signed_certificate(key, common_name="ALICE", now=NOW)
        for key in (
            subscriber_keys.signature,
            subscriber_keys.authentication,
            subscriber_keys.encryption,
        )
    )


def make_bank(version, subscriber_keys, bank_private_keys, **options) -> ScriptedBank:
    return ScriptedBank(
        version=version, bank_keys=bank_private_keys, subscriber_keys=subscriber_keys, **options
    )


def make_client(
    version, bank, acme, subscriber_keys, bank_keys, *, certificates=None, attempts=3
) -> EbicsClient:
    connection = Connection(
        subscriber=acme,
        version=version,
        keys=subscriber_keys,
        bank_keys=bank_keys,
        certificates=certificates,
    )
    return EbicsClient(
        connection,
        bank,
        clock=clock,
        random_bytes=counting_bytes,
        max_recovery_attempts=attempts,
    )


@pytest.fixture(params=[EbicsVersion.H004, EbicsVersion.H005], ids=["H004", "H005"])
def version(request) -> EbicsVersion:
    return request.param


@pytest.fixture
def bank(version, subscriber_keys, bank_private_keys) -> ScriptedBank:
    return make_bank(version, subscriber_keys, bank_private_keys)


@pytest.fixture
def client(version, bank, acme, subscriber_keys, bank_keys, certificates) -> EbicsClient:
    return make_client(version, bank, acme, subscriber_keys, bank_keys, certificates=certificates)


def statement_order(version):
    return statement_download_order("camt.053", MARCH, version)


# -- key management ---------------------------------------------------------------------


def test_hev_lists_what_the_host_speaks(client):
    answer = client.versions()
    assert [v.protocol for v in answer.versions] == ["H004", "H005"]


def test_ini_and_hia_deliver_our_three_public_keys_to_the_bank(
    version, bank, acme, subscriber_keys, certificates
):
    client = make_client(version, bank, acme, subscriber_keys, None, certificates=certificates)
    client.send_ini()
    client.send_hia()
    assert bank.received_keys["INI"] == (subscriber_keys.signature.public,)
    assert bank.received_keys["HIA"] == (
        subscriber_keys.authentication.public,
        subscriber_keys.encryption.public,
    )


def test_h005_ini_without_certificates_is_refused_before_sending(
    bank_private_keys, acme, subscriber_keys
):
    bank = make_bank(EbicsVersion.H005, subscriber_keys, bank_private_keys)
    client = make_client(EbicsVersion.H005, bank, acme, subscriber_keys, None)
    with pytest.raises(InvalidRequest):
        client.send_ini()
    assert bank.log == []


def test_hpb_returns_the_bank_keys_before_any_bank_key_is_trusted(
    version, bank, acme, subscriber_keys, bank_keys
):
    client = make_client(version, bank, acme, subscriber_keys, None)
    parameters = client.download_bank_keys()
    assert parameters.keys == bank_keys
    assert parameters.host_id == "TESTBANK"


def test_refused_ini_raises_order_failed_with_the_bank_advice(client, bank):
    bank.faults.append(Fault("INI", "business:091218"))
    with pytest.raises(OrderFailed) as failure:
        client.send_ini()
    assert failure.value.kind == "business"
    assert failure.value.code == "091218"
    assert "distinct keys" in failure.value.description.advice


def test_orders_needing_bank_keys_are_refused_before_hpb(version, bank, acme, subscriber_keys):
    client = make_client(version, bank, acme, subscriber_keys, None)
    with pytest.raises(BankKeysMissing):
        client.download(statement_order(version))
    assert bank.log == []


# -- downloads --------------------------------------------------------------------------


def test_single_segment_download_returns_the_plaintext_and_sends_a_positive_receipt(
    version, client, bank
):
    bank.downloads[C53_OR_BTD[version]] = CAMT
    assert client.download(statement_order(version)) == CAMT
    assert bank.receipts == ["0"]
    assert [phase for phase, _ in bank.log] == ["Initialisation", "Receipt"]


def test_many_segment_download_is_joined_in_order(version, client, bank):
    bank.segment_size = 64
    data = incompressible(2000)
    bank.downloads[C53_OR_BTD[version]] = data
    assert client.download(statement_order(version)) == data
    transfers = [segment for phase, segment in bank.log if phase == "Transfer"]
    assert transfers == list(range(2, len(transfers) + 2))
    assert len(transfers) > 20
    assert bank.receipts == ["0"]


def test_segments_cut_inside_a_base64_quantum_still_join_exactly(version, client, bank):
    bank.text_split = 101
    data = incompressible(3000)
    bank.downloads[C53_OR_BTD[version]] = data
    assert client.download(statement_order(version)) == data


def test_download_to_streams_the_plaintext_into_the_sink(version, client, bank):
    bank.segment_size = 4096
    data = CAMT * 50
    bank.downloads[C53_OR_BTD[version]] = data
    sink = io.BytesIO()
    assert client.download_to(statement_order(version), sink) is True
    assert sink.getvalue() == data


def test_no_download_data_gives_none_and_no_receipt(client, bank, version):
    assert client.download(statement_order(version)) is None
    assert bank.receipts == []


def test_no_download_data_in_the_header_also_gives_none(client, bank, version):
    bank.no_data_in_header = True
    sink = io.BytesIO()
    assert client.download_to(statement_order(version), sink) is False
    assert sink.getvalue() == b""


def test_a_dropped_segment_is_asked_for_again_in_the_same_transaction(version, client, bank):
    bank.segment_size = 256
    data = incompressible(1000)
    bank.downloads[C53_OR_BTD[version]] = data
    bank.faults.append(Fault("Transfer", "drop", segment=2))
    assert client.download(statement_order(version)) == data
    assert bank.log.count(("Transfer", 2)) == 2
    assert bank.log.count(("Initialisation", None)) == 1


def test_recovery_sync_answer_makes_the_client_resend_the_segment(version, client, bank):
    bank.segment_size = 256
    data = incompressible(1000)
    bank.downloads[C53_OR_BTD[version]] = data
    bank.faults.append(Fault("Transfer", "061101", segment=3))
    assert client.download(statement_order(version)) == data
    assert bank.log.count(("Transfer", 3)) == 2


def test_a_lost_transaction_restarts_the_download_once_without_duplicating_data(
    version, client, bank
):
    bank.segment_size = 256
    data = incompressible(1000)
    bank.downloads[C53_OR_BTD[version]] = data
    bank.faults.append(Fault("Transfer", "forget", segment=2))
    sink = io.BytesIO()
    assert client.download_to(statement_order(version), sink) is True
    assert sink.getvalue() == data
    assert bank.log.count(("Initialisation", None)) == 2
    assert bank.receipts == ["0"]


def test_a_transaction_lost_twice_gives_up_with_the_bank_code(version, client, bank):
    bank.segment_size = 256
    bank.downloads[C53_OR_BTD[version]] = incompressible(1000)
    bank.faults += [Fault("Transfer", "forget"), Fault("Transfer", "forget")]
    with pytest.raises(OrderFailed) as failure:
        client.download(statement_order(version))
    assert failure.value.code == "091101"
    assert bank.log.count(("Initialisation", None)) == 2


def test_recovery_stops_after_the_configured_attempts(
    version, bank, acme, subscriber_keys, bank_keys
):
    client = make_client(version, bank, acme, subscriber_keys, bank_keys, attempts=2)
    bank.segment_size = 256
    bank.downloads[C53_OR_BTD[version]] = incompressible(1000)
    bank.faults += [Fault("Transfer", "drop", segment=2) for _ in range(3)]
    with pytest.raises(TransportFailed):
        client.download(statement_order(version))
    assert bank.log.count(("Transfer", 2)) == 3
    assert bank.receipts == []


def test_undecodable_data_gets_a_negative_receipt_and_an_error(version, client, bank):
    bank.compress_downloads = False
    bank.downloads[C53_OR_BTD[version]] = CAMT
    with pytest.raises(crypto.DecryptionFailed):
        client.download(statement_order(version))
    assert bank.receipts == ["1"]


def test_a_forged_auth_signature_is_rejected_and_nothing_is_accepted(
    version, client, bank, subscriber_keys
):
    bank.forge_with = subscriber_keys.authentication
    bank.downloads[C53_OR_BTD[version]] = CAMT
    with pytest.raises(ResponseNotAuthentic):
        client.download(statement_order(version))
    assert bank.receipts == []


@pytest.mark.parametrize(
    ("fault", "kind", "advice_mentions"),
    [
        (Fault("Initialisation", "091002"), "technical", "initialisation letter"),
        (Fault("Initialisation", "061001"), "technical", "X002"),
        (Fault("Initialisation", "business:090003"), "business", "permissions"),
        (Fault("Initialisation", "091008"), "technical", "HPB"),
    ],
)
def test_refusing_codes_raise_order_failed_with_advice_and_are_not_retried(
    version, client, bank, fault, kind, advice_mentions
):
    bank.downloads[C53_OR_BTD[version]] = CAMT
    bank.faults.append(fault)
    with pytest.raises(OrderFailed) as failure:
        client.download(statement_order(version))
    assert failure.value.kind == kind
    assert advice_mentions in failure.value.description.advice
    assert failure.value.retryable is False
    assert len(bank.log) == 1


def test_a_retryable_bank_error_at_initialisation_is_retried_with_a_fresh_request(
    version, client, bank
):
    bank.downloads[C53_OR_BTD[version]] = CAMT
    bank.faults.append(Fault("Initialisation", "061099"))
    assert client.download(statement_order(version)) == CAMT
    assert bank.log.count(("Initialisation", None)) == 2


def test_subscriber_and_customer_details_and_available_orders_are_parsed(client, bank):
    bank.downloads["HTD"] = read_fixture("htd_order_data.xml")
    bank.downloads["HKD"] = read_fixture("htd_order_data.xml").replace(
        b"HTDResponseOrderData", b"HKDResponseOrderData"
    )
    bank.downloads["HAA"] = (
        b'<HAAResponseOrderData xmlns="urn:org:ebics:H004">'
        b"<OrderTypes>C53 STA</OrderTypes></HAAResponseOrderData>"
    )
    htd = client.subscriber_details()
    hkd = client.customer_details()
    assert htd.accounts
    assert hkd.accounts == htd.accounts
    assert len(hkd.users) == 1
    assert client.available_orders() == ("C53", "STA")


def test_protocol_asks_for_ptk_on_h004_and_hac_on_h005_with_the_period(version, client, bank):
    order_type = "HAC" if version is EbicsVersion.H005 else "PTK"
    bank.downloads[order_type] = b"protocol"
    assert client.protocol(MARCH) == b"protocol"
    request = bank.init_requests[-1]
    assert request.findtext(".//{*}StandardOrderParams/{*}DateRange/{*}Start") == "2026-03-01"


def test_an_empty_protocol_is_empty_bytes(client):
    assert client.protocol(None) == b""


def test_a_real_technical_error_answer_raises_order_failed(acme, subscriber_keys):
    class Replay:
        def post(self, body: bytes) -> bytes:
            return read_fixture("ebics_technical_nok.xml")

    connection = Connection(acme, EbicsVersion.H004, subscriber_keys, None)
    client = EbicsClient(connection, Replay(), clock=clock)
    with pytest.raises(OrderFailed) as failure:
        client.send_hia()
    assert failure.value.kind == "technical"


def test_a_real_business_error_answer_raises_order_failed(acme, subscriber_keys):
    class Replay:
        def post(self, body: bytes) -> bytes:
            return read_fixture("ebics_business_nok.xml")

    connection = Connection(acme, EbicsVersion.H004, subscriber_keys, None)
    client = EbicsClient(connection, Replay(), clock=clock)
    with pytest.raises(OrderFailed) as failure:
        client.send_ini()
    assert failure.value.kind == "business"


def test_an_answer_that_is_not_ebics_is_an_unexpected_response(acme, subscriber_keys):
    class Portal:
        def post(self, body: bytes) -> bytes:
            return b"<html><body>Maintenance</body></html>"

    connection = Connection(acme, EbicsVersion.H004, subscriber_keys, None)
    with pytest.raises(UnexpectedResponse):
        EbicsClient(connection, Portal(), clock=clock).send_ini()


# -- uploads ----------------------------------------------------------------------------

PAYMENT = incompressible(2 * crypto.MAX_SEGMENT_CIPHERTEXT + 1000)


def test_a_three_segment_upload_arrives_whole_with_a_valid_signature(version, client, bank):
    receipt = client.upload(payment_upload_order("pain.001", None, version), PAYMENT)
    assert [segment for phase, segment in bank.log if phase == "Transfer"] == [1, 2, 3]
    [upload] = bank.uploads
    assert upload.order_data == PAYMENT
    assert upload.signature_verified is True
    assert receipt.order_id.startswith("A")
    assert receipt.transaction_id


def test_upload_names_the_order_of_each_version(version, client, bank):
    client.upload(payment_upload_order("pain.008", "B2B", version), b"<Document/>")
    [upload] = bank.uploads
    if version is EbicsVersion.H005:
        assert (upload.order_type, upload.service) == ("BTU", "SDD pain.008")
    else:
        assert upload.order_type == "CDB"


def test_a_lost_answer_to_a_middle_segment_is_resent_and_the_order_arrives_once(
    version, client, bank
):
    bank.faults.append(Fault("Transfer", "lose_answer", segment=1))
    client.upload(payment_upload_order("pain.001", None, version), PAYMENT)
    assert bank.log.count(("Transfer", 1)) == 2
    assert [u.order_data for u in bank.uploads] == [PAYMENT]


def test_a_lost_answer_to_the_last_segment_makes_the_outcome_unknown(version, client, bank):
    bank.faults.append(Fault("Transfer", "lose_answer", segment=3))
    with pytest.raises(UploadOutcomeUnknown) as unknown:
        client.upload(payment_upload_order("pain.001", None, version), PAYMENT)
    assert unknown.value.transaction_id
    # The bank did get the order: exactly why the client must not resend it blindly.
    assert len(bank.uploads) == 1
    assert bank.log.count(("Transfer", 3)) == 1


def test_an_internal_error_answering_the_last_segment_makes_the_outcome_unknown(
    version, client, bank
):
    bank.faults.append(Fault("Transfer", "061099", segment=1))
    with pytest.raises(UploadOutcomeUnknown):
        client.upload(payment_upload_order("pain.001", None, version), b"<Document/>")
    assert bank.log.count(("Transfer", 1)) == 1


def test_a_single_segment_upload_whose_answer_is_lost_is_not_resent(version, client, bank):
    bank.faults.append(Fault("Transfer", "drop", segment=1))
    with pytest.raises(UploadOutcomeUnknown):
        client.upload(payment_upload_order("pain.001", None, version), b"<Document/>")
    assert bank.log.count(("Transfer", 1)) == 1


def test_a_forged_answer_to_the_last_segment_makes_the_outcome_unknown(version, client, bank):
    bank.faults.append(Fault("Transfer", "forge", segment=1))
    with pytest.raises(UploadOutcomeUnknown) as unknown:
        client.upload(payment_upload_order("pain.001", None, version), b"<Document/>")
    assert isinstance(unknown.value.__cause__, ResponseNotAuthentic)


def test_a_lost_upload_transaction_before_the_last_segment_restarts_once(version, client, bank):
    bank.faults.append(Fault("Transfer", "forget", segment=2))
    client.upload(payment_upload_order("pain.001", None, version), PAYMENT)
    assert bank.log.count(("Initialisation", None)) == 2
    assert [u.order_data for u in bank.uploads] == [PAYMENT]


def test_a_refused_upload_raises_order_failed(version, client, bank):
    bank.faults.append(Fault("Transfer", "business:091303", segment=1))
    with pytest.raises(OrderFailed) as failure:
        client.upload(payment_upload_order("pain.001", None, version), b"<Document/>")
    assert failure.value.code == "091303"
    assert bank.uploads == []


def test_change_keys_sends_hcs_signed_with_the_current_key(version, client, bank, subscriber_keys):
    new_keys = keys.generate_subscriber_keys()
    certificates = tuple(
        keys.self_signed_certificate(key, common_name="ALICE", now=NOW)
        for key in (new_keys.signature, new_keys.authentication, new_keys.encryption)
    )
    client.change_keys(new_keys, new_certificates=certificates)
    [upload] = bank.uploads
    assert upload.order_type == "HCS"
    assert upload.signature_verified is True
    if version is EbicsVersion.H004:
        published = [
            base64.b64encode(key.public.modulus_bytes)
            for key in (new_keys.signature, new_keys.authentication, new_keys.encryption)
        ]
    else:
        published = [base64.b64encode(certificate) for certificate in certificates]
    assert all(value in upload.order_data for value in published)
    assert base64.b64encode(subscriber_keys.signature.public.modulus_bytes) not in (
        upload.order_data
    )


def test_clients_only_use_the_injected_randomness_for_nonces(client, bank, version):
    bank.downloads[C53_OR_BTD[version]] = CAMT
    client.download(statement_order(version))
    nonce = bank.init_requests[0].findtext(".//{*}Nonce")
    assert nonce == counting_bytes(16).hex().upper()


def test_timestamps_come_from_the_injected_clock(client, bank, version):
    bank.downloads[C53_OR_BTD[version]] = CAMT
    client.download(statement_order(version))
    assert bank.init_requests[0].findtext(".//{*}Timestamp") == "2026-03-02T09:30:00Z"


def test_a_lost_upload_initialisation_is_sent_again_with_a_fresh_nonce(
    version, bank, acme, subscriber_keys, bank_keys, certificates
):
    counter = iter(range(1, 1000))

    def fresh_bytes(length: int) -> bytes:
        return next(counter).to_bytes(length, "big")

    connection = Connection(acme, version, subscriber_keys, bank_keys, certificates)
    client = EbicsClient(connection, bank, clock=clock, random_bytes=fresh_bytes)
    bank.faults.append(Fault("Initialisation", "lose_answer"))
    client.upload(payment_upload_order("pain.001", None, version), b"<Document/>")
    nonces = [request.findtext(".//{*}Nonce") for request in bank.init_requests]
    assert len(nonces) == 2
    assert nonces[0] != nonces[1]
    assert len(bank.uploads) == 1


def test_a_non_retryable_transport_failure_is_raised_at_once(acme, subscriber_keys, bank_keys):
    class UntrustedBank:
        calls = 0

        def post(self, body: bytes) -> bytes:
            self.calls += 1
            raise TransportFailed(
                "the bank's TLS certificate could not be verified", retryable=False
            )

    transport = UntrustedBank()
    connection = Connection(acme, EbicsVersion.H004, subscriber_keys, bank_keys)
    with pytest.raises(TransportFailed):
        EbicsClient(connection, transport, clock=clock).download(DownloadOrder("HTD"))
    assert transport.calls == 1


def test_an_unsigned_key_management_answer_to_a_download_is_not_accepted(
    acme, subscriber_keys, bank_keys
):
    class Impostor:
        def post(self, body: bytes) -> bytes:
            return read_fixture("hpb_response_ebics_ns.xml")

    connection = Connection(acme, EbicsVersion.H004, subscriber_keys, bank_keys)
    with pytest.raises(ResponseNotAuthentic):
        EbicsClient(connection, Impostor(), clock=clock).download(DownloadOrder("HTD"))
