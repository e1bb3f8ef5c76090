"""Upload transactions: collect the encrypted segments, verify the A006 signature, book.

The initialisation brings the transaction key (wrapped with the bank's E002 key), the encrypted
UserSignatureData and, in H005, the DataDigest; the order data follows in transfer segments.
Once the last segment is in, the bank decrypts the order data, checks the signature of the
signer named in UserSignatureData, and hands the document to the ledger. The result is kept
with the transaction so a repeated last segment (a lost answer) gets the same answer, and the
document is never booked twice.
"""

import base64
from dataclasses import replace

from lxml import etree

from banking.ebics import crypto, xmlsig
from banking.ebics.errors import EbicsError
from standins.bank import customer_protocol, key_changes, order_types, subscribers, transactions
from standins.bank.context import Context, Reply
from standins.bank.envelopes import OK, Codes, Segment
from standins.bank.errors import EbicsFault, business, technical
from standins.bank.incoming import Request, b64decode, child, text
from standins.bank.ledger_port import rejection_of
from standins.bank.subscribers import State, Subscriber, SubscriberId

BANK_PUBKEY_UPDATE_REQUIRED = "091008"
INVALID_REQUEST_CONTENT = "091113"
INVALID_SIGNATURE_FILE_FORMAT = "091111"
PARTNER_ID_MISMATCH = "091120"
SIGNER_UNKNOWN = "091304"
SIGNATURE_VERIFICATION_FAILED = "091301"
INVALID_ORDER_DATA_FORMAT = "090004"
SEGMENT_NUMBER_EXCEEDED = "091104"
MAX_SEGMENTS_EXCEEDED = "091118"
TX_RECOVERY_SYNC = "061101"
PROCESSING_ERROR = "091116"
# A generous cap: the client's segments are at most 1 MiB, so this allows ~1 GB of order data.
MAX_SEGMENTS = 1000


def is_upload(version: str, order_type: str) -> bool:
    """Whether the bank offers ``order_type`` as an upload in ``version``."""
    if order_type == order_types.KEY_CHANGE.ledger_kind:
        return True
    return order_type == "BTU" if version == "H005" else order_type in order_types.H004_UPLOADS


def _kind(request: Request, order_type: str) -> order_types.UploadKind:
    if order_type == order_types.KEY_CHANGE.ledger_kind:
        return order_types.KEY_CHANGE
    if order_type != "BTU":
        return order_types.H004_UPLOADS[order_type]
    service = child(request.order_details, "BTUOrderParams", "Service")
    key = (
        text(service, "ServiceName") or "",
        text(service, "MsgName") or "",
        text(service, "ServiceOption"),
    )
    kind = order_types.H005_UPLOADS.get(key)
    if kind is None:
        raise order_types.unsupported(f"BTU {' '.join(part for part in key if part)}")
    return kind


def _signature_document(
    context: Context, encrypted_signature: bytes, transaction_key: bytes
) -> etree._Element:
    try:
        plain = crypto.decompress(
            crypto.decrypt_with_transaction_key(encrypted_signature, transaction_key)
        )
        return xmlsig.parse_document(plain)
    except EbicsError as error:
        raise business(INVALID_SIGNATURE_FILE_FORMAT, str(error)) from error


def _transaction_key(context: Context, wrapped: bytes) -> bytes:
    try:
        return crypto.decrypt_transaction_key(wrapped, context.identity.encryption.key)
    except crypto.DecryptionFailed as error:
        raise technical(
            INVALID_REQUEST_CONTENT, "transaction key not for the bank's E002"
        ) from error


def _signer(context: Context, partner: str, signature: etree._Element) -> Subscriber:
    partner_id = text(signature, "OrderSignatureData", "PartnerID")
    user_id = text(signature, "OrderSignatureData", "UserID")
    version = text(signature, "OrderSignatureData", "SignatureVersion")
    if version != "A006":
        raise business(INVALID_SIGNATURE_FILE_FORMAT, f"signature version {version}")
    if partner_id != partner:
        raise technical(PARTNER_ID_MISMATCH, f"signature partner {partner_id}")
    signer = subscribers.find(
        context.db, SubscriberId(context.host_id, partner_id or "", user_id or "")
    )
    if signer is None or signer.state is not State.READY or signer.signature_key is None:
        raise business(SIGNER_UNKNOWN, f"signer {partner_id}/{user_id} cannot sign")
    return signer


