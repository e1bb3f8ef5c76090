"""Writing pain.002.001.10 payment status reports for uploaded orders.

Neither ``sepaxml`` nor the shared schema folder carries the pain.002 XSD, so the element order
follows the ISO 20022 message definition (CustomerPaymentStatusReportV10) by hand, and the
tests check the result by reading it back with Ledgerlink's own reader.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from standins.bank.ledger.camt_writer import return_text

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"


@dataclass(frozen=True, slots=True, kw_only=True)
class TransactionOutcome:
    """What the bank decided about one transaction; ``reason`` is set for ``RJCT``."""

    end_to_end_id: str
    instruction_id: str | None
    status: str
    amount: Decimal
    currency: str
    requested_date: date
    reason: str | None = None
    reason_text: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockOutcome:
    """A payment information block and its transactions' outcomes."""

    payment_information_id: str
    transactions: tuple[TransactionOutcome, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderOutcome:
    """The status of a whole uploaded message."""

    message_id: str
    created_at: datetime
    original_message_id: str
    original_message_type: str
    original_created_at: datetime
    is_direct_debit: bool
    blocks: tuple[BlockOutcome, ...]


def group_status(statuses: list[str]) -> str:
    """ISO group status from transaction statuses: all accepted, all rejected, or partly."""
    if statuses and all(status == "RJCT" for status in statuses):
        return "RJCT"
    if any(status == "RJCT" for status in statuses):
        return "PART"
    return "ACSP"


def write_status_report(outcome: OrderOutcome) -> bytes:
    """Return the pain.002.001.10 document (UTF-8) describing ``outcome``."""
    ns = "{" + NAMESPACE + "}"

    def add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        child = etree.SubElement(parent, ns + name)
        if text is not None:
            child.text = text
        return child

    def reason(parent: etree._Element, code: str, text: str | None) -> None:
        information = add(parent, "StsRsnInf")
        add(add(information, "Rsn"), "Cd", code)
        if text:
            add(information, "AddtlInf", text[:105])

    document = etree.Element(ns + "Document", nsmap={None: NAMESPACE})
    report = add(document, "CstmrPmtStsRpt")
    header = add(report, "GrpHdr")
    add(header, "MsgId", outcome.message_id)
    add(header, "CreDtTm", outcome.created_at.isoformat(timespec="seconds"))
    every = [t for block in outcome.blocks for t in block.transactions]
    group = add(report, "OrgnlGrpInfAndSts")
    add(group, "OrgnlMsgId", outcome.original_message_id)
    add(group, "OrgnlMsgNmId", outcome.original_message_type)
    add(group, "OrgnlCreDtTm", outcome.original_created_at.isoformat(timespec="seconds"))
    add(group, "OrgnlNbOfTxs", str(len(every)))
    add(group, "OrgnlCtrlSum", f"{sum((t.amount for t in every), Decimal(0)):.2f}")
    add(group, "GrpSts", group_status([t.status for t in every]))
    for block in outcome.blocks:
        element = add(report, "OrgnlPmtInfAndSts")
        add(element, "OrgnlPmtInfId", block.payment_information_id)
        add(element, "OrgnlNbOfTxs", str(len(block.transactions)))
        add(
            element,
            "OrgnlCtrlSum",
            f"{sum((t.amount for t in block.transactions), Decimal(0)):.2f}",
        )
        add(element, "PmtInfSts", group_status([t.status for t in block.transactions]))
        for number, transaction in enumerate(block.transactions, start=1):
            status = add(element, "TxInfAndSts")
            add(status, "StsId", f"{outcome.message_id[:28]}-{number}"[:35])
            if transaction.instruction_id:
                add(status, "OrgnlInstrId", transaction.instruction_id)
            add(status, "OrgnlEndToEndId", transaction.end_to_end_id)
            add(status, "TxSts", transaction.status)
            if transaction.reason:
                reason(
                    status,
                    transaction.reason,
                    transaction.reason_text or return_text(transaction.reason),
                )
            reference = add(status, "OrgnlTxRef")
            amount = add(add(reference, "Amt"), "InstdAmt", f"{transaction.amount:.2f}")
            amount.set("Ccy", transaction.currency)
            if outcome.is_direct_debit:
                add(reference, "ReqdColltnDt", transaction.requested_date.isoformat())
            else:
                add(add(reference, "ReqdExctnDt"), "Dt", transaction.requested_date.isoformat())
    data: bytes = etree.tostring(document, xml_declaration=True, encoding="UTF-8")
    return data
