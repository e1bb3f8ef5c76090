"""The XML of the bank's answers: HEV, ebicsKeyManagementResponse and ebicsResponse.

An ebicsResponse carries an AuthSignature made with the bank's X002 key over every element
marked ``authenticate="true"`` (the header, DataEncryptionInfo, the body ReturnCode and
TimestampBankParameter), like the real responses in the reference fixtures. Key-management
responses are not signed: the subscriber cannot hold the bank's keys yet.
"""

import base64
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from banking.ebics import return_codes, xmlsig
from banking.ebics.keys import SubscriberKey
from banking.ebics.messages import HEV_NAMESPACE
from standins.bank.errors import CodeKind

OK = return_codes.OK_CODE
DS = xmlsig.DS
SUPPORTED_VERSIONS = (("H004", "02.50"), ("H005", "03.00"))


@dataclass(frozen=True)
class Codes:
    """The technical (header) and business (body) return codes of an answer."""

    technical: str = OK
    business: str = OK


@dataclass(frozen=True)
class EncryptedData:
    """One order-data segment and, with the first, the transaction key wrapped for E002."""

    order_data: str
    encrypted_key: bytes | None = None
    key_digest: bytes | None = None


def report_text(code: str, kind: CodeKind) -> str:
    """The ReportText banks send: the symbol in brackets and a short message."""
    described = return_codes.describe(code, return_codes.Kind(kind.value))
    return f"[{described.symbol}] {described.message}"[:256]


def _sub(
    parent: etree._Element, ns: str, name: str, text: str | None = None, **attributes: str
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}", attrib=attributes or None)
    if text is not None:
        element.text = text
    return element


def _serialise(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def hev_response(code: str = OK) -> bytes:
    """ebicsHEVResponse announcing H004 (2.50) and H005 (3.00)."""
    root = etree.Element(f"{{{HEV_NAMESPACE}}}ebicsHEVResponse", nsmap={None: HEV_NAMESPACE})
    status = _sub(root, HEV_NAMESPACE, "SystemReturnCode")
    _sub(status, HEV_NAMESPACE, "ReturnCode", code)
    _sub(status, HEV_NAMESPACE, "ReportText", report_text(code, CodeKind.TECHNICAL))
    for protocol, number in SUPPORTED_VERSIONS:
        _sub(root, HEV_NAMESPACE, "VersionNumber", number, ProtocolVersion=protocol)
    return _serialise(root)


def _root(name: str, version: str) -> tuple[etree._Element, str]:
    ns = f"urn:org:ebics:{version}"
    root = etree.Element(
        f"{{{ns}}}{name}", nsmap={None: ns, "ds": DS}, Version=version, Revision="1"
    )
    return root, ns


def _add_data_transfer(body: etree._Element, ns: str, data: EncryptedData) -> None:
    transfer = _sub(body, ns, "DataTransfer")
    if data.encrypted_key is not None and data.key_digest is not None:
        info = _sub(transfer, ns, "DataEncryptionInfo", authenticate="true")
        _sub(
            info,
            ns,
            "EncryptionPubKeyDigest",
            _b64(data.key_digest),
            Version="E002",
            Algorithm=xmlsig.SHA256,
        )
        _sub(info, ns, "TransactionKey", _b64(data.encrypted_key))
    _sub(transfer, ns, "OrderData", data.order_data)


def key_management_response(
    version: str,
    codes: Codes,
    *,
    order_id: str | None = None,
    data: EncryptedData | None = None,
    bank_parameters_at: datetime | None = None,
) -> bytes:
    """ebicsKeyManagementResponse for INI, HIA and HPB (HPB with its encrypted order data)."""
    root, ns = _root("ebicsKeyManagementResponse", version)
    header = _sub(root, ns, "header", authenticate="true")
    _sub(header, ns, "static")
    mutable = _sub(header, ns, "mutable")
    if order_id is not None:
        _sub(mutable, ns, "OrderID", order_id)
    _sub(mutable, ns, "ReturnCode", codes.technical)
    _sub(mutable, ns, "ReportText", report_text(codes.technical, CodeKind.TECHNICAL))
    body = _sub(root, ns, "body")
    if data is not None:
        _add_data_transfer(body, ns, data)
    _sub(body, ns, "ReturnCode", codes.business, authenticate="true")
    if bank_parameters_at is not None:
        _sub(
            body, ns, "TimestampBankParameter", _timestamp(bank_parameters_at), authenticate="true"
        )
    return _serialise(root)


@dataclass(frozen=True)
class Segment:
    """Where an answer stands in a segmented transfer."""

    number: int
    is_last: bool


def ebics_response(
    version: str,
    codes: Codes,
    *,
    bank_key: SubscriberKey,
    phase: str,
    transaction_id: str | None = None,
    num_segments: int | None = None,
    segment: Segment | None = None,
    order_id: str | None = None,
    data: EncryptedData | None = None,
    bank_parameters_at: datetime | None = None,
) -> bytes:
    """A signed ebicsResponse for any phase of a download or upload, or an error."""
    root, ns = _root("ebicsResponse", version)
    header = _sub(root, ns, "header", authenticate="true")
    static = _sub(header, ns, "static")
    if transaction_id is not None:
        _sub(static, ns, "TransactionID", transaction_id)
    if num_segments is not None:
        _sub(static, ns, "NumSegments", str(num_segments))
    mutable = _sub(header, ns, "mutable")
    _sub(mutable, ns, "TransactionPhase", phase)
    if segment is not None:
        _sub(
            mutable,
            ns,
            "SegmentNumber",
            str(segment.number),
            lastSegment="true" if segment.is_last else "false",
        )
    if order_id is not None:
        _sub(mutable, ns, "OrderID", order_id)
    _sub(mutable, ns, "ReturnCode", codes.technical)
    _sub(mutable, ns, "ReportText", report_text(codes.technical, CodeKind.TECHNICAL))
    body = _sub(root, ns, "body")
    if data is not None:
        _add_data_transfer(body, ns, data)
    _sub(body, ns, "ReturnCode", codes.business, authenticate="true")
    if bank_parameters_at is not None:
        _sub(
            body, ns, "TimestampBankParameter", _timestamp(bank_parameters_at), authenticate="true"
        )
    root.insert(1, xmlsig.auth_signature_skeleton(ns))
    xmlsig.add_auth_signature(root, bank_key)
    return _serialise(root)


def invalid_xml_response(version: str, bank_key: SubscriberKey) -> bytes:
    """The answer to a request that is not well-formed or not an EBICS request (091010)."""
    return ebics_response(
        version, Codes(technical="091010"), bank_key=bank_key, phase="Initialisation"
    )
