"""Building pain.001 (credit transfers) and pain.008 (direct debits) XML, validated by XSD.

Why lxml and not ``sepaxml`` (checked: release 2.7.0, MIT): sepaxml cannot express
structured (RF) remittance, purpose and category purpose codes, ultimate parties or mandate
amendment details, and it reads the clock (``datetime.now()`` for the creation time) and a
random generator (message and payment information IDs) inside, which would make the same
order give different files. We do use the XSDs sepaxml ships (``sepaxml/schemas``) to check
every file we build.

Orders are validated first (:func:`~banking.formats.payment_validation.validate_payment_order`),
free text is transliterated into the EPC character set, then the XML is built, and finally it
is checked against the XSD of its version; a file that fails the schema is a bug here and
raises :class:`PainSchemaViolation` rather than reaching the bank.
"""

import functools
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from importlib import resources

from lxml import etree

from banking.formats.epc_text import to_epc_text
from banking.formats.errors import FormatError
from banking.formats.payment_order import (
    AccountHolder,
    CreditTransfer,
    CreditTransferOrder,
    DirectDebit,
    DirectDebitOrder,
    Mandate,
    PostalAddress,
    SequenceType,
)
from banking.formats.payment_validation import validate_payment_order

_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:{version}"
_NOT_PROVIDED = "NOTPROVIDED"


class PainSchemaViolation(FormatError):
    """A built file does not satisfy its XSD (a defect in this module, never sent)."""


def build_credit_transfer(order: CreditTransferOrder, *, today: date) -> bytes:
    """Return the pain.001 XML (UTF-8) of ``order``.

    Raises ``PaymentOrderInvalid`` listing every problem of the order (checked against
    ``today``), and :class:`PainSchemaViolation` should the result not match its XSD.
    """
    validate_payment_order(order, today=today)
    return _finish(_CreditTransferBuilder(order).build(), order.version)


def build_direct_debit(order: DirectDebitOrder, *, today: date) -> bytes:
    """Return the pain.008 XML (UTF-8) of ``order``; raises like :func:`build_credit_transfer`."""
    validate_payment_order(order, today=today)
    return _finish(_DirectDebitBuilder(order).build(), order.version)


@functools.cache
def schema_for(version: str) -> etree.XMLSchema:
    """Return the XSD of a pain message version (loaded once, then cached)."""
    package = resources.files("sepaxml").joinpath("schemas", f"{version}.xsd")
    with resources.as_file(package) as path:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        return etree.XMLSchema(etree.parse(str(path), parser))


def _finish(document: etree._Element, version: str) -> bytes:
    schema = schema_for(version)
    if not schema.validate(document):
        error = schema.error_log.last_error
        raise PainSchemaViolation(
            f"{version} output breaks its schema at line {error.line}: {error.message}"
        )
    data: bytes = etree.tostring(document, xml_declaration=True, encoding="UTF-8")
    return data


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


