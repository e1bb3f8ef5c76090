"""Parsers for EBICS responses and the order data they carry (H004 and H005 alike).

Parsing matches elements by local name, because banks mix default namespaces and prefixes
(``ebics:``, ``h004:``) for the same schema. Nothing here decides what a code means: that
is ``return_codes``.
"""

import base64
import binascii
from dataclasses import dataclass

from lxml import etree

from banking.ebics import crypto, xmlsig
from banking.ebics.errors import EbicsError
from banking.ebics.keys import (
    BankKeys,
    KeyVersion,
    PublicKey,
    SubscriberKey,
    public_key_from_certificate,
    public_key_from_numbers,
)


class UnexpectedResponse(EbicsError):
    """The bank's answer is not the EBICS document expected, or lacks a required element."""


@dataclass(frozen=True)
class SupportedVersion:
    """One protocol version announced in an HEV response, e.g. H005 / 03.00."""

    protocol: str
    version: str


@dataclass(frozen=True)
class HevResponse:
    """The host's return code and the EBICS versions it supports."""

    return_code: str
    report_text: str
    versions: tuple[SupportedVersion, ...]


@dataclass(frozen=True)
class EbicsResponse:
    """An ebicsResponse or ebicsKeyManagementResponse, still encrypted.

    ``technical_code`` comes from the header, ``business_code`` from the body; both are
    six-digit strings (``"000000"`` when all is well). ``order_data`` is one base64 segment.
    """

    protocol: str
    technical_code: str
    report_text: str
    business_code: str | None
    transaction_id: str | None
    phase: str | None
    num_segments: int | None
    segment_number: int | None
    is_last_segment: bool
    order_id: str | None
    encrypted_transaction_key: bytes | None
    encryption_key_digest: bytes | None
    order_data: str | None

    @property
    def has_order_data(self) -> bool:
        """Whether the response carries an encrypted order-data segment."""
        return self.order_data is not None and self.encrypted_transaction_key is not None


@dataclass(frozen=True)
class BankParameters:
    """The bank's keys and host as read from HPB order data.

    ``certificates`` (authentication, encryption; DER) are there when the bank sent X.509
    certificates (EBICS 3.0): its letter then prints their hashes rather than the keys'.
    """

    host_id: str
    keys: BankKeys
    certificates: tuple[bytes | None, bytes | None] = (None, None)


@dataclass(frozen=True)
class Account:
    """An account the subscriber may use, from HTD order data."""

    account_id: str
    iban: str | None
    bic: str | None
    account_number: str | None
    bank_code: str | None
    currency: str | None
    holder: str | None
    description: str | None


@dataclass(frozen=True)
class OrderInfo:
    """An order type or business service the partner may use, from HTD order data.

    ``service`` is the H005 Service as ``"ServiceName MsgName"`` (``"EOP camt.053"``).
    """

    order_type: str
    transfer_type: str | None
    description: str | None
    service: str | None


@dataclass(frozen=True)
class UserInfo:
    """The subscriber's own entry in HTD order data."""

    user_id: str
    status: str | None
    name: str | None
    permitted_order_types: tuple[str, ...]


@dataclass(frozen=True)
class HtdOrderData:
    """What the bank knows about the partner (customer) and the user."""

    partner_name: str | None
    host_id: str | None
    accounts: tuple[Account, ...]
    order_infos: tuple[OrderInfo, ...]
    user: UserInfo | None


def _local(element: etree._Element) -> str:
    return str(etree.QName(element).localname)


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str) and _local(child) == name]


def _child(element: etree._Element | None, *path: str) -> etree._Element | None:
    for name in path:
        if element is None:
            return None
        found = _children(element, name)
        element = found[0] if found else None
    return element


def _text(element: etree._Element | None, *path: str) -> str | None:
    found = _child(element, *path)
    if found is None or found.text is None:
        return None
    return str(found.text).strip()


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except binascii.Error as error:
        raise UnexpectedResponse(f"{what} is not valid base64") from error


