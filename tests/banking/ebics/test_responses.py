import base64
import zlib

import pytest

from banking.ebics import crypto, keys, responses
from tests.banking.ebics.conftest import SENT_AT, read_fixture

HEV = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<ebicsHEVResponse xmlns="http://www.ebics.org/H000"><SystemReturnCode>'
    b"<ReturnCode>000000</ReturnCode><ReportText>[EBICS_OK] OK</ReportText></SystemReturnCode>"
    b'<VersionNumber ProtocolVersion="H004">02.50</VersionNumber>'
    b'<VersionNumber ProtocolVersion="H005">03.00</VersionNumber></ebicsHEVResponse>'
)


def test_hev_response_lists_the_supported_versions():
    hev = responses.parse_hev_response(HEV)
    assert hev.return_code == "000000"
    assert [(v.protocol, v.version) for v in hev.versions] == [
        ("H004", "02.50"),
        ("H005", "03.00"),
    ]


@pytest.mark.parametrize("name", ["hpb_response_order.xml", "hpb_response_order_without_ns.xml"])
def test_hpb_order_data_yields_both_bank_keys(name):
    bank = responses.parse_hpb_order_data(read_fixture(name))
    assert bank.host_id == "SIZBN001"
    assert bank.keys.authentication.version == "X002"
    assert bank.keys.encryption.exponent_hex == "10001"


@pytest.mark.parametrize("name", ["hpb_response_ebics_ns.xml", "ebics_business_nok.xml"])
def test_key_management_response_with_prefix_exposes_its_encrypted_order_data(name):
    response = responses.parse_response(read_fixture(name))
    assert response.technical_code == "000000"
    assert response.has_order_data
    assert response.encrypted_transaction_key is not None
    assert len(response.encrypted_transaction_key) == 256


def test_business_error_is_read_from_the_body():
    response = responses.parse_response(read_fixture("ebics_business_nok.xml"))
    assert response.business_code == "091116"


def test_technical_error_is_read_from_the_header():
    response = responses.parse_response(read_fixture("ebics_technical_nok.xml"))
    assert response.technical_code == "061001"
    assert response.report_text.startswith("[EBICS_AUTHENTICATION_FAILED]")
    assert response.business_code is None


def test_ini_response_with_h004_prefix_gives_the_order_id():
    response = responses.parse_response(read_fixture("ini_response_h004_ns.xml"))
    assert (response.order_id, response.business_code) == ("B004", "000000")


@pytest.mark.parametrize(
    ("name", "num_segments", "is_last"),
    [("sta_response.xml", 1, True), ("sta_response_continued.xml", 2, False)],
)
def test_download_initialisation_reports_segments(name, num_segments, is_last):
    response = responses.parse_response(read_fixture(name))
    assert response.transaction_id == "ECD6F062AAEDFA77250526A68CBEC549"
    assert response.phase == "Initialisation"
    assert (response.num_segments, response.segment_number) == (num_segments, 1)
    assert response.is_last_segment is is_last


@pytest.mark.parametrize(
    ("name", "phase"),
    [
        ("cd1_init_response.xml", "Initialisation"),
        ("cd1_transfer_response.xml", "Transfer"),
        ("cdb_init_response.xml", "Initialisation"),
        ("cdb_transfer_response.xml", "Transfer"),
        ("upload_init_response.xml", "Initialisation"),
    ],
)
def test_upload_responses_give_transaction_and_phase(name, phase):
    response = responses.parse_response(read_fixture(name))
    assert response.phase == phase
    assert response.transaction_id
    assert (response.technical_code, response.business_code) == ("000000", "000000")


def test_htd_order_data_lists_accounts_order_types_and_user_permissions():
    htd = responses.parse_htd_order_data(read_fixture("htd_order_data.xml"))
    assert htd.partner_name == "Railslove GmbH"
    assert htd.host_id == "SIZBN001"
    (account,) = htd.accounts
    assert (account.iban, account.bic, account.bank_code) == (
        "DE51370501981929807319",
        "COLSDE33XXX",
        "37050198",
    )
    assert {"STA", "CCT", "CDD"} <= {info.order_type for info in htd.order_infos}
    assert htd.user.user_id == "EBIX"
    assert "HAA" in htd.user.permitted_order_types


def test_htd_order_data_without_accounts_parses_with_empty_permissions():
    htd = responses.parse_htd_order_data(read_fixture("htd_order_data_without_names.xml"))
    assert htd.accounts == ()
    assert htd.user.permitted_order_types == ("HTD",)


