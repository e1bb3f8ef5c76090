"""Reading payment status reports (pain.002) and linking them back to what we sent.

Versions .001.03 to .001.14 share the structure read here: a group status for the original
message, a status per original payment information block, and a status per transaction
with reasons. The file is parsed incrementally with the same safety rules as statements
(no DTDs, entities or network, size limit, clear errors); each ``TxInfAndSts`` is read and
then cleared. A transaction status that names no original reference cannot be linked and
is reported in ``errors`` while the others are kept.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from lxml import etree

from banking.formats.camt import InvalidEntry, parse_iso_datetime, read_amount
from banking.formats.detection import UnsupportedFormat, detect_format
from banking.formats.money import Money
from banking.formats.safexml import iter_elements
from banking.formats.source import DEFAULT_MAX_BYTES, Readable, Source, open_source
from banking.formats.statement import EntryError
from banking.formats.status_reasons import describe_reason, describe_status


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusReason:
    """Why a status was given: an ISO code (with its English text) or a bank's own code."""

    code: str | None = None
    proprietary: str | None = None
    description: str | None = None
    additional_information: str | None = None
    originator: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TransactionStatus:
    """The status of one original transaction, found by its end-to-end or instruction ID."""

    original_end_to_end_id: str | None
    original_instruction_id: str | None = None
    original_uetr: str | None = None
    status_id: str | None = None
    status: str | None = None
    reasons: tuple[StatusReason, ...] = ()
    amount: Money | None = None
    requested_date: date | None = None
    account_servicer_reference: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentInformationStatus:
    """The status of one original payment information block and of its transactions."""

    original_payment_information_id: str | None
    status: str | None = None
    reasons: tuple[StatusReason, ...] = ()
    transactions: tuple[TransactionStatus, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusReport:
    """A pain.002 message about one original pain.001 or pain.008 message."""

    version: str
    message_id: str | None
    created_at: datetime | None
    original_message_id: str | None
    original_message_type: str | None
    original_created_at: datetime | None = None
    group_status: str | None = None
    group_reasons: tuple[StatusReason, ...] = ()
    payment_informations: tuple[PaymentInformationStatus, ...] = ()
    errors: tuple[EntryError, ...] = ()

    def effective_statuses(self) -> dict[str, str | None]:
        """The status of every reported transaction by end-to-end ID.

        A transaction without a status of its own takes its block's, then the group's.
        """
        statuses: dict[str, str | None] = {}
        for block in self.payment_informations:
            for transaction in block.transactions:
                if transaction.original_end_to_end_id is not None:
                    statuses[transaction.original_end_to_end_id] = (
                        transaction.status or block.status or self.group_status
                    )
        return statuses


def parse_status_report(
    source: Source, *, max_bytes: int = DEFAULT_MAX_BYTES, assume_timezone: tzinfo = UTC
) -> StatusReport:
    """Read a pain.002 status report from bytes, a path or a binary stream.

    Raises ``UnsupportedFormat`` for other messages and versions, ``FileTooLarge``,
    ``ForbiddenDoctype`` and ``MalformedXml`` like the statement readers do.
    """
    with open_source(source, max_bytes=max_bytes) as opened:
        detected = detect_format(opened.head)
        if detected.message_type != "pain.002" or detected.namespace is None:
            raise UnsupportedFormat(
                f"{detected.version or detected.message_type} is not a pain.002 status report"
            )
        reader = _StatusReader(detected.namespace, assume_timezone)
        reader.read(opened.reader)
        return StatusReport(
            version=detected.version or "pain.002",
            message_id=reader.message_id,
            created_at=reader.created_at,
            original_message_id=reader.original_message_id,
            original_message_type=reader.original_message_type,
            original_created_at=reader.original_created_at,
            group_status=reader.group_status,
            group_reasons=reader.group_reasons,
            payment_informations=tuple(reader.blocks),
            errors=tuple(reader.errors),
        )


@dataclass(slots=True)
class _Block:
    header_read: bool = False
    identifier: str | None = None
    status: str | None = None
    reasons: tuple[StatusReason, ...] = ()
    transactions: list[TransactionStatus] = field(default_factory=list)


class _StatusReader:
    def __init__(self, namespace: str, assume_timezone: tzinfo) -> None:
        self.ns = "{" + namespace + "}"
        self.tz = assume_timezone
        self.message_id: str | None = None
        self.created_at: datetime | None = None
        self.original_message_id: str | None = None
        self.original_message_type: str | None = None
        self.original_created_at: datetime | None = None
        self.group_status: str | None = None
        self.group_reasons: tuple[StatusReason, ...] = ()
        self.blocks: list[PaymentInformationStatus] = []
        self.errors: list[EntryError] = []

    def q(self, path: str) -> str:
        return "/".join(self.ns + step for step in path.split("/"))

    def text(self, element: etree._Element | None, path: str) -> str | None:
        if element is None:
            return None
        value = element.findtext(self.q(path))
        return value.strip() or None if value is not None else None

    def read(self, reader: Readable) -> None:
        header, group, block_tag, transaction = (
            self.q("GrpHdr"),
            self.q("OrgnlGrpInfAndSts"),
            self.q("OrgnlPmtInfAndSts"),
            self.q("TxInfAndSts"),
        )
        block: _Block | None = None
        count = 0
        for event, element in iter_elements(reader, tags=(header, group, block_tag, transaction)):
            tag = element.tag
            if event == "start":
                if tag == block_tag:
                    block = _Block()
                continue
            if tag == header:
                self.message_id = self.text(element, "MsgId")
                self.created_at = self._datetime(self.text(element, "CreDtTm"))
            elif tag == group:
                self.original_message_id = self.text(element, "OrgnlMsgId")
                self.original_message_type = self.text(element, "OrgnlMsgNmId")
                self.original_created_at = self._datetime(self.text(element, "OrgnlCreDtTm"))
                self.group_status = self.text(element, "GrpSts")
                self.group_reasons = self._reasons(element)
            elif tag == transaction:
                count += 1
                parent = element.getparent()
                if block is not None and parent is not None and parent.tag == block_tag:
                    if not block.header_read:
                        self._read_block_header(parent, block)
                    self._read_transaction(element, block, count)
                else:
                    # Before .03 transactions sat directly in the message; keep them in a block.
                    orphan = _Block(header_read=True)
                    self._read_transaction(element, orphan, count)
                    self.blocks.append(_finish(orphan))
            elif tag == block_tag and block is not None:
                if not block.header_read:
                    self._read_block_header(element, block)
                self.blocks.append(_finish(block))
                block = None
            _release(element)

    def _read_block_header(self, block_element: etree._Element, block: _Block) -> None:
        block.header_read = True
        block.identifier = self.text(block_element, "OrgnlPmtInfId")
        block.status = self.text(block_element, "PmtInfSts")
        block.reasons = self._reasons(block_element)

    def _read_transaction(self, element: etree._Element, block: _Block, count: int) -> None:
        end_to_end_id = self.text(element, "OrgnlEndToEndId")
        instruction_id = self.text(element, "OrgnlInstrId")
        if end_to_end_id is None and instruction_id is None:
            self.errors.append(
                EntryError(
                    statement_id=self.message_id,
                    entry=f"#{count}",
                    line=element.sourceline,
                    message=f"TxInfAndSts[{count}] names neither OrgnlEndToEndId nor OrgnlInstrId; "
                    "it cannot be linked to a payment",
                )
            )
            return
        reference = element.find(self.q("OrgnlTxRef"))
        block.transactions.append(
            TransactionStatus(
                original_end_to_end_id=end_to_end_id,
                original_instruction_id=instruction_id,
                original_uetr=self.text(element, "OrgnlUETR"),
                status_id=self.text(element, "StsId"),
                status=self.text(element, "TxSts"),
                reasons=self._reasons(element),
                amount=self._amount(reference),
                requested_date=_date(
                    self.text(reference, "ReqdExctnDt/Dt")
                    or self.text(reference, "ReqdExctnDt")
                    or self.text(reference, "ReqdColltnDt")
                ),
                account_servicer_reference=self.text(element, "AcctSvcrRef"),
                line=element.sourceline,
            )
        )

    def _reasons(self, element: etree._Element) -> tuple[StatusReason, ...]:
        reasons = []
        for reason in element.iterchildren(self.q("StsRsnInf")):
            code = self.text(reason, "Rsn/Cd")
            details = [text.strip() for text in reason.itertext(self.q("AddtlInf")) if text.strip()]
            reasons.append(
                StatusReason(
                    code=code,
                    proprietary=self.text(reason, "Rsn/Prtry"),
                    description=describe_reason(code),
                    additional_information=" ".join(details) or None,
                    originator=self.text(reason, "Orgtr/Nm")
                    or self.text(reason, "Orgtr/Id/OrgId/AnyBIC"),
                )
            )
        return tuple(reasons)

    def _amount(self, reference: etree._Element | None) -> Money | None:
        if reference is None:
            return None
        amount = reference.find(self.q("Amt/InstdAmt"))
        if amount is None or amount.text is None:
            return None
        try:
            return read_amount(amount, "OrgnlTxRef/Amt/InstdAmt")
        except InvalidEntry:
            # The amount only helps a person recognise the payment; the IDs link it.
            return None

    def _datetime(self, text: str | None) -> datetime | None:
        return parse_iso_datetime(text, self.tz) if text else None


def _finish(block: _Block) -> PaymentInformationStatus:
    return PaymentInformationStatus(
        original_payment_information_id=block.identifier,
        status=block.status,
        reasons=block.reasons,
        transactions=tuple(block.transactions),
    )


def _release(element: etree._Element) -> None:
    element.clear()
    parent = element.getparent()
    if parent is None:
        return
    while element.getprevious() is not None:
        del parent[0]


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def status_report_to_json(report: StatusReport) -> dict[str, Any]:
    """Render a status report as plain JSON data (ISO strings, decimal strings, nulls)."""
    return {
        "version": report.version,
        "message_id": report.message_id,
        "created_at": report.created_at.isoformat() if report.created_at else None,
        "original_message_id": report.original_message_id,
        "original_message_type": report.original_message_type,
        "original_created_at": report.original_created_at.isoformat()
        if report.original_created_at
        else None,
        "group_status": report.group_status,
        "group_status_text": describe_status(report.group_status),
        "group_reasons": [_reason_json(reason) for reason in report.group_reasons],
        "payment_informations": [
            {
                "original_payment_information_id": block.original_payment_information_id,
                "status": block.status,
                "status_text": describe_status(block.status),
                "reasons": [_reason_json(reason) for reason in block.reasons],
                "transactions": [
                    _transaction_json(transaction) for transaction in block.transactions
                ],
            }
            for block in report.payment_informations
        ],
        "errors": [
            {
                "statement_id": error.statement_id,
                "entry": error.entry,
                "line": error.line,
                "message": error.message,
            }
            for error in report.errors
        ],
    }


def _transaction_json(transaction: TransactionStatus) -> dict[str, Any]:
    return {
        "original_end_to_end_id": transaction.original_end_to_end_id,
        "original_instruction_id": transaction.original_instruction_id,
        "original_uetr": transaction.original_uetr,
        "status_id": transaction.status_id,
        "status": transaction.status,
        "status_text": describe_status(transaction.status),
        "reasons": [_reason_json(reason) for reason in transaction.reasons],
        "amount": f"{transaction.amount.amount:f}" if transaction.amount else None,
        "currency": transaction.amount.currency if transaction.amount else None,
        "requested_date": transaction.requested_date.isoformat()
        if transaction.requested_date
        else None,
        "account_servicer_reference": transaction.account_servicer_reference,
    }


def _reason_json(reason: StatusReason) -> dict[str, Any]:
    return {
        "code": reason.code,
        "proprietary": reason.proprietary,
        "description": reason.description,
        "additional_information": reason.additional_information,
        "originator": reason.originator,
    }


def iter_transaction_statuses(
    report: StatusReport,
) -> Iterator[tuple[str | None, TransactionStatus]]:
    """Yield ``(original payment information ID, transaction status)`` for every transaction."""
    for block in report.payment_informations:
        for transaction in block.transactions:
            yield block.original_payment_information_id, transaction
