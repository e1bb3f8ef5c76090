"""The bank's EBICS protocol: one XML request in, one XML answer (or a dropped connection) out.

Requests are handled one at a time (a lock around the store transaction): this bank serves
development and tests, and serialising keeps transaction and nonce handling simple and exact.
Every request is logged in one line with its order type, phase and codes, never its data.
"""

import base64
import logging
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from banking.ebics import crypto, xmlsig
from banking.ebics.errors import EbicsError
from banking.ebics.keys import MINIMUM_KEY_SIZE, PublicKey, certificate_digest
from banking.ebics.responses import (
    parse_hia_request_order_data,
    parse_signature_pub_key_order_data,
)
from standins.bank import (
    downloads,
    envelopes,
    order_data,
    order_types,
    replay,
    subscribers,
    switches,
    transactions,
    uploads,
)
from standins.bank.bank_keys import BankIdentity
from standins.bank.context import Context, Reply
from standins.bank.envelopes import Codes, EncryptedData
from standins.bank.errors import CodeKind, EbicsFault, business, technical
from standins.bank.incoming import Request, b64decode, child, local, read_request, text
from standins.bank.ledger_port import LedgerPort
from standins.bank.store import Store
from standins.bank.subscribers import State, Subscriber, SubscriberId

logger = logging.getLogger("standins.bank")

INVALID_USER_OR_USER_STATE = "091002"
INVALID_HOST_ID = "091011"
AUTHENTICATION_FAILED = "061001"
BANK_PUBKEY_UPDATE_REQUIRED = "091008"
INVALID_XML = "091010"
INVALID_ORDER_DATA_FORMAT = "090004"
INVALID_REQUEST_CONTENT = "091113"
INTERNAL_ERROR = "061099"
KEYLENGTH_ERROR = {"A006": "091204", "X002": "091205", "E002": "091206"}
UNSUPPORTED_KEY_VERSION = {"A006": "091201", "X002": "091202", "E002": "091203"}


@dataclass(frozen=True)
class Answer:
    """The bytes to send back, or None to close the connection without an answer."""

    body: bytes | None
    summary: str
    # Seconds to hold the answer back (the stall switch), outside the bank's lock.
    stall: float = 0.0


