"""Streaming reader for ISO 20022 camt.052, camt.053 and camt.054 (versions .001.02 to .13).

The file is parsed incrementally: every ``Ntry`` is turned into items as soon as its end tag
is read, then cleared together with the siblings before it, so memory stays flat whatever
the size of the file. The statement header (``Id``, ``Acct``, ``Bal``, ...) precedes the
entries and is read when the first entry (or the statement's end) arrives.

Entries are read by walking their children once into small dictionaries keyed by qualified
tag (``_kids``) instead of running a path query per field: a path query costs several
microseconds in lxml, and an entry has some forty fields.

Differences between versions are absorbed here: ``BIC`` became ``BICFI`` (.04), entry and
transaction amounts moved (``TxDtls/Amt`` from .04, ``AmtDtls/TxAmt`` before), parties gained
a ``Pty`` level (.08) and the entry status became a choice (``Sts/Cd``, .07).

Leniency: element order, unknown elements and values that break the schema without changing
their meaning (e.g. a country code ``CH2``) are accepted. Strictness: the amount, currency
and credit/debit indicator of entries and balances must be present and exact; an entry that
fails those checks is reported in the errors and skipped, never guessed. See
:mod:`banking.formats.statement` for the sign and reversal rules.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Final

from lxml import etree

from banking.formats.creditor_reference import is_valid_creditor_reference
from banking.formats.detection import DetectedFormat
from banking.formats.errors import FormatError
from banking.formats.money import Money
from banking.formats.safexml import iter_elements
from banking.formats.source import Readable
from banking.formats.statement import (
    Account,
    Balance,
    BankTransactionCode,
    Batch,
    Charges,
    EntryError,
    Party,
    Period,
    Statement,
    StatementItem,
)
from banking.formats.statement_stream import ItemRead, StatementEvent, StatementRead


class InvalidEntry(FormatError):
    """An entry (or balance) lacks or garbles a value that money depends on."""


#: The element holding one statement, report or notification, by message type.
_CONTAINERS: Final = {"camt.053": "Stmt", "camt.052": "Rpt", "camt.054": "Ntfctn"}
_PAGINATION: Final = {"camt.053": "StmtPgntn", "camt.052": "RptPgntn", "camt.054": "NtfctnPgntn"}
_ADDITIONAL_INFO: Final = {
    "camt.053": "AddtlStmtInf",
    "camt.052": "AddtlRptInf",
    "camt.054": "AddtlNtfctnInf",
}
_TAG_NAMES: Final = (
    "Acct",
    "AcctSvcrRef",
    "AddtlInf",
    "AddtlNtryInf",
    "AddtlTxInf",
    "Amt",
    "AmtDtls",
    "Bal",
    "BIC",
    "BICFI",
    "BkTxCd",
    "BookgDt",
    "Btch",
    "Ccy",
    "CcyXchg",
    "CdOrPrtry",
    "Cd",
    "CdtDbtInd",
    "Cdtr",
    "CdtrAcct",
    "CdtrAgt",
    "CdtrRefInf",
    "Chrgs",
    "ChrgInclInd",
    "CntrValAmt",
    "CreDtTm",
    "Dbtr",
    "DbtrAcct",
    "DbtrAgt",
    "Domn",
    "Dt",
    "DtTm",
    "ElctrncSeqNb",
    "EndToEndId",
    "FinInstnId",
    "Fmly",
    "FrDtTm",
    "FrToDt",
    "GrpHdr",
    "IBAN",
    "Id",
    "InstdAmt",
    "InstrId",
    "Issr",
    "LglSeqNb",
    "MndtId",
    "MsgId",
    "Nb",
    "NbOfTxs",
    "Nm",
    "Ntry",
    "NtryDtls",
    "NtryRef",
    "Othr",
    "Ownr",
    "PgNb",
    "PmtInfId",
    "Prtry",
    "Pty",
    "Rcrd",
    "Ref",
    "Refs",
    "RfrdDocInf",
    "RltdAgts",
    "RltdPties",
    "RmtInf",
    "Rsn",
    "RtrInf",
    "RvslInd",
    "SchmeNm",
    "Strd",
    "Sts",
    "SubFmlyCd",
    "Svcr",
    "Tp",
    "ToDtTm",
    "TtlChrgsAndTaxAmt",
    "TxAmt",
    "TxDtls",
    "TxId",
    "UETR",
    "UltmtCdtr",
    "UltmtDbtr",
    "Ustrd",
    "ValDt",
    "XchgRate",
)

_AMOUNT = re.compile(r"^\d{1,18}(?:\.\d{1,5})?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})?$"
)
_NOT_PROVIDED = "NOTPROVIDED"

_Kids = dict[str, etree._Element]
_NO_KIDS: Final[_Kids] = {}


def iter_camt(
    reader: Readable, detected: DetectedFormat, *, assume_timezone: tzinfo
) -> Iterator[StatementEvent]:
    """Yield the items, errors and statements of a camt.052/053/054 file, in file order.

    ``detected`` must come from :func:`banking.formats.detection.detect_format`. Naive
    date-times in the file are read in ``assume_timezone``. Raises ``MalformedXml`` or
    ``ForbiddenDoctype`` for broken or hostile XML (after yielding what came before).
    """
    yield from _CamtReader(detected, assume_timezone).read(reader)


@dataclass(slots=True)
class _StatementState:
    index: int
    line: int | None
    statement_id: str | None = None
    entry_count: int = 0
    account: Account = field(default_factory=Account)
    period: Period | None = None
    electronic_sequence_number: str | None = None
    legal_sequence_number: str | None = None
    page_number: str | None = None
    created_at: datetime | None = None
    balances: list[Balance] = field(default_factory=list)
    first_currency: str | None = None


@dataclass(frozen=True, slots=True)
class _EntryCommon:
    """What every item of one entry shares."""

    amount: Money
    status: str
    is_reversal: bool
    booking_date: date | None
    value_date: date | None
    account_servicer_reference: str | None
    bank_transaction_code: BankTransactionCode
    charges: Charges | None
    additional_information: str | None


class _CamtReader:
    def __init__(self, detected: DetectedFormat, assume_timezone: tzinfo) -> None:
        if detected.namespace is None:
            raise InvalidEntry(f"{detected.message_type} is not an XML message")
        self.detected = detected
        self.message_type = detected.message_type
        self.ns = "{" + detected.namespace + "}"
        self.t = {name: self.ns + name for name in _TAG_NAMES}
        self.tz = assume_timezone
        self.container = _CONTAINERS[detected.message_type]
        self.message_id: str | None = None
        self.group_created_at: datetime | None = None

    # -- the event loop -----------------------------------------------------------------

    def read(self, reader: Readable) -> Iterator[StatementEvent]:
        group_header = self.t["GrpHdr"]
        container = self.ns + self.container
        entry = self.t["Ntry"]
        state: _StatementState | None = None
        statement_index = 0
        # End events only: a statement's state starts with its first entry (or its end),
        # which halves the events compared with also listening for start tags.
        for _event, element in iter_elements(
            reader, tags=(group_header, container, entry), events=("end",)
        ):
            tag = element.tag
            if tag == entry:
                parent = element.getparent()
                if parent is not None and parent.tag == container:
                    if state is None:
                        statement_index += 1
                        state = _StatementState(index=statement_index, line=parent.sourceline)
                        yield from self._read_header(parent, state, stop_at=element)
                    state.entry_count += 1
                    yield from self._read_entry(element, state)
                _release(element)
            elif tag == container:
                if state is None:
                    statement_index += 1
                    state = _StatementState(index=statement_index, line=element.sourceline)
                    yield from self._read_header(element, state, stop_at=None)
                yield StatementRead(statement=self._statement(element, state))
                _release(element)
                state = None
            elif tag == group_header:
                kids = _kids(element)
                self.message_id = _value(kids, self.t["MsgId"])
                self.group_created_at = self._datetime(_value(kids, self.t["CreDtTm"]))
                _release(element)

    # -- statement header ---------------------------------------------------------------

    def _read_header(
        self,
        container: etree._Element,
        state: _StatementState,
        stop_at: etree._Element | None,
    ) -> Iterator[EntryError]:
        t = self.t
        pagination = self.ns + _PAGINATION[self.message_type]
        for child in container:
            if child is stop_at:
                break
            tag = child.tag
            if tag == t["Id"]:
                state.statement_id = _strip(child.text)
            elif tag == t["Acct"]:
                state.account = self._account(child)
            elif tag == t["Bal"]:
                try:
                    state.balances.append(self._balance(child))
                except InvalidEntry as error:
                    yield EntryError(
                        statement_id=state.statement_id,
                        entry=None,
                        line=child.sourceline,
                        message=f"{self.container}[{state.index}]/Bal: {error}",
                    )
            elif tag == t["FrToDt"]:
                kids = _kids(child)
                state.period = Period(
                    from_at=self._datetime(_value(kids, t["FrDtTm"])),
                    to_at=self._datetime(_value(kids, t["ToDtTm"])),
                )
            elif tag == t["ElctrncSeqNb"]:
                state.electronic_sequence_number = _strip(child.text)
            elif tag == t["LglSeqNb"]:
                state.legal_sequence_number = _strip(child.text)
            elif tag == t["CreDtTm"]:
                state.created_at = self._datetime(_strip(child.text))
            elif tag == pagination:
                state.page_number = _value(_kids(child), t["PgNb"])

    def _statement(self, container: etree._Element, state: _StatementState) -> Statement:
        account = state.account
        if account.currency is None:
            currency = state.balances[0].amount.currency if state.balances else state.first_currency
            account = Account(
                iban=account.iban,
                other_id=account.other_id,
                currency=currency,
                bic=account.bic,
                name=account.name,
            )
        information_tag = self.ns + _ADDITIONAL_INFO[self.message_type]
        information = " ".join(
            text
            for text in (_strip(child.text) for child in container.iterchildren(information_tag))
            if text
        )
        return Statement(
            message_type=self.message_type,
            version=self.detected.version,
            message_id=self.message_id,
            statement_id=state.statement_id,
            account=account,
            sequence_number=state.electronic_sequence_number,
            legal_sequence_number=state.legal_sequence_number,
            page_number=state.page_number,
            created_at=state.created_at or self.group_created_at,
            period=state.period,
            balances=tuple(state.balances),
            information=information or None,
            line=state.line,
        )

    def _account(self, account: etree._Element) -> Account:
        t = self.t
        kids = _kids(account)
        identification = _kids(kids.get(t["Id"]))
        owner = _kids(kids.get(t["Ownr"]))
        return Account(
            iban=_compact(_value(identification, t["IBAN"])),
            other_id=_value(_kids(identification.get(t["Othr"])), t["Id"]),
            currency=_value(kids, t["Ccy"]),
            bic=self._bic(_kids(kids.get(t["Svcr"])).get(t["FinInstnId"])),
            name=_value(kids, t["Nm"]) or _value(owner, t["Nm"]),
        )

    def _balance(self, balance: etree._Element) -> Balance:
        t = self.t
        kids = _kids(balance)
        type_choice = _kids(_kids(kids.get(t["Tp"])).get(t["CdOrPrtry"]))
        code = _value(type_choice, t["Cd"]) or _value(type_choice, t["Prtry"])
        if code is None:
            raise InvalidEntry("balance without a type code (Tp/CdOrPrtry)")
        return Balance(
            type=code,
            amount=self._signed_amount(kids, "balance"),
            date=self._date_choice(kids.get(t["Dt"])),
        )

    # -- entries ------------------------------------------------------------------------

    def _read_entry(
        self, entry: etree._Element, state: _StatementState
    ) -> Iterator[StatementEvent]:
        kids = _kids(entry)
        reference = _value(kids, self.t["NtryRef"])
        try:
            items = self._entry_items(entry, kids, state, reference)
        except InvalidEntry as error:
            label = f"#{state.entry_count}" + (f" ({reference})" if reference else "")
            yield EntryError(
                statement_id=state.statement_id,
                entry=label,
                line=entry.sourceline,
                message=f"{self.container}[{state.index}]/Ntry[{state.entry_count}]: {error}",
            )
            return
        for item in items:
            yield ItemRead(item=item)

    def _entry_items(
        self,
        entry: etree._Element,
        kids: _Kids,
        state: _StatementState,
        reference: str | None,
    ) -> list[StatementItem]:
        t = self.t
        amount = self._signed_amount(kids, "entry")
        if state.first_currency is None:
            state.first_currency = amount.currency
        code = kids.get(t["BkTxCd"])
        common = _EntryCommon(
            amount=amount,
            status=self._status(kids.get(t["Sts"])),
            is_reversal=(_value(kids, t["RvslInd"]) or "").lower() in ("true", "1"),
            booking_date=self._date_choice(kids.get(t["BookgDt"])),
            value_date=self._date_choice(kids.get(t["ValDt"])),
            account_servicer_reference=_value(kids, t["AcctSvcrRef"]),
            bank_transaction_code=(
                self._bank_transaction_code(code) if code is not None else _NO_CODE
            ),
            charges=self._charges(entry) if t["Chrgs"] in kids else None,
            additional_information=_value(kids, t["AddtlNtryInf"]),
        )
        transactions: list[etree._Element] = []
        batch_kids = _NO_KIDS
        if t["NtryDtls"] in kids:
            for entry_details in entry.iterchildren(t["NtryDtls"]):
                batch = entry_details.find(t["Btch"])
                if batch is not None and not batch_kids:
                    batch_kids = _kids(batch)
                transactions.extend(entry_details.iterchildren(t["TxDtls"]))
        declared = _value(batch_kids, t["NbOfTxs"])
        declared_count = int(declared) if declared is not None and declared.isdigit() else None
        batch_info = None
        if len(transactions) > 1 or (declared_count or 0) > 1:
            batch_info = Batch(
                reference=_value(batch_kids, t["PmtInfId"])
                or _value(batch_kids, t["MsgId"])
                or reference
                or common.account_servicer_reference,
                entry_reference=reference,
                number_of_transactions=declared_count or len(transactions),
                total=amount,
            )
        if len(transactions) <= 1:
            # A single transaction is the entry itself: the booked entry amount is what counts.
            transaction = transactions[0] if transactions else None
            line = transaction.sourceline if transaction is not None else entry.sourceline
            return [self._item(common, transaction, amount, batch_info, state, line)]
        return [
            self._item(
                common,
                transaction,
                self._transaction_amount(_kids(transaction), amount, number),
                batch_info,
                state,
                transaction.sourceline,
            )
            for number, transaction in enumerate(transactions, start=1)
        ]

    def _status(self, status: etree._Element | None) -> str:
        if status is None:
            raise InvalidEntry("entry without a status (Sts)")
        if len(status):
            kids = _kids(status)
            code = _value(kids, self.t["Cd"]) or _value(kids, self.t["Prtry"])
        else:
            code = _strip(status.text)
        if code is None:
            raise InvalidEntry("entry with an empty status (Sts)")
        return code

    def _transaction_amount(self, kids: _Kids, entry_amount: Money, number: int) -> Money:
        """The signed amount of one transaction of a batch, in the entry's currency."""
        t = self.t
        indicator = _value(kids, t["CdtDbtInd"])
        if indicator is None:
            is_credit = entry_amount.amount >= 0
        elif indicator in ("CRDT", "DBIT"):
            is_credit = indicator == "CRDT"
        else:
            raise InvalidEntry(f"TxDtls[{number}]/CdtDbtInd is {indicator!r}, not CRDT or DBIT")
        details = _kids(kids.get(t["AmtDtls"]))
        candidates = (
            ("Amt", kids.get(t["Amt"])),
            ("AmtDtls/TxAmt/Amt", _kids(details.get(t["TxAmt"])).get(t["Amt"])),
            ("AmtDtls/CntrValAmt/Amt", _kids(details.get(t["CntrValAmt"])).get(t["Amt"])),
        )
        for path, element in candidates:
            if element is None:
                continue
            money = read_amount(element, f"TxDtls[{number}]/{path}")
            if money.currency == entry_amount.currency:
                return money if is_credit else -money
        raise InvalidEntry(
            f"batch entry with several transactions, but TxDtls[{number}] has no amount in "
            f"the entry currency {entry_amount.currency}; the entry cannot be split"
        )

    def _item(
        self,
        common: _EntryCommon,
        transaction: etree._Element | None,
        amount: Money,
        batch: Batch | None,
        state: _StatementState,
        line: int | None,
    ) -> StatementItem:
        t = self.t
        # Every element of the transaction by tag, in one pass (the last one wins); only
        # names that occur once in a TxDtls are looked up here directly.
        flat: _Kids = (
            {element.tag: element for element in transaction.iter()}
            if transaction is not None
            else {}
        )
        code_element = flat.get(t["BkTxCd"])
        counterparty, ultimate = self._counterparties(
            flat,
            is_incoming=amount.amount >= 0,
            is_reversal=common.is_reversal,
            own_iban=state.account.iban,
        )
        remittance = flat.get(t["RmtInf"])
        unstructured: str | None = None
        creditor_reference: str | None = None
        reference_type: str | None = None
        documents: tuple[str, ...] = ()
        if remittance is not None:
            lines = (_clean(line.text) for line in remittance.iterchildren(t["Ustrd"]))
            unstructured = " ".join(text for text in lines if text) or None
            creditor_reference, reference_type, documents = self._structured_remittance(remittance)
        return_element = flat.get(t["RtrInf"])
        return_reason, return_information = (
            self._return_information(return_element) if return_element is not None else (None, None)
        )
        amount_details = flat.get(t["AmtDtls"])
        original_amount, exchange_rate = (
            self._amount_details(amount_details) if amount_details is not None else (None, None)
        )
        charges = common.charges
        if transaction is not None and t["Chrgs"] in flat:
            charges = self._charges(transaction) or charges
        mandate_id = _provided(_value(flat, t["MndtId"]))
        creditor = flat.get(t["Cdtr"])
        return StatementItem(
            amount=amount,
            booking_date=common.booking_date,
            value_date=common.value_date,
            status=common.status,
            is_reversal=common.is_reversal,
            bank_transaction_code=(
                self._bank_transaction_code(code_element)
                if code_element is not None
                else common.bank_transaction_code
            ),
            account_servicer_reference=(
                _value(flat, t["AcctSvcrRef"]) or common.account_servicer_reference
            ),
            end_to_end_id=_provided(_value(flat, t["EndToEndId"])),
            transaction_id=_provided(_value(flat, t["TxId"])),
            instruction_id=_provided(_value(flat, t["InstrId"])),
            mandate_id=mandate_id,
            # Only direct debits carry a creditor identifier, and they carry a mandate.
            creditor_id=self._creditor_id(creditor)
            if creditor is not None and mandate_id
            else None,
            uetr=_value(flat, t["UETR"]),
            counterparty=counterparty,
            ultimate_counterparty=ultimate,
            remittance_information=unstructured,
            creditor_reference=creditor_reference,
            creditor_reference_type=reference_type,
            referred_document_numbers=documents,
            return_reason=return_reason,
            return_information=return_information,
            charges=charges,
            batch=batch,
            original_amount=original_amount,
            exchange_rate=exchange_rate,
            additional_information=_value(flat, t["AddtlTxInf"]) or common.additional_information,
            line=line,
        )

    def _counterparties(
        self,
        flat: _Kids,
        *,
        is_incoming: bool,
        is_reversal: bool,
        own_iban: str | None,
    ) -> tuple[Party | None, Party | None]:
        if self.t["RltdPties"] not in flat:
            return None, None
        # The payer of an incoming payment is its debtor; a reversal undoes a payment that
        # went the other way, so the original roles are swapped.
        original_incoming = is_incoming != is_reversal
        roles = ("Dbtr", "Cdtr") if original_incoming else ("Cdtr", "Dbtr")
        for role in roles:
            party = self._party(flat, role)
            if party is None:
                continue
            if own_iban is not None and party.iban == own_iban:
                # Banks sometimes report the account holder in both roles; skip ourselves.
                continue
            ultimate_name = self._name(flat.get(self.t["Ultmt" + role]))
            return party, Party(name=ultimate_name) if ultimate_name else None
        return None, None

    def _party(self, flat: _Kids, role: str) -> Party | None:
        t = self.t
        name = self._name(flat.get(t[role]))
        iban: str | None = None
        other: str | None = None
        account = flat.get(t[role + "Acct"])
        if account is not None:
            iban = _compact(_first_text(account, t["IBAN"]))
            if iban is None:
                other_element = next(account.iter(t["Othr"]), None)
                other = _value(_kids(other_element), t["Id"]) if other_element is not None else None
        if name is None and iban is None and other is None:
            return None
        agent = flat.get(t[role + "Agt"])
        bic = _first_text(agent, t["BICFI"], t["BIC"]) if agent is not None else None
        return Party(name=name, iban=iban, other_account_id=other, bic=bic)

    def _name(self, party: etree._Element | None) -> str | None:
        """A party's name: its first ``Nm``, directly under it (to .07) or under ``Pty``."""
        if party is None:
            return None
        return _clean(_first_text(party, self.t["Nm"]))

    def _creditor_id(self, creditor: etree._Element) -> str | None:
        t = self.t
        for other in creditor.iter(t["Othr"]):
            kids = _kids(other)
            scheme = _kids(kids.get(t["SchmeNm"]))
            name = _value(scheme, t["Prtry"]) or _value(scheme, t["Cd"])
            if name is not None and name.upper() == "SEPA":
                return _value(kids, t["Id"])
        return None

    def _structured_remittance(
        self, remittance: etree._Element
    ) -> tuple[str | None, str | None, tuple[str, ...]]:
        t = self.t
        reference: str | None = None
        reference_type: str | None = None
        documents: list[str] = []
        for structured in remittance.iterchildren(t["Strd"]):
            for document in structured.iterchildren(t["RfrdDocInf"]):
                number = _value(_kids(document), t["Nb"])
                if number:
                    documents.append(number)
            creditor_reference = _kids(structured.find(t["CdtrRefInf"]))
            if reference is None and creditor_reference:
                reference = _value(creditor_reference, t["Ref"])
                if reference is not None:
                    choice = _kids(_kids(creditor_reference.get(t["Tp"])).get(t["CdOrPrtry"]))
                    reference_type = _reference_type(
                        reference,
                        code=_value(choice, t["Cd"]),
                        proprietary=_value(choice, t["Prtry"]),
                    )
        return reference, reference_type, tuple(documents)

    def _return_information(self, returned: etree._Element) -> tuple[str | None, str | None]:
        t = self.t
        reason = _kids(_kids(returned).get(t["Rsn"]))
        texts = (_clean(element.text) for element in returned.iterchildren(t["AddtlInf"]))
        information = " ".join(text for text in texts if text)
        return _value(reason, t["Cd"]) or _value(reason, t["Prtry"]), information or None

    def _charges(self, owner: etree._Element) -> Charges | None:
        t = self.t
        total: Money | None = None
        included: bool | None = None
        for charges in owner.iterchildren(t["Chrgs"]):
            kids = _kids(charges)
            total_element = kids.get(t["TtlChrgsAndTaxAmt"])
            if total_element is not None:
                total = read_amount(total_element, "Chrgs/TtlChrgsAndTaxAmt")
            # .04 and later list records; .02 repeats Chrgs with the amount directly inside.
            records = list(charges.iterchildren(t["Rcrd"])) or [charges]
            for record in records:
                record_kids = _kids(record)
                flag = _value(record_kids, t["ChrgInclInd"])
                if flag is not None and included is None:
                    included = flag.lower() in ("true", "1")
                amount_element = record_kids.get(t["Amt"])
                if total_element is not None or amount_element is None:
                    continue
                money = read_amount(amount_element, "Chrgs/Amt")
                if total is None:
                    total = money
                elif total.currency == money.currency:
                    total = Money(total.amount + money.amount, total.currency)
        if total is None:
            return None
        return Charges(amount=total, is_included=included)

    def _amount_details(self, details: etree._Element) -> tuple[Money | None, Decimal | None]:
        t = self.t
        kids = _kids(details)
        instructed = _kids(kids.get(t["InstdAmt"]))
        amount_element = instructed.get(t["Amt"])
        original = (
            read_amount(amount_element, "AmtDtls/InstdAmt/Amt")
            if amount_element is not None
            else None
        )
        rate: Decimal | None = None
        for name in ("InstdAmt", "TxAmt", "CntrValAmt"):
            exchange = _kids(_kids(kids.get(t[name])).get(t["CcyXchg"]))
            rate = _decimal_or_none(_value(exchange, t["XchgRate"]))
            if rate is not None:
                break
        return original, rate

    def _bank_transaction_code(self, code: etree._Element) -> BankTransactionCode:
        t = self.t
        kids = _kids(code)
        domain = _kids(kids.get(t["Domn"]))
        family = _kids(domain.get(t["Fmly"]))
        proprietary = _kids(kids.get(t["Prtry"]))
        return BankTransactionCode(
            domain=_value(domain, t["Cd"]),
            family=_value(family, t["Cd"]),
            sub_family=_value(family, t["SubFmlyCd"]),
            proprietary=_value(proprietary, t["Cd"]),
            issuer=_value(proprietary, t["Issr"]),
        )

    def _bic(self, institution: etree._Element | None) -> str | None:
        if institution is None:
            return None
        kids = _kids(institution)
        return _value(kids, self.t["BICFI"]) or _value(kids, self.t["BIC"])

    # -- values -------------------------------------------------------------------------

    def _signed_amount(self, kids: _Kids, what: str) -> Money:
        amount_element = kids.get(self.t["Amt"])
        if amount_element is None:
            raise InvalidEntry(f"{what} without an amount (Amt)")
        money = read_amount(amount_element, "Amt")
        indicator = _value(kids, self.t["CdtDbtInd"])
        if indicator == "CRDT":
            return money
        if indicator == "DBIT":
            return -money
        if indicator is None:
            raise InvalidEntry(f"{what} without a credit/debit indicator (CdtDbtInd)")
        raise InvalidEntry(f"CdtDbtInd is {indicator!r}, not CRDT or DBIT")

    def _date_choice(self, element: etree._Element | None) -> date | None:
        if element is None:
            return None
        kids = _kids(element)
        text = _value(kids, self.t["Dt"])
        if text is not None:
            return _date_or_none(text)
        moment = self._datetime(_value(kids, self.t["DtTm"]))
        return moment.date() if moment is not None else None

    def _datetime(self, text: str | None) -> datetime | None:
        return parse_iso_datetime(text, self.tz) if text else None


