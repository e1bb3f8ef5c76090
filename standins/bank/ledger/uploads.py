"""Checking an uploaded pain.001 / pain.008 and turning it into bookings and a status report.

Order of checks, each rejecting the whole upload with an EBICS business code:
size and XML safety (no DOCTYPE, entities or network), the message type and version the order
type announces, the XSD that ``sepaxml`` ships for that version, the counts and control sums
(Ledgerlink's own pain reader checks them), and that the ordering account belongs to the
partner. Single transactions that cannot be executed (an IBAN with wrong check digits, a
currency other than the account's) are rejected in the status report, not the upload.
"""

import copy as copy_module
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from lxml import etree

from banking.formats.business_days import add_business_days
from banking.formats.detection import detect_format
from banking.formats.errors import FormatError
from banking.formats.pain_reader import read_payment_order
from banking.formats.pain_writer import schema_for
from banking.formats.payment_order import CreditTransferOrder, DirectDebitOrder
from banking.formats.safexml import refuse_doctype
from standins.bank.ledger import codes
from standins.bank.ledger.errors import LedgerRejected
from standins.bank.ledger.ibans import is_valid_iban
from standins.bank.ledger.records import AccountInfo, Booking, TransactionCode
from standins.bank.ledger.status_writer import (
    BlockOutcome,
    OrderOutcome,
    TransactionOutcome,
)

INVALID_ORDER_DATA = "090004"
ACCOUNT_AUTHORISATION_FAILED = "091302"
PROCESSING_ERROR = "091116"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

UploadKind = Literal["pain.001", "pain.008"]
_VERSIONS = {
    "pain.001": ("pain.001.001.09", "pain.001.001.03"),
    "pain.008": ("pain.008.001.08", "pain.008.001.02"),
}
#: SEPA reasons for returned direct debits, and the share of collections that come back.
RETURN_REASONS = ("AM04", "MD06", "AC04", "MS02", "MD01")
RETURN_ONE_IN = 15


@dataclass(frozen=True, slots=True, kw_only=True)
class AcceptedUpload:
    """What an upload books and the status report to record for it."""

    message_id: str
    bookings: tuple[Booking, ...]
    outcome: OrderOutcome


def read_upload(
    *,
    partner_id: str,
    kind: str,
    document: bytes,
    accounts: list[AccountInfo],
    now: datetime,
) -> AcceptedUpload:
    """Check ``document`` and return its bookings and status; raises :class:`LedgerRejected`."""
    if kind not in _VERSIONS:
        raise LedgerRejected(INVALID_ORDER_DATA, f"{kind!r} is not an order the bank books")
    if len(document) > MAX_UPLOAD_BYTES:
        raise LedgerRejected(INVALID_ORDER_DATA, "the order data exceeds 20 MiB")
    version = _check_schema(kind, document)
    try:
        orders = [read_payment_order(part) for part in _split_blocks(document)]
    except FormatError as error:
        raise LedgerRejected(INVALID_ORDER_DATA, f"{version}: {error}") from error
    today = now.date()
    bookings: list[Booking] = []
    outcomes: dict[str, TransactionOutcome] = {}
    for order in orders:
        own = order.debtor if isinstance(order, CreditTransferOrder) else order.creditor
        iban = own.iban.replace(" ", "").upper()
        account = next((a for a in accounts if a.iban == iban), None)
        if account is None:
            raise LedgerRejected(
                ACCOUNT_AUTHORISATION_FAILED,
                f"account {own.iban} does not belong to partner {partner_id}",
            )
        if isinstance(order, CreditTransferOrder):
            booked, decided = _credit_transfers(order, account, today, partner_id)
        else:
            booked, decided = _direct_debits(order, account, today, partner_id)
        bookings.extend(booked)
        outcomes.update(decided)
    order = orders[0]
    blocks = _payment_information_blocks(document)
    outcome = OrderOutcome(
        message_id=_identifier("STS", partner_id, order.message_id),
        created_at=now,
        original_message_id=order.message_id,
        original_message_type=version,
        original_created_at=order.created_at,
        is_direct_debit=isinstance(order, DirectDebitOrder),
        blocks=tuple(
            BlockOutcome(
                payment_information_id=block_id,
                transactions=tuple(outcomes[e2e] for e2e in end_to_end_ids if e2e in outcomes),
            )
            for block_id, end_to_end_ids in blocks
        ),
    )
    return AcceptedUpload(message_id=order.message_id, bookings=tuple(bookings), outcome=outcome)


