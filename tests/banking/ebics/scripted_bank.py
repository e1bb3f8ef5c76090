"""A small scripted EBICS bank for driving ``EbicsClient`` in tests, built from the pure core.

It plays the bank's side of INI, HIA, HPB, segmented downloads with receipts and segmented
uploads, checks every request's X002 signature and every upload's A006 signature, signs its
answers with its own X002 key, and can be told to misbehave once per request (drop the
request, lose the answer, forget the transaction, answer with an error code, forge its
signature). It is deliberately small and strict; the bank stand-in in ``standins/bank`` is
the full one.
"""

import base64
import itertools
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from banking.ebics import crypto, responses, xmlsig
from banking.ebics.errors import TransportFailed
from banking.ebics.keys import (
    KeyVersion,
    PublicKey,
    SubscriberKey,
    SubscriberKeys,
    self_signed_certificate,
)
from banking.ebics.messages import EbicsVersion

DS = xmlsig.DS
CERTIFICATE_DATE = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Fault:
    """One misbehaviour, used up by the first request of ``phase`` (and ``segment``).

    ``action``: ``drop`` (request never arrives), ``lose_answer`` (processed, answer lost),
    ``forget`` (the transaction vanishes: 091101), ``forge`` (processed, answer signed with a
    key that is not the bank's), or a code such as ``061101`` (technical) or
    ``business:090003``.
    """

    phase: str
    action: str
    segment: int | None = None


@dataclass
class ReceivedUpload:
    """An order the bank accepted, with the result of checking its A006 signature."""

    order_type: str
    service: str | None
    order_data: bytes
    signature_verified: bool


@dataclass
class _Transaction:
    order_type: str
    segments: list[str] = field(default_factory=list)
    num_segments: int = 0
    transaction_key: bytes = b""
    signature: bytes = b""
    service: str | None = None
    received: dict[int, str] = field(default_factory=dict)
    order_id: str = ""


def _local(element: etree._Element) -> str:
    return xmlsig.local_name(element)


def _find(element: etree._Element, path: str) -> etree._Element | None:
    # Any namespace: requests use the version namespace, order data S001/S002.
    return element.find("/".join(f"{{*}}{name}" for name in path.split("/")))


def _text(element: etree._Element, path: str) -> str | None:
    found = _find(element, path)
    return None if found is None or found.text is None else found.text.strip()


def _b64_at(element: etree._Element, path: str) -> bytes:
    return base64.b64decode(_text(element, path) or "")


