import base64
import zlib
from datetime import date

import pytest
from lxml import etree

from banking.ebics import crypto, keys, messages, responses, xmlsig
from banking.ebics.messages import EbicsVersion
from tests.banking.ebics.conftest import SENT_AT, counting_bytes, read_fixture

H005 = {"e": "urn:org:ebics:H005", "ds": "http://www.w3.org/2000/09/xmldsig#"}
H004 = {"e": "urn:org:ebics:H004", "ds": "http://www.w3.org/2000/09/xmldsig#"}
FIXED_KEY = bytes(range(16))


def test_hev_request_names_the_host_in_the_h000_namespace():
    root = etree.fromstring(messages.build_hev_request("TESTBANK"))
    assert root.tag == "{http://www.ebics.org/H000}ebicsHEVRequest"
    assert root.findtext("{http://www.ebics.org/H000}HostID") == "TESTBANK"


def test_request_stamp_takes_an_upper_case_hex_nonce_from_the_injected_source():
    stamp = messages.new_request_stamp(SENT_AT, counting_bytes)
    assert stamp.nonce == "000102030405060708090A0B0C0D0E0F"


def test_request_stamp_refuses_a_naive_clock():
    with pytest.raises(messages.InvalidRequest):
        messages.new_request_stamp(SENT_AT.replace(tzinfo=None))


def test_h005_ini_sends_the_signature_certificate_compressed(acme_subscriber, subscriber_keys):
    certificate = keys.self_signed_certificate(
        subscriber_keys.signature, common_name="ACME", now=SENT_AT
    )
    request = messages.build_ini_request(
        acme_subscriber, subscriber_keys.signature.public, certificate=certificate, now=SENT_AT
    )
    root = etree.fromstring(request)
    assert root.tag == "{urn:org:ebics:H005}ebicsUnsecuredRequest"
    assert root.findtext("e:header/e:static/e:OrderDetails/e:AdminOrderType", namespaces=H005) == (
        "INI"
    )
    order_data = etree.fromstring(
        zlib.decompress(base64.b64decode(root.findtext(".//e:OrderData", namespaces=H005)))
    )
    s002 = {"s": "http://www.ebics.org/S002", "ds": H005["ds"]}
    assert order_data.findtext(".//ds:X509Certificate", namespaces=s002) == (
        base64.b64encode(certificate).decode()
    )
    assert order_data.findtext("s:SignaturePubKeyInfo/s:SignatureVersion", namespaces=s002) == (
        "A006"
    )


def test_h005_ini_without_a_certificate_is_refused(acme_subscriber, subscriber_keys):
    with pytest.raises(messages.InvalidRequest):
        messages.build_ini_request(acme_subscriber, subscriber_keys.signature.public, now=SENT_AT)


def test_h004_hia_order_data_has_the_shape_epics_sends(acme_subscriber, subscriber_keys):
    xml = messages.build_hia_request_order_data(
        acme_subscriber,
        subscriber_keys.authentication.public,
        subscriber_keys.encryption.public,
        version=EbicsVersion.H004,
        now=SENT_AT,
    )
    root = etree.fromstring(xml)
    names = [etree.QName(child).localname for child in root]
    assert names == ["AuthenticationPubKeyInfo", "EncryptionPubKeyInfo", "PartnerID", "UserID"]
    modulus = root.findtext(
        "e:AuthenticationPubKeyInfo/e:PubKeyValue/ds:RSAKeyValue/ds:Modulus", namespaces=H004
    )
    numbers = subscriber_keys.authentication.public.key.public_numbers()
    assert int.from_bytes(base64.b64decode(modulus), "big") == numbers.n
    assert root.findtext(".//e:EncryptionVersion", namespaces=H004) == "E002"


def test_h004_ini_uses_order_attribute_dznnn(acme_subscriber, subscriber_keys):
    request = messages.build_ini_request(
        acme_subscriber,
        subscriber_keys.signature.public,
        version=EbicsVersion.H004,
        now=SENT_AT,
    )
    root = etree.fromstring(request)
    assert root.findtext(".//e:OrderAttribute", namespaces=H004) == "DZNNN"


