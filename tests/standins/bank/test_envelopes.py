"""The bank's envelopes follow the element order of the official schemas.

ebics_response_H005.xsd / _H004.xsd (ResponseStaticHeaderType, ResponseMutableHeaderType,
DataTransferResponseType), ebics_keymgmt_response_H00x.xsd and ebics_hev.xsd, as stored in
andrew-svirin/ebics-client-php (doc/schema, tests/E2e/xsd).
"""

from datetime import UTC, datetime

import pytest
from lxml import etree

from banking.ebics.keys import SubscriberKeys
from banking.ebics.messages import HEV_NAMESPACE
from standins.bank import envelopes
from standins.bank.envelopes import Codes, EncryptedData, Segment

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TRANSACTION_ID = "0123456789ABCDEF0123456789ABCDEF"
FIRST_SEGMENT = EncryptedData("c2VnbWVudA==", b"wrapped key", b"digest")


def _names(element: etree._Element) -> list[str]:
    return [etree.QName(child).localname for child in element]


def _authenticated(root: etree._Element) -> list[str]:
    return [etree.QName(e).localname for e in root.xpath("//*[@authenticate='true']")]


@pytest.mark.parametrize("version", ["H004", "H005"])
def test_a_download_initialisation_answer_follows_the_schema_order(
    version: str, alice_keys: SubscriberKeys
) -> None:
    root = etree.fromstring(
        envelopes.ebics_response(
            version,
            Codes(),
            bank_key=alice_keys.authentication,
            phase="Initialisation",
            transaction_id=TRANSACTION_ID,
            num_segments=2,
            segment=Segment(1, False),
            data=FIRST_SEGMENT,
            bank_parameters_at=NOW,
        )
    )
    ns = {"e": f"urn:org:ebics:{version}"}
    assert (root.get("Version"), root.get("Revision")) == (version, "1")
    assert _names(root) == ["header", "AuthSignature", "body"]
    assert _names(root.find("e:header", namespaces=ns)) == ["static", "mutable"]
    assert _names(root.find("e:header/e:static", namespaces=ns)) == [
        "TransactionID",
        "NumSegments",
    ]
    assert _names(root.find("e:header/e:mutable", namespaces=ns)) == [
        "TransactionPhase",
        "SegmentNumber",
        "ReturnCode",
        "ReportText",
    ]
    assert _names(root.find("e:body", namespaces=ns)) == [
        "DataTransfer",
        "ReturnCode",
        "TimestampBankParameter",
    ]
    assert _names(root.find("e:body/e:DataTransfer", namespaces=ns)) == [
        "DataEncryptionInfo",
        "OrderData",
    ]
    assert _authenticated(root) == [
        "header",
        "DataEncryptionInfo",
        "ReturnCode",
        "TimestampBankParameter",
    ]


def test_an_upload_answer_puts_the_order_id_between_segment_and_return_code(
    alice_keys: SubscriberKeys,
) -> None:
    root = etree.fromstring(
        envelopes.ebics_response(
            "H005",
            Codes(),
            bank_key=alice_keys.authentication,
            phase="Transfer",
            transaction_id=TRANSACTION_ID,
            segment=Segment(1, True),
            order_id="A001",
        )
    )
    mutable = root.find("{*}header/{*}mutable")
    assert _names(mutable) == [
        "TransactionPhase",
        "SegmentNumber",
        "OrderID",
        "ReturnCode",
        "ReportText",
    ]


@pytest.mark.parametrize("version", ["H004", "H005"])
def test_a_key_management_answer_follows_the_schema_order(version: str) -> None:
    root = etree.fromstring(
        envelopes.key_management_response(
            version, Codes(), data=FIRST_SEGMENT, bank_parameters_at=NOW
        )
    )
    # No AuthSignature: ebics_keymgmt_response has none.
    assert _names(root) == ["header", "body"]
    header = root.find("{*}header")
    assert _names(header) == ["static", "mutable"]
    assert len(header.find("{*}static")) == 0
    assert _names(header.find("{*}mutable")) == ["ReturnCode", "ReportText"]
    assert _names(root.find("{*}body")) == ["DataTransfer", "ReturnCode", "TimestampBankParameter"]
    assert _authenticated(root) == [
        "header",
        "DataEncryptionInfo",
        "ReturnCode",
        "TimestampBankParameter",
    ]


def test_an_ini_answer_names_the_order_id_before_the_return_code() -> None:
    root = etree.fromstring(envelopes.key_management_response("H005", Codes(), order_id="A001"))
    assert _names(root.find("{*}header/{*}mutable")) == ["OrderID", "ReturnCode", "ReportText"]
    assert _names(root.find("{*}body")) == ["ReturnCode"]


def test_the_hev_answer_lists_versions_after_the_system_return_code() -> None:
    root = etree.fromstring(envelopes.hev_response())
    assert root.tag == f"{{{HEV_NAMESPACE}}}ebicsHEVResponse"
    assert _names(root) == ["SystemReturnCode", "VersionNumber", "VersionNumber"]
    assert _names(root[0]) == ["ReturnCode", "ReportText"]
    assert [(v.get("ProtocolVersion"), v.text) for v in root[1:]] == [
        ("H004", "02.50"),
        ("H005", "03.00"),
    ]
