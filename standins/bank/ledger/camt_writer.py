"""Writing camt.052/053/054 version .001.08 documents from bookings, incrementally.

The document is written part by part: the header and balances first, then each entry is
built as a small tree, serialised and dropped, so a statement with 100 000 entries never
exists as one tree (only its bytes are held, once). Entries are bookings grouped by batch reference:
a batch becomes one ``Ntry`` with a ``Btch`` summary and one ``TxDtls`` per booking.
"""

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby

from lxml import etree

from standins.bank.ledger.records import AccountInfo, Booking

#: Root element and statement container of each message type.
_ROOTS = {
    "camt.053": ("BkToCstmrStmt", "Stmt"),
    "camt.052": ("BkToCstmrAcctRpt", "Rpt"),
    "camt.054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn"),
}
_VERSION = "001.08"
_NOT_PROVIDED = "NOTPROVIDED"


@dataclass(frozen=True, slots=True, kw_only=True)
class BalanceLine:
    """A balance to report: ISO type (``OPBD``, ``CLBD``, ``ITBD``), signed cents, date."""

    type: str
    cents: int
    on: date


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportHeader:
    """What a statement, report or notification says about itself and its account."""

    message_type: str
    message_id: str
    report_id: str
    created_at: datetime
    sequence_number: int
    account: AccountInfo
    from_at: datetime
    to_at: datetime
    balances: tuple[BalanceLine, ...] = ()


def namespace(message_type: str) -> str:
    """The XML namespace of the .001.08 version of ``message_type``."""
    return f"urn:iso:std:iso:20022:tech:xsd:{message_type}.{_VERSION}"


def group_entries(bookings: Iterable[Booking]) -> Iterator[list[Booking]]:
    """Group consecutive bookings into entries: one per batch, one per single booking."""
    for _key, group in groupby(bookings, key=_entry_key):
        yield list(group)


def _entry_key(booking: Booking) -> tuple[str, str | None]:
    # Two orders may reuse a payment information ID; their batches stay apart by message ID.
    if booking.batch_reference is None:
        return booking.reference, None
    return booking.batch_reference, booking.message_id


def write_report(header: ReportHeader, bookings: Iterable[Booking]) -> bytes:
    """Return the camt document (UTF-8) for ``header`` and the bookings, in order.

    ``bookings`` may be a lazy iterator; it is consumed once while writing.
    """
    root_name, container = _ROOTS[header.message_type]
    ns = namespace(header.message_type)
    writer = _Writer(ns)
    output = io.BytesIO()
    output.write(b"<?xml version='1.0' encoding='UTF-8'?>\n")
    output.write(f'<Document xmlns="{ns}"><{root_name}>'.encode())
    writer.write(output, writer.group_header(header))
    output.write(f"<{container}>".encode())
    for element in writer.report_head(header):
        writer.write(output, element)
    for entry in group_entries(bookings):
        writer.write(output, writer.entry(entry, header.account))
    output.write(f"</{container}></{root_name}></Document>".encode())
    return output.getvalue()


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _cents_text(cents: int) -> str:
    whole, rest = divmod(abs(cents), 100)
    return f"{whole}.{rest:02d}"


def _clip(text: str, length: int) -> str:
    return text[:length]


