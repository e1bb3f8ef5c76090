"""Download transactions: business data from the ledger and the administrative downloads.

Order data is zlib-compressed, encrypted with a fresh AES-128 transaction key (wrapped with the
subscriber's E002 key) and cut into segments of the configured ciphertext size. Every segment is
kept with the transaction, so a repeated request for a segment gets the same segment again.
"""

import base64
import io
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from banking.ebics import crypto
from standins.bank import (
    customer_protocol,
    order_data,
    order_types,
    subscribers,
    switches,
    transactions,
)
from standins.bank.context import Context, Reply
from standins.bank.envelopes import Codes, EncryptedData, Segment
from standins.bank.errors import business, technical
from standins.bank.incoming import Request, child, text
from standins.bank.ledger_port import DocumentLike
from standins.bank.subscribers import Subscriber

NO_DOWNLOAD_DATA = "090005"
INVALID_ORDER_PARAMS = "091112"
SEGMENT_NUMBER_EXCEEDED = "091104"
DOWNLOAD_POSTPROCESS_DONE = "011000"
DOWNLOAD_POSTPROCESS_SKIPPED = "011001"
# Without a DateRange the bank answers the last 30 days: this ledger keeps no "already
# fetched" marks that would make "new data only" meaningful.
DEFAULT_RANGE = timedelta(days=30)
# A fixed timestamp keeps the ZIP bytes a pure function of the documents.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def is_download(version: str, order_type: str) -> bool:
    """Whether the bank offers ``order_type`` as a download in ``version``."""
    if order_type in order_types.ADMIN_DOWNLOADS[version]:
        return True
    return order_type == "BTD" if version == "H005" else order_type in order_types.H004_DOWNLOADS


def _date_range(context: Context, request: Request) -> tuple[date, date]:
    details = request.order_details
    params = child(details, "BTDOrderParams")
    if params is None:
        params = child(details, "StandardOrderParams")
    start_text, end_text = text(params, "DateRange", "Start"), text(params, "DateRange", "End")
    if start_text is None or end_text is None:
        today = context.now.date()
        return today - DEFAULT_RANGE, today
    try:
        start, end = date.fromisoformat(start_text), date.fromisoformat(end_text)
    except ValueError as error:
        raise technical(INVALID_ORDER_PARAMS, "DateRange is not two dates") from error
    if end < start:
        raise technical(INVALID_ORDER_PARAMS, "DateRange ends before it starts")
    return start, end


def _business_kind(request: Request, order_type: str) -> order_types.DownloadKind:
    if order_type != "BTD":
        return order_types.H004_DOWNLOADS[order_type]
    service = child(request.order_details, "BTDOrderParams", "Service")
    name, message = text(service, "ServiceName"), text(service, "MsgName")
    kind = order_types.H005_DOWNLOADS.get((name or "", message or ""))
    if kind is None:
        raise order_types.unsupported(f"BTD {name} {message}")
    return kind