class _Builder:
    """Shared element helpers; ``self.legacy`` is true for the 2009 versions (.03 / .02)."""

    def __init__(self, version: str, legacy: bool) -> None:
        self.ns = "{" + _NAMESPACE.format(version=version) + "}"
        self.nsmap = {None: _NAMESPACE.format(version=version)}
        self.legacy = legacy

    def element(self, parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        child = etree.SubElement(parent, self.ns + name)
        if text is not None:
            child.text = text
        return child

    def path(self, parent: etree._Element, names: Iterable[str], text: str) -> etree._Element:
        """Add nested elements ("A", "B", "C") with ``text`` in the innermost one."""
        element = parent
        for name in names:
            element = self.element(element, name)
        element.text = text
        return element

    def party(
        self, parent: etree._Element, name: str, address: PostalAddress | None = None
    ) -> None:
        self.element(parent, "Nm", to_epc_text(name))
        if address is not None:
            self.address(parent, address)

    def address(self, parent: etree._Element, address: PostalAddress) -> None:
        postal = self.element(parent, "PstlAdr")
        for tag, value in (
            ("StrtNm", address.street_name),
            ("BldgNb", address.building_number),
            ("PstCd", address.post_code),
            ("TwnNm", address.town_name),
        ):
            if value:
                self.element(postal, tag, to_epc_text(value))
        if address.country:
            self.element(postal, "Ctry", address.country)
        for line in address.address_lines:
            self.element(postal, "AdrLine", to_epc_text(line))

    def account(self, parent: etree._Element, name: str, holder: AccountHolder) -> None:
        self.path(self.element(parent, name), ("Id", "IBAN"), _compact(holder.iban))

    def agent(self, parent: etree._Element, name: str, bic: str | None) -> None:
        institution = self.element(self.element(parent, name), "FinInstnId")
        if bic:
            self.element(institution, "BIC" if self.legacy else "BICFI", _compact(bic))
        else:
            # SEPA allows payments by IBAN only; the schema still wants an institution.
            self.path(institution, ("Othr", "Id"), _NOT_PROVIDED)

    def payment_type(
        self,
        parent: etree._Element,
        *,
        local_instrument: str | None = None,
        sequence_type: SequenceType | None = None,
        category_purpose: str | None = None,
    ) -> None:
        payment_type = self.element(parent, "PmtTpInf")
        self.path(payment_type, ("SvcLvl", "Cd"), "SEPA")
        if local_instrument:
            self.path(payment_type, ("LclInstrm", "Cd"), local_instrument)
        if sequence_type:
            self.element(payment_type, "SeqTp", sequence_type)
        if category_purpose:
            self.path(payment_type, ("CtgyPurp", "Cd"), category_purpose)

    def ultimate(self, parent: etree._Element, name: str, value: str | None) -> None:
        if value:
            self.element(self.element(parent, name), "Nm", to_epc_text(value))

    def remittance(self, parent: etree._Element, transaction: CreditTransfer | DirectDebit) -> None:
        if transaction.purpose_code:
            self.path(parent, ("Purp", "Cd"), transaction.purpose_code)
        if transaction.creditor_reference:
            structured = self.element(self.element(parent, "RmtInf"), "Strd")
            reference = self.element(structured, "CdtrRefInf")
            reference_type = self.element(reference, "Tp")
            self.path(reference_type, ("CdOrPrtry", "Cd"), "SCOR")
            self.element(reference_type, "Issr", "ISO")
            self.element(reference, "Ref", "".join(transaction.creditor_reference.split()).upper())
        elif transaction.remittance_information:
            self.element(
                self.element(parent, "RmtInf"),
                "Ustrd",
                to_epc_text(transaction.remittance_information),
            )

    def group_header(
        self,
        root: etree._Element,
        order: CreditTransferOrder | DirectDebitOrder,
        transactions: int,
        total: Decimal,
    ) -> None:
        header = self.element(root, "GrpHdr")
        self.element(header, "MsgId", order.message_id)
        self.element(header, "CreDtTm", order.created_at.isoformat(timespec="seconds"))
        self.element(header, "NbOfTxs", str(transactions))
        self.element(header, "CtrlSum", _amount(total))
        self.party(self.element(header, "InitgPty"), order.initiating_party)


class _CreditTransferBuilder(_Builder):
    def __init__(self, order: CreditTransferOrder) -> None:
        super().__init__(order.version, legacy=order.version == "pain.001.001.03")
        self.order = order

    def build(self) -> etree._Element:
        order = self.order
        document = etree.Element(self.ns + "Document", nsmap=self.nsmap)
        root = self.element(document, "CstmrCdtTrfInitn")
        total = sum((transaction.amount.amount for transaction in order.transactions), Decimal(0))
        count = str(len(order.transactions))
        self.group_header(root, order, len(order.transactions), total)

        information = self.element(root, "PmtInf")
        self.element(information, "PmtInfId", order.payment_information_id)
        self.element(information, "PmtMtd", "TRF")
        self.element(information, "BtchBookg", "true" if order.batch_booking else "false")
        self.element(information, "NbOfTxs", count)
        self.element(information, "CtrlSum", _amount(total))
        self.payment_type(information, category_purpose=order.category_purpose)
        execution_date = order.requested_execution_date.isoformat()
        if self.legacy:
            self.element(information, "ReqdExctnDt", execution_date)
        else:
            self.path(information, ("ReqdExctnDt", "Dt"), execution_date)
        self.party(self.element(information, "Dbtr"), order.debtor.name, order.debtor.address)
        self.account(information, "DbtrAcct", order.debtor)
        self.agent(information, "DbtrAgt", order.debtor.bic)
        self.element(information, "ChrgBr", "SLEV")
        for transaction in order.transactions:
            self.transaction(information, transaction)
        return document

    def transaction(self, parent: etree._Element, transaction: CreditTransfer) -> None:
        element = self.element(parent, "CdtTrfTxInf")
        identification = self.element(element, "PmtId")
        if transaction.instruction_id:
            self.element(identification, "InstrId", transaction.instruction_id)
        self.element(identification, "EndToEndId", transaction.end_to_end_id)
        amount = self.path(element, ("Amt", "InstdAmt"), _amount(transaction.amount.amount))
        amount.set("Ccy", transaction.amount.currency)
        self.ultimate(element, "UltmtDbtr", transaction.ultimate_debtor)
        creditor = transaction.creditor
        if creditor.bic:
            self.agent(element, "CdtrAgt", creditor.bic)
        self.party(self.element(element, "Cdtr"), creditor.name, creditor.address)
        self.account(element, "CdtrAcct", creditor)
        self.ultimate(element, "UltmtCdtr", transaction.ultimate_creditor)
        self.remittance(element, transaction)


class _DirectDebitBuilder(_Builder):
    def __init__(self, order: DirectDebitOrder) -> None:
        super().__init__(order.version, legacy=order.version == "pain.008.001.02")
        self.order = order

    def build(self) -> etree._Element:
        order = self.order
        document = etree.Element(self.ns + "Document", nsmap=self.nsmap)
        root = self.element(document, "CstmrDrctDbtInitn")
        total = sum((transaction.amount.amount for transaction in order.transactions), Decimal(0))
        self.group_header(root, order, len(order.transactions), total)
        groups: dict[SequenceType, list[DirectDebit]] = {}
        for transaction in order.transactions:
            groups.setdefault(transaction.sequence_type, []).append(transaction)
        for sequence_type, transactions in groups.items():
            identifier = order.payment_information_id
            if len(groups) > 1:
                identifier = f"{identifier}-{sequence_type}"
            self.payment_information(root, identifier, sequence_type, transactions)
        return document

    def payment_information(
        self,
        root: etree._Element,
        identifier: str,
        sequence_type: SequenceType,
        transactions: list[DirectDebit],
    ) -> None:
        order = self.order
        information = self.element(root, "PmtInf")
        self.element(information, "PmtInfId", identifier)
        self.element(information, "PmtMtd", "DD")
        self.element(information, "BtchBookg", "true" if order.batch_booking else "false")
        self.element(information, "NbOfTxs", str(len(transactions)))
        total = sum((transaction.amount.amount for transaction in transactions), Decimal(0))
        self.element(information, "CtrlSum", _amount(total))
        self.payment_type(
            information,
            local_instrument=order.local_instrument,
            sequence_type=sequence_type,
            category_purpose=order.category_purpose,
        )
        self.element(information, "ReqdColltnDt", order.requested_collection_date.isoformat())
        self.party(self.element(information, "Cdtr"), order.creditor.name, order.creditor.address)
        self.account(information, "CdtrAcct", order.creditor)
        self.agent(information, "CdtrAgt", order.creditor.bic)
        self.element(information, "ChrgBr", "SLEV")
        self.scheme_identification(self.element(information, "CdtrSchmeId"), order.creditor_id)
        for transaction in transactions:
            self.transaction(information, transaction)

    def scheme_identification(self, scheme: etree._Element, creditor_id: str) -> None:
        """Write a SEPA creditor identifier into a party (``Id/PrvtId/Othr``)."""
        other = self.element(self.element(self.element(scheme, "Id"), "PrvtId"), "Othr")
        self.element(other, "Id", _compact(creditor_id))
        self.path(other, ("SchmeNm", "Prtry"), "SEPA")

    def transaction(self, parent: etree._Element, transaction: DirectDebit) -> None:
        element = self.element(parent, "DrctDbtTxInf")
        identification = self.element(element, "PmtId")
        if transaction.instruction_id:
            self.element(identification, "InstrId", transaction.instruction_id)
        self.element(identification, "EndToEndId", transaction.end_to_end_id)
        amount = self.element(element, "InstdAmt", _amount(transaction.amount.amount))
        amount.set("Ccy", transaction.amount.currency)
        self.mandate(self.element(element, "DrctDbtTx"), transaction.mandate)
        self.ultimate(element, "UltmtCdtr", transaction.ultimate_creditor)
        self.agent(element, "DbtrAgt", transaction.debtor.bic)
        self.party(
            self.element(element, "Dbtr"), transaction.debtor.name, transaction.debtor.address
        )
        self.account(element, "DbtrAcct", transaction.debtor)
        self.ultimate(element, "UltmtDbtr", transaction.ultimate_debtor)
        self.remittance(element, transaction)

    def mandate(self, parent: etree._Element, mandate: Mandate) -> None:
        information = self.element(parent, "MndtRltdInf")
        self.element(information, "MndtId", mandate.mandate_id)
        self.element(information, "DtOfSgntr", mandate.signed_on.isoformat())
        amendment = mandate.amendment
        if amendment is None:
            return
        self.element(information, "AmdmntInd", "true")
        details = self.element(information, "AmdmntInfDtls")
        if amendment.original_mandate_id:
            self.element(details, "OrgnlMndtId", amendment.original_mandate_id)
        if amendment.original_creditor_id or amendment.original_creditor_name:
            scheme = self.element(details, "OrgnlCdtrSchmeId")
            if amendment.original_creditor_name:
                self.element(scheme, "Nm", to_epc_text(amendment.original_creditor_name))
            if amendment.original_creditor_id:
                self.scheme_identification(scheme, amendment.original_creditor_id)
        if amendment.original_debtor_iban:
            self.path(
                details, ("OrgnlDbtrAcct", "Id", "IBAN"), _compact(amendment.original_debtor_iban)
            )
        if amendment.debtor_agent_changed:
            # SMNDA: "same mandate, new debtor agent" (the debtor moved to another bank).
            self.path(details, ("OrgnlDbtrAgt", "FinInstnId", "Othr", "Id"), "SMNDA")


def _compact(value: str) -> str:
    return "".join(value.split()).upper()