def test_haa_order_data_lists_h004_order_types_and_h005_services():
    h004 = (
        b'<HAAResponseOrderData xmlns="urn:org:ebics:H004">'
        b"<OrderTypes>C53 PTK</OrderTypes></HAAResponseOrderData>"
    )
    h005 = (
        b'<HAAResponseOrderData xmlns="urn:org:ebics:H005"><Service><ServiceName>EOP'
        b"</ServiceName><MsgName>camt.053</MsgName></Service></HAAResponseOrderData>"
    )
    assert responses.parse_haa_order_data(h004) == ("C53", "PTK")
    assert responses.parse_haa_order_data(h005) == ("EOP camt.053",)


@pytest.mark.parametrize(
    "name",
    [
        "cd1.xml",
        "haa.xml",
        "hpb.xml",
        "signature_pub_key_order_data.xml",
        "hia_request_order_data.xml",
        "swiss_credit_transfer.xml",
    ],
)
def test_documents_that_are_not_responses_are_refused(name):
    with pytest.raises(responses.UnexpectedResponse):
        responses.parse_response(read_fixture(name))


def _download_response(wrapped_key: bytes, chunk: bytes) -> bytes:
    key = base64.b64encode(wrapped_key).decode()
    data = base64.b64encode(chunk).decode()
    return (
        '<ebicsResponse xmlns="urn:org:ebics:H005" Version="H005"><header><mutable>'
        "<ReturnCode>000000</ReturnCode></mutable></header><body><DataTransfer>"
        f"<DataEncryptionInfo><TransactionKey>{key}</TransactionKey></DataEncryptionInfo>"
        f"<OrderData>{data}</OrderData></DataTransfer></body></ebicsResponse>"
    ).encode()


def test_segmented_download_is_joined_and_decrypted(subscriber_keys):
    # Play the bank: encrypt order data for our E002 key and split it across two responses.
    cipher_text = crypto.encrypt_with_transaction_key(zlib.compress(b"camt" * 100), bytes(16))
    assert len(cipher_text) > 16
    wrapped = crypto.encrypt_transaction_key(bytes(16), subscriber_keys.encryption.public)
    segments = [
        responses.parse_response(_download_response(wrapped, chunk))
        for chunk in (cipher_text[:16], cipher_text[16:])
    ]
    assert responses.decrypt_response_order_data(segments, subscriber_keys.encryption) == (
        b"camt" * 100
    )


def test_malformed_xml_is_an_unexpected_response():
    with pytest.raises(responses.UnexpectedResponse):
        responses.parse_response(b"<ebicsResponse")


def _hpb_key_management_response(order_data: bytes, encryption_key) -> bytes:
    transaction_key = bytes(range(16))
    encrypted = crypto.encrypt_order_data(order_data, encryption_key, transaction_key)
    digest = base64.b64encode(encryption_key.digest()).decode()
    wrapped = base64.b64encode(encrypted.encrypted_transaction_key).decode()
    return (
        '<ebicsKeyManagementResponse xmlns="urn:org:ebics:H005" Version="H005"><header '
        'authenticate="true"><static/><mutable><ReturnCode>000000</ReturnCode></mutable></header>'
        '<body><DataTransfer><DataEncryptionInfo authenticate="true"><EncryptionPubKeyDigest '
        f'Version="E002">{digest}</EncryptionPubKeyDigest><TransactionKey>{wrapped}'
        f"</TransactionKey></DataEncryptionInfo><OrderData>{encrypted.segments[0]}</OrderData>"
        "</DataTransfer><ReturnCode>000000</ReturnCode></body></ebicsKeyManagementResponse>"
    ).encode()


def test_hpb_response_decrypts_to_the_bank_keys_of_the_fixture(subscriber_keys):
    xml = _hpb_key_management_response(
        read_fixture("hpb_response_order.xml"), subscriber_keys.encryption.public
    )
    response = responses.parse_response(xml)
    order_data = responses.decrypt_response_order_data([response], subscriber_keys.encryption)
    bank = responses.parse_hpb_order_data(order_data)
    assert base64.b64encode(bank.keys.authentication.digest()) == (
        b"dFAYe281vj9NB7w+VoWIdfHnjY9hNbZLbHsDOu76QAE="
    )


def test_order_data_encrypted_for_another_key_is_refused(subscriber_keys, bank_keys):
    xml = _hpb_key_management_response(b"<x/>", bank_keys.encryption)
    with pytest.raises(responses.UnexpectedResponse):
        responses.decrypt_response_order_data(
            [responses.parse_response(xml)], subscriber_keys.encryption
        )