_NO_CODE: Final = BankTransactionCode()


def parse_iso_datetime(text: str, assume_timezone: tzinfo) -> datetime | None:
    """Parse an ISO 8601 date-time; naive values are taken to be in ``assume_timezone``.

    Returns None when ``text`` is not a valid date-time.
    """
    match = _DATETIME.match(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    zone: tzinfo = assume_timezone
    if offset == "Z":
        zone = UTC
    elif offset:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        zone = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            min(int(second), 59),  # a leap second is not worth losing the statement over
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=zone,
        )
    except ValueError:
        return None


def _kids(element: etree._Element | None) -> _Kids:
    """The children of ``element`` by qualified tag (the last wins for repeated tags)."""
    if element is None:
        return _NO_KIDS
    return {child.tag: child for child in element}


def _value(kids: _Kids, tag: str) -> str | None:
    element = kids.get(tag)
    if element is None:
        return None
    text = element.text
    if text is None:
        return None
    return text.strip() or None


def _first_text(element: etree._Element, *tags: str) -> str | None:
    """The text of the first descendant of ``element`` with one of ``tags``."""
    found = next(element.iter(*tags), None)
    return _strip(found.text) if found is not None else None


def _strip(text: str | None) -> str | None:
    if text is None:
        return None
    return text.strip() or None