def test_hpb_request_is_signed_and_carries_nonce_and_timestamp(
    acme_subscriber, subscriber_keys, stamp
):
    request = messages.build_hpb_request(acme_subscriber, subscriber_keys.authentication, stamp)
    root = etree.fromstring(request)
    static = root.find("e:header/e:static", namespaces=H005)
    assert static.findtext("e:Nonce", namespaces=H005) == stamp.nonce
    assert static.findtext("e:Timestamp", namespaces=H005) == "2026-03-02T09:30:00Z"
    assert [etree.QName(child).localname for child in root] == ["header", "AuthSignature", "body"]


def test_btd_camt053_download_names_service_message_version_and_dates(
    acme_subscriber, subscriber_keys, bank_keys, stamp
):
    order = messages.DownloadOrder(
        "BTD",
        service=messages.camt_statement_service("camt.053", "08"),
        date_range=messages.DateRange(date(2026, 3, 1), date(2026, 3, 1)),
    )
    request = messages.build_download_initialisation(
        acme_subscriber, subscriber_keys.authentication, bank_keys, stamp, order
    )
    root = etree.fromstring(request)
    params = root.find(".//e:BTDOrderParams", namespaces=H005)
    assert params.findtext("e:Service/e:ServiceName", namespaces=H005) == "EOP"
    assert params.findtext("e:Service/e:Scope", namespaces=H005) == "DE"
    assert params.find("e:Service/e:MsgName", namespaces=H005).get("version") == "08"
    assert params.findtext("e:DateRange/e:Start", namespaces=H005) == "2026-03-01"
    digest = root.find(".//e:BankPubKeyDigests/e:Authentication", namespaces=H005)
    assert digest.get("Version") == "X002"
    assert base64.b64decode(digest.text) == bank_keys.authentication.digest()
    assert root.findtext(".//e:TransactionPhase", namespaces=H005) == "Initialisation"
    assert root.findtext(".//e:SecurityMedium", namespaces=H005) == "0000"
    xmlsig.verify_auth_signature(
        xmlsig.parse_document(request), subscriber_keys.authentication.public
    )


def test_btd_without_a_service_is_refused(acme_subscriber, subscriber_keys, bank_keys, stamp):
    with pytest.raises(messages.InvalidRequest):
        messages.build_download_initialisation(
            acme_subscriber,
            subscriber_keys.authentication,
            bank_keys,
            stamp,
            messages.DownloadOrder("BTD"),
        )


def test_h004_c53_download_uses_standard_order_params(
    acme_subscriber, subscriber_keys, bank_keys, stamp
):
    request = messages.build_download_initialisation(
        acme_subscriber,
        subscriber_keys.authentication,
        bank_keys,
        stamp,
        messages.DownloadOrder("C53"),
        version=EbicsVersion.H004,
    )
    root = etree.fromstring(request)
    assert root.findtext(".//e:OrderType", namespaces=H004) == "C53"
    assert root.findtext(".//e:OrderAttribute", namespaces=H004) == "DZHNN"
    assert root.find(".//e:StandardOrderParams", namespaces=H004) is not None


def test_receipt_reports_the_code_in_an_authenticated_element(subscriber_keys):
    request = messages.build_receipt(
        "TESTBANK", "ABCDEF", messages.ReceiptCode.RECEIVED, subscriber_keys.authentication
    )
    root = etree.fromstring(request)
    receipt = root.find("e:body/e:TransferReceipt", namespaces=H005)
    assert receipt.get("authenticate") == "true"
    assert receipt.findtext("e:ReceiptCode", namespaces=H005) == "0"
    assert root.findtext(".//e:TransactionPhase", namespaces=H005) == "Receipt"


def test_download_transfer_asks_for_a_numbered_segment(subscriber_keys):
    request = messages.build_download_transfer(
        "TESTBANK", "ABCDEF", 2, subscriber_keys.authentication, last_segment=True
    )
    segment = etree.fromstring(request).find(".//e:SegmentNumber", namespaces=H005)
    assert (segment.text, segment.get("lastSegment")) == ("2", "true")