def _check_schema(kind: str, document: bytes) -> str:
    try:
        refuse_doctype(document)
        detected = detect_format(document)
        version = detected.version or detected.message_type
        if version not in _VERSIONS[kind]:
            raise LedgerRejected(
                INVALID_ORDER_DATA,
                f"{version} is not accepted for {kind} (accepted: {', '.join(_VERSIONS[kind])})",
            )
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
        tree = etree.fromstring(document, parser)
    except FormatError as error:
        raise LedgerRejected(INVALID_ORDER_DATA, str(error)) from error
    except etree.XMLSyntaxError as error:
        raise LedgerRejected(INVALID_ORDER_DATA, f"not well-formed XML: {error}") from error
    schema = schema_for(version)
    if not schema.validate(tree):
        problem = schema.error_log.last_error
        raise LedgerRejected(
            INVALID_ORDER_DATA,
            f"{version} breaks its schema at line {problem.line}: {problem.message}",
        )
    return version


def _split_blocks(document: bytes) -> list[bytes]:
    """A pain.001/pain.008 with several payment information blocks as one document per block.

    Ledgerlink's reader takes one block per credit transfer file and reads a direct debit
    file's creditor and date from its first block; banks accept blocks that differ. The group
    header's count and control sum are checked here over all blocks, then each part gets its
    block's own. A document with one block is returned unchanged.
    """
    root = _parse(document)
    q = "{" + (etree.QName(root).namespace or "") + "}"
    initiation = root[0] if len(root) else None
    if initiation is None or len(initiation.findall(q + "PmtInf")) < 2:
        return [document]
    blocks = initiation.findall(q + "PmtInf")
    amounts = [Decimal(a.text or "0") for a in initiation.iter(q + "InstdAmt")]
    header = initiation.find(q + "GrpHdr")
    count = header.findtext(q + "NbOfTxs") if header is not None else None
    control = header.findtext(q + "CtrlSum") if header is not None else None
    if count is not None and int(count) != len(amounts):
        raise LedgerRejected(INVALID_ORDER_DATA, f"GrpHdr: NbOfTxs is {count}, not {len(amounts)}")
    if control is not None and Decimal(control) != sum(amounts, Decimal(0)):
        raise LedgerRejected(INVALID_ORDER_DATA, f"GrpHdr: CtrlSum {control} is not the sum")
    parts = []
    for index in range(len(blocks)):
        copy = copy_module.deepcopy(root)
        copy_initiation = copy[0]
        for other, block in enumerate(copy_initiation.findall(q + "PmtInf")):
            if other != index:
                copy_initiation.remove(block)
        kept = [Decimal(a.text or "0") for a in copy_initiation.iter(q + "InstdAmt")]
        copy_header = copy_initiation.find(q + "GrpHdr")
        if copy_header is not None:
            for name, value in (("NbOfTxs", str(len(kept))), ("CtrlSum", f"{sum(kept):.2f}")):
                element = copy_header.find(q + name)
                if element is not None:
                    element.text = value
        parts.append(etree.tostring(copy, xml_declaration=True, encoding="UTF-8"))
    return parts