class Bank:
    """The EBICS server of the local bank."""

    def __init__(
        self,
        store: Store,
        ledger: LedgerPort,
        identity: BankIdentity,
        clock: Callable[[], datetime],
        *,
        host_id: str = subscribers.BANK_HOST_ID,
    ) -> None:
        self.store = store
        self.ledger = ledger
        self.identity = identity
        self.clock = clock
        self.host_id = host_id
        self._lock = threading.Lock()

    def handle(self, xml: bytes) -> Answer:
        """Answer one POSTed EBICS document. Never raises for a bad request: it answers it."""
        try:
            root = xmlsig.parse_document(xml)
        except xmlsig.MalformedDocument:
            return self._log(Answer(self._invalid("H005"), "malformed XML -> 091010"))
        if local(root) == "ebicsHEVRequest":
            return self._log(Answer(envelopes.hev_response(), "HEV -> 000000"))
        try:
            request = read_request(root)
        except EbicsFault:
            return self._log(Answer(self._invalid("H005"), f"{local(root)} -> 091010"))
        try:
            with self._lock, self.store.connect() as db:
                context = Context(
                    db=db,
                    ledger=self.ledger,
                    identity=self.identity,
                    now=self.clock(),
                    settings=switches.read_settings(db),
                    host_id=self.host_id,
                )
                return self._log(self._dispatch(context, request))
        except Exception:
            # A defect in the bank (or its ledger) must still give the client an EBICS answer;
            # the store transaction was rolled back, so the request can be sent again.
            logger.exception(
                "EBICS %s %s failed inside the bank", request.version, request.order_type
            )
            xml = envelopes.ebics_response(
                request.version,
                Codes(technical=INTERNAL_ERROR),
                bank_key=self.identity.authentication.key,
                phase=request.phase or "Initialisation",
                transaction_id=request.transaction_id,
            )
            return self._log(Answer(xml, f"{request.version} internal error -> {INTERNAL_ERROR}"))

    def _invalid(self, version: str) -> bytes:
        return envelopes.invalid_xml_response(version, self.identity.authentication.key)

    def _log(self, answer: Answer) -> Answer:
        logger.info("EBICS %s%s", answer.summary, "" if answer.body is not None else " (dropped)")
        return answer

    def _dispatch(self, context: Context, request: Request) -> Answer:
        label = f"{request.version} {request.order_type or '-'}"
        if request.message in {"ebicsUnsecuredRequest", "ebicsNoPubKeyDigestsRequest"}:
            try:
                order_id, data = self._key_management(context, request)
                codes = Codes()
            except EbicsFault as fault:
                order_id, data = None, None
                codes = _codes_of(fault)
            xml = envelopes.key_management_response(
                request.version,
                codes,
                order_id=order_id,
                data=data,
                bank_parameters_at=context.bank_parameters_at if data else None,
            )
            summary = f"{label} -> {codes.technical}/{codes.business}"
            if switches.take_drop(context.db, request.order_type or "-", "Initialisation", None):
                return Answer(None, summary)
            return Answer(xml, summary)
        if request.message != "ebicsRequest":
            return Answer(self._invalid(request.version), f"{request.message} -> 091010")
        phase = request.phase or "Initialisation"
        try:
            reply, order_type = self._ebics_request(context, request, phase)
        except EbicsFault as fault:
            reply = Reply(
                phase=phase, codes=_codes_of(fault), transaction_id=request.transaction_id
            )
            order_type = request.order_type or _stored_order_type(context, request)
            logger.debug("EBICS refused: %s", fault.detail or fault.code)
        xml = envelopes.ebics_response(
            request.version,
            reply.codes,
            bank_key=context.identity.authentication.key,
            phase=reply.phase,
            transaction_id=reply.transaction_id,
            num_segments=reply.num_segments,
            segment=reply.segment,
            order_id=reply.order_id,
            data=reply.data,
            bank_parameters_at=context.bank_parameters_at,
        )
        segment = request.segment_number or (1 if phase == "Initialisation" else None)
        summary = (
            f"{request.version} {order_type} {phase.lower()}"
            f"{f' segment {segment}' if segment else ''}"
            f" -> {reply.codes.technical}/{reply.codes.business}"
        )
        if switches.take_drop(context.db, order_type, phase, segment):
            return Answer(None, summary)
        return Answer(
            xml, summary, stall=switches.take_stall(context.db, order_type, phase, segment)
        )

    # Key management: INI, HIA (unsecured) and HPB (signed, no bank key digests yet).

    def _key_management(
        self, context: Context, request: Request
    ) -> tuple[str | None, EncryptedData | None]:
        if request.host_id != context.host_id:
            raise technical(INVALID_HOST_ID, f"host {request.host_id}")
        subscriber_id = SubscriberId(
            context.host_id, request.partner_id or "", request.user_id or ""
        )
        order_type = request.order_type or ""
        forced = switches.take_forced_code(context.db, order_type)
        if forced is not None:
            raise EbicsFault(forced.code, forced.kind, "forced by the failure switch")
        if request.message == "ebicsNoPubKeyDigestsRequest":
            if order_type != "HPB":
                raise technical(order_types.INVALID_ORDER_TYPE, f"{order_type} without digests")
            return None, self._hpb(context, request, subscriber_id)
        if order_type not in {"INI", "HIA"}:
            raise technical(order_types.INVALID_ORDER_TYPE, f"{order_type} unsecured")
        subscriber = self._enrol(context, subscriber_id)
        plain = _unsecured_order_data(request)
        if order_type == "INI":
            self._ini(context, request, subscriber, plain)
        else:
            self._hia(context, request, subscriber, plain)
        return transactions.next_order_id(context.db), None

    def _enrol(self, context: Context, subscriber_id: SubscriberId) -> Subscriber:
        found = subscribers.find(context.db, subscriber_id)
        if found is not None:
            return found
        if not context.settings.open_enrolment or not subscriber_id.partner_id:
            raise technical(INVALID_USER_OR_USER_STATE, f"unknown subscriber {subscriber_id}")
        holder = subscribers.SEED_PARTNERS.get(subscriber_id.partner_id, subscriber_id.partner_id)
        context.ledger.ensure_partner(subscriber_id.partner_id, holder)
        return subscribers.create(
            context.db, subscriber_id, name=subscriber_id.user_id, now=context.now
        )

    def _next_state(self, context: Context, after: State) -> State:
        if after is State.INITIALISED and context.settings.auto_activate:
            return State.READY
        return after

    def _ini(
        self, context: Context, request: Request, subscriber: Subscriber, plain: bytes
    ) -> None:
        transitions = {State.NEW: State.INI_RECEIVED, State.HIA_RECEIVED: State.INITIALISED}
        if subscriber.state not in transitions:
            raise technical(INVALID_USER_OR_USER_STATE, f"INI in state {subscriber.state}")
        try:
            received = parse_signature_pub_key_order_data(plain)
        except EbicsError as error:
            raise business(INVALID_ORDER_DATA_FORMAT, str(error)) from error
        _check_owner(request, received.partner_id, received.user_id)
        _check_versions(plain, {"SignatureVersion": "A006"})
        (key,) = received.keys
        _check_length(key)
        subscribers.store_signature_key(
            context.db,
            subscriber.id,
            key,
            protocol_version=request.version,
            state=self._next_state(context, transitions[subscriber.state]),
            now=context.now,
            certificate_hashes=_certificate_hashes(plain, {"SignaturePubKeyInfo": "A006"}),
        )

    def _hia(
        self, context: Context, request: Request, subscriber: Subscriber, plain: bytes
    ) -> None:
        transitions = {State.NEW: State.HIA_RECEIVED, State.INI_RECEIVED: State.INITIALISED}
        if subscriber.state not in transitions:
            raise technical(INVALID_USER_OR_USER_STATE, f"HIA in state {subscriber.state}")
        try:
            received = parse_hia_request_order_data(plain)
        except EbicsError as error:
            raise business(INVALID_ORDER_DATA_FORMAT, str(error)) from error
        _check_owner(request, received.partner_id, received.user_id)
        _check_versions(plain, {"AuthenticationVersion": "X002", "EncryptionVersion": "E002"})
        authentication, encryption = received.keys
        _check_length(authentication)
        _check_length(encryption)
        subscribers.store_hia_keys(
            context.db,
            subscriber.id,
            authentication,
            encryption,
            protocol_version=request.version,
            state=self._next_state(context, transitions[subscriber.state]),
            now=context.now,
            certificate_hashes=_certificate_hashes(
                plain, {"AuthenticationPubKeyInfo": "X002", "EncryptionPubKeyInfo": "E002"}
            ),
        )

    def _ready_subscriber(self, context: Context, subscriber_id: SubscriberId) -> Subscriber:
        subscriber = subscribers.find(context.db, subscriber_id)
        if (
            subscriber is None
            or subscriber.state is not State.READY
            or subscriber.authentication_key is None
        ):
            raise technical(INVALID_USER_OR_USER_STATE, f"{subscriber_id} is not ready")
        return subscriber

    def _authenticate(self, request: Request, subscriber: Subscriber) -> None:
        assert subscriber.authentication_key is not None  # noqa: S101 - ready subscribers have it
        try:
            xmlsig.verify_auth_signature(request.root, subscriber.authentication_key)
        except EbicsError as error:
            raise technical(AUTHENTICATION_FAILED, str(error)) from error

    def _hpb(
        self, context: Context, request: Request, subscriber_id: SubscriberId
    ) -> EncryptedData:
        subscriber = self._ready_subscriber(context, subscriber_id)
        self._authenticate(request, subscriber)
        replay.check_and_remember(context.db, request.nonce, request.timestamp, context.now)
        assert subscriber.encryption_key is not None  # noqa: S101 - ready subscribers have it
        plain = order_data.hpb(request.version, context.identity, context.host_id, context.now)
        encrypted = crypto.encrypt_order_data(
            plain, subscriber.encryption_key, crypto.new_transaction_key()
        )
        # HPB order data is a few kilobytes: always one segment.
        return EncryptedData(
            base64.b64encode(crypto.join_segments(encrypted.segments)).decode("ascii"),
            encrypted.encrypted_transaction_key,
            subscriber.encryption_key.digest(),
        )

    # ebicsRequest: initialisation, transfer and receipt of downloads and uploads.

    def _ebics_request(self, context: Context, request: Request, phase: str) -> tuple[Reply, str]:
        if request.host_id != context.host_id:
            raise technical(INVALID_HOST_ID, f"host {request.host_id}")
        if phase == "Initialisation":
            subscriber_id = SubscriberId(
                context.host_id, request.partner_id or "", request.user_id or ""
            )
            subscriber = self._ready_subscriber(context, subscriber_id)
            self._authenticate(request, subscriber)
            replay.check_and_remember(context.db, request.nonce, request.timestamp, context.now)
            order_type = request.order_type or ""
            return self._initialise(context, request, subscriber, order_type), order_type
        transaction = transactions.load(context.db, request.transaction_id or "", context.now)
        subscriber = self._ready_subscriber(context, transaction.subscriber)
        self._authenticate(request, subscriber)
        if phase == "Transfer":
            if transaction.direction is transactions.Direction.DOWNLOAD:
                reply = downloads.transfer(context, transaction, request.segment_number)
            else:
                reply = uploads.transfer(context, request, transaction)
            return reply, transaction.order_type
        if phase == "Receipt" and transaction.direction is transactions.Direction.DOWNLOAD:
            code = text(request.body, "TransferReceipt", "ReceiptCode")
            return downloads.receipt(context, transaction, code), transaction.order_type
        raise technical(INVALID_REQUEST_CONTENT, f"phase {phase} for {transaction.direction}")

    def _initialise(
        self, context: Context, request: Request, subscriber: Subscriber, order_type: str
    ) -> Reply:
        order_types.check_defined(request.version, order_type)
        self._check_bank_digests(context, request)
        forced = switches.take_forced_code(context.db, order_type)
        if forced is not None:
            raise EbicsFault(forced.code, forced.kind, "forced by the failure switch")
        if downloads.is_download(request.version, order_type):
            return downloads.initialise(context, request, subscriber, order_type)
        if uploads.is_upload(request.version, order_type):
            return uploads.initialise(context, request, subscriber, order_type)
        raise order_types.unsupported(order_type)

    def _check_bank_digests(self, context: Context, request: Request) -> None:
        digests = child(request.static, "BankPubKeyDigests")
        for name, key in (
            ("Authentication", context.identity.authentication),
            ("Encryption", context.identity.encryption),
        ):
            stated = b64decode(text(digests, name), f"BankPubKeyDigests/{name}")
            # H005 banks may compare certificate hashes; this one accepts either form.
            accepted = {key.public.digest(), certificate_digest(key.certificate)}
            if stated not in accepted:
                raise technical(BANK_PUBKEY_UPDATE_REQUIRED, f"{name} digest does not match")