def _parse(xml: bytes, *root_names: str) -> etree._Element:
    try:
        root = xmlsig.parse_document(xml)
    except xmlsig.MalformedDocument as error:
        raise UnexpectedResponse(str(error)) from error
    if _local(root) not in root_names:
        raise UnexpectedResponse(f"expected {' or '.join(root_names)}, got {_local(root)}")
    return root


def parse_hev_response(xml: bytes) -> HevResponse:
    """Parse an ebicsHEVResponse (raises ``UnexpectedResponse``)."""
    root = _parse(xml, "ebicsHEVResponse")
    versions = tuple(
        SupportedVersion(element.get("ProtocolVersion", ""), (element.text or "").strip())
        for element in _children(root, "VersionNumber")
    )
    return HevResponse(
        return_code=_text(root, "SystemReturnCode", "ReturnCode") or "",
        report_text=_text(root, "SystemReturnCode", "ReportText") or "",
        versions=versions,
    )


def parse_response(xml: bytes) -> EbicsResponse:
    """Parse an ebicsResponse or ebicsKeyManagementResponse (raises ``UnexpectedResponse``).

    The AuthSignature is not checked here; call ``xmlsig.verify_auth_signature`` for that.
    """
    root = _parse(xml, "ebicsResponse", "ebicsKeyManagementResponse")
    header = _child(root, "header")
    technical_code = _text(header, "mutable", "ReturnCode")
    if technical_code is None:
        raise UnexpectedResponse("the response header has no ReturnCode")
    body = _child(root, "body")
    num_segments = _text(header, "static", "NumSegments")
    segment = _child(header, "mutable", "SegmentNumber")
    transaction_key = _text(body, "DataTransfer", "DataEncryptionInfo", "TransactionKey")
    key_digest = _text(body, "DataTransfer", "DataEncryptionInfo", "EncryptionPubKeyDigest")
    try:
        total = int(num_segments) if num_segments else None
        number = int(segment.text) if segment is not None and segment.text else None
    except ValueError as error:
        raise UnexpectedResponse("a segment count in the response is not a number") from error
    return EbicsResponse(
        protocol=root.get("Version", ""),
        technical_code=technical_code,
        report_text=_text(header, "mutable", "ReportText") or "",
        business_code=_text(body, "ReturnCode"),
        transaction_id=_text(header, "static", "TransactionID"),
        phase=_text(header, "mutable", "TransactionPhase"),
        num_segments=total,
        segment_number=number,
        is_last_segment=segment is not None and segment.get("lastSegment") == "true",
        order_id=_text(header, "mutable", "OrderID"),
        encrypted_transaction_key=(
            _b64decode(transaction_key, "TransactionKey") if transaction_key else None
        ),
        encryption_key_digest=(
            _b64decode(key_digest, "EncryptionPubKeyDigest") if key_digest else None
        ),
        order_data=_text(body, "DataTransfer", "OrderData"),
    )


def decrypt_response_order_data(
    responses: list[EbicsResponse] | tuple[EbicsResponse, ...], encryption_key: SubscriberKey
) -> bytes:
    """Join the segments of a download (initialisation first) and decrypt them with our E002 key.

    Raises ``UnexpectedResponse`` when the first response has no transaction key, names
    another E002 key or lacks a segment, and ``crypto.DecryptionFailed`` when decryption fails.
    """
    if not responses or responses[0].encrypted_transaction_key is None:
        raise UnexpectedResponse("the download carries no transaction key")
    stated_digest = responses[0].encryption_key_digest
    if stated_digest is not None and stated_digest != encryption_key.public.digest():
        # The bank encrypted for another E002 key (for example before a key change).
        raise UnexpectedResponse("the order data is encrypted for another E002 key")
    segments = [response.order_data for response in responses]
    present = [segment for segment in segments if segment is not None]
    if len(present) != len(segments):
        raise UnexpectedResponse("a download segment carries no order data")
    return crypto.decrypt_order_data(
        responses[0].encrypted_transaction_key, present, encryption_key
    )


