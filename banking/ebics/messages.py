"""Request builders for EBICS 3.0 (H005) and, where it costs little, EBICS 2.5 (H004).

Every builder returns the request as UTF-8 XML bytes ready to POST; signed requests carry a
filled AuthSignature (X002). Nonces, timestamps and transaction keys are passed in, so a
request is a pure function of its inputs, except for uploads: the A006 signature's PSS salt
is drawn by ``cryptography`` itself, which offers no way to inject it.
"""

import base64
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from lxml import etree

from banking.ebics import crypto, xmlsig
from banking.ebics.errors import EbicsError
from banking.ebics.keys import (
    BankKeys,
    InvalidKey,
    KeyVersion,
    PublicKey,
    SubscriberKey,
    public_key_from_certificate,
)
from banking.ebics.randomness import RandomBytes, system_random_bytes

DS = xmlsig.DS
HEV_NAMESPACE = "http://www.ebics.org/H000"
SHA256 = xmlsig.SHA256
SECURITY_MEDIUM = "0000"
NONCE_LENGTH = 16


class InvalidRequest(EbicsError):
    """The inputs cannot form a valid EBICS request (naive clock, missing certificate, ...)."""


class EbicsVersion(StrEnum):
    """Protocol versions Ledgerlink speaks."""

    H004 = "H004"
    H005 = "H005"

    @property
    def namespace(self) -> str:
        """The XML namespace of the version's messages."""
        return f"urn:org:ebics:{self.value}"


class ReceiptCode(StrEnum):
    """What a download receipt tells the bank."""

    RECEIVED = "0"
    NOT_RECEIVED = "1"


@dataclass(frozen=True)
class Subscriber:
    """Who talks to which bank host."""

    host_id: str
    partner_id: str
    user_id: str
    product: str = "Ledgerlink"
    language: str = "en"


@dataclass(frozen=True)
class RequestStamp:
    """The replay protection of one request: a one-time nonce and the send time."""

    nonce: str
    timestamp: datetime


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of booking dates for downloads."""

    start: date
    end: date


@dataclass(frozen=True)
class BtfService:
    """A business transaction format (EBICS 3.0 BTD/BTU Service element)."""

    service_name: str
    msg_name: str
    scope: str | None = None
    service_option: str | None = None
    msg_name_version: str | None = None
    #: ``"ZIP"`` when the bank packs the files into a ZIP container (German camt downloads).
    container: str | None = None


@dataclass(frozen=True)
class DownloadOrder:
    """A download order: an EBICS 3.0 admin order type (``BTD``, ``HTD``...) or an H004 type."""

    order_type: str
    service: BtfService | None = None
    date_range: DateRange | None = None


@dataclass(frozen=True)
class UploadOrder:
    """An upload order: ``BTU`` with a service for H005, or an H004 type such as ``CCT``."""

    order_type: str
    service: BtfService | None = None
    file_name: str | None = None


@dataclass(frozen=True)
class PreparedUpload:
    """An upload's initialisation request and the encrypted segments to send after it."""

    init_request: bytes
    encrypted: crypto.EncryptedOrderData


def camt_statement_service(
    message: str, version: str, *, scope: str = "DE", container: str | None = "ZIP"
) -> BtfService:
    """The BTD service for a camt download: camt.052 (STM), camt.053 (EOP) or camt.054 (REP).

    German banks deliver camt files in a ZIP container (the H004 C52/C53/C54 equivalents), so
    the order names ``Container containerType="ZIP"`` unless ``container`` is None.
    Raises ``InvalidRequest`` for any other message.
    """
    service_names = {"camt.052": "STM", "camt.053": "EOP", "camt.054": "REP"}
    if message not in service_names:
        raise InvalidRequest(f"{message} is not a camt statement or report")
    return BtfService(
        service_names[message], message, scope=scope, msg_name_version=version, container=container
    )