def read_amount(element: etree._Element, path: str) -> Money:
    """Read an ISO amount element (``<Amt Ccy="EUR">1.00</Amt>``) strictly; ``path`` names it
    in the error. Raises :class:`InvalidEntry` for a malformed amount or currency."""
    text = (element.text or "").strip()
    currency = (element.get("Ccy") or "").strip()
    if not _AMOUNT.match(text):
        raise InvalidEntry(f"{path}: amount {text!r} is not a non-negative decimal number")
    if not _CURRENCY.match(currency):
        raise InvalidEntry(f"{path}: currency {currency!r} is not an ISO 4217 code")
    return Money(Decimal(text), currency)


def _release(element: etree._Element) -> None:
    """Free a finished element and everything before it, keeping memory flat."""
    element.clear()
    parent = element.getparent()
    if parent is None:
        return
    while element.getprevious() is not None:
        del parent[0]


def _reference_type(reference: str, *, code: str | None, proprietary: str | None) -> str | None:
    if is_valid_creditor_reference(reference):
        return "RF"
    if proprietary is not None:
        upper = proprietary.upper()
        if "QRR" in upper:
            return "QRR"
        if "ISR" in upper or "ESR" in upper or "BVR" in upper:
            return "ISR"
        return proprietary
    return code


def _date_or_none(text: str) -> date | None:
    # ISO dates may carry a time zone ("2024-01-02+01:00"); the day is what counts.
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _decimal_or_none(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _provided(reference: str | None) -> str | None:
    """Banks write NOTPROVIDED where the payer gave no reference; that is no reference."""
    reference = _strip(reference)
    if reference is None or reference.replace(" ", "").upper() == _NOT_PROVIDED:
        return None
    return reference


def _compact(iban: str | None) -> str | None:
    return iban.replace(" ", "").upper() if iban else None


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(text.split()) or None
