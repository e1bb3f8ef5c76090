"""Drives whole EBICS orders: key management, segmented downloads and uploads, recovery.

The client chains the pure builders of ``messages`` and the parsers of ``responses``: every
answer is authenticated with the bank's X002 key (once known), both return codes are checked,
segments are joined and decrypted, receipts are sent. It stays pure: the transport (HTTP lives
in ``banking.ebics_http``), the clock and the random source are injected.

Recovery in one paragraph: a request whose transport fails with a retryable error, or whose
answer is a retryable code, is sent again (with a fresh nonce and timestamp where the message
has them) up to ``max_recovery_attempts`` times. A download whose transaction the bank lost
starts over once; nothing reaches the caller before the last segment arrived, so a retry
never duplicates data. An upload whose last segment got no answer raises
``UploadOutcomeUnknown``: the bank may or may not have the order, and resending blindly could
pay twice.
"""

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from banking.ebics import crypto, messages, responses, xmlsig
from banking.ebics.errors import EbicsError, TransportFailed
from banking.ebics.keys import BankKeys, SubscriberKeys
from banking.ebics.messages import (
    DateRange,
    DownloadOrder,
    EbicsVersion,
    ReceiptCode,
    RequestStamp,
    Subscriber,
    UploadOrder,
)
from banking.ebics.orders import payment_upload_order, statement_download_order
from banking.ebics.randomness import RandomBytes, system_random_bytes
from banking.ebics.responses import (
    BankParameters,
    EbicsResponse,
    HevResponse,
    HkdOrderData,
    HtdOrderData,
    UnexpectedResponse,
)
from banking.ebics.return_codes import OK_CODE, Kind, Outcome, ReturnCode, describe

__all__ = [
    "BankKeysMissing",
    "Connection",
    "EbicsClient",
    "OrderFailed",
    "ResponseNotAuthentic",
    "SubscriberKeys",
    "Transport",
    "TransportFailed",
    "UploadOutcomeUnknown",
    "UploadReceipt",
    "payment_upload_order",
    "statement_download_order",
]

NO_DOWNLOAD_DATA = "090005"
# The bank no longer knows the transaction (unknown ID, aborted, or it cannot resume one):
# the only way forward is a new transaction.
TRANSACTION_GONE = frozenset({"091101", "091102", "091105"})
# Retryable in general, but not at once: too many open transactions only clears with time.
NOT_NOW = frozenset({"091119"})
# An internal error answering the last upload segment leaves open whether the order was kept.
OUTCOME_UNKNOWN_CODES = frozenset({"061099"})

T = TypeVar("T")


class Transport(Protocol):
    """Delivers one EBICS request and returns the bank's answer.

    Raises ``TransportFailed`` (with ``retryable``) when the request or its answer is lost.
    """

    def post(self, body: bytes) -> bytes: ...


class OrderFailed(EbicsError):
    """The bank answered with a return code that is neither success nor a warning.

    ``code`` is the six-digit code, ``kind`` ``"technical"`` (header) or ``"business"`` (body),
    ``description`` the ``return_codes`` entry with message, advice and outcome, and
    ``report_text`` what the bank wrote next to the code.
    """

    def __init__(self, description: ReturnCode, report_text: str = "") -> None:
        self.code = description.code
        self.kind = description.kind.value
        self.description = description
        self.report_text = report_text
        advice = f" {description.advice}" if description.advice else ""
        super().__init__(
            f"EBICS {self.kind} code {self.code} ({description.symbol}): "
            f"{description.message}{advice}"
        )

    @property
    def retryable(self) -> bool:
        """Whether the same order may succeed when tried again later."""
        return self.description.outcome is Outcome.RETRYABLE