def initialise(
    context: Context, request: Request, subscriber: Subscriber, order_type: str
) -> Reply:
    """Open the upload: check key digest, signature file and segment count; assign the order ID.

    Raises ``EbicsFault`` (091008, 091111, 091113, 091118, 091120, 091304, 091006).
    """
    kind = _kind(request, order_type)
    transfer = child(request.body, "DataTransfer")
    digest = b64decode(
        text(transfer, "DataEncryptionInfo", "EncryptionPubKeyDigest"), "EncryptionPubKeyDigest"
    )
    if digest != context.identity.encryption.public.digest():
        raise technical(BANK_PUBKEY_UPDATE_REQUIRED, "order data encrypted for another E002 key")
    wrapped = b64decode(text(transfer, "DataEncryptionInfo", "TransactionKey"), "TransactionKey")
    encrypted_signature = b64decode(text(transfer, "SignatureData"), "SignatureData")
    signature = _signature_document(
        context, encrypted_signature, _transaction_key(context, wrapped)
    )
    _signer(context, subscriber.id.partner_id, signature)
    try:
        num_segments = int(text(request.static, "NumSegments") or "")
    except ValueError as error:
        raise technical(INVALID_REQUEST_CONTENT, "NumSegments missing") from error
    if not 1 <= num_segments <= MAX_SEGMENTS:
        raise technical(MAX_SEGMENTS_EXCEEDED, f"{num_segments} segments")
    data_digest = text(transfer, "DataDigest")
    if request.version == "H005" and data_digest is None:
        raise technical(INVALID_REQUEST_CONTENT, "H005 uploads carry a DataDigest")
    transaction = transactions.Transaction(
        id=transactions.new_transaction_id(),
        subscriber=subscriber.id,
        version=request.version,
        order_type=order_type,
        direction=transactions.Direction.UPLOAD,
        num_segments=num_segments,
        encrypted_key=base64.b64encode(wrapped).decode("ascii"),
        segments=(None,) * num_segments,
        upload_kind=kind.ledger_kind,
        signature_data=base64.b64encode(encrypted_signature).decode("ascii"),
        data_digest=data_digest,
        order_id=transactions.next_order_id(context.db),
    )
    transactions.save(context.db, transaction, context.now)
    return Reply(
        phase="Initialisation", transaction_id=transaction.id, order_id=transaction.order_id
    )


def _process(context: Context, transaction: transactions.Transaction) -> str:
    """Decrypt, verify and book the complete order data; return the business code."""
    transaction_key = _transaction_key(context, base64.b64decode(transaction.encrypted_key))
    try:
        cipher_text = crypto.join_segments([s or "" for s in transaction.segments])
        plain = crypto.decompress(crypto.decrypt_with_transaction_key(cipher_text, transaction_key))
    except crypto.DecryptionFailed:
        return INVALID_ORDER_DATA_FORMAT
    signature = _signature_document(
        context, base64.b64decode(transaction.signature_data or ""), transaction_key
    )
    signer = _signer(context, transaction.subscriber.partner_id, signature)
    assert signer.signature_key is not None  # noqa: S101 - _signer checked it
    if transaction.data_digest is not None and (
        b64decode(transaction.data_digest, "DataDigest") != crypto.order_data_digest(plain)
    ):
        return SIGNATURE_VERIFICATION_FAILED
    try:
        value = b64decode(text(signature, "OrderSignatureData", "SignatureValue"), "SignatureValue")
        crypto.verify_order_signature(plain, value, signer.signature_key)
    except (EbicsError, ValueError):
        # SignatureInvalid, a malformed value, or a signature of the wrong length.
        return SIGNATURE_VERIFICATION_FAILED
    if transaction.upload_kind == order_types.KEY_CHANGE.ledger_kind:
        try:
            key_changes.apply_hcs(context.db, transaction.subscriber, plain, context.now)
        except EbicsFault as fault:
            return fault.code
        return OK
    try:
        context.ledger.book_upload(
            transaction.subscriber.partner_id,
            transaction.upload_kind or "",
            plain,
            transaction.order_id or "",
        )
    except Exception as error:
        rejection = rejection_of(error)
        if rejection is None:
            raise
        return rejection[0]
    return OK


def _record(context: Context, transaction: transactions.Transaction, code: str) -> None:
    texts = {
        OK: "Order accepted",
        SIGNATURE_VERIFICATION_FAILED: "Electronic signature verification failed",
        INVALID_ORDER_DATA_FORMAT: "Order data could not be decrypted or read",
    }
    customer_protocol.record(
        context.db,
        customer_protocol.ProtocolEntry(
            at=context.now,
            partner_id=transaction.subscriber.partner_id,
            user_id=transaction.subscriber.user_id,
            order_type=transaction.order_type,
            order_id=transaction.order_id,
            code=code,
            text=texts.get(code, "Order rejected by the bank"),
        ),
    )


def transfer(context: Context, request: Request, transaction: transactions.Transaction) -> Reply:
    """Take segment N; after the last one, process the upload and answer its result.

    Raises ``EbicsFault`` 091104 for a number beyond NumSegments and 061101 for a gap.
    """
    number = request.segment_number
    if number is None or not 1 <= number <= transaction.num_segments:
        raise technical(SEGMENT_NUMBER_EXCEEDED, f"segment {number} of {transaction.num_segments}")
    if number > 1 and transaction.segments[number - 2] is None:
        # A segment is missing before this one: the client must resume where the bank is.
        raise technical(TX_RECOVERY_SYNC, f"segment {number - 1} not received")
    is_last = number == transaction.num_segments
    if transaction.result_code is not None:
        # Already processed: the client lost our answer and sends the segment again.
        return _transfer_reply(transaction, number, is_last)
    segment = text(child(request.body, "DataTransfer"), "OrderData")
    if segment is None:
        raise technical(INVALID_REQUEST_CONTENT, "transfer without OrderData")
    segments = list(transaction.segments)
    segments[number - 1] = segment
    transaction = replace(transaction, segments=tuple(segments))
    if is_last and all(s is not None for s in transaction.segments):
        code = _process(context, transaction)
        transaction = replace(transaction, result_code=code)
        _record(context, transaction, code)
    transactions.save(context.db, transaction, context.now)
    return _transfer_reply(transaction, number, is_last)


def _transfer_reply(transaction: transactions.Transaction, number: int, is_last: bool) -> Reply:
    return Reply(
        phase="Transfer",
        codes=Codes(business=transaction.result_code or OK),
        transaction_id=transaction.id,
        segment=Segment(number, is_last),
        order_id=transaction.order_id if is_last else None,
    )