def _zip(documents: Sequence[DocumentLike]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for document in documents:
            archive.writestr(zipfile.ZipInfo(document.file_name, _ZIP_TIME), document.content)
    return buffer.getvalue()


def _pack(kind: order_types.DownloadKind, documents: Sequence[DocumentLike]) -> bytes:
    if kind.packaging is order_types.Packaging.ZIP:
        return _zip(documents)
    # MT940 files are concatenated; each already ends its last statement with "-".
    return b"".join(
        document.content if document.content.endswith(b"\n") else document.content + b"\r\n"
        for document in documents
    )


def _admin_order_data(
    context: Context, request: Request, subscriber: Subscriber, order_type: str
) -> bytes:
    partner_id = subscriber.id.partner_id
    version = request.version
    if order_type == "HAA":
        return order_data.haa(version)
    if order_type in {"HTD", "HKD"}:
        accounts = context.ledger.accounts(partner_id)
        name = context.partner_name(partner_id)
        if order_type == "HTD":
            return order_data.htd(version, subscriber, partner_name=name, accounts=accounts)
        users = subscribers.partner_users(context.db, subscriber.id.host_id, partner_id)
        return order_data.hkd(
            version, users, partner_name=name, host_id=context.host_id, accounts=accounts
        )
    details = request.order_details
    params = child(details, "StandardOrderParams")
    has_range = text(params, "DateRange", "Start") is not None
    start, end = _date_range(context, request) if has_range else (None, None)
    entries = customer_protocol.entries(context.db, partner_id, start, end)
    if not entries:
        raise business(NO_DOWNLOAD_DATA, f"no protocol entries for {partner_id}")
    if order_type == "PTK":
        return customer_protocol.render_ptk(entries)
    return customer_protocol.render_hac(entries, host_id=context.host_id, now=context.now)


def _order_data(
    context: Context, request: Request, subscriber: Subscriber, order_type: str
) -> bytes:
    if order_type in order_types.ADMIN_DOWNLOADS[request.version]:
        return _admin_order_data(context, request, subscriber, order_type)
    kind = _business_kind(request, order_type)
    start, end = _date_range(context, request)
    partner_id = subscriber.id.partner_id
    if kind.ledger_kind == "pain.002":
        documents = context.ledger.status_reports(partner_id, start, end)
    else:
        documents = context.ledger.statements(partner_id, kind.ledger_kind, start, end)
    if not documents:
        raise business(NO_DOWNLOAD_DATA, f"no {kind.ledger_kind} for {start}..{end}")
    spoiled = switches.take_malformed_entries(context.db, order_type)
    if spoiled:
        documents = [_spoil(document, spoiled) for document in documents]
    return _pack(kind, documents)


# An entry's booked amount, as the ledger writes it.
_ENTRY_AMOUNT = re.compile(rb"(<Ntry><NtryRef>[^<]*</NtryRef><Amt Ccy=\"[A-Z]{3}\">)[^<]*(</Amt>)")


@dataclass(frozen=True)
class _File:
    file_name: str
    content: bytes


def _spoil(document: DocumentLike, entries: int) -> DocumentLike:
    """The failure switch's malformed entries: their amounts are no longer numbers."""
    content = _ENTRY_AMOUNT.sub(rb"\1twelve euros\2", document.content, count=entries)
    return _File(document.file_name, content)


def initialise(
    context: Context, request: Request, subscriber: Subscriber, order_type: str
) -> Reply:
    """Prepare the whole download and answer with its first segment.

    Raises ``EbicsFault`` (090005 no data, 091112 bad date range, 091006 unknown service).
    """
    plain = _order_data(context, request, subscriber, order_type)
    encryption_key = subscriber.encryption_key
    if encryption_key is None:
        raise technical("091002", "subscriber has no E002 key")
    transaction_key = crypto.new_transaction_key()
    cipher_text = crypto.encrypt_with_transaction_key(zlib.compress(plain), transaction_key)
    size = context.settings.segment_size
    segments = tuple(
        base64.b64encode(cipher_text[start : start + size]).decode("ascii")
        for start in range(0, len(cipher_text), size)
    )
    wrapped = crypto.encrypt_transaction_key(transaction_key, encryption_key)
    transaction = transactions.Transaction(
        id=transactions.new_transaction_id(),
        subscriber=subscriber.id,
        version=request.version,
        order_type=order_type,
        direction=transactions.Direction.DOWNLOAD,
        num_segments=len(segments),
        encrypted_key=base64.b64encode(wrapped).decode("ascii"),
        segments=segments,
    )
    transactions.save(context.db, transaction, context.now)
    return Reply(
        phase="Initialisation",
        transaction_id=transaction.id,
        num_segments=len(segments),
        segment=Segment(1, len(segments) == 1),
        data=EncryptedData(segments[0], wrapped, encryption_key.digest()),
    )


def transfer(context: Context, transaction: transactions.Transaction, number: int | None) -> Reply:
    """Answer segment ``number`` (again, if it was sent before: that is recovery).

    Raises ``EbicsFault`` 091104 for a segment number outside the download.
    """
    if number is None or not 1 <= number <= transaction.num_segments:
        raise technical(SEGMENT_NUMBER_EXCEEDED, f"segment {number} of {transaction.num_segments}")
    transactions.save(context.db, transaction, context.now)
    segment = transaction.segments[number - 1]
    assert segment is not None  # noqa: S101 - downloads hold every segment from the start
    return Reply(
        phase="Transfer",
        transaction_id=transaction.id,
        segment=Segment(number, number == transaction.num_segments),
        data=EncryptedData(segment),
    )


def receipt(
    context: Context, transaction: transactions.Transaction, receipt_code: str | None
) -> Reply:
    """Close the download: receipt code 0 gives 011000, 1 gives 011001 (others: 091010)."""
    codes = {"0": DOWNLOAD_POSTPROCESS_DONE, "1": DOWNLOAD_POSTPROCESS_SKIPPED}
    if receipt_code not in codes:
        raise technical("091010", f"receipt code {receipt_code!r}")
    transactions.close(context.db, transaction.id)
    customer_protocol.record(
        context.db,
        customer_protocol.ProtocolEntry(
            at=context.now,
            partner_id=transaction.subscriber.partner_id,
            user_id=transaction.subscriber.user_id,
            order_type=transaction.order_type,
            order_id=None,
            code=codes[receipt_code],
            text="Download acknowledged" if receipt_code == "0" else "Download not acknowledged",
        ),
    )
    return Reply(
        phase="Receipt",
        codes=Codes(technical=codes[receipt_code]),
        transaction_id=transaction.id,
    )