def test_h005_hpb_order_data_with_certificates_yields_the_bank_keys(bank_private_keys):
    certificates = [
        base64.b64encode(
            keys.self_signed_certificate(key, common_name="BANK", now=SENT_AT)
        ).decode()
        for key in (bank_private_keys.authentication, bank_private_keys.encryption)
    ]
    xml = (
        '<HPBResponseOrderData xmlns="urn:org:ebics:H005" '
        'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><AuthenticationPubKeyInfo><ds:X509Data>'
        f"<ds:X509Certificate>{certificates[0]}</ds:X509Certificate></ds:X509Data>"
        "<AuthenticationVersion>X002</AuthenticationVersion></AuthenticationPubKeyInfo>"
        "<EncryptionPubKeyInfo><ds:X509Data>"
        f"<ds:X509Certificate>{certificates[1]}</ds:X509Certificate></ds:X509Data>"
        "<EncryptionVersion>E002</EncryptionVersion></EncryptionPubKeyInfo>"
        "<HostID>TESTBANK</HostID></HPBResponseOrderData>"
    ).encode()
    bank = responses.parse_hpb_order_data(xml)
    assert bank.keys.encryption == bank_private_keys.encryption.public
    assert bank.host_id == "TESTBANK"


def test_h005_htd_permissions_list_admin_order_types_and_services():
    xml = (
        b'<HTDResponseOrderData xmlns="urn:org:ebics:H005"><PartnerInfo><AddressInfo>'
        b"<Name>Acme</Name></AddressInfo><BankInfo><HostID>TESTBANK</HostID></BankInfo>"
        b'<AccountInfo ID="a1" Currency="EUR"><AccountNumber international="true">'
        b"DE89370400440532013000</AccountNumber><AccountHolder>Acme GmbH</AccountHolder>"
        b"</AccountInfo></PartnerInfo><UserInfo>"
        b'<UserID Status="1">ALICE</UserID><Permission><AdminOrderType>HTD</AdminOrderType>'
        b"</Permission><Permission><Service><ServiceName>EOP</ServiceName>"
        b'<MsgName version="08">camt.053</MsgName></Service></Permission></UserInfo>'
        b"</HTDResponseOrderData>"
    )
    htd = responses.parse_htd_order_data(xml)
    assert htd.user.permitted_order_types == ("HTD", "EOP camt.053")
    (account,) = htd.accounts
    assert (account.currency, account.holder, account.bic) == ("EUR", "Acme GmbH", None)


def test_hkd_order_data_lists_the_partner_accounts_and_every_user():
    htd = read_fixture("htd_order_data.xml")
    user = htd[htd.index(b"<UserInfo") : htd.index(b"</UserInfo>") + len(b"</UserInfo>")]
    hkd = htd.replace(b"HTDResponseOrderData", b"HKDResponseOrderData").replace(
        user, user + user.replace(b">EBIX<", b">DORA<")
    )
    parsed = responses.parse_hkd_order_data(hkd)
    assert parsed.accounts == responses.parse_htd_order_data(htd).accounts
    assert len(parsed.users) == 2
    assert parsed.users[0].permitted_order_types


def test_htd_order_data_is_not_taken_for_hkd():
    with pytest.raises(responses.UnexpectedResponse):
        responses.parse_hkd_order_data(read_fixture("htd_order_data.xml"))


def test_h005_htd_order_info_names_its_service_like_the_permissions():
    # ebics_orders_H005.xsd: Container carries its value in an attribute and has no text.
    xml = (
        b'<HTDResponseOrderData xmlns="urn:org:ebics:H005"><PartnerInfo><AddressInfo/>'
        b"<BankInfo><HostID>TESTBANK</HostID></BankInfo><OrderInfo>"
        b"<AdminOrderType>BTD</AdminOrderType><Service><ServiceName>EOP</ServiceName>"
        b'<Scope>DE</Scope><Container containerType="ZIP"/><MsgName version="08">camt.053'
        b"</MsgName></Service><Description>Statements</Description></OrderInfo></PartnerInfo>"
        b'<UserInfo><UserID Status="1">ALICE</UserID><Permission>'
        b"<AdminOrderType>BTD</AdminOrderType><Service><ServiceName>EOP</ServiceName>"
        b'<Scope>DE</Scope><Container containerType="ZIP"/><MsgName>camt.053</MsgName>'
        b"</Service></Permission></UserInfo></HTDResponseOrderData>"
    )
    htd = responses.parse_htd_order_data(xml)
    (info,) = htd.order_infos
    assert (info.order_type, info.service, info.description) == (
        "BTD",
        "EOP camt.053",
        "Statements",
    )
    assert htd.user.permitted_order_types == ("BTD", "EOP camt.053")