class UploadOutcomeUnknown(EbicsError):
    """The last upload segment was sent but its answer was lost or could not be trusted.

    The bank may have accepted the order. Do NOT resend it blindly: check the customer
    protocol (``EbicsClient.protocol``: PTK/HAC) for the order first.
    """

    def __init__(self, message: str, *, transaction_id: str, order_id: str) -> None:
        super().__init__(message)
        self.transaction_id = transaction_id
        self.order_id = order_id


class ResponseNotAuthentic(EbicsError):
    """A response's AuthSignature is missing or does not verify with the bank's X002 key.

    Nothing in such a response is used: it may not come from the bank.
    """


class BankKeysMissing(EbicsError):
    """The order needs the bank's public keys, which have not been fetched (HPB) yet."""


@dataclass(frozen=True)
class Connection:
    """Everything needed to talk to one bank as one subscriber.

    ``certificates`` (signature, authentication, encryption; DER) are required for H005
    INI/HIA and must be the ones the initialisation letter shows. ``bank_keys`` is None until
    HPB was downloaded and its hashes confirmed against the bank's letter.
    """

    subscriber: Subscriber
    version: EbicsVersion
    keys: SubscriberKeys
    bank_keys: BankKeys | None = None
    certificates: tuple[bytes, bytes, bytes] | None = None


@dataclass(frozen=True)
class UploadReceipt:
    """What the bank answered to a completed upload."""

    order_id: str
    transaction_id: str


class _TransactionLost(EbicsError):
    """Internal: the bank dropped the transaction; the order may start over once."""

    def __init__(self, failure: OrderFailed) -> None:
        super().__init__(str(failure))
        self.failure = failure


def _check_codes(response: EbicsResponse, *, allow_no_data: bool = False) -> bool:
    """Raise ``OrderFailed`` unless both codes are success or warnings.

    Returns False when the bank says it has no data (090005, accepted in either place
    because banks differ in where they put it) and ``allow_no_data`` is set.
    """
    technical = describe(response.technical_code, Kind.TECHNICAL)
    if allow_no_data and response.technical_code == NO_DOWNLOAD_DATA:
        return False
    if not technical.is_ok:
        raise OrderFailed(technical, response.report_text)
    if allow_no_data and response.business_code == NO_DOWNLOAD_DATA:
        return False
    if response.business_code is not None:
        business = describe(response.business_code, Kind.BUSINESS)
        if not business.is_ok or business.code == NO_DOWNLOAD_DATA:
            raise OrderFailed(business, response.report_text)
    return True


