"""Reader for SWIFT MT940 statements and MT942 interim reports, one line at a time.

Why our own field reader rather than the ``mt-940`` library (checked: release 5.1.1, BSD,
maintained): it reads the whole file into memory, keeps no line numbers, and stops at the
first field it cannot match, losing every good entry of the file (it does so on the ASN Bank
fixture). Here each bad entry is reported with its line and the rest of the file is kept, as
the rest of this package promises. ``mt-940`` stays useful as the benchmark baseline.

Tolerated deviations, all seen in real files: SWIFT block headers (``{1:...}{4:``) and bank
header lines before ``:20:``; ``-``, ``-}`` and ``-XXX`` terminators or none at all; missing
entry dates or four spaces in their place; a funds code after the debit/credit mark; amounts
without a decimal comma; customer references longer than 16 characters; a 16-character
reference followed by the counterparty name on the same line (Rabobank); statement-level
``:86:`` after the closing balance (ING); several ``:86:`` per entry (Rabobank).

Text is decoded per line: UTF-8 when valid, else Windows-1252 (a superset of the printable
Latin-1 range German and Dutch banks use), unless the caller names an encoding. Bytes that
cannot be decoded make their entry (or statement) an error with line and column.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal

from banking.formats.creditor_reference import is_valid_creditor_reference
from banking.formats.errors import FormatError
from banking.formats.money import Money
from banking.formats.mt940_details import (
    TransactionDetails,
    join_wrapped_lines,
    parse_transaction_details,
)
from banking.formats.statement import (
    BOOKED,
    PENDING,
    Account,
    Balance,
    BankTransactionCode,
    Charges,
    EntryError,
    Party,
    Statement,
    StatementItem,
)
from banking.formats.statement_stream import ItemRead, StatementEvent, StatementRead


class InvalidStatementLine(FormatError):
    """A ``:61:`` field (or its amount, date or currency) cannot be read."""


_TAG = re.compile(r"^:(\d{2}[A-Z]?|NS):")
_TERMINATOR = re.compile(r"^-(?:\}.*|XXX\s*)?\s*$")
_SWIFT_HEADER = re.compile(r"^\{1:")
_MT942_HEADER = re.compile(r"\{2:[IO]942")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

_BALANCE = re.compile(r"^(?P<mark>[CD])(?P<date>\d{6})(?P<currency>[A-Z]{3})(?P<amount>\d[\d,]*)$")
_STATEMENT_LINE = re.compile(
    r"^(?P<value_date>\d{6})"
    r"(?P<entry_date>\d{4}| {4})?"
    r"(?P<mark>R[CD]|E[CD]|[CD])"
    r"(?P<funds_code>[A-Z](?=\d))?"
    r" ?(?P<amount>\d[\d,]*)"
    r"(?P<type>[A-Z][A-Z0-9]{3})"
    r"(?P<rest>.*)$"
)
_AMOUNT = re.compile(r"^\d+(?:,\d*)?$")
_DATETIME_INDICATION = re.compile(r"^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:([+-])(\d{2})(\d{2}))?")
_FLOOR_LIMIT = re.compile(r"^(?P<currency>[A-Z]{3})")
_TOTALS = re.compile(r"^\d+(?P<currency>[A-Z]{3})")
_STATEMENT_NUMBER = re.compile(r"^(?P<number>[^/]+?)(?:/(?P<page>.+))?$")
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")
_RF_REFERENCE = re.compile(r"\bRF\d{2}[0-9A-Z]{1,21}\b")
_REFERENCE_WIDTH = 16
_NO_REFERENCE = "NONREF"

#: MT940/MT942 balance fields and the ISO 20022 balance types they correspond to.
_BALANCE_TYPES = {
    "60F": "OPBD",
    "60": "OPBD",
    "60M": "ITBD",
    "62F": "CLBD",
    "62": "CLBD",
    "62M": "ITBD",
    "64": "CLAV",
    "65": "FWAV",
}


def iter_mt94x(
    lines: Iterable[bytes], *, assume_timezone: tzinfo, encoding: str | None = None
) -> Iterator[StatementEvent]:
    """Yield the items, errors and statements of an MT940/MT942 file, in file order.

    ``lines`` are the raw lines without line ends. ``encoding`` forces a text encoding;
    by default each line is UTF-8 or else Windows-1252. Never raises for bad content: what
    cannot be read becomes an :class:`~banking.formats.statement.EntryError`.
    """
    reader = _Reader(assume_timezone)
    for number, raw in enumerate(lines, start=1):
        text, problem = _decode(raw, number, encoding)
        yield from reader.feed(number, text, problem)
    yield from reader.finish()


def _decode(raw: bytes, number: int, encoding: str | None) -> tuple[str, str | None]:
    if number == 1:
        raw = raw.removeprefix(b"\xef\xbb\xbf")
    if encoding is not None:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as error:
            return raw.decode(encoding, errors="replace"), _decode_problem(
                raw, number, error, encoding
            )
        return _CONTROL.sub(" ", text), None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as error:
            problem = _decode_problem(raw, number, error, "UTF-8 or Windows-1252")
            return raw.decode("cp1252", errors="replace"), problem
    return _CONTROL.sub(" ", text), None


def _decode_problem(raw: bytes, number: int, error: UnicodeDecodeError, encoding: str) -> str:
    return (
        f"line {number}, column {error.start + 1}: byte 0x{raw[error.start]:02X} cannot be "
        f"decoded as {encoding}"
    )


@dataclass(slots=True)
class _Field:
    tag: str
    lines: list[str]
    line: int
    prefix: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Entry:
    statement_line: _Field
    details: list[_Field] = field(default_factory=list)
    number: int = 0

    @property
    def label(self) -> str:
        reference = _bank_reference(self.statement_line.lines[0])
        return f"#{self.number}" + (f" ({reference})" if reference else "")


@dataclass(slots=True)
class _Block:
    index: int
    line: int
    is_mt942: bool = False
    statement_id: str | None = None
    account: Account = field(default_factory=Account)
    account_text: str | None = None
    sequence_number: str | None = None
    page_number: str | None = None
    created_at: datetime | None = None
    currency: str | None = None
    balances: list[Balance] = field(default_factory=list)
    entry: _Entry | None = None
    waiting: list[_Entry] = field(default_factory=list)
    entry_count: int = 0
    information: list[str] = field(default_factory=list)


class _Reader:
    def __init__(self, assume_timezone: tzinfo) -> None:
        self.tz = assume_timezone
        self.block: _Block | None = None
        self.field: _Field | None = None
        self.block_count = 0
        self.mt942_hint = False

    def feed(self, number: int, text: str, problem: str | None) -> Iterator[StatementEvent]:
        tag = _TAG.match(text)
        if tag is not None:
            yield from self._complete_field()
            self.field = _Field(tag=tag.group(1), lines=[text[tag.end() :]], line=number)
            self.field.prefix = tag.end()
            if problem:
                self.field.problems.append(problem)
            if self.field.tag == "20":
                # :20: opens a statement; process it at once so the block exists.
                yield from self._complete_field()
            return
        if _TERMINATOR.match(text):
            yield from self._complete_field()
            yield from self._close_block()
            return
        if _SWIFT_HEADER.match(text):
            yield from self._complete_field()
            yield from self._close_block()
            self.mt942_hint = _MT942_HEADER.search(text) is not None
            return
        if self.field is not None:
            self.field.lines.append(text)
            if problem:
                self.field.problems.append(problem)
        # Text outside any field is a bank's header line (e.g. "ABNANL2A", "940"): skip it.

    def finish(self) -> Iterator[StatementEvent]:
        yield from self._complete_field()
        yield from self._close_block()

    # -- fields ---------------------------------------------------------------------------

    def _complete_field(self) -> Iterator[StatementEvent]:
        current, self.field = self.field, None
        if current is None:
            return
        if current.tag == "20":
            yield from self._close_block()
        block = self._open_block(current.line)
        tag = current.tag
        if tag == "61":
            yield from self._complete_entry(block)
            block.entry = _Entry(statement_line=current)
            return
        if tag == "86":
            if block.entry is not None:
                block.entry.details.append(current)
            else:
                block.information.append(
                    join_wrapped_lines(current.lines, first_line_prefix=current.prefix)
                )
            return
        if tag != "NS":
            # Any other field ends the entry before it; :NS: is bank-specific and skipped.
            yield from self._complete_entry(block)
        if current.problems:
            yield self._statement_error(block, current.line, "; ".join(current.problems))
            return
        first = current.lines[0].strip()
        if tag == "20":
            block.statement_id = first or None
        elif tag == "21":
            pass  # The related reference points at an MT920 request; nothing to keep.
        elif tag == "25":
            block.account_text = first or None
            block.account = _account(first)
        elif tag in ("28", "28C"):
            match = _STATEMENT_NUMBER.match(first)
            if match:
                block.sequence_number = match["number"].strip() or None
                block.page_number = (match["page"] or "").strip() or None
        elif tag in ("13", "13D"):
            block.is_mt942 = block.is_mt942 or tag == "13D"
            block.created_at = self._datetime_indication(first)
        elif tag == "34F":
            block.is_mt942 = True
            floor = _FLOOR_LIMIT.match(first)
            if floor and block.currency is None:
                block.currency = floor["currency"]
        elif tag in ("90D", "90C"):
            block.is_mt942 = True
            totals = _TOTALS.match(first)
            if totals and block.currency is None:
                block.currency = totals["currency"]
        elif tag in _BALANCE_TYPES:
            yield from self._balance(block, current, first)
        elif tag != "NS":
            yield self._statement_error(
                block, current.line, f"line {current.line}: unknown field :{tag}: ignored"
            )
        if block.currency is not None and block.waiting:
            yield from self._release_waiting(block)

    def _balance(self, block: _Block, current: _Field, first: str) -> Iterator[StatementEvent]:
        match = _BALANCE.match(first)
        if match is None:
            yield self._statement_error(
                block,
                current.line,
                f"line {current.line}: balance :{current.tag}: {first!r} is not "
                "<C|D><YYMMDD><currency><amount>",
            )
            return
        try:
            amount = _amount(match["amount"])
            on = _date(match["date"])
        except InvalidStatementLine as error:
            yield self._statement_error(block, current.line, f"line {current.line}: {error}")
            return
        sign = -1 if match["mark"] == "D" else 1
        money = Money(sign * amount, match["currency"])
        block.balances.append(Balance(type=_BALANCE_TYPES[current.tag], amount=money, date=on))
        if block.currency is None:
            block.currency = money.currency

    def _datetime_indication(self, text: str) -> datetime | None:
        match = _DATETIME_INDICATION.match(text)
        if match is None:
            return None
        year, month, day, hour, minute, sign, offset_hours, offset_minutes = match.groups()
        zone: tzinfo = self.tz
        if sign:
            offset = timedelta(hours=int(offset_hours), minutes=int(offset_minutes))
            zone = timezone(-offset if sign == "-" else offset)
        try:
            return datetime(
                2000 + int(year), int(month), int(day), int(hour), int(minute), tzinfo=zone
            )
        except ValueError:
            return None

    # -- blocks and entries ---------------------------------------------------------------

    def _open_block(self, line: int) -> _Block:
        if self.block is None:
            self.block_count += 1
            self.block = _Block(index=self.block_count, line=line, is_mt942=self.mt942_hint)
        return self.block

    def _close_block(self) -> Iterator[StatementEvent]:
        block, self.block = self.block, None
        if block is None:
            return
        yield from self._complete_entry(block)
        for entry in block.waiting:
            yield EntryError(
                statement_id=block.statement_id,
                entry=entry.label,
                line=entry.statement_line.line,
                message=f"line {entry.statement_line.line}: the statement has no balance or "
                "floor limit giving its currency, so the amount cannot be booked",
            )
        account = block.account
        if account.currency is None and block.currency is not None:
            account = Account(
                iban=account.iban,
                other_id=account.other_id,
                currency=block.currency,
                bic=account.bic,
            )
        yield StatementRead(
            statement=Statement(
                message_type="MT942" if block.is_mt942 else "MT940",
                statement_id=block.statement_id,
                account=account,
                sequence_number=block.sequence_number,
                page_number=block.page_number,
                created_at=block.created_at,
                balances=tuple(block.balances),
                information=" ".join(block.information) or None,
                line=block.line,
            )
        )

    def _complete_entry(self, block: _Block) -> Iterator[StatementEvent]:
        entry, block.entry = block.entry, None
        if entry is None:
            return
        block.entry_count += 1
        entry.number = block.entry_count
        if block.currency is None:
            # The currency comes from a balance; wait for one rather than guess.
            block.waiting.append(entry)
            return
        yield self._entry_event(block, entry)

    def _release_waiting(self, block: _Block) -> Iterator[StatementEvent]:
        waiting, block.waiting = block.waiting, []
        for entry in waiting:
            yield self._entry_event(block, entry)

    def _entry_event(self, block: _Block, entry: _Entry) -> StatementEvent:
        assert block.currency is not None  # noqa: S101 - entries wait until it is known
        try:
            item = _item(entry, block.currency, block.account_text)
        except InvalidStatementLine as error:
            return EntryError(
                statement_id=block.statement_id,
                entry=entry.label,
                line=entry.statement_line.line,
                message=str(error),
            )
        return ItemRead(item=item)

    def _statement_error(self, block: _Block, line: int, message: str) -> EntryError:
        return EntryError(statement_id=block.statement_id, entry=None, line=line, message=message)


def _item(entry: _Entry, currency: str, own_account: str | None) -> StatementItem:
    statement_line = entry.statement_line
    number = statement_line.line
    problems = statement_line.problems + [p for detail in entry.details for p in detail.problems]
    if problems:
        raise InvalidStatementLine("; ".join(problems))
    lines = list(statement_line.lines)
    match = _STATEMENT_LINE.match(lines[0].strip())
    if match is None and len(lines) > 1:
        # Some savings banks break the line between the funds code and the amount.
        match = _STATEMENT_LINE.match(lines[0].strip() + lines[1].strip())
        if match is not None:
            lines = [lines[0].strip() + lines[1].strip(), *lines[2:]]
    if match is None:
        raise InvalidStatementLine(f"line {number}: cannot read the statement line {lines[0]!r}")
    mark = match["mark"].upper()
    amount = _amount(match["amount"], number)
    value_date = _date(match["value_date"], number)
    entry_date = _entry_date(match["entry_date"], value_date, number)
    customer_reference, bank_reference, inline_details = _references(match["rest"])
    supplementary = (
        " ".join(filter(None, [inline_details, *(line.strip() for line in lines[1:])])) or None
    )
    signed = -amount if mark in ("D", "RC", "ED") else amount

    detail_lines = [line for detail in entry.details for line in detail.lines]
    details = (
        parse_transaction_details(
            detail_lines,
            own_account=own_account,
            first_line_prefix=entry.details[0].prefix,
        )
        if any(line.strip() for line in detail_lines)
        else TransactionDetails()
    )
    code = (
        BankTransactionCode(proprietary=details.business_code, issuer=details.code_issuer)
        if details.business_code
        else BankTransactionCode(proprietary=match["type"].upper(), issuer="SWIFT")
    )
    counterparty = details.counterparty
    if counterparty is None and supplementary and _IBAN.match(supplementary.replace(" ", "")):
        counterparty = Party(iban=supplementary.replace(" ", ""))
    ultimate_name = details.ultimate_debtor if signed >= 0 else details.ultimate_creditor
    ultimate_name = ultimate_name or details.ultimate_debtor or details.ultimate_creditor
    remittance = details.remittance_information
    creditor_reference = _find_creditor_reference(remittance)
    return StatementItem(
        amount=Money(signed, currency),
        booking_date=entry_date or value_date,
        value_date=value_date,
        status=PENDING if mark.startswith("E") else BOOKED,
        is_reversal=mark.startswith("R"),
        bank_transaction_code=code,
        account_servicer_reference=bank_reference,
        end_to_end_id=details.end_to_end_id,
        transaction_id=details.transaction_id,
        mandate_id=details.mandate_id,
        creditor_id=details.creditor_id,
        counterparty=counterparty,
        ultimate_counterparty=Party(name=ultimate_name) if ultimate_name else None,
        remittance_information=remittance,
        creditor_reference=creditor_reference,
        creditor_reference_type="RF" if creditor_reference else None,
        return_reason=details.return_reason,
        charges=(
            Charges(amount=Money(details.compensation_amount, currency), is_included=True)
            if details.compensation_amount is not None
            else None
        ),
        original_amount=(
            Money(details.original_amount, currency)
            if details.original_amount is not None
            else None
        ),
        additional_information="; ".join(filter(None, [details.posting_text, supplementary]))
        or None,
        customer_reference=customer_reference or details.customer_reference,
        line=number,
    )


def _references(rest: str) -> tuple[str | None, str | None, str | None]:
    """Split "customer reference[//bank reference]" and any text after a padded reference."""
    customer, separator, bank = rest.partition("//")
    inline: str | None = None
    if not separator and len(customer) > _REFERENCE_WIDTH and customer[_REFERENCE_WIDTH - 1] == " ":
        # Rabobank pads the reference to 16 characters and writes the name after it.
        customer, inline = customer[:_REFERENCE_WIDTH], customer[_REFERENCE_WIDTH:].strip() or None
    return _reference(customer), _reference(bank) if separator else None, inline


def _reference(text: str) -> str | None:
    text = text.strip()
    # "KREF+" (a German bank's pointer to the KREF keyword in :86:) is no reference itself.
    if not text or text.upper() == _NO_REFERENCE or text.endswith("+"):
        return None
    return text


def _bank_reference(first_line: str) -> str | None:
    if "//" not in first_line:
        return None
    return _reference(first_line.split("//", 1)[1])


def _account(text: str) -> Account:
    compact = text.replace(" ", "").upper()
    if _IBAN.match(compact):
        return Account(iban=compact)
    prefix, slash, rest = text.partition("/")
    if slash and _BIC.match(prefix.strip()):
        rest_compact = rest.replace(" ", "").upper()
        if _IBAN.match(rest_compact):
            return Account(iban=rest_compact, bic=prefix.strip())
        return Account(other_id=rest.strip() or None, bic=prefix.strip())
    return Account(other_id=text or None)


def _amount(text: str, line: int | None = None) -> Decimal:
    where = f"line {line}: " if line else ""
    if not _AMOUNT.match(text):
        raise InvalidStatementLine(f"{where}amount {text!r} is not a number with a decimal comma")
    whole, _, fraction = text.partition(",")
    return Decimal(f"{whole}.{fraction}" if fraction else whole)


def _date(text: str, line: int | None = None) -> date:
    try:
        return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        where = f"line {line}: " if line else ""
        raise InvalidStatementLine(f"{where}{text!r} is not a valid date (YYMMDD)") from None


def _entry_date(text: str | None, value_date: date, line: int) -> date | None:
    """The booking date (MMDD) in the year that puts it closest to the value date."""
    if text is None or not text.strip():
        return None
    candidates = []
    for year in (value_date.year - 1, value_date.year, value_date.year + 1):
        try:
            candidates.append(date(year, int(text[:2]), int(text[2:4])))
        except ValueError:
            continue
    if not candidates:
        raise InvalidStatementLine(f"line {line}: entry date {text!r} is not a valid MMDD date")
    return min(candidates, key=lambda candidate: abs(candidate - value_date))


def _find_creditor_reference(text: str | None) -> str | None:
    if not text:
        return None
    for match in _RF_REFERENCE.finditer(text.upper()):
        if is_valid_creditor_reference(match.group(0)):
            return match.group(0)
    return None