class ScriptedBank:
    """A ``Transport`` that is also the bank. ``post`` answers like an EBICS server would."""

    def __init__(
        self,
        *,
        version: EbicsVersion,
        bank_keys: SubscriberKeys,
        subscriber_keys: SubscriberKeys,
        host_id: str = "TESTBANK",
        segment_size: int = crypto.MAX_SEGMENT_CIPHERTEXT,
    ) -> None:
        self.version = version
        self.namespace = version.namespace
        self.bank_keys = bank_keys
        self.subscriber_authentication: PublicKey = subscriber_keys.authentication.public
        self.subscriber_encryption: PublicKey = subscriber_keys.encryption.public
        self.subscriber_signature: PublicKey = subscriber_keys.signature.public
        self.host_id = host_id
        self.segment_size = segment_size
        #: Base64 text cut into pieces of this many characters instead of by ciphertext size.
        self.text_split: int | None = None
        self.compress_downloads = True
        self.no_data_in_header = False
        self.forge_with: SubscriberKey | None = None
        #: Signs forged answers: the subscriber's own X002 key, certainly not the bank's.
        self.forger = subscriber_keys.authentication
        self.downloads: dict[str, bytes] = {}
        self.uploads: list[ReceivedUpload] = []
        self.faults: list[Fault] = []
        self.log: list[tuple[str, int | None]] = []
        self.receipts: list[str] = []
        self.received_keys: dict[str, tuple[PublicKey, ...]] = {}
        self.init_requests: list[etree._Element] = []
        self._transactions: dict[str, _Transaction] = {}
        self._ids = itertools.count(1)

    # -- transport ------------------------------------------------------------------------

    def post(self, body: bytes) -> bytes:
        root = xmlsig.parse_document(body)
        phase, segment = self._phase(root)
        self.log.append((phase, segment))
        fault = self._take_fault(phase, segment)
        if fault is not None and fault.action == "drop":
            raise TransportFailed("connection reset by peer", retryable=True)
        if fault is not None and fault.action == "forget":
            transaction_id = _text(root, "header/static/TransactionID")
            self._transactions.pop(transaction_id or "", None)
            return self._error("091101", phase)
        if fault is not None and fault.action == "forge":
            self.forge_with, genuine = self.forger, self.forge_with
            try:
                return self._answer(root, phase, segment)
            finally:
                self.forge_with = genuine
        if fault is not None and fault.action not in {"lose_answer"}:
            if fault.action.startswith("business:"):
                return self._error("000000", phase, business=fault.action.split(":")[1])
            return self._error(fault.action, phase)
        answer = self._answer(root, phase, segment)
        if fault is not None:  # lose_answer: the bank did the work, the caller never hears
            raise TransportFailed("read timed out", retryable=True)
        return answer

    def _take_fault(self, phase: str, segment: int | None) -> Fault | None:
        for fault in self.faults:
            if fault.phase == phase and fault.segment in (None, segment):
                self.faults.remove(fault)
                return fault
        return None

    def _phase(self, root: etree._Element) -> tuple[str, int | None]:
        name = _local(root)
        if name == "ebicsHEVRequest":
            return "HEV", None
        if name in {"ebicsUnsecuredRequest", "ebicsNoPubKeyDigestsRequest"}:
            return self._order_type(root), None
        phase = _text(root, "header/mutable/TransactionPhase") or ""
        segment = _text(root, "header/mutable/SegmentNumber")
        return phase, int(segment) if segment else None

    @staticmethod
    def _order_type(root: etree._Element) -> str:
        details = "header/static/OrderDetails"
        return _text(root, f"{details}/AdminOrderType") or _text(root, f"{details}/OrderType") or ""

    # -- answers --------------------------------------------------------------------------

    def _answer(self, root: etree._Element, phase: str, segment: int | None) -> bytes:
        if phase == "HEV":
            return self._hev()
        if phase in {"INI", "HIA"}:
            return self._key_upload(root, phase)
        if phase == "HPB":
            xmlsig.verify_auth_signature(root, self.subscriber_authentication)
            return self._hpb()
        xmlsig.verify_auth_signature(root, self.subscriber_authentication)
        if phase == "Initialisation":
            self.init_requests.append(root)
            if _find(root, "body/DataTransfer/SignatureData") is not None:
                return self._upload_initialisation(root)
            return self._download_initialisation(root)
        transaction_id = _text(root, "header/static/TransactionID") or ""
        transaction = self._transactions.get(transaction_id)
        if transaction is None:
            return self._error("091101", phase)
        if phase == "Receipt":
            code = _text(root, "body/TransferReceipt/ReceiptCode") or ""
            self.receipts.append(code)
            del self._transactions[transaction_id]
            return self._response(
                transaction_id=transaction_id,
                phase="Receipt",
                code="011000" if code == "0" else "011001",
            )
        if _find(root, "body/DataTransfer/OrderData") is not None:
            return self._upload_segment(root, transaction_id, transaction, segment or 0)
        return self._response(
            transaction_id=transaction_id,
            phase="Transfer",
            segment=(segment or 0, segment == transaction.num_segments),
            order_data=transaction.segments[(segment or 1) - 1],
        )

    def _hev(self) -> bytes:
        ns = "http://www.ebics.org/H000"
        root = etree.Element(f"{{{ns}}}ebicsHEVResponse", nsmap={None: ns})
        code = etree.SubElement(root, f"{{{ns}}}SystemReturnCode")
        etree.SubElement(code, f"{{{ns}}}ReturnCode").text = "000000"
        etree.SubElement(code, f"{{{ns}}}ReportText").text = "[EBICS_OK] OK"
        for protocol, number in (("H004", "02.50"), ("H005", "03.00")):
            element = etree.SubElement(root, f"{{{ns}}}VersionNumber", ProtocolVersion=protocol)
            element.text = number
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))

    def _key_upload(self, root: etree._Element, phase: str) -> bytes:
        order_data = zlib.decompress(_b64_at(root, "body/DataTransfer/OrderData"))
        parse = (
            responses.parse_signature_pub_key_order_data
            if phase == "INI"
            else responses.parse_hia_request_order_data
        )
        self.received_keys[phase] = parse(order_data).keys
        return self._key_management_response()

    def _hpb(self) -> bytes:
        ns = self.namespace
        root = etree.Element(f"{{{ns}}}HPBResponseOrderData", nsmap={None: ns, "ds": DS})
        for element_name, version_name, key in (
            ("AuthenticationPubKeyInfo", "AuthenticationVersion", self.bank_keys.authentication),
            ("EncryptionPubKeyInfo", "EncryptionVersion", self.bank_keys.encryption),
        ):
            info = etree.SubElement(root, f"{{{ns}}}{element_name}")
            if self.version is EbicsVersion.H005:
                certificate = self_signed_certificate(
                    key, common_name=self.host_id, now=CERTIFICATE_DATE
                )
                data = etree.SubElement(info, f"{{{DS}}}X509Data")
                etree.SubElement(data, f"{{{DS}}}X509Certificate").text = _b64(certificate)
            else:
                value = etree.SubElement(info, f"{{{ns}}}PubKeyValue")
                rsa = etree.SubElement(value, f"{{{DS}}}RSAKeyValue")
                etree.SubElement(rsa, f"{{{DS}}}Modulus").text = _b64(key.public.modulus_bytes)
                etree.SubElement(rsa, f"{{{DS}}}Exponent").text = _b64(key.public.exponent_bytes)
            etree.SubElement(info, f"{{{ns}}}{version_name}").text = key.version.value
        etree.SubElement(root, f"{{{ns}}}HostID").text = self.host_id
        order_data = bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
        transaction_key = bytes(range(16))
        encrypted = crypto.encrypt_order_data(
            order_data, self.subscriber_encryption, transaction_key
        )
        return self._key_management_response(
            encrypted_key=encrypted.encrypted_transaction_key, order_data=encrypted.segments[0]
        )

    def _download_key(self, root: etree._Element) -> str:
        order_type = self._order_type(root)
        service = _text(root, "header/static/OrderDetails/BTDOrderParams/Service/ServiceName")
        message = _text(root, "header/static/OrderDetails/BTDOrderParams/Service/MsgName")
        return f"BTD {service} {message}" if order_type == "BTD" else order_type

    def _download_initialisation(self, root: etree._Element) -> bytes:
        data = self.downloads.get(self._download_key(root))
        if data is None:
            if self.no_data_in_header:
                return self._error("090005", "Initialisation")
            return self._error("000000", "Initialisation", business="090005")
        transaction_key = bytes(range(16, 32))
        plain = zlib.compress(data) if self.compress_downloads else data
        cipher_text = crypto.encrypt_with_transaction_key(plain, transaction_key)
        if self.text_split:
            text = _b64(cipher_text)
            segments = [
                text[start : start + self.text_split]
                for start in range(0, len(text), self.text_split)
            ]
        else:
            segments = [
                _b64(cipher_text[start : start + self.segment_size])
                for start in range(0, len(cipher_text), self.segment_size)
            ]
        transaction_id = f"{next(self._ids):032X}"
        transaction = _Transaction(
            order_type=self._order_type(root), segments=segments, num_segments=len(segments)
        )
        self._transactions[transaction_id] = transaction
        return self._response(
            transaction_id=transaction_id,
            num_segments=len(segments),
            phase="Initialisation",
            segment=(1, len(segments) == 1),
            encrypted_key=crypto.encrypt_transaction_key(
                transaction_key, self.subscriber_encryption
            ),
            order_data=segments[0],
        )

    def _upload_initialisation(self, root: etree._Element) -> bytes:
        transaction_key = crypto.decrypt_transaction_key(
            _b64_at(root, "body/DataTransfer/DataEncryptionInfo/TransactionKey"),
            self.bank_keys.encryption,
        )
        signature_data = etree.fromstring(
            crypto.decompress(
                crypto.decrypt_with_transaction_key(
                    _b64_at(root, "body/DataTransfer/SignatureData"),
                    transaction_key,
                )
            )
        )
        transaction_id = f"{next(self._ids):032X}"
        params = "header/static/OrderDetails/BTUOrderParams/Service"
        service = _text(root, f"{params}/ServiceName")
        self._transactions[transaction_id] = _Transaction(
            order_type=self._order_type(root),
            num_segments=int(_text(root, "header/static/NumSegments") or "0"),
            transaction_key=transaction_key,
            signature=base64.b64decode(
                _text(signature_data, "OrderSignatureData/SignatureValue") or ""
            ),
            service=f"{service} {_text(root, f'{params}/MsgName')}" if service else None,
            order_id=f"A{next(self._ids):03d}",
        )
        return self._response(
            transaction_id=transaction_id,
            phase="Initialisation",
            order_id=self._transactions[transaction_id].order_id,
        )

    def _upload_segment(
        self, root: etree._Element, transaction_id: str, transaction: _Transaction, number: int
    ) -> bytes:
        # A resent segment simply replaces the first copy: recovery must not duplicate data.
        transaction.received[number] = _text(root, "body/DataTransfer/OrderData") or ""
        if number == transaction.num_segments:
            segments = [transaction.received[n] for n in range(1, transaction.num_segments + 1)]
            order_data = crypto.decompress(
                crypto.decrypt_with_transaction_key(
                    crypto.join_segments(segments), transaction.transaction_key
                )
            )
            try:
                crypto.verify_order_signature(
                    order_data, transaction.signature, self.subscriber_signature
                )
                verified = True
            except crypto.SignatureInvalid:
                verified = False
            self.uploads.append(
                ReceivedUpload(transaction.order_type, transaction.service, order_data, verified)
            )
            del self._transactions[transaction_id]
        return self._response(
            transaction_id=transaction_id,
            phase="Transfer",
            segment=(number, number == transaction.num_segments),
            order_id=transaction.order_id,
        )

    # -- documents ------------------------------------------------------------------------

    def _error(self, code: str, phase: str, *, business: str = "000000") -> bytes:
        if phase in {"INI", "HIA", "HPB"}:
            return self._key_management_response(code=code, business=business)
        return self._response(phase=phase, code=code, business=business)

    def _key_management_response(
        self,
        *,
        code: str = "000000",
        business: str = "000000",
        encrypted_key: bytes | None = None,
        order_data: str | None = None,
    ) -> bytes:
        ns = self.namespace
        root = etree.Element(
            f"{{{ns}}}ebicsKeyManagementResponse",
            nsmap={None: ns, "ds": DS},
            Version=self.version.value,
            Revision="1",
        )
        header = etree.SubElement(root, f"{{{ns}}}header", authenticate="true")
        etree.SubElement(header, f"{{{ns}}}static")
        mutable = etree.SubElement(header, f"{{{ns}}}mutable")
        etree.SubElement(mutable, f"{{{ns}}}ReturnCode").text = code
        etree.SubElement(mutable, f"{{{ns}}}ReportText").text = f"[{code}]"
        body = etree.SubElement(root, f"{{{ns}}}body")
        if encrypted_key is not None and order_data is not None:
            self._add_order_data(body, encrypted_key, order_data)
        etree.SubElement(body, f"{{{ns}}}ReturnCode", authenticate="true").text = business
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))

    def _add_order_data(self, body: etree._Element, encrypted_key: bytes, order_data: str) -> None:
        ns = self.namespace
        transfer = etree.SubElement(body, f"{{{ns}}}DataTransfer")
        info = etree.SubElement(transfer, f"{{{ns}}}DataEncryptionInfo", authenticate="true")
        etree.SubElement(
            info,
            f"{{{ns}}}EncryptionPubKeyDigest",
            Version=KeyVersion.ENCRYPTION.value,
            Algorithm=xmlsig.SHA256,
        ).text = _b64(self.subscriber_encryption.digest())
        etree.SubElement(info, f"{{{ns}}}TransactionKey").text = _b64(encrypted_key)
        etree.SubElement(transfer, f"{{{ns}}}OrderData").text = order_data

    def _response(
        self,
        *,
        phase: str,
        code: str = "000000",
        business: str = "000000",
        transaction_id: str | None = None,
        num_segments: int | None = None,
        segment: tuple[int, bool] | None = None,
        order_id: str | None = None,
        encrypted_key: bytes | None = None,
        order_data: str | None = None,
    ) -> bytes:
        ns = self.namespace
        root = etree.Element(
            f"{{{ns}}}ebicsResponse",
            nsmap={None: ns, "ds": DS},
            Version=self.version.value,
            Revision="1",
        )
        header = etree.SubElement(root, f"{{{ns}}}header", authenticate="true")
        static = etree.SubElement(header, f"{{{ns}}}static")
        if transaction_id:
            etree.SubElement(static, f"{{{ns}}}TransactionID").text = transaction_id
        if num_segments is not None:
            etree.SubElement(static, f"{{{ns}}}NumSegments").text = str(num_segments)
        mutable = etree.SubElement(header, f"{{{ns}}}mutable")
        etree.SubElement(mutable, f"{{{ns}}}TransactionPhase").text = phase
        if segment is not None:
            etree.SubElement(
                mutable, f"{{{ns}}}SegmentNumber", lastSegment="true" if segment[1] else "false"
            ).text = str(segment[0])
        if order_id:
            etree.SubElement(mutable, f"{{{ns}}}OrderID").text = order_id
        etree.SubElement(mutable, f"{{{ns}}}ReturnCode").text = code
        etree.SubElement(mutable, f"{{{ns}}}ReportText").text = f"[{code}]"
        root.append(xmlsig.auth_signature_skeleton(ns))
        body = etree.SubElement(root, f"{{{ns}}}body")
        if order_data is not None:
            if encrypted_key is not None:
                self._add_order_data(body, encrypted_key, order_data)
            else:
                transfer = etree.SubElement(body, f"{{{ns}}}DataTransfer")
                etree.SubElement(transfer, f"{{{ns}}}OrderData").text = order_data
        etree.SubElement(body, f"{{{ns}}}ReturnCode", authenticate="true").text = business
        xmlsig.add_auth_signature(root, self.forge_with or self.bank_keys.authentication)
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