def _public_key_info(element: etree._Element | None, version: KeyVersion) -> PublicKey:
    if element is None:
        raise UnexpectedResponse(f"the order data lacks the {version} key")
    certificate = _text(element, "X509Data", "X509Certificate")
    if certificate:
        return public_key_from_certificate(version, _b64decode(certificate, "X509Certificate"))
    modulus = _text(element, "PubKeyValue", "RSAKeyValue", "Modulus")
    exponent = _text(element, "PubKeyValue", "RSAKeyValue", "Exponent")
    if not modulus or not exponent:
        raise UnexpectedResponse(f"the {version} key has neither a certificate nor RSA values")
    return public_key_from_numbers(
        version,
        modulus=_b64decode(modulus, "Modulus"),
        exponent=_b64decode(exponent, "Exponent"),
    )


def parse_hpb_order_data(xml: bytes) -> BankParameters:
    """Parse decrypted HPBResponseOrderData into the bank's X002 and E002 public keys.

    Raises ``UnexpectedResponse`` when a key is missing and ``keys.InvalidKey`` when unusable.
    """
    root = _parse(xml, "HPBResponseOrderData")
    authentication = _child(root, "AuthenticationPubKeyInfo")
    encryption = _child(root, "EncryptionPubKeyInfo")
    return BankParameters(
        host_id=_text(root, "HostID") or "",
        keys=BankKeys(
            authentication=_public_key_info(authentication, KeyVersion.AUTHENTICATION),
            encryption=_public_key_info(encryption, KeyVersion.ENCRYPTION),
        ),
        certificates=(_certificate(authentication), _certificate(encryption)),
    )


def _certificate(element: etree._Element | None) -> bytes | None:
    text = _text(element, "X509Data", "X509Certificate")
    return _b64decode(text, "X509Certificate") if text else None


def _account(element: etree._Element) -> Account:
    numbers = _children(element, "AccountNumber")
    codes = _children(element, "BankCode")
    iban = next((n.text for n in numbers if n.get("international") == "true"), None)
    national = next((n.text for n in numbers if n.get("international") != "true"), None)
    bic = next((c.text for c in codes if c.get("international") == "true"), None)
    bank_code = next((c.text for c in codes if c.get("international") != "true"), None)
    return Account(
        account_id=element.get("ID", ""),
        iban=iban,
        bic=bic,
        account_number=national,
        bank_code=bank_code,
        currency=element.get("Currency"),
        holder=_text(element, "AccountHolder"),
        description=element.get("Description"),
    )


def _order_info(element: etree._Element) -> OrderInfo:
    order_type = _text(element, "OrderType") or _text(element, "AdminOrderType") or ""
    service = _child(element, "Service")
    return OrderInfo(
        order_type=order_type,
        transfer_type=_text(element, "TransferType"),
        description=_text(element, "Description"),
        # Named like permissions and HAA services; joining every child's text also took Scope
        # and left a gap for Container, whose value sits in its containerType attribute.
        service=_service_name(service) if service is not None else None,
    )


def _service_name(service: etree._Element) -> str:
    return " ".join(
        part for part in (_text(service, "ServiceName"), _text(service, "MsgName")) if part
    )


def _permitted(permission: etree._Element) -> list[str]:
    # H004 lists order types as one space-separated token list; H005 names admin order
    # types one by one and business transactions as services.
    names = (_text(permission, "OrderTypes") or "").split()
    names += [(e.text or "").strip() for e in _children(permission, "AdminOrderType")]
    names += [_service_name(service) for service in _children(permission, "Service")]
    return [name for name in names if name]


def _user_info(user_element: etree._Element) -> UserInfo:
    user_id = _child(user_element, "UserID")
    permitted = tuple(
        name
        for permission in _children(user_element, "Permission")
        for name in _permitted(permission)
    )
    return UserInfo(
        user_id=(user_id.text or "").strip() if user_id is not None else "",
        status=user_id.get("Status") if user_id is not None else None,
        name=_text(user_element, "Name"),
        permitted_order_types=permitted,
    )