class _Writer:
    def __init__(self, ns: str) -> None:
        self.ns = "{" + ns + "}"
        self.nsmap = {None: ns}
        # Each part is serialised on its own and carries this declaration; the document's
        # root already declares the default namespace, so it is dropped from every part.
        self.declaration = f' xmlns="{ns}"'.encode()

    def write(self, output: io.BytesIO, element: etree._Element) -> None:
        data: bytes = etree.tostring(element, encoding="UTF-8", xml_declaration=False)
        output.write(data.replace(self.declaration, b"", 1))

    def new(self, name: str) -> etree._Element:
        return etree.Element(self.ns + name, nsmap=self.nsmap)

    def q(self, name: str) -> str:
        return self.ns + name

    def add(self, parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        child = etree.SubElement(parent, self.ns + name)
        if text is not None:
            child.text = text
        return child

    def path(self, parent: etree._Element, names: str, text: str) -> etree._Element:
        element = parent
        for name in names.split("/"):
            element = self.add(element, name)
        element.text = text
        return element

    def money(self, parent: etree._Element, name: str, text: str, currency: str) -> None:
        self.add(parent, name, text).set("Ccy", currency)

    # -- header ---------------------------------------------------------------------------

    def group_header(self, header: ReportHeader) -> etree._Element:
        element = self.new("GrpHdr")
        self.add(element, "MsgId", header.message_id)
        self.add(element, "CreDtTm", header.created_at.isoformat(timespec="seconds"))
        pagination = self.add(element, "MsgPgntn")
        self.add(pagination, "PgNb", "1")
        self.add(pagination, "LastPgInd", "true")
        return element

    def report_head(self, header: ReportHeader) -> Iterator[etree._Element]:
        """The statement's own elements before its entries, in schema order."""
        element = self.new("Id")
        element.text = header.report_id
        yield element
        element = self.new("ElctrncSeqNb")
        element.text = str(header.sequence_number)
        yield element
        if header.message_type == "camt.053":
            element = self.new("LglSeqNb")
            element.text = str(header.sequence_number)
            yield element
        element = self.new("CreDtTm")
        element.text = header.created_at.isoformat(timespec="seconds")
        yield element
        period = self.new("FrToDt")
        self.add(period, "FrDtTm", header.from_at.isoformat(timespec="seconds"))
        self.add(period, "ToDtTm", header.to_at.isoformat(timespec="seconds"))
        yield period
        yield self.account(header.account)
        for balance in header.balances:
            yield self.balance(balance, header.account.currency)

    def account(self, account: AccountInfo) -> etree._Element:
        element = self.new("Acct")
        self.path(element, "Id/IBAN", account.iban)
        self.add(element, "Ccy", account.currency)
        self.add(element, "Nm", _clip(account.description, 70))
        self.path(element, "Ownr/Nm", _clip(account.holder_name, 140))
        self.path(element, "Svcr/FinInstnId/BICFI", account.bic)
        return element

    def balance(self, balance: BalanceLine, currency: str) -> etree._Element:
        element = self.new("Bal")
        self.path(element, "Tp/CdOrPrtry/Cd", balance.type)
        self.money(element, "Amt", _cents_text(balance.cents), currency)
        self.add(element, "CdtDbtInd", "DBIT" if balance.cents < 0 else "CRDT")
        self.path(element, "Dt/Dt", balance.on.isoformat())
        return element

    # -- entries --------------------------------------------------------------------------

    def entry(self, bookings: list[Booking], account: AccountInfo) -> etree._Element:
        first = bookings[0]
        is_batch = first.batch_reference is not None
        total = sum((b.amount if b.is_credit else -b.amount for b in bookings), Decimal(0))
        is_credit = total >= 0 if is_batch else first.is_credit
        element = self.new("Ntry")
        self.add(element, "NtryRef", _clip(first.batch_reference or first.reference, 35))
        self.money(element, "Amt", _amount(abs(total)), first.currency)
        self.add(element, "CdtDbtInd", "CRDT" if is_credit else "DBIT")
        if first.is_reversal:
            self.add(element, "RvslInd", "true")
        self.path(element, "Sts/Cd", "BOOK")
        self.path(element, "BookgDt/Dt", first.booking_date.isoformat())
        self.path(element, "ValDt/Dt", first.value_date.isoformat())
        self.add(element, "AcctSvcrRef", _clip(first.batch_reference or first.reference, 35))
        self.transaction_code(element, first)
        details = self.add(element, "NtryDtls")
        if is_batch:
            batch = self.add(details, "Btch")
            if first.message_id:
                self.add(batch, "MsgId", _clip(first.message_id, 35))
            self.add(batch, "PmtInfId", _clip(first.batch_reference or "", 35))
            self.add(batch, "NbOfTxs", str(len(bookings)))
            self.money(batch, "TtlAmt", _amount(abs(total)), first.currency)
            self.add(batch, "CdtDbtInd", "CRDT" if is_credit else "DBIT")
        for booking in bookings:
            self.transaction(details, booking, account, is_batch=is_batch)
        self.add(element, "AddtlNtryInf", first.code.posting_text)
        return element

    def transaction_code(self, parent: etree._Element, booking: Booking) -> None:
        code = booking.code
        element = self.add(parent, "BkTxCd")
        domain = self.add(element, "Domn")
        self.add(domain, "Cd", code.domain)
        family = self.add(domain, "Fmly")
        self.add(family, "Cd", code.family)
        self.add(family, "SubFmlyCd", code.sub_family)
        proprietary = self.add(element, "Prtry")
        # The German banks' form: SWIFT transaction type, "+", business transaction code (GVC).
        self.add(proprietary, "Cd", f"N{code.swift}+{code.gvc}")
        self.add(proprietary, "Issr", "DK")

    def transaction(
        self, parent: etree._Element, booking: Booking, account: AccountInfo, *, is_batch: bool
    ) -> None:
        element = self.add(parent, "TxDtls")
        references = self.add(element, "Refs")
        if booking.message_id:
            self.add(references, "MsgId", _clip(booking.message_id, 35))
        self.add(references, "AcctSvcrRef", _clip(booking.reference, 35))
        if booking.batch_reference:
            self.add(references, "PmtInfId", _clip(booking.batch_reference, 35))
        self.add(references, "EndToEndId", _clip(booking.end_to_end_id or _NOT_PROVIDED, 35))
        if booking.mandate_id:
            self.add(references, "MndtId", _clip(booking.mandate_id, 35))
        self.money(element, "Amt", _amount(booking.amount), booking.currency)
        self.add(element, "CdtDbtInd", "CRDT" if booking.is_credit else "DBIT")
        if is_batch:
            # A single transaction shares its entry's code; repeating it only adds bytes.
            self.transaction_code(element, booking)
        self.parties(element, booking, account)
        self.remittance(element, booking)
        if booking.return_reason:
            returned = self.add(element, "RtrInf")
            self.path(returned, "Rsn/Cd", booking.return_reason)
            self.add(returned, "AddtlInf", _clip(_RETURN_TEXTS.get(booking.return_reason, ""), 105))

    def parties(self, parent: etree._Element, booking: Booking, account: AccountInfo) -> None:
        if not (booking.counterparty_name or booking.counterparty_iban):
            return
        # The counterparty was the payer when the original payment came in; a reversal
        # undoes a payment that went the other way.
        original_incoming = booking.is_credit != booking.is_reversal
        parties = self.add(parent, "RltdPties")
        own = ("Cdtr", "CdtrAcct") if original_incoming else ("Dbtr", "DbtrAcct")
        other = ("Dbtr", "DbtrAcct") if original_incoming else ("Cdtr", "CdtrAcct")
        for role, account_role in sorted((own, other), key=lambda pair: _PARTY_ORDER[pair[0]]):
            party = self.add(self.add(parties, role), "Pty")
            if role == own[0]:
                self.add(party, "Nm", _clip(account.holder_name, 140))
                if booking.creditor_id and role == "Cdtr":
                    self.creditor_id(party, booking.creditor_id)
                self.path(self.add(parties, account_role), "Id/IBAN", account.iban)
            else:
                if booking.counterparty_name:
                    self.add(party, "Nm", _clip(booking.counterparty_name, 140))
                if booking.creditor_id and role == "Cdtr":
                    self.creditor_id(party, booking.creditor_id)
                if booking.counterparty_iban:
                    self.path(self.add(parties, account_role), "Id/IBAN", booking.counterparty_iban)
        if booking.counterparty_bic:
            agents = self.add(parent, "RltdAgts")
            debtor_bic, creditor_bic = (
                (booking.counterparty_bic, account.bic)
                if original_incoming
                else (account.bic, booking.counterparty_bic)
            )
            self.path(agents, "DbtrAgt/FinInstnId/BICFI", debtor_bic)
            self.path(agents, "CdtrAgt/FinInstnId/BICFI", creditor_bic)

    def creditor_id(self, party: etree._Element, creditor_id: str) -> None:
        other = self.add(self.add(self.add(party, "Id"), "PrvtId"), "Othr")
        self.add(other, "Id", creditor_id)
        self.path(other, "SchmeNm/Prtry", "SEPA")

    def remittance(self, parent: etree._Element, booking: Booking) -> None:
        if not (booking.remittance_information or booking.creditor_reference):
            return
        element = self.add(parent, "RmtInf")
        if booking.remittance_information:
            self.add(element, "Ustrd", _clip(booking.remittance_information, 140))
        if booking.creditor_reference:
            reference = self.add(self.add(element, "Strd"), "CdtrRefInf")
            kind = self.add(reference, "Tp")
            self.path(kind, "CdOrPrtry/Cd", "SCOR")
            self.add(kind, "Issr", "ISO")
            self.add(reference, "Ref", _clip(booking.creditor_reference, 35))


# Party elements must appear in schema order (Dbtr, DbtrAcct, ..., Cdtr, CdtrAcct).
_PARTY_ORDER = {"Dbtr": 0, "Cdtr": 1}

#: English texts of the SEPA return reasons the ledger uses.
_RETURN_TEXTS = {
    "AC01": "Account identifier incorrect",
    "AC04": "Account closed",
    "AC06": "Account blocked",
    "AM04": "Insufficient funds",
    "MD01": "No mandate",
    "MD06": "Refund request by end customer",
    "MS02": "Refusal by the debtor",
    "MS03": "Reason not specified",
}


def return_text(code: str) -> str:
    """The English text of a SEPA return reason code the ledger uses ("" if unknown)."""
    return _RETURN_TEXTS.get(code, "")
