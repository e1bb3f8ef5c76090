"""Reading pain.001 and pain.008 files back into payment orders.

Used to check what we send (a built file must read back as the order it came from) and to
import orders prepared elsewhere. The reader checks the control sums and transaction counts
of the group header and of every payment information block against the transactions.
"""

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import cast

from lxml import etree

from banking.formats.camt import parse_iso_datetime
from banking.formats.detection import detect_format
from banking.formats.errors import FormatError
from banking.formats.money import Money
from banking.formats.payment_order import (
    LOCAL_INSTRUMENTS,
    SEQUENCE_TYPES,
    AccountHolder,
    CreditTransfer,
    CreditTransferOrder,
    CreditTransferVersion,
    DirectDebit,
    DirectDebitOrder,
    DirectDebitVersion,
    Mandate,
    MandateAmendment,
    PostalAddress,
    SequenceType,
)
from banking.formats.safexml import MalformedXml, describe_syntax_error, refuse_doctype


class InvalidPaymentFile(FormatError):
    """A pain file lacks a required value or its control sums do not add up."""


_CREDIT_TRANSFER_VERSIONS = ("pain.001.001.09", "pain.001.001.03")
_DIRECT_DEBIT_VERSIONS = ("pain.008.001.08", "pain.008.001.02")


def read_payment_order(data: bytes) -> CreditTransferOrder | DirectDebitOrder:
    """Read a pain.001.001.03/.09 or pain.008.001.02/.08 file.

    Raises ``UnsupportedFormat`` for other messages and versions, ``ForbiddenDoctype`` /
    ``MalformedXml`` for hostile or broken XML, and :class:`InvalidPaymentFile` when a
    required value is missing or a count or control sum is wrong.
    """
    detected = detect_format(data)
    refuse_doctype(data)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise MalformedXml(describe_syntax_error(error)) from error
    version = detected.version or ""
    reader = _Reader("{" + (detected.namespace or "") + "}")
    if version in _CREDIT_TRANSFER_VERSIONS:
        return reader.credit_transfer(root, cast(CreditTransferVersion, version))
    if version in _DIRECT_DEBIT_VERSIONS:
        return reader.direct_debit(root, cast(DirectDebitVersion, version))
    raise InvalidPaymentFile(
        f"{version or detected.message_type} is not a payment order this reader knows"
    )