class EbicsClient:
    """One subscriber's EBICS conversation with one bank (not thread-safe; cheap to create).

    ``clock`` must return aware datetimes; ``random_bytes`` feeds nonces and transaction keys.
    Every public method raises ``TransportFailed`` when the bank cannot be reached (after
    recovery), ``OrderFailed`` for a refusing return code, ``ResponseNotAuthentic`` for an
    answer failing the X002 check, ``responses.UnexpectedResponse`` for an answer that is not
    the expected EBICS document, and ``BankKeysMissing`` when an order needs HPB first.
    """

    def __init__(
        self,
        connection: Connection,
        transport: Transport,
        *,
        clock: Callable[[], datetime],
        random_bytes: RandomBytes = system_random_bytes,
        max_recovery_attempts: int = 3,
        upload_segment_size: int = crypto.MAX_SEGMENT_CIPHERTEXT,
    ) -> None:
        self._connection = connection
        self._transport = transport
        self._clock = clock
        self._random_bytes = random_bytes
        self._max_recovery_attempts = max(0, max_recovery_attempts)
        # Bytes of ciphertext per upload segment: the standard's 1 MiB (of base64) by default;
        # smaller segments keep each request short on links that cut long ones.
        self._upload_segment_size = crypto.check_segment_size(upload_segment_size)

    @property
    def connection(self) -> Connection:
        """The connection this client speaks for."""
        return self._connection

    # -- key management -------------------------------------------------------------------

    def versions(self) -> HevResponse:
        """Ask the host which EBICS versions it supports (HEV; raises ``OrderFailed``)."""
        raw = self._transport.post(messages.build_hev_request(self._connection.subscriber.host_id))
        answer = responses.parse_hev_response(raw)
        if answer.return_code != OK_CODE:
            raise OrderFailed(describe(answer.return_code, Kind.TECHNICAL), answer.report_text)
        return answer

    def send_ini(self) -> None:
        """Send our A006 public key (INI). Not retried: a second INI is refused once one arrived.

        H005 needs ``Connection.certificates`` (``messages.InvalidRequest`` otherwise).
        """
        certificates = self._connection.certificates
        request = messages.build_ini_request(
            self._connection.subscriber,
            self._connection.keys.signature.public,
            version=self._connection.version,
            certificate=certificates[0] if certificates else None,
            now=self._now(),
        )
        _check_codes(self._exchange(request, key_management=True))

    def send_hia(self) -> None:
        """Send our X002 and E002 public keys (HIA); not retried, like INI."""
        certificates = self._connection.certificates
        keys = self._connection.keys
        request = messages.build_hia_request(
            self._connection.subscriber,
            keys.authentication.public,
            keys.encryption.public,
            version=self._connection.version,
            authentication_certificate=certificates[1] if certificates else None,
            encryption_certificate=certificates[2] if certificates else None,
            now=self._now(),
        )
        _check_codes(self._exchange(request, key_management=True))

    def download_bank_keys(self) -> BankParameters:
        """Fetch the bank's X002 and E002 keys (HPB).

        The answer is not authenticated (we do not trust any bank key yet): the caller must
        compare the keys' hashes with the bank's letter before storing them.
        """

        def fetch() -> EbicsResponse:
            request = messages.build_hpb_request(
                self._connection.subscriber,
                self._connection.keys.authentication,
                self._stamp(),
                version=self._connection.version,
            )
            response = self._exchange(request, key_management=True)
            _check_codes(response)
            return response

        response = self._with_recovery(fetch)
        order_data = responses.decrypt_response_order_data(
            [response], self._connection.keys.encryption
        )
        return responses.parse_hpb_order_data(order_data)

    def change_keys(
        self,
        new_keys: SubscriberKeys,
        *,
        new_certificates: tuple[bytes, bytes, bytes] | None = None,
    ) -> None:
        """Replace all three subscriber keys at the bank (HCS), signed with the current A006 key.

        H005 needs ``new_certificates`` (signature, authentication, encryption). The bank
        confirms with OK codes on the last segment; from then on it only accepts the new keys
        (no letter: the current, activated A006 key signs the order). The caller must then
        store the new keys and build a new ``Connection``; the bank keys stay the same. An
        ``UploadOutcomeUnknown`` here means: try a harmless order (HTD) with the new keys and
        then the old ones to learn which set is active.
        """
        order_data = messages.build_hcs_request_order_data(
            self._connection.subscriber,
            signature_key=new_keys.signature.public,
            authentication_key=new_keys.authentication.public,
            encryption_key=new_keys.encryption.public,
            version=self._connection.version,
            certificates=new_certificates,
            now=self._now(),
        )
        self.upload(UploadOrder("HCS"), order_data)

    # -- administrative downloads ---------------------------------------------------------

    def subscriber_details(self) -> HtdOrderData:
        """The partner's accounts and this user's permissions (HTD)."""
        return responses.parse_htd_order_data(self._download_required(DownloadOrder("HTD")))

    def customer_details(self) -> HkdOrderData:
        """The partner's accounts and all of its users (HKD)."""
        return responses.parse_hkd_order_data(self._download_required(DownloadOrder("HKD")))

    def available_orders(self) -> tuple[str, ...]:
        """Order types (H004) or services (H005) with data waiting for download (HAA)."""
        return responses.parse_haa_order_data(self._download_required(DownloadOrder("HAA")))

    def protocol(self, date_range: DateRange | None) -> bytes:
        """The customer protocol: PTK text on H004, HAC XML (pain.002 style) on H005.

        Returns ``b""`` when the bank has no protocol entries for the period.
        """
        order_type = "HAC" if self._connection.version is EbicsVersion.H005 else "PTK"
        return self.download(DownloadOrder(order_type, date_range=date_range)) or b""

    # -- business downloads and uploads ---------------------------------------------------

    def download(self, order: DownloadOrder) -> bytes | None:
        """Download ``order``: all segments joined, decrypted and decompressed; receipt sent.

        Returns None when the bank has no data (090005). Raises ``crypto.DecryptionFailed``
        (after a negative receipt) when the data cannot be decoded.
        """
        sink = io.BytesIO()
        if not self.download_to(order, sink):
            return None
        return sink.getvalue()

    def download_to(self, order: DownloadOrder, sink: crypto.ByteSink) -> bool:
        """Like ``download`` but streams the plaintext into ``sink``; False when no data.

        Memory holds the joined ciphertext once and the plaintext only a chunk at a time.
        Data is written only after the last segment arrived, and before the receipt is sent
        (the receipt confirms we stored it). If this raises after writing began (decoding or
        receipt failed), discard what ``sink`` received: the bank will offer the data again.
        """
        bank_keys = self._require_bank_keys()
        try:
            return self._download_once(order, sink, bank_keys)
        except _TransactionLost:
            # One clean restart: the first attempt handed nothing to the sink.
            try:
                return self._download_once(order, sink, bank_keys)
            except _TransactionLost as lost:
                raise lost.failure from lost

    def upload(
        self,
        order: UploadOrder,
        order_data: bytes,
        *,
        before_last_segment: Callable[[str], None] | None = None,
    ) -> UploadReceipt:
        """Sign (A006), encrypt and send ``order_data`` as ``order``, segment by segment.

        Lost segments 1..n-1 are resent within the transaction; a lost answer to the last
        segment raises ``UploadOutcomeUnknown``. If the bank drops the transaction before the
        last segment, the upload starts over once (the bank cannot hold the order then).
        ``before_last_segment`` is called with the bank's order ID just before the last segment
        goes out: until then the bank cannot have the order, from then on only its customer
        protocol (``protocol``) can tell, so a caller that records this survives its own crash.
        """
        bank_keys = self._require_bank_keys()
        try:
            return self._upload_once(order, order_data, bank_keys, before_last_segment)
        except _TransactionLost:
            try:
                return self._upload_once(order, order_data, bank_keys, before_last_segment)
            except _TransactionLost as lost:
                raise lost.failure from lost

    # -- internals ------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self._clock()

    def _stamp(self) -> RequestStamp:
        return messages.new_request_stamp(self._now(), self._random_bytes)

    def _require_bank_keys(self) -> BankKeys:
        if self._connection.bank_keys is None:
            raise BankKeysMissing(
                "the bank's keys are not known yet: download them (HPB) and confirm their hashes"
            )
        return self._connection.bank_keys

    def _exchange(self, request: bytes, *, key_management: bool = False) -> EbicsResponse:
        """POST one request; authenticate the answer before parsing anything from it.

        Key-management answers (INI, HIA, HPB) carry no AuthSignature by design; every other
        request must be answered by an ebicsResponse signed with the bank's X002 key, so an
        unsigned document of another kind cannot slip through in its place.
        """
        raw = self._transport.post(request)
        try:
            root = xmlsig.parse_document(raw)
        except xmlsig.MalformedDocument as error:
            raise UnexpectedResponse(str(error)) from error
        bank_keys = self._connection.bank_keys
        is_signed_kind = xmlsig.local_name(root) == "ebicsResponse"
        if not key_management and not is_signed_kind:
            raise ResponseNotAuthentic(
                f"the bank answered with {xmlsig.local_name(root)}, not a signed ebicsResponse"
            )
        if is_signed_kind and bank_keys is not None:
            try:
                xmlsig.verify_auth_signature(root, bank_keys.authentication)
            except (xmlsig.AuthenticationFailed, xmlsig.MalformedDocument) as error:
                raise ResponseNotAuthentic(
                    f"the bank's answer failed authentication and was discarded: {error}"
                ) from error
        return responses.parse_response(raw)

    def _exchange_checked(self, request: bytes) -> EbicsResponse:
        response = self._exchange(request)
        _check_codes(response)
        return response

    def _with_recovery(self, attempt: Callable[[], T]) -> T:
        """Run ``attempt`` again after retryable failures, up to the recovery limit.

        ``attempt`` rebuilds its request each time, so nonce and timestamp are fresh.
        Raises ``_TransactionLost`` at once when the bank no longer knows the transaction.
        """
        failures = 0
        while True:
            try:
                return attempt()
            except TransportFailed as error:
                if not error.retryable or failures >= self._max_recovery_attempts:
                    raise
            except OrderFailed as error:
                if error.code in TRANSACTION_GONE:
                    raise _TransactionLost(error) from error
                if (
                    not error.retryable
                    or error.code in NOT_NOW
                    or failures >= self._max_recovery_attempts
                ):
                    raise
            failures += 1

    def _download_required(self, order: DownloadOrder) -> bytes:
        data = self.download(order)
        if data is None:
            raise UnexpectedResponse(f"the bank sent no {order.order_type} data")
        return data

    def _download_once(
        self, order: DownloadOrder, sink: crypto.ByteSink, bank_keys: BankKeys
    ) -> bool:
        connection = self._connection
        keys = connection.keys
        version = connection.version

        def initialise() -> tuple[EbicsResponse, bool]:
            request = messages.build_download_initialisation(
                connection.subscriber,
                keys.authentication,
                bank_keys,
                self._stamp(),
                order,
                version=version,
            )
            response = self._exchange(request)
            return response, _check_codes(response, allow_no_data=True)

        first, has_data = self._with_recovery(initialise)
        if not has_data:
            return False
        transaction_id = first.transaction_id
        if not transaction_id or first.order_data is None:
            raise UnexpectedResponse("the download initialisation lacks transaction or data")
        num_segments = first.num_segments or 1
        # One growing buffer of decoded ciphertext: never a list of segments plus a join.
        # A segment that does not decode is remembered, the transfer still completes, and
        # the receipt then tells the bank we could not use the data.
        decoder = crypto.SegmentDecoder()
        decoding_error: crypto.DecryptionFailed | None = None
        for number in range(1, num_segments + 1):
            text = first.order_data
            if number > 1:
                text = self._with_recovery(
                    functools.partial(
                        self._download_segment, transaction_id, number, last=number == num_segments
                    )
                )
            if decoding_error is None:
                try:
                    decoder.add(text)
                except crypto.DecryptionFailed as error:
                    decoding_error = error
        try:
            if decoding_error is not None:
                raise decoding_error
            cipher_text = decoder.finish()
            self._decode_into(first, cipher_text, sink)
        except (crypto.DecryptionFailed, UnexpectedResponse) as error:
            try:
                self._send_receipt(transaction_id, ReceiptCode.NOT_RECEIVED)
            except EbicsError as receipt_error:
                # The decoding error is what the caller must see; the bank simply offers
                # the data again when it never got the negative receipt.
                error.add_note(f"the negative receipt was not delivered: {receipt_error}")
            raise
        # The ciphertext buffer can be large; release it before the last round trip.
        del cipher_text, decoder
        self._send_receipt(transaction_id, ReceiptCode.RECEIVED)
        return True

    def _download_segment(self, transaction_id: str, number: int, *, last: bool) -> str:
        connection = self._connection
        request = messages.build_download_transfer(
            connection.subscriber.host_id,
            transaction_id,
            number,
            connection.keys.authentication,
            last_segment=last,
            version=connection.version,
        )
        response = self._exchange(request)
        _check_codes(response)
        if response.segment_number not in (None, number) or response.order_data is None:
            raise UnexpectedResponse(f"the bank did not send download segment {number}")
        return response.order_data

    def _decode_into(
        self, first: EbicsResponse, cipher_text: bytearray, sink: crypto.ByteSink
    ) -> None:
        encryption_key = self._connection.keys.encryption
        if first.encrypted_transaction_key is None:
            raise UnexpectedResponse("the download carries no transaction key")
        stated = first.encryption_key_digest
        if stated is not None and stated != encryption_key.public.digest():
            raise UnexpectedResponse("the order data is encrypted for another E002 key")
        crypto.decrypt_order_data_into(
            first.encrypted_transaction_key, cipher_text, encryption_key, sink
        )

    def _send_receipt(self, transaction_id: str, code: ReceiptCode) -> None:
        connection = self._connection

        def receipt() -> None:
            request = messages.build_receipt(
                connection.subscriber.host_id,
                transaction_id,
                code,
                connection.keys.authentication,
                version=connection.version,
            )
            _check_codes(self._exchange(request))

        try:
            self._with_recovery(receipt)
        except _TransactionLost as lost:
            raise lost.failure from lost

    def _upload_once(
        self,
        order: UploadOrder,
        order_data: bytes,
        bank_keys: BankKeys,
        before_last_segment: Callable[[str], None] | None,
    ) -> UploadReceipt:
        connection = self._connection
        keys = connection.keys
        version = connection.version
        transaction_key = crypto.new_transaction_key(self._random_bytes)

        def initialise() -> tuple[messages.PreparedUpload, EbicsResponse]:
            prepared = messages.prepare_upload(
                connection.subscriber,
                authentication_key=keys.authentication,
                signature_key=keys.signature,
                bank_keys=bank_keys,
                stamp=self._stamp(),
                order=order,
                order_data=order_data,
                transaction_key=transaction_key,
                version=version,
                segment_size=self._upload_segment_size,
            )
            response = self._exchange(prepared.init_request)
            _check_codes(response)
            return prepared, response

        prepared, first = self._with_recovery(initialise)
        transaction_id = first.transaction_id
        if not transaction_id:
            raise UnexpectedResponse("the upload initialisation lacks a transaction ID")
        order_id = first.order_id or ""
        encrypted = prepared.encrypted
        for number in range(1, encrypted.num_segments):
            request = messages.build_upload_transfer(
                connection.subscriber.host_id,
                transaction_id,
                encrypted,
                number,
                keys.authentication,
                version=version,
            )
            self._with_recovery(functools.partial(self._exchange_checked, request))
        last_request = messages.build_upload_transfer(
            connection.subscriber.host_id,
            transaction_id,
            encrypted,
            encrypted.num_segments,
            keys.authentication,
            version=version,
        )
        if before_last_segment is not None:
            before_last_segment(order_id)
        try:
            last = self._exchange(last_request)
        except (TransportFailed, UnexpectedResponse, ResponseNotAuthentic) as error:
            raise UploadOutcomeUnknown(
                "the last upload segment was sent but no trustworthy answer came back: "
                "check the customer protocol (PTK/HAC) before sending the order again",
                transaction_id=transaction_id,
                order_id=order_id,
            ) from error
        if last.technical_code in OUTCOME_UNKNOWN_CODES:
            raise UploadOutcomeUnknown(
                f"the bank answered the last upload segment with {last.technical_code}, which "
                "does not say whether it kept the order: check the customer protocol (PTK/HAC)",
                transaction_id=transaction_id,
                order_id=order_id,
            )
        _check_codes(last)
        return UploadReceipt(order_id=last.order_id or order_id, transaction_id=transaction_id)