def test_btu_upload_can_be_decrypted_and_its_signature_checked_by_the_bank(
    acme_subscriber, subscriber_keys, bank_private_keys, bank_keys, stamp
):
    pain = b"<Document>credit transfer</Document>"
    upload = messages.prepare_upload(
        acme_subscriber,
        authentication_key=subscriber_keys.authentication,
        signature_key=subscriber_keys.signature,
        bank_keys=bank_keys,
        stamp=stamp,
        order=messages.UploadOrder(
            "BTU", service=messages.direct_debit_service("COR"), file_name="pain.xml"
        ),
        order_data=pain,
        transaction_key=FIXED_KEY,
    )
    root = etree.fromstring(upload.init_request)
    service = root.find(".//e:BTUOrderParams/e:Service", namespaces=H005)
    assert service.findtext("e:ServiceOption", namespaces=H005) == "COR"
    assert service.findtext("e:MsgName", namespaces=H005) == "pain.008"
    assert root.findtext(".//e:NumSegments", namespaces=H005) == "1"
    assert base64.b64decode(root.findtext(".//e:DataDigest", namespaces=H005)) == (
        crypto.order_data_digest(pain)
    )
    # Play the bank: unwrap the key, read the signature, decrypt the transferred segment.
    transaction_key = crypto.decrypt_transaction_key(
        base64.b64decode(root.findtext(".//e:TransactionKey", namespaces=H005)),
        bank_private_keys.encryption,
    )
    assert transaction_key == FIXED_KEY
    signature_xml = crypto.decompress(
        crypto.decrypt_with_transaction_key(
            base64.b64decode(root.findtext(".//e:SignatureData", namespaces=H005)),
            transaction_key,
        )
    )
    assert b"http://www.ebics.org/S002" in signature_xml
    transfer = messages.build_upload_transfer(
        "TESTBANK", "TX1", upload.encrypted, 1, subscriber_keys.authentication
    )
    segment = etree.fromstring(transfer).findtext(".//e:OrderData", namespaces=H005)
    assert (
        crypto.decrypt_order_data(
            upload.encrypted.encrypted_transaction_key, [segment], bank_private_keys.encryption
        )
        == pain
    )


def test_upload_transfer_outside_the_prepared_segments_is_refused(subscriber_keys, bank_keys):
    encrypted = crypto.encrypt_order_data(b"x", bank_keys.encryption, FIXED_KEY)
    with pytest.raises(messages.InvalidRequest):
        messages.build_upload_transfer(
            "TESTBANK", "TX1", encrypted, 2, subscriber_keys.authentication
        )


def test_h004_cct_upload_uses_ozhnn_and_s001(
    acme_subscriber, subscriber_keys, bank_private_keys, bank_keys, stamp
):
    upload = messages.prepare_upload(
        acme_subscriber,
        authentication_key=subscriber_keys.authentication,
        signature_key=subscriber_keys.signature,
        bank_keys=bank_keys,
        stamp=stamp,
        order=messages.UploadOrder("CCT"),
        order_data=b"<Document/>",
        transaction_key=FIXED_KEY,
        version=EbicsVersion.H004,
    )
    root = etree.fromstring(upload.init_request)
    assert root.findtext(".//e:OrderAttribute", namespaces=H004) == "OZHNN"
    assert root.find(".//e:DataDigest", namespaces=H004) is None


def test_unknown_direct_debit_scheme_is_refused():
    with pytest.raises(messages.InvalidRequest):
        messages.direct_debit_service("XYZ")


def _bank_reads_upload(upload, bank_private_keys, subscriber_public_signature_key) -> bytes:
    """Play the bank: unwrap the key, verify the A006 signature, decrypt the segments."""
    root = etree.fromstring(upload.init_request)
    namespace = {"e": etree.QName(root).namespace}
    transaction_key = crypto.decrypt_transaction_key(
        base64.b64decode(root.findtext(".//e:TransactionKey", namespaces=namespace)),
        bank_private_keys.encryption,
    )
    signature_data = etree.fromstring(
        crypto.decompress(
            crypto.decrypt_with_transaction_key(
                base64.b64decode(root.findtext(".//e:SignatureData", namespaces=namespace)),
                transaction_key,
            )
        )
    )
    signature = base64.b64decode(signature_data.findtext(".//{*}SignatureValue"))
    order_data = crypto.decrypt_order_data(
        upload.encrypted.encrypted_transaction_key,
        upload.encrypted.segments,
        bank_private_keys.encryption,
    )
    crypto.verify_order_signature(order_data, signature, subscriber_public_signature_key)
    return order_data