def _parse(document: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(document, parser)


def _payment_information_blocks(document: bytes) -> list[tuple[str, list[str]]]:
    """(PmtInfId, end-to-end IDs) of every block, read from the already validated file."""
    root = _parse(document)
    ns = etree.QName(root).namespace
    q = "{" + (ns or "") + "}"
    blocks = []
    for block in root.iter(q + "PmtInf"):
        identifier = block.findtext(q + "PmtInfId") or ""
        end_to_end_ids = [(element.text or "").strip() for element in block.iter(q + "EndToEndId")]
        blocks.append((identifier.strip(), end_to_end_ids))
    return blocks


def _identifier(prefix: str, *parts: str) -> str:
    # 14 hex digits keep references within MT940's 16 characters, with the prefix.
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()[:14].upper()
    return f"{prefix}{digest}"


def _transaction_problem(iban: str, currency: str, account: AccountInfo) -> tuple[str, str] | None:
    if not is_valid_iban(iban):
        return "AC01", f"IBAN {iban} has wrong check digits"
    if currency != account.currency:
        return "AM03", f"currency {currency} is not the account's {account.currency}"
    return None


def _credit_transfers(
    order: CreditTransferOrder, account: AccountInfo, today: date, partner_id: str
) -> tuple[list[Booking], dict[str, TransactionOutcome]]:
    execution = add_business_days(max(order.requested_execution_date, today), 0)
    batch = order.payment_information_id if order.batch_booking else None
    if order.category_purpose == "SALA":
        code: TransactionCode = codes.SALARY_SENT
    else:
        code = codes.CREDIT_TRANSFER_BATCH if batch else codes.CREDIT_TRANSFER_SENT
    bookings: list[Booking] = []
    outcomes: dict[str, TransactionOutcome] = {}
    for index, transaction in enumerate(order.transactions):
        creditor = transaction.creditor
        problem = _transaction_problem(creditor.iban, transaction.amount.currency, account)
        outcomes[transaction.end_to_end_id] = TransactionOutcome(
            end_to_end_id=transaction.end_to_end_id,
            instruction_id=transaction.instruction_id,
            status="RJCT" if problem else "ACSP",
            amount=transaction.amount.amount,
            currency=transaction.amount.currency,
            requested_date=order.requested_execution_date,
            reason=problem[0] if problem else None,
            reason_text=problem[1] if problem else None,
        )
        if problem:
            continue
        bookings.append(
            Booking(
                iban=account.iban,
                booking_date=execution,
                value_date=execution,
                amount=transaction.amount.amount,
                currency=transaction.amount.currency,
                is_credit=False,
                code=code,
                reference=_identifier(
                    "CT", partner_id, order.message_id, order.payment_information_id, str(index)
                ),
                counterparty_name=creditor.name,
                counterparty_iban=creditor.iban,
                counterparty_bic=creditor.bic,
                remittance_information=transaction.remittance_information,
                creditor_reference=transaction.creditor_reference,
                end_to_end_id=transaction.end_to_end_id,
                batch_reference=batch,
                message_id=order.message_id,
            )
        )
    return bookings, outcomes


def _direct_debits(
    order: DirectDebitOrder, account: AccountInfo, today: date, partner_id: str
) -> tuple[list[Booking], dict[str, TransactionOutcome]]:
    collection = add_business_days(max(order.requested_collection_date, today), 0)
    batch = order.payment_information_id if order.batch_booking else None
    is_b2b = order.local_instrument == "B2B"
    if is_b2b:
        code: TransactionCode = codes.DIRECT_DEBIT_B2B_COLLECTED
    else:
        code = codes.DIRECT_DEBIT_BATCH if batch else codes.DIRECT_DEBIT_COLLECTED
    bookings: list[Booking] = []
    returns: list[Booking] = []
    outcomes: dict[str, TransactionOutcome] = {}
    for index, transaction in enumerate(order.transactions):
        debtor = transaction.debtor
        problem = _transaction_problem(debtor.iban, transaction.amount.currency, account)
        outcomes[transaction.end_to_end_id] = TransactionOutcome(
            end_to_end_id=transaction.end_to_end_id,
            instruction_id=transaction.instruction_id,
            status="RJCT" if problem else "ACSP",
            amount=transaction.amount.amount,
            currency=transaction.amount.currency,
            requested_date=order.requested_collection_date,
            reason=problem[0] if problem else None,
            reason_text=problem[1] if problem else None,
        )
        if problem:
            continue
        booking = Booking(
            iban=account.iban,
            booking_date=collection,
            value_date=collection,
            amount=transaction.amount.amount,
            currency=transaction.amount.currency,
            is_credit=True,
            code=code,
            reference=_identifier(
                "DD", partner_id, order.message_id, order.payment_information_id, str(index)
            ),
            counterparty_name=debtor.name,
            counterparty_iban=debtor.iban,
            counterparty_bic=debtor.bic,
            remittance_information=transaction.remittance_information,
            creditor_reference=transaction.creditor_reference,
            end_to_end_id=transaction.end_to_end_id,
            mandate_id=transaction.mandate.mandate_id,
            creditor_id=order.creditor_id,
            batch_reference=batch,
            message_id=order.message_id,
        )
        bookings.append(booking)
        returned = return_of(booking)
        if returned is not None:
            returns.append(returned)
    return bookings + returns, outcomes


def return_reason_for(end_to_end_id: str) -> str | None:
    """The SEPA reason a collection comes back with, or None: about one in fifteen, by hash."""
    digest = hashlib.sha256(end_to_end_id.encode()).digest()
    if digest[0] % RETURN_ONE_IN:
        return None
    return RETURN_REASONS[digest[1] % len(RETURN_REASONS)]


def return_of(collection: Booking) -> Booking | None:
    """The return booking of a direct-debit collection, if the debtor's bank sends it back.

    It is a debit with the reversal indicator, two to four business days after the
    collection, for the full amount, carrying the original references and the reason.
    """
    reason = return_reason_for(collection.end_to_end_id or collection.reference)
    if reason is None:
        return None
    delay = 2 + hashlib.sha256(collection.reference.encode()).digest()[0] % 3
    day = add_business_days(collection.booking_date + timedelta(days=1), delay - 1)
    return Booking(
        iban=collection.iban,
        booking_date=day,
        value_date=collection.value_date,
        amount=collection.amount,
        currency=collection.currency,
        is_credit=False,
        code=codes.DIRECT_DEBIT_RETURNED,
        reference="R" + collection.reference[1:],
        counterparty_name=collection.counterparty_name,
        counterparty_iban=collection.counterparty_iban,
        counterparty_bic=collection.counterparty_bic,
        remittance_information=collection.remittance_information,
        creditor_reference=collection.creditor_reference,
        end_to_end_id=collection.end_to_end_id,
        mandate_id=collection.mandate_id,
        creditor_id=collection.creditor_id,
        return_reason=reason,
        is_reversal=True,
        message_id=collection.message_id,
    )