def payment_status_service(
    version: str | None = None, *, scope: str | None = None, container: str | None = "ZIP"
) -> BtfService:
    """The BTD service for payment status reports (PSR, pain.002), zipped like H004 CRZ/CDZ.

    Without ``version`` the bank delivers the pain.002 version it produces for the payments.
    """
    return BtfService("PSR", "pain.002", scope=scope, msg_name_version=version, container=container)


def mt940_service(*, scope: str = "DE") -> BtfService:
    """The BTD service for end-of-day MT940 statements."""
    return BtfService("EOP", "mt940", scope=scope)


def credit_transfer_service(version: str = "09", *, scope: str | None = None) -> BtfService:
    """The BTU service for SEPA credit transfers (pain.001).

    SEPA services carry no Scope in the German mapping (CCT = ``SCT`` + ``pain.001``); pass
    one only for national variants such as ``CH``.
    """
    return BtfService("SCT", "pain.001", scope=scope, msg_name_version=version)


def direct_debit_service(
    scheme: str, version: str = "08", *, scope: str | None = None
) -> BtfService:
    """The BTU service for SEPA direct debits (pain.008) of scheme ``COR`` or ``B2B``.

    No Scope by default, as for credit transfers (CDD = ``SDD``/``COR``, CDB = ``SDD``/``B2B``).

    Raises ``InvalidRequest`` for any other scheme.
    """
    if scheme not in {"COR", "B2B"}:
        raise InvalidRequest(f"unknown direct debit scheme {scheme!r}")
    return BtfService(
        "SDD", "pain.008", scope=scope, service_option=scheme, msg_name_version=version
    )