@pytest.mark.parametrize(
    ("fixture", "version", "order"),
    [
        ("cd1.xml", EbicsVersion.H004, messages.UploadOrder("CD1")),
        ("cdb.xml", EbicsVersion.H004, messages.UploadOrder("CDB")),
        (
            "cip.xml",
            EbicsVersion.H005,
            messages.UploadOrder("BTU", service=messages.credit_transfer_service()),
        ),
        (
            "swiss_credit_transfer.xml",
            EbicsVersion.H005,
            messages.UploadOrder("BTU", service=messages.credit_transfer_service(scope="CH")),
        ),
        (
            "swiss_direct_debit.xml",
            EbicsVersion.H005,
            messages.UploadOrder("BTU", service=messages.direct_debit_service("B2B", scope="CH")),
        ),
    ],
)
def test_real_payment_files_reach_the_bank_intact_and_signed(
    fixture,
    version,
    order,
    acme_subscriber,
    subscriber_keys,
    bank_private_keys,
    bank_keys,
    stamp,
):
    pain = read_fixture(fixture)
    upload = messages.prepare_upload(
        acme_subscriber,
        authentication_key=subscriber_keys.authentication,
        signature_key=subscriber_keys.signature,
        bank_keys=bank_keys,
        stamp=stamp,
        order=order,
        order_data=pain,
        transaction_key=FIXED_KEY,
        version=version,
    )
    assert _bank_reads_upload(upload, bank_private_keys, subscriber_keys.signature.public) == pain


def test_h005_hia_with_a_certificate_of_another_key_is_refused(acme_subscriber, subscriber_keys):
    signature_certificate = keys.self_signed_certificate(
        subscriber_keys.signature, common_name="ACME", now=SENT_AT
    )
    with pytest.raises(messages.InvalidRequest):
        messages.build_hia_request(
            acme_subscriber,
            subscriber_keys.authentication.public,
            subscriber_keys.encryption.public,
            authentication_certificate=signature_certificate,
            encryption_certificate=signature_certificate,
            now=SENT_AT,
        )


def test_h005_hia_carries_both_certificates(acme_subscriber, subscriber_keys):
    authentication, encryption = (
        keys.self_signed_certificate(key, common_name="ACME", now=SENT_AT)
        for key in (subscriber_keys.authentication, subscriber_keys.encryption)
    )
    request = messages.build_hia_request(
        acme_subscriber,
        subscriber_keys.authentication.public,
        subscriber_keys.encryption.public,
        authentication_certificate=authentication,
        encryption_certificate=encryption,
        now=SENT_AT,
    )
    root = etree.fromstring(request)
    order_data = zlib.decompress(base64.b64decode(root.findtext(".//e:OrderData", namespaces=H005)))
    parsed = responses.parse_hia_request_order_data(order_data)
    assert parsed.keys == (subscriber_keys.authentication.public, subscriber_keys.encryption.public)


def test_h005_camt_download_names_the_zip_container_before_the_message(
    acme_subscriber, subscriber_keys, bank_keys, stamp
):
    order = messages.DownloadOrder("BTD", service=messages.camt_statement_service("camt.053", "08"))
    request = messages.build_download_initialisation(
        acme_subscriber, subscriber_keys.authentication, bank_keys, stamp, order
    )
    service = etree.fromstring(request).find(".//e:BTDOrderParams/e:Service", namespaces=H005)
    assert [etree.QName(child).localname for child in service] == [
        "ServiceName",
        "Scope",
        "Container",
        "MsgName",
    ]
    assert service.find("e:Container", namespaces=H005).get("containerType") == "ZIP"


def test_h005_admin_download_with_a_period_carries_standard_order_params(
    acme_subscriber, subscriber_keys, bank_keys, stamp
):
    order = messages.DownloadOrder(
        "HAC", date_range=messages.DateRange(date(2026, 3, 1), date(2026, 3, 2))
    )
    request = messages.build_download_initialisation(
        acme_subscriber, subscriber_keys.authentication, bank_keys, stamp, order
    )
    details = etree.fromstring(request).find(".//e:OrderDetails", namespaces=H005)
    assert [etree.QName(child).localname for child in details] == [
        "AdminOrderType",
        "StandardOrderParams",
    ]
    assert details.findtext(".//e:End", namespaces=H005) == "2026-03-02"