class _Reader:
    def __init__(self, ns: str) -> None:
        self.ns = ns

    def find(self, element: etree._Element | None, path: str) -> etree._Element | None:
        if element is None:
            return None
        return element.find("/".join(self.ns + step for step in path.split("/")))

    def findall(self, element: etree._Element, path: str) -> list[etree._Element]:
        found: list[etree._Element] = element.findall(
            "/".join(self.ns + step for step in path.split("/"))
        )
        return found

    def text(self, element: etree._Element | None, path: str) -> str | None:
        found = self.find(element, path)
        if found is None or found.text is None:
            return None
        return found.text.strip() or None

    def required(self, element: etree._Element | None, path: str) -> str:
        value = self.text(element, path)
        if value is None:
            line = element.sourceline if element is not None else None
            raise InvalidPaymentFile(f"{path} is missing (element at line {line})")
        return value

    # -- headers --------------------------------------------------------------------------

    def group_header(self, initiation: etree._Element) -> etree._Element:
        header = self.find(initiation, "GrpHdr")
        if header is None:
            raise InvalidPaymentFile("the group header (GrpHdr) is missing")
        return header

    def header(self, root: etree._Element) -> tuple[etree._Element, str, datetime, str]:
        if not len(root):
            raise InvalidPaymentFile("the document is empty")
        initiation = root[0]
        header = self.group_header(initiation)
        created = parse_iso_datetime(self.required(header, "CreDtTm"), UTC)
        if created is None:
            raise InvalidPaymentFile("GrpHdr/CreDtTm is not a date-time")
        return (
            initiation,
            self.required(header, "MsgId"),
            created,
            self.required(header, "InitgPty/Nm"),
        )

    def check_totals(self, element: etree._Element, amounts: list[Decimal], where: str) -> None:
        count = self.text(element, "NbOfTxs")
        if count is not None and int(count) != len(amounts):
            raise InvalidPaymentFile(
                f"{where}: NbOfTxs is {count} but there are {len(amounts)} transactions"
            )
        control = self.text(element, "CtrlSum")
        if control is not None and Decimal(control) != sum(amounts, Decimal(0)):
            raise InvalidPaymentFile(f"{where}: CtrlSum {control} is not the sum of the amounts")

    # -- credit transfers -----------------------------------------------------------------

    def credit_transfer(
        self, root: etree._Element, version: CreditTransferVersion
    ) -> CreditTransferOrder:
        initiation, message_id, created_at, initiating_party = self.header(root)
        blocks = self.findall(initiation, "PmtInf")
        if len(blocks) != 1:
            raise InvalidPaymentFile(f"expected one payment information block, found {len(blocks)}")
        (block,) = blocks
        transactions = tuple(
            self.credit_transfer_transaction(element)
            for element in self.findall(block, "CdtTrfTxInf")
        )
        amounts = [transaction.amount.amount for transaction in transactions]
        self.check_totals(block, amounts, "PmtInf")
        self.check_totals(self.group_header(initiation), amounts, "GrpHdr")
        execution = self.text(block, "ReqdExctnDt/Dt") or self.required(block, "ReqdExctnDt")
        return CreditTransferOrder(
            message_id=message_id,
            payment_information_id=self.required(block, "PmtInfId"),
            created_at=created_at,
            initiating_party=initiating_party,
            debtor=self.account_holder(block, "Dbtr", "DbtrAcct", "DbtrAgt"),
            requested_execution_date=_date(execution),
            transactions=transactions,
            batch_booking=self.text(block, "BtchBookg") != "false",
            category_purpose=self.text(block, "PmtTpInf/CtgyPurp/Cd"),
            version=version,
        )

    def credit_transfer_transaction(self, element: etree._Element) -> CreditTransfer:
        reference, remittance = self.remittance(element)
        return CreditTransfer(
            end_to_end_id=self.required(element, "PmtId/EndToEndId"),
            instruction_id=self.text(element, "PmtId/InstrId"),
            amount=self.money(element, "Amt/InstdAmt"),
            creditor=self.account_holder(element, "Cdtr", "CdtrAcct", "CdtrAgt"),
            remittance_information=remittance,
            creditor_reference=reference,
            purpose_code=self.text(element, "Purp/Cd"),
            ultimate_debtor=self.text(element, "UltmtDbtr/Nm"),
            ultimate_creditor=self.text(element, "UltmtCdtr/Nm"),
        )

    # -- direct debits --------------------------------------------------------------------

    def direct_debit(self, root: etree._Element, version: DirectDebitVersion) -> DirectDebitOrder:
        initiation, message_id, created_at, initiating_party = self.header(root)
        blocks = self.findall(initiation, "PmtInf")
        if not blocks:
            raise InvalidPaymentFile("no payment information block")
        transactions: list[DirectDebit] = []
        for block in blocks:
            sequence_type = self.required(block, "PmtTpInf/SeqTp")
            if sequence_type not in SEQUENCE_TYPES:
                raise InvalidPaymentFile(
                    f"PmtTpInf/SeqTp {sequence_type!r} is not a SEPA sequence type"
                )
            block_transactions = [
                self.direct_debit_transaction(element, sequence_type)
                for element in self.findall(block, "DrctDbtTxInf")
            ]
            self.check_totals(block, [t.amount.amount for t in block_transactions], "PmtInf")
            transactions.extend(block_transactions)
        self.check_totals(
            self.group_header(initiation),
            [t.amount.amount for t in transactions],
            "GrpHdr",
        )
        first = blocks[0]
        identifier = self.required(first, "PmtInfId")
        if len(blocks) > 1:
            identifier = identifier.rsplit("-", 1)[0]
        instrument = self.required(first, "PmtTpInf/LclInstrm/Cd")
        if instrument not in LOCAL_INSTRUMENTS:
            raise InvalidPaymentFile(f"local instrument {instrument!r} is not CORE or B2B")
        return DirectDebitOrder(
            message_id=message_id,
            payment_information_id=identifier,
            created_at=created_at,
            initiating_party=initiating_party,
            creditor=self.account_holder(first, "Cdtr", "CdtrAcct", "CdtrAgt"),
            creditor_id=self.required(first, "CdtrSchmeId/Id/PrvtId/Othr/Id"),
            requested_collection_date=_date(self.required(first, "ReqdColltnDt")),
            transactions=tuple(transactions),
            local_instrument=instrument,
            batch_booking=self.text(first, "BtchBookg") != "false",
            category_purpose=self.text(first, "PmtTpInf/CtgyPurp/Cd"),
            version=version,
        )

    def direct_debit_transaction(
        self, element: etree._Element, sequence_type: SequenceType
    ) -> DirectDebit:
        reference, remittance = self.remittance(element)
        mandate = self.find(element, "DrctDbtTx/MndtRltdInf")
        amendment = None
        if self.text(mandate, "AmdmntInd") == "true":
            details = self.find(mandate, "AmdmntInfDtls")
            amendment = MandateAmendment(
                original_mandate_id=self.text(details, "OrgnlMndtId"),
                original_creditor_id=self.text(details, "OrgnlCdtrSchmeId/Id/PrvtId/Othr/Id"),
                original_creditor_name=self.text(details, "OrgnlCdtrSchmeId/Nm"),
                original_debtor_iban=self.text(details, "OrgnlDbtrAcct/Id/IBAN"),
                debtor_agent_changed=self.text(details, "OrgnlDbtrAgt/FinInstnId/Othr/Id")
                == "SMNDA",
            )
        return DirectDebit(
            end_to_end_id=self.required(element, "PmtId/EndToEndId"),
            instruction_id=self.text(element, "PmtId/InstrId"),
            amount=self.money(element, "InstdAmt"),
            debtor=self.account_holder(element, "Dbtr", "DbtrAcct", "DbtrAgt"),
            mandate=Mandate(
                mandate_id=self.required(mandate, "MndtId"),
                signed_on=_date(self.required(mandate, "DtOfSgntr")),
                amendment=amendment,
            ),
            sequence_type=sequence_type,
            remittance_information=remittance,
            creditor_reference=reference,
            purpose_code=self.text(element, "Purp/Cd"),
            ultimate_debtor=self.text(element, "UltmtDbtr/Nm"),
            ultimate_creditor=self.text(element, "UltmtCdtr/Nm"),
        )

    # -- parts ----------------------------------------------------------------------------

    def account_holder(
        self, parent: etree._Element, party: str, account: str, agent: str
    ) -> AccountHolder:
        party_element = self.find(parent, party)
        bic = self.text(parent, f"{agent}/FinInstnId/BICFI") or self.text(
            parent, f"{agent}/FinInstnId/BIC"
        )
        address = self.find(party_element, "PstlAdr")
        return AccountHolder(
            name=self.required(party_element, "Nm")
            if party_element is not None
            else self.required(parent, party),
            iban=self.required(parent, f"{account}/Id/IBAN"),
            bic=bic,
            address=self.address(address) if address is not None else None,
        )

    def address(self, address: etree._Element) -> PostalAddress:
        return PostalAddress(
            country=self.text(address, "Ctry"),
            street_name=self.text(address, "StrtNm"),
            building_number=self.text(address, "BldgNb"),
            post_code=self.text(address, "PstCd"),
            town_name=self.text(address, "TwnNm"),
            address_lines=tuple(line.text or "" for line in self.findall(address, "AdrLine")),
        )

    def remittance(self, element: etree._Element) -> tuple[str | None, str | None]:
        reference = self.text(element, "RmtInf/Strd/CdtrRefInf/Ref")
        lines = [line.text or "" for line in self.findall(element, "RmtInf/Ustrd")]
        return reference, " ".join(lines) or None

    def money(self, element: etree._Element, path: str) -> Money:
        amount = self.find(element, path)
        if amount is None or amount.text is None:
            raise InvalidPaymentFile(f"{path} is missing (line {element.sourceline})")
        try:
            value = Decimal(amount.text.strip())
        except InvalidOperation:
            raise InvalidPaymentFile(
                f"{path} {amount.text!r} is not an amount (line {amount.sourceline})"
            ) from None
        return Money(value, amount.get("Ccy") or "")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise InvalidPaymentFile(f"{text!r} is not a date") from None