def new_request_stamp(
    now: datetime, random_bytes: RandomBytes = system_random_bytes
) -> RequestStamp:
    """A fresh stamp: 16 random bytes as upper-case hex and ``now`` (raises ``InvalidRequest``)."""
    if now.tzinfo is None:
        raise InvalidRequest("the request timestamp must be an aware datetime")
    return RequestStamp(random_bytes(NONCE_LENGTH).hex().upper(), now)


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise InvalidRequest("the request timestamp must be an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(
    parent: etree._Element, namespace: str, name: str, text: str | None = None, **attributes: str
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{namespace}}}{name}", attrib=attributes or None)
    if text is not None:
        element.text = text
    return element


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _serialise(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _root(name: str, version: EbicsVersion) -> etree._Element:
    namespace = version.namespace
    return etree.Element(
        f"{{{namespace}}}{name}",
        nsmap={None: namespace, "ds": DS},
        Version=version.value,
        Revision="1",
    )


def _add_static_identity(static: etree._Element, ns: str, subscriber: Subscriber) -> None:
    _sub(static, ns, "PartnerID", subscriber.partner_id)
    _sub(static, ns, "UserID", subscriber.user_id)
    _sub(static, ns, "Product", subscriber.product, Language=subscriber.language)


def _add_service(parent: etree._Element, ns: str, service: BtfService) -> None:
    element = _sub(parent, ns, "Service")
    _sub(element, ns, "ServiceName", service.service_name)
    if service.scope:
        _sub(element, ns, "Scope", service.scope)
    if service.service_option:
        _sub(element, ns, "ServiceOption", service.service_option)
    if service.container:
        _sub(element, ns, "Container", containerType=service.container)
    attributes = {"version": service.msg_name_version} if service.msg_name_version else {}
    _sub(element, ns, "MsgName", service.msg_name, **attributes)


def _add_date_range(parent: etree._Element, ns: str, date_range: DateRange) -> None:
    element = _sub(parent, ns, "DateRange")
    _sub(element, ns, "Start", date_range.start.isoformat())
    _sub(element, ns, "End", date_range.end.isoformat())


def _add_admin_order(
    static: etree._Element, ns: str, version: EbicsVersion, order_type: str, attribute: str
) -> None:
    details = _sub(static, ns, "OrderDetails")
    if version is EbicsVersion.H005:
        _sub(details, ns, "AdminOrderType", order_type)
    else:
        _sub(details, ns, "OrderType", order_type)
        _sub(details, ns, "OrderAttribute", attribute)


def _add_bank_digests(static: etree._Element, ns: str, bank_keys: BankKeys) -> None:
    digests = _sub(static, ns, "BankPubKeyDigests")
    _sub(
        digests,
        ns,
        "Authentication",
        _b64(bank_keys.authentication.digest()),
        Version=KeyVersion.AUTHENTICATION.value,
        Algorithm=SHA256,
    )
    _sub(
        digests,
        ns,
        "Encryption",
        _b64(bank_keys.encryption.digest()),
        Version=KeyVersion.ENCRYPTION.value,
        Algorithm=SHA256,
    )


def _signed(root: etree._Element, authentication_key: SubscriberKey) -> bytes:
    # AuthSignature sits between header and body; insert it before signing fills it.
    root.insert(1, xmlsig.auth_signature_skeleton(etree.QName(root).namespace or ""))
    xmlsig.add_auth_signature(root, authentication_key)
    return _serialise(root)


def build_hev_request(host_id: str) -> bytes:
    """The unsigned HEV request asking which EBICS versions the host supports."""
    root = etree.Element(f"{{{HEV_NAMESPACE}}}ebicsHEVRequest", nsmap={None: HEV_NAMESPACE})
    _sub(root, HEV_NAMESPACE, "HostID", host_id)
    return _serialise(root)


def _add_key_value(parent: etree._Element, key: PublicKey, ns: str, now: datetime) -> None:
    value = _sub(parent, ns, "PubKeyValue")
    rsa_value = _sub(value, DS, "RSAKeyValue")
    _sub(rsa_value, DS, "Modulus", _b64(key.modulus_bytes))
    _sub(rsa_value, DS, "Exponent", _b64(key.exponent_bytes))
    _sub(value, ns, "TimeStamp", _timestamp(now))


def _add_certificate(parent: etree._Element, key: PublicKey, certificate: bytes | None) -> None:
    if certificate is None:
        raise InvalidRequest("EBICS 3.0 sends subscriber keys as X.509 certificates")
    try:
        certified = public_key_from_certificate(key.version, certificate)
    except InvalidKey as error:
        raise InvalidRequest(str(error)) from error
    # A certificate for another key would make the bank activate a key we cannot use.
    if certified != key:
        raise InvalidRequest(f"the certificate does not hold our {key.version} key")
    data = _sub(parent, DS, "X509Data")
    _sub(data, DS, "X509Certificate", _b64(certificate))


# What each key is called in key-management order data: <XPubKeyInfo> ... <XVersion>.
_KEY_ELEMENT = {
    KeyVersion.SIGNATURE: "Signature",
    KeyVersion.AUTHENTICATION: "Authentication",
    KeyVersion.ENCRYPTION: "Encryption",
}


def _add_key_info(
    parent: etree._Element,
    ns: str,
    *,
    key: PublicKey,
    version: EbicsVersion,
    certificate: bytes | None,
    now: datetime,
) -> None:
    """Append ``<XPubKeyInfo>`` with the key (a certificate for H005, RSA values for H004)
    followed by its ``<XVersion>``."""
    name = _KEY_ELEMENT[key.version]
    info = _sub(parent, ns, f"{name}PubKeyInfo")
    if version is EbicsVersion.H005:
        _add_certificate(info, key, certificate)
    else:
        _add_key_value(info, key, ns, now)
    _sub(info, ns, f"{name}Version", key.version.value)


def _unsecured_request(
    subscriber: Subscriber, version: EbicsVersion, order_type: str, order_data: bytes
) -> bytes:
    ns = version.namespace
    root = _root("ebicsUnsecuredRequest", version)
    header = _sub(root, ns, "header", authenticate="true")
    static = _sub(header, ns, "static")
    _sub(static, ns, "HostID", subscriber.host_id)
    _add_static_identity(static, ns, subscriber)
    _add_admin_order(static, ns, version, order_type, "DZNNN")
    _sub(static, ns, "SecurityMedium", SECURITY_MEDIUM)
    _sub(header, ns, "mutable")
    data_transfer = _sub(_sub(root, ns, "body"), ns, "DataTransfer")
    # INI and HIA order data is compressed and base64-encoded but, lacking bank keys, not encrypted.
    _sub(data_transfer, ns, "OrderData", _b64(zlib.compress(order_data)))
    return _serialise(root)


def build_signature_pub_key_order_data(
    subscriber: Subscriber,
    signature_key: PublicKey,
    *,
    version: EbicsVersion = EbicsVersion.H005,
    certificate: bytes | None = None,
    now: datetime,
) -> bytes:
    """The INI order data (SignaturePubKeyOrderData, S002 for H005 or S001 for H004).

    H005 needs the DER ``certificate`` of the A006 key; H004 sends modulus and exponent.
    Raises ``InvalidRequest`` when a needed certificate is missing or ``now`` is naive.
    """
    ns = crypto.SIGNATURE_NAMESPACE[version.value]
    root = etree.Element(f"{{{ns}}}SignaturePubKeyOrderData", nsmap={None: ns, "ds": DS})
    _add_key_info(root, ns, key=signature_key, version=version, certificate=certificate, now=now)
    _sub(root, ns, "PartnerID", subscriber.partner_id)
    _sub(root, ns, "UserID", subscriber.user_id)
    return _serialise(root)


def build_ini_request(
    subscriber: Subscriber,
    signature_key: PublicKey,
    *,
    version: EbicsVersion = EbicsVersion.H005,
    certificate: bytes | None = None,
    now: datetime,
) -> bytes:
    """The INI request sending our A006 public key (raises ``InvalidRequest``)."""
    order_data = build_signature_pub_key_order_data(
        subscriber, signature_key, version=version, certificate=certificate, now=now
    )
    return _unsecured_request(subscriber, version, "INI", order_data)


def build_hia_request_order_data(
    subscriber: Subscriber,
    authentication_key: PublicKey,
    encryption_key: PublicKey,
    *,
    version: EbicsVersion = EbicsVersion.H005,
    authentication_certificate: bytes | None = None,
    encryption_certificate: bytes | None = None,
    now: datetime,
) -> bytes:
    """The HIA order data (HIARequestOrderData) with our X002 and E002 public keys.

    Raises ``InvalidRequest`` when H005 certificates are missing or ``now`` is naive.
    """
    ns = version.namespace
    root = etree.Element(f"{{{ns}}}HIARequestOrderData", nsmap={None: ns, "ds": DS})
    _add_key_info(
        root,
        ns,
        key=authentication_key,
        version=version,
        certificate=authentication_certificate,
        now=now,
    )
    _add_key_info(
        root, ns, key=encryption_key, version=version, certificate=encryption_certificate, now=now
    )
    _sub(root, ns, "PartnerID", subscriber.partner_id)
    _sub(root, ns, "UserID", subscriber.user_id)
    return _serialise(root)


def build_hia_request(
    subscriber: Subscriber,
    authentication_key: PublicKey,
    encryption_key: PublicKey,
    *,
    version: EbicsVersion = EbicsVersion.H005,
    authentication_certificate: bytes | None = None,
    encryption_certificate: bytes | None = None,
    now: datetime,
) -> bytes:
    """The HIA request sending our X002 and E002 public keys (raises ``InvalidRequest``)."""
    order_data = build_hia_request_order_data(
        subscriber,
        authentication_key,
        encryption_key,
        version=version,
        authentication_certificate=authentication_certificate,
        encryption_certificate=encryption_certificate,
        now=now,
    )
    return _unsecured_request(subscriber, version, "HIA", order_data)


def build_hcs_request_order_data(
    subscriber: Subscriber,
    *,
    signature_key: PublicKey,
    authentication_key: PublicKey,
    encryption_key: PublicKey,
    version: EbicsVersion = EbicsVersion.H005,
    certificates: tuple[bytes, bytes, bytes] | None = None,
    now: datetime,
) -> bytes:
    """The HCS order data (HCSRequestOrderData) announcing three new subscriber keys.

    Element order as the reference clients send it: X002, E002, then the A006 key in the
    signature namespace (S001/S002), PartnerID, UserID. H005 needs the DER ``certificates``
    (signature, authentication, encryption). Raises ``InvalidRequest`` like INI and HIA.
    """
    ns = version.namespace
    signature_ns = crypto.SIGNATURE_NAMESPACE[version.value]
    root = etree.Element(
        f"{{{ns}}}HCSRequestOrderData", nsmap={None: ns, "ds": DS, "esig": signature_ns}
    )
    signature_cert, authentication_cert, encryption_cert = certificates or (None, None, None)
    _add_key_info(
        root,
        ns,
        key=authentication_key,
        version=version,
        certificate=authentication_cert,
        now=now,
    )
    _add_key_info(
        root, ns, key=encryption_key, version=version, certificate=encryption_cert, now=now
    )
    _add_key_info(
        root, signature_ns, key=signature_key, version=version, certificate=signature_cert, now=now
    )
    _sub(root, ns, "PartnerID", subscriber.partner_id)
    _sub(root, ns, "UserID", subscriber.user_id)
    return _serialise(root)


def build_hpb_request(
    subscriber: Subscriber,
    authentication_key: SubscriberKey,
    stamp: RequestStamp,
    *,
    version: EbicsVersion = EbicsVersion.H005,
) -> bytes:
    """The signed HPB request (ebicsNoPubKeyDigestsRequest) fetching the bank's keys."""
    ns = version.namespace
    root = _root("ebicsNoPubKeyDigestsRequest", version)
    header = _sub(root, ns, "header", authenticate="true")
    static = _sub(header, ns, "static")
    _sub(static, ns, "HostID", subscriber.host_id)
    _sub(static, ns, "Nonce", stamp.nonce)
    _sub(static, ns, "Timestamp", _timestamp(stamp.timestamp))
    _add_static_identity(static, ns, subscriber)
    _add_admin_order(static, ns, version, "HPB", "DZHNN")
    _sub(static, ns, "SecurityMedium", SECURITY_MEDIUM)
    _sub(header, ns, "mutable")
    _sub(root, ns, "body")
    return _signed(root, authentication_key)


def _initialisation_header(
    root: etree._Element,
    version: EbicsVersion,
    subscriber: Subscriber,
    stamp: RequestStamp,
) -> tuple[etree._Element, etree._Element]:
    ns = version.namespace
    header = _sub(root, ns, "header", authenticate="true")
    static = _sub(header, ns, "static")
    _sub(static, ns, "HostID", subscriber.host_id)
    _sub(static, ns, "Nonce", stamp.nonce)
    _sub(static, ns, "Timestamp", _timestamp(stamp.timestamp))
    _add_static_identity(static, ns, subscriber)
    return header, static


def _finish_initialisation_header(
    header: etree._Element,
    static: etree._Element,
    ns: str,
    bank_keys: BankKeys,
    num_segments: int | None = None,
) -> None:
    _add_bank_digests(static, ns, bank_keys)
    _sub(static, ns, "SecurityMedium", SECURITY_MEDIUM)
    if num_segments is not None:
        _sub(static, ns, "NumSegments", str(num_segments))
    _sub(_sub(header, ns, "mutable"), ns, "TransactionPhase", "Initialisation")


def build_download_initialisation(
    subscriber: Subscriber,
    authentication_key: SubscriberKey,
    bank_keys: BankKeys,
    stamp: RequestStamp,
    order: DownloadOrder,
    *,
    version: EbicsVersion = EbicsVersion.H005,
) -> bytes:
    """The signed initialisation of a download (BTD, HTD, HKD, HAA, PTK; H004: C53, STA...).

    Raises ``InvalidRequest`` when a BTD order lacks its service.
    """
    ns = version.namespace
    root = _root("ebicsRequest", version)
    header, static = _initialisation_header(root, version, subscriber, stamp)
    details = _sub(static, ns, "OrderDetails")
    if version is EbicsVersion.H005:
        _sub(details, ns, "AdminOrderType", order.order_type)
        if order.order_type == "BTD":
            if order.service is None:
                raise InvalidRequest("a BTD download needs a service")
            params = _sub(details, ns, "BTDOrderParams")
            _add_service(params, ns, order.service)
            if order.date_range is not None:
                _add_date_range(params, ns, order.date_range)
        else:
            # H005 requires an OrderParams element; admin downloads (HTD, HAA, HKD, HAC,
            # PTK) use StandardOrderParams, with the period when there is one.
            params = _sub(details, ns, "StandardOrderParams")
            if order.date_range is not None:
                _add_date_range(params, ns, order.date_range)
    else:
        _sub(details, ns, "OrderType", order.order_type)
        _sub(details, ns, "OrderAttribute", "DZHNN")
        params = _sub(details, ns, "StandardOrderParams")
        if order.date_range is not None:
            _add_date_range(params, ns, order.date_range)
    _finish_initialisation_header(header, static, ns, bank_keys)
    _sub(root, ns, "body")
    return _signed(root, authentication_key)


def _transaction_header(
    root: etree._Element,
    ns: str,
    host_id: str,
    transaction_id: str,
    phase: str,
) -> etree._Element:
    header = _sub(root, ns, "header", authenticate="true")
    static = _sub(header, ns, "static")
    _sub(static, ns, "HostID", host_id)
    _sub(static, ns, "TransactionID", transaction_id)
    mutable = _sub(header, ns, "mutable")
    _sub(mutable, ns, "TransactionPhase", phase)
    return mutable


def build_download_transfer(
    host_id: str,
    transaction_id: str,
    segment_number: int,
    authentication_key: SubscriberKey,
    *,
    last_segment: bool,
    version: EbicsVersion = EbicsVersion.H005,
) -> bytes:
    """The signed request for download segment ``segment_number`` (2 or more)."""
    ns = version.namespace
    root = _root("ebicsRequest", version)
    mutable = _transaction_header(root, ns, host_id, transaction_id, "Transfer")
    _sub(
        mutable,
        ns,
        "SegmentNumber",
        str(segment_number),
        lastSegment="true" if last_segment else "false",
    )
    _sub(root, ns, "body")
    return _signed(root, authentication_key)


def build_receipt(
    host_id: str,
    transaction_id: str,
    receipt_code: ReceiptCode,
    authentication_key: SubscriberKey,
    *,
    version: EbicsVersion = EbicsVersion.H005,
) -> bytes:
    """The signed receipt closing a download: 0 when the data was stored, 1 otherwise."""
    ns = version.namespace
    root = _root("ebicsRequest", version)
    _transaction_header(root, ns, host_id, transaction_id, "Receipt")
    receipt = _sub(_sub(root, ns, "body"), ns, "TransferReceipt", authenticate="true")
    _sub(receipt, ns, "ReceiptCode", receipt_code.value)
    return _signed(root, authentication_key)


def prepare_upload(
    subscriber: Subscriber,
    *,
    authentication_key: SubscriberKey,
    signature_key: SubscriberKey,
    bank_keys: BankKeys,
    stamp: RequestStamp,
    order: UploadOrder,
    order_data: bytes,
    transaction_key: bytes,
    version: EbicsVersion = EbicsVersion.H005,
    segment_size: int = crypto.MAX_SEGMENT_CIPHERTEXT,
) -> PreparedUpload:
    """Sign and encrypt ``order_data`` and build the signed upload initialisation.

    The A006 signature travels encrypted with the same transaction key as the order data.
    Raises ``InvalidRequest`` when a BTU order lacks its service.
    """
    ns = version.namespace
    encrypted = crypto.encrypt_order_data(
        order_data, bank_keys.encryption, transaction_key, segment_size
    )
    signature_data = crypto.build_user_signature_data(
        order_data,
        signature_key,
        partner_id=subscriber.partner_id,
        user_id=subscriber.user_id,
        version=version.value,
    )
    root = _root("ebicsRequest", version)
    header, static = _initialisation_header(root, version, subscriber, stamp)
    details = _sub(static, ns, "OrderDetails")
    if version is EbicsVersion.H005:
        _sub(details, ns, "AdminOrderType", order.order_type)
        if order.order_type == "BTU":
            if order.service is None:
                raise InvalidRequest("a BTU upload needs a service")
            attributes = {"fileName": order.file_name} if order.file_name else {}
            params = _sub(details, ns, "BTUOrderParams", **attributes)
            _add_service(params, ns, order.service)
            # The order carries our A006 signature: ebics_orders_H005.xsd reads a missing
            # SignatureFlag as "no signature inside, authorise outside EBICS". Without
            # requestEDS the bank must not spool the order into the distributed signature.
            _sub(params, ns, "SignatureFlag")
        else:
            # Admin uploads such as HCS: OrderParams is mandatory in H005.
            _sub(details, ns, "StandardOrderParams")
    else:
        _sub(details, ns, "OrderType", order.order_type)
        _sub(details, ns, "OrderAttribute", "OZHNN")
        _sub(details, ns, "StandardOrderParams")
    _finish_initialisation_header(header, static, ns, bank_keys, encrypted.num_segments)
    data_transfer = _sub(_sub(root, ns, "body"), ns, "DataTransfer")
    encryption_info = _sub(data_transfer, ns, "DataEncryptionInfo", authenticate="true")
    _sub(
        encryption_info,
        ns,
        "EncryptionPubKeyDigest",
        _b64(bank_keys.encryption.digest()),
        Version=KeyVersion.ENCRYPTION.value,
        Algorithm=SHA256,
    )
    _sub(encryption_info, ns, "TransactionKey", _b64(encrypted.encrypted_transaction_key))
    _sub(
        data_transfer,
        ns,
        "SignatureData",
        _b64(crypto.encrypt_with_transaction_key(zlib.compress(signature_data), transaction_key)),
        authenticate="true",
    )
    if version is EbicsVersion.H005:
        _sub(
            data_transfer,
            ns,
            "DataDigest",
            _b64(crypto.order_data_digest(order_data)),
            SignatureVersion=KeyVersion.SIGNATURE.value,
        )
    return PreparedUpload(_signed(root, authentication_key), encrypted)


def build_upload_transfer(
    host_id: str,
    transaction_id: str,
    encrypted: crypto.EncryptedOrderData,
    segment_number: int,
    authentication_key: SubscriberKey,
    *,
    version: EbicsVersion = EbicsVersion.H005,
) -> bytes:
    """The signed transfer of upload segment ``segment_number`` (1-based).

    Raises ``InvalidRequest`` when the segment number is outside the prepared segments.
    """
    if not 1 <= segment_number <= encrypted.num_segments:
        raise InvalidRequest(f"segment {segment_number} is outside 1..{encrypted.num_segments}")
    ns = version.namespace
    root = _root("ebicsRequest", version)
    mutable = _transaction_header(root, ns, host_id, transaction_id, "Transfer")
    _sub(
        mutable,
        ns,
        "SegmentNumber",
        str(segment_number),
        lastSegment="true" if segment_number == encrypted.num_segments else "false",
    )
    data_transfer = _sub(_sub(root, ns, "body"), ns, "DataTransfer")
    _sub(data_transfer, ns, "OrderData", encrypted.segments[segment_number - 1])
    return _signed(root, authentication_key)