@pytest.mark.parametrize("order_type", ["HTD", "HKD", "HAA"])
def test_h005_admin_download_without_a_period_still_carries_empty_standard_order_params(
    order_type, acme_subscriber, subscriber_keys, bank_keys, stamp
):
    request = messages.build_download_initialisation(
        acme_subscriber,
        subscriber_keys.authentication,
        bank_keys,
        stamp,
        messages.DownloadOrder(order_type),
    )
    params = etree.fromstring(request).find(".//e:StandardOrderParams", namespaces=H005)
    assert params is not None
    assert len(params) == 0


def test_h004_hcs_order_data_lists_the_three_new_keys_with_the_signature_key_in_s001(
    acme_subscriber, subscriber_keys
):
    order_data = messages.build_hcs_request_order_data(
        acme_subscriber,
        signature_key=subscriber_keys.signature.public,
        authentication_key=subscriber_keys.authentication.public,
        encryption_key=subscriber_keys.encryption.public,
        version=EbicsVersion.H004,
        now=SENT_AT,
    )
    root = etree.fromstring(order_data)
    assert [etree.QName(child).text for child in root] == [
        "{urn:org:ebics:H004}AuthenticationPubKeyInfo",
        "{urn:org:ebics:H004}EncryptionPubKeyInfo",
        "{http://www.ebics.org/S001}SignaturePubKeyInfo",
        "{urn:org:ebics:H004}PartnerID",
        "{urn:org:ebics:H004}UserID",
    ]
    assert root.findtext("{*}SignaturePubKeyInfo/{*}SignatureVersion") == "A006"


def test_h005_hcs_order_data_needs_certificates(acme_subscriber, subscriber_keys):
    with pytest.raises(messages.InvalidRequest):
        messages.build_hcs_request_order_data(
            acme_subscriber,
            signature_key=subscriber_keys.signature.public,
            authentication_key=subscriber_keys.authentication.public,
            encryption_key=subscriber_keys.encryption.public,
            now=SENT_AT,
        )


# Element order of the official schemas (andrew-svirin/ebics-client-php, doc/schema and
# tests/E2e/xsd): ebics_request_H005.xsd / _H004.xsd StaticHeaderType, ebics_orders_H005.xsd
# BTUParamsType and DataTransferRequestType, ebics_keymgmt_request_H00x.xsd.


def _names(element: etree._Element) -> list[str]:
    return [etree.QName(child).localname for child in element]


def _btu_upload(subscriber, subscriber_keys, bank_keys, stamp) -> etree._Element:
    upload = messages.prepare_upload(
        subscriber,
        authentication_key=subscriber_keys.authentication,
        signature_key=subscriber_keys.signature,
        bank_keys=bank_keys,
        stamp=stamp,
        order=messages.UploadOrder(
            "BTU", service=messages.credit_transfer_service(), file_name="pain.xml"
        ),
        order_data=b"<Document/>",
        transaction_key=FIXED_KEY,
    )
    return etree.fromstring(upload.init_request)


def test_h005_btu_order_params_flag_the_signature_the_upload_carries(
    acme_subscriber, subscriber_keys, bank_keys, stamp
):
    root = _btu_upload(acme_subscriber, subscriber_keys, bank_keys, stamp)
    params = root.find(".//e:BTUOrderParams", namespaces=H005)
    assert _names(params) == ["Service", "SignatureFlag"]
    assert params.get("fileName") == "pain.xml"
    # No requestEDS: the order is complete with our signature and not meant for the EDS queue.
    flag = params.find("e:SignatureFlag", namespaces=H005)
    assert dict(flag.attrib) == {}
    assert len(flag) == 0