def _stored_order_type(context: Context, request: Request) -> str:
    """The order type of the request's transaction, for the log line of a refused request."""
    try:
        return transactions.load(context.db, request.transaction_id or "", context.now).order_type
    except EbicsFault:
        return "-"


def _codes_of(fault: EbicsFault) -> Codes:
    if fault.kind is CodeKind.BUSINESS:
        return Codes(business=fault.code)
    return Codes(technical=fault.code)


def _unsecured_order_data(request: Request) -> bytes:
    data = b64decode(text(request.body, "DataTransfer", "OrderData"), "OrderData")
    try:
        return zlib.decompress(data)
    except zlib.error as error:
        raise business(INVALID_ORDER_DATA_FORMAT, "order data is not zlib-compressed") from error


def _check_owner(request: Request, partner_id: str, user_id: str) -> None:
    if (partner_id, user_id) != (request.partner_id, request.user_id):
        raise business(INVALID_ORDER_DATA_FORMAT, "order data names another subscriber")


def _check_versions(plain: bytes, expected: dict[str, str]) -> None:
    root = xmlsig.parse_document(plain)
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname in expected:
            name = etree.QName(element).localname
            version = (element.text or "").strip()
            if version != expected[name]:
                raise business(UNSUPPORTED_KEY_VERSION[expected[name]], f"{name} {version}")


def _certificate_hashes(plain: bytes, infos: dict[str, str]) -> dict[str, str]:
    """SHA-256 of each key's certificate in INI/HIA order data (none for H004 RSA values)."""
    root = xmlsig.parse_document(plain)
    hashes = {}
    for info, version in infos.items():
        certificate = text(child(root, info), "X509Data", "X509Certificate")
        if certificate:
            hashes[version] = certificate_digest(b64decode(certificate, info)).hex().upper()
    return hashes


def _check_length(key: PublicKey) -> None:
    if key.key.key_size < MINIMUM_KEY_SIZE:
        raise business(KEYLENGTH_ERROR[key.version.value], f"{key.key.key_size}-bit key")