def _partner_parts(
    partner: etree._Element | None,
) -> tuple[tuple[Account, ...], tuple[OrderInfo, ...]]:
    if partner is None:
        return (), ()
    return (
        tuple(_account(a) for a in _children(partner, "AccountInfo")),
        tuple(_order_info(o) for o in _children(partner, "OrderInfo")),
    )


def parse_htd_order_data(xml: bytes) -> HtdOrderData:
    """Parse decrypted HTDResponseOrderData (raises ``UnexpectedResponse``)."""
    root = _parse(xml, "HTDResponseOrderData")
    partner = _child(root, "PartnerInfo")
    user_element = _child(root, "UserInfo")
    accounts, order_infos = _partner_parts(partner)
    return HtdOrderData(
        partner_name=_text(partner, "AddressInfo", "Name"),
        host_id=_text(partner, "BankInfo", "HostID"),
        accounts=accounts,
        order_infos=order_infos,
        user=_user_info(user_element) if user_element is not None else None,
    )


@dataclass(frozen=True)
class HkdOrderData:
    """What the bank knows about the partner (customer) and all of its users (HKD)."""

    partner_name: str | None
    host_id: str | None
    accounts: tuple[Account, ...]
    order_infos: tuple[OrderInfo, ...]
    users: tuple[UserInfo, ...]


def parse_hkd_order_data(xml: bytes) -> HkdOrderData:
    """Parse decrypted HKDResponseOrderData: the partner's accounts and every user.

    Raises ``UnexpectedResponse`` when ``xml`` is not HKDResponseOrderData.
    """
    root = _parse(xml, "HKDResponseOrderData")
    partner = _child(root, "PartnerInfo")
    accounts, order_infos = _partner_parts(partner)
    return HkdOrderData(
        partner_name=_text(partner, "AddressInfo", "Name"),
        host_id=_text(partner, "BankInfo", "HostID"),
        accounts=accounts,
        order_infos=order_infos,
        users=tuple(_user_info(user) for user in _children(root, "UserInfo")),
    )


def parse_haa_order_data(xml: bytes) -> tuple[str, ...]:
    """Order types (H004) or services (H005, as "ServiceName MsgName") available for download.

    Raises ``UnexpectedResponse`` when ``xml`` is not HAAResponseOrderData.
    """
    root = _parse(xml, "HAAResponseOrderData")
    order_types = tuple((_text(root, "OrderTypes") or "").split())
    services = tuple(_service_name(service) for service in _children(root, "Service"))
    return order_types + services


@dataclass(frozen=True)
class SubscriberPublicKeys:
    """A subscriber's public keys as sent in INI or HIA order data (read by a bank)."""

    partner_id: str
    user_id: str
    keys: tuple[PublicKey, ...]


def parse_signature_pub_key_order_data(xml: bytes) -> SubscriberPublicKeys:
    """Parse INI order data (SignaturePubKeyOrderData, S001 or S002) into the A006 key.

    Raises ``UnexpectedResponse`` when the key is missing and ``keys.InvalidKey`` if unusable.
    """
    root = _parse(xml, "SignaturePubKeyOrderData")
    return SubscriberPublicKeys(
        partner_id=_text(root, "PartnerID") or "",
        user_id=_text(root, "UserID") or "",
        keys=(_public_key_info(_child(root, "SignaturePubKeyInfo"), KeyVersion.SIGNATURE),),
    )


def parse_hia_request_order_data(xml: bytes) -> SubscriberPublicKeys:
    """Parse HIA order data into the X002 and E002 keys (raises like the INI parser)."""
    root = _parse(xml, "HIARequestOrderData")
    return SubscriberPublicKeys(
        partner_id=_text(root, "PartnerID") or "",
        user_id=_text(root, "UserID") or "",
        keys=(
            _public_key_info(_child(root, "AuthenticationPubKeyInfo"), KeyVersion.AUTHENTICATION),
            _public_key_info(_child(root, "EncryptionPubKeyInfo"), KeyVersion.ENCRYPTION),
        ),
    )