def test_h005_upload_initialisation_follows_the_schema_order(
    acme_subscriber, subscriber_keys, bank_keys, stamp
):
    root = _btu_upload(acme_subscriber, subscriber_keys, bank_keys, stamp)
    assert _names(root) == ["header", "AuthSignature", "body"]
    assert _names(root.find("e:header/e:static", namespaces=H005)) == [
        "HostID",
        "Nonce",
        "Timestamp",
        "PartnerID",
        "UserID",
        "Product",
        "OrderDetails",
        "BankPubKeyDigests",
        "SecurityMedium",
        "NumSegments",
    ]
    data_transfer = root.find("e:body/e:DataTransfer", namespaces=H005)
    assert _names(data_transfer) == ["DataEncryptionInfo", "SignatureData", "DataDigest"]
    authenticated = [etree.QName(e).localname for e in root.xpath("//*[@authenticate='true']")]
    assert authenticated == ["header", "DataEncryptionInfo", "SignatureData"]


def test_h004_upload_initialisation_follows_the_schema_order(
    acme_subscriber, subscriber_keys, bank_keys, stamp
):
    upload = messages.prepare_upload(
        acme_subscriber,
        authentication_key=subscriber_keys.authentication,
        signature_key=subscriber_keys.signature,
        bank_keys=bank_keys,
        stamp=stamp,
        order=messages.UploadOrder("CCT"),
        order_data=b"<Document/>",
        transaction_key=FIXED_KEY,
        version=EbicsVersion.H004,
    )
    root = etree.fromstring(upload.init_request)
    assert root.get("Version") == "H004"
    assert _names(root.find("e:header/e:static/e:OrderDetails", namespaces=H004)) == [
        "OrderType",
        "OrderAttribute",
        "StandardOrderParams",
    ]
    # H004 has no DataDigest: the initialisation carries key and signature only.
    assert _names(root.find("e:body/e:DataTransfer", namespaces=H004)) == [
        "DataEncryptionInfo",
        "SignatureData",
    ]


@pytest.mark.parametrize(
    ("version", "order_details"),
    [
        (EbicsVersion.H005, ["AdminOrderType"]),
        (EbicsVersion.H004, ["OrderType", "OrderAttribute"]),
    ],
)
def test_key_management_requests_follow_the_schema_order(
    version, order_details, acme_subscriber, subscriber_keys, stamp
):
    certificate = keys.self_signed_certificate(
        subscriber_keys.signature, common_name="ACME", now=SENT_AT
    )
    ini = etree.fromstring(
        messages.build_ini_request(
            acme_subscriber,
            subscriber_keys.signature.public,
            version=version,
            certificate=certificate,
            now=SENT_AT,
        )
    )
    namespaces = {"e": version.namespace}
    # ebicsUnsecuredRequest: no Nonce, no Timestamp, no AuthSignature.
    assert _names(ini) == ["header", "body"]
    assert _names(ini.find("e:header/e:static", namespaces=namespaces)) == [
        "HostID",
        "PartnerID",
        "UserID",
        "Product",
        "OrderDetails",
        "SecurityMedium",
    ]
    assert _names(ini.find(".//e:OrderDetails", namespaces=namespaces)) == order_details
    hpb = etree.fromstring(
        messages.build_hpb_request(
            acme_subscriber, subscriber_keys.authentication, stamp, version=version
        )
    )
    assert _names(hpb) == ["header", "AuthSignature", "body"]
    assert _names(hpb.find("e:header/e:static", namespaces=namespaces)) == [
        "HostID",
        "Nonce",
        "Timestamp",
        "PartnerID",
        "UserID",
        "Product",
        "OrderDetails",
        "SecurityMedium",
    ]
    assert _names(hpb.find(".//e:OrderDetails", namespaces=namespaces)) == order_details
    assert len(hpb.find("e:body", namespaces=namespaces)) == 0


def test_h005_btd_order_params_name_the_service_before_the_period(
    acme_subscriber, subscriber_keys, bank_keys, stamp
):
    order = messages.DownloadOrder(
        "BTD",
        service=messages.camt_statement_service("camt.053", "08"),
        date_range=messages.DateRange(date(2026, 3, 1), date(2026, 3, 2)),
    )
    request = messages.build_download_initialisation(
        acme_subscriber, subscriber_keys.authentication, bank_keys, stamp, order
    )
    params = etree.fromstring(request).find(".//e:BTDOrderParams", namespaces=H005)
    # BTDParamsType prohibits fileName and has no SignatureFlag.
    assert _names(params) == ["Service", "DateRange"]
    assert params.get("fileName") is None
