"""Reading the free-format ``:86:`` field of MT940/MT942 statement lines.

Banks fill ``:86:`` in several conventions; this module recognises them in this order:

1. **German structured** (Deutsche Kreditwirtschaft, also used by Triodos with ``>``): a
   three-digit business transaction code (GVC), then subfields ``?00`` posting text,
   ``?10`` prima nota, ``?20``-``?29`` and ``?60``-``?63`` remittance text, ``?30`` bank
   code or BIC, ``?31`` account or IBAN, ``?32``/``?33`` name, ``?34`` text key extension,
   ``?38`` IBAN. The remittance subfields are 27-character slices of one text, so they are
   re-joined (without a separator) before the SEPA keywords ``EREF+``, ``KREF+``, ``MREF+``,
   ``CRED+``, ``DEBT+``, ``SVWZ+``, ``ABWA+``, ``ABWE+``, ``IBAN+``, ``BIC+``, ``COAM+``,
   ``OAMT+`` are split out, since a keyword's value often continues in the next subfield.
2. **SWIFT-style codes** (``/EREF/.../NAME/.../REMI/...``) as Dutch banks (Rabobank, ING,
   ABN AMRO SEPA) write them.
3. **Bank-specific free text** with recognisable markers: mBank (``Z RACH.:``, ``OD:``,
   ``TYT.:``, ``TNR:``), Knab (``REK: <IBAN>/NAAM: <name>``), PostFinance
   (``MITTEILUNGEN:``), and ASN/SNS/ING (an account number and name on the first line).
4. Anything else is remittance text.

Senders wrap the field at a fixed width (65 characters in the standard, other widths in
practice) regardless of word boundaries: a line as long as the longest line of its field
continues without a space, shorter lines end with one.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from banking.formats.check_digits import mod97
from banking.formats.statement import Party

# Below this, a field's longest line is taken to be short text rather than a wrapped one.
_MIN_WRAP_WIDTH = 60
_SUBFIELD_WIDTH = 27
# Remittance text: ?20-?29, continued in ?60-?63.
_REMITTANCE_SUBFIELDS = (
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
    "26",
    "27",
    "28",
    "29",
    "60",
    "61",
    "62",
    "63",
)

_GERMAN = re.compile(r"^(\d{3})(?:([?>])\d{2}|$)")
_SEPA_KEYWORD = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|COAM|OAMT|SVWZ|ABWA|ABWE|IBAN|BIC)\+")
# Some banks mark a free-text message inside the remittance with "MTLG:".
_MESSAGE_MARKER = "MTLG:"
_SLASH_CODES = re.compile(
    r"/(TRTP|IBAN|BIC|NAME|REMI|EREF|MARF|CSID|RTRN|BENM|ORDP|ULTD|ULTC|PURP|ISDT|CNTP|ADDR"
    r"|SVCL|CDTRREF|CDTRREFTP|CD|ISSR|USTD|STRD|CUR|TYPE)/"
)
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")
_LEADING_ACCOUNT = re.compile(r"^([A-Z]{2}\d{2}[A-Z0-9]{11,30}|\d{9,10})\s+(\S.*)$")
_MBANK_FIELDS = re.compile(r"(?:^|;)\s*(Z RACH\.|NA RACH\.|OD|DLA|TYT\.|TNR|ID IPH):\s*")
_KNAB = re.compile(r"REK:\s*(?P<account>[A-Z0-9]+)\s*/\s*NAAM:\s*(?P<name>.+)$")
_NOT_PROVIDED = ("NOTPROVIDED", "NONREF")


@dataclass(frozen=True, slots=True, kw_only=True)
class TransactionDetails:
    """What could be read from one ``:86:`` field; every part may be missing.

    ``business_code`` is the bank's transaction code at the start of the field (a German
    GVC, issued by the Deutsche Kreditwirtschaft when ``code_issuer`` is ``DK``).
    """

    business_code: str | None = None
    code_issuer: str | None = None
    posting_text: str | None = None
    end_to_end_id: str | None = None
    customer_reference: str | None = None
    mandate_id: str | None = None
    creditor_id: str | None = None
    transaction_id: str | None = None
    counterparty: Party | None = None
    ultimate_debtor: str | None = None
    ultimate_creditor: str | None = None
    remittance_information: str | None = None
    return_reason: str | None = None
    original_amount: Decimal | None = None
    compensation_amount: Decimal | None = None


def parse_transaction_details(
    lines: Sequence[str], *, own_account: str | None = None, first_line_prefix: int = 0
) -> TransactionDetails:
    """Read the parts of a ``:86:`` field (given as its lines) that we understand.

    ``first_line_prefix`` is the length of the tag before the first line in the file (4 for
    ``:86:``), which counts towards the line width. ``own_account`` is the statement's
    account identification; a counterparty account equal to (or ending) it is the account
    holder and is ignored. Never raises.
    """
    flat = "".join(lines).strip()
    if _GERMAN.match(flat):
        return _german(flat, own_account)
    text = "\n".join(lines)
    joined = join_wrapped_lines(lines, first_line_prefix=first_line_prefix)
    if re.match(r"^\s*/[A-Z]{2,9}/", joined):
        return _slash_codes(joined)
    if _MBANK_FIELDS.search(joined):
        return _mbank(joined)
    knab = _KNAB.search(joined)
    if knab:
        return _knab(joined, knab)
    if "MITTEILUNGEN:" in joined:
        return TransactionDetails(
            remittance_information=_clean(joined.split("MITTEILUNGEN:", 1)[1])
        )
    return _leading_account(text) or TransactionDetails(remittance_information=_clean(joined))


def join_wrapped_lines(lines: Sequence[str], *, first_line_prefix: int = 0) -> str:
    """Join the lines of a field: full-width lines continue, shorter ones end a word."""
    lengths = [
        len(line) + (first_line_prefix if index == 0 else 0) for index, line in enumerate(lines)
    ]
    width = max(lengths, default=0)
    is_wrapped = len(lines) > 1 and width >= _MIN_WRAP_WIDTH
    parts: list[str] = []
    for line, length in zip(lines, lengths, strict=True):
        parts.append(line)
        parts.append("" if is_wrapped and length == width else " ")
    return "".join(parts).strip()


def _german(flat: str, own_account: str | None) -> TransactionDetails:
    code = flat[:3]
    separator = flat[3] if len(flat) > 3 else "?"
    subfields: dict[str, list[str]] = {}
    last_key: str | None = None
    for piece in flat[4:].split(separator) if len(flat) > 3 else []:
        key = piece[:2]
        if len(key) == 2 and key.isdigit():
            subfields.setdefault(key, []).append(piece[2:])
            last_key = key
        elif last_key is not None:
            # A separator character inside a value: put it back.
            subfields[last_key][-1] += separator + piece
    slices = [value for key in _REMITTANCE_SUBFIELDS for value in subfields.get(key, ())]
    keyword_text = "".join(slices)
    sepa = _sepa_keywords(keyword_text) if _SEPA_KEYWORD.search(keyword_text) else {}

    # ?31 holds the account (an IBAN for SEPA); some banks add the IBAN in ?38 as well.
    account = _first(subfields.get("31")) or sepa.get("IBAN")
    bank = _first(subfields.get("30")) or sepa.get("BIC")
    # Names are cut anywhere and padded with spaces: join, then collapse the spaces.
    name = _clean("".join(subfields.get("32", []) + subfields.get("33", [])))
    counterparty = _party(name, account, bank, own_account, iban=_first(subfields.get("38")))

    if sepa:
        remittance_parts = [sepa.get(""), sepa.get("SVWZ"), sepa.get(_MESSAGE_MARKER)]
        remittance = _clean(" ".join(part for part in remittance_parts if part))
    else:
        remittance = _clean(_join_slices(slices))
    return TransactionDetails(
        business_code=code,
        # "?" is the Deutsche Kreditwirtschaft's layout; others (Triodos: ">") only borrow it.
        code_issuer="DK" if separator == "?" else None,
        posting_text=_clean(_first(subfields.get("00"))),
        end_to_end_id=_provided(sepa.get("EREF")),
        customer_reference=_provided(sepa.get("KREF")),
        mandate_id=_provided(sepa.get("MREF")),
        creditor_id=_clean(sepa.get("CRED")),
        counterparty=counterparty,
        ultimate_debtor=_clean(sepa.get("ABWA")),
        ultimate_creditor=_clean(sepa.get("ABWE")),
        remittance_information=remittance,
        original_amount=_german_amount(sepa.get("OAMT")),
        compensation_amount=_german_amount(sepa.get("COAM")),
    )


def _sepa_keywords(text: str) -> dict[str, str]:
    """Split re-joined remittance text on SEPA keywords ("" holds text before the first)."""
    values: dict[str, str] = {}
    matches = list(_SEPA_KEYWORD.finditer(text))
    values[""] = text[: matches[0].start()] if matches else text
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        value = text[match.end() : end]
        keyword = match.group(1)
        if keyword != "SVWZ" and _MESSAGE_MARKER in value:
            # "EREF+123MTLG:text" — the message is remittance text, not part of the reference.
            value, message = value.split(_MESSAGE_MARKER, 1)
            values[_MESSAGE_MARKER] = (values.get(_MESSAGE_MARKER, "") + " " + message).strip()
        values[keyword] = (values.get(keyword, "") + value).strip()
    return {key: value for key, value in values.items() if value}


def _join_slices(slices: list[str]) -> str:
    """Join fixed-width slices: a full slice continues, a shorter one ends a word."""
    parts: list[str] = []
    for piece in slices:
        parts.append(piece)
        parts.append("" if len(piece) >= _SUBFIELD_WIDTH else " ")
    return "".join(parts)


def _slash_codes(text: str) -> TransactionDetails:
    pieces = _SLASH_CODES.split(text.strip())
    values: list[tuple[str, str]] = [
        (pieces[index], pieces[index + 1].strip().rstrip("/").strip())
        for index in range(1, len(pieces) - 1, 2)
    ]
    found: dict[str, str] = {}
    ultimate: str | None = None
    context = ""
    for code, value in values:
        if code in ("BENM", "ORDP", "ULTD", "ULTC", "CNTP"):
            context = code
        if code == "NAME" and context in ("ULTD", "ULTC"):
            ultimate = ultimate or value
            continue
        if code == "CNTP" and value:
            # ING: /CNTP/account/BIC/name/town/
            account, _, rest = value.partition("/")
            bic, _, rest = rest.partition("/")
            name = rest.partition("/")[0]
            found.setdefault("IBAN", account)
            found.setdefault("BIC", bic)
            found.setdefault("NAME", name)
            continue
        if value and code not in found:
            found[code] = value
    remittance = found.get("REMI")
    if remittance is not None:
        remittance = re.sub(r"^(USTD|STRD)//?", "", remittance)
    return TransactionDetails(
        business_code=None,
        posting_text=_clean(found.get("TRTP")),
        end_to_end_id=_provided(found.get("EREF")),
        mandate_id=_provided(found.get("MARF")),
        creditor_id=_clean(found.get("CSID")),
        return_reason=_clean(found.get("RTRN")),
        counterparty=_party(_clean(found.get("NAME")), found.get("IBAN"), found.get("BIC"), None),
        ultimate_debtor=ultimate,
        remittance_information=_clean(remittance),
    )


def _mbank(text: str) -> TransactionDetails:
    fields: dict[str, str] = {}
    matches = list(_MBANK_FIELDS.finditer(text))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        fields.setdefault(match.group(1), text[match.end() : end].strip().rstrip(";").strip())
    account = (fields.get("Z RACH.") or fields.get("NA RACH.") or "").replace(" ", "")
    who = fields.get("OD") or fields.get("DLA") or ""
    # The name is followed by the address after a run of spaces.
    name = _clean(re.split(r"\s{2,}", who.strip(), maxsplit=1)[0]) if who else None
    if account.isdigit() and len(account) == 26 and mod97(account[2:] + "PL" + account[:2]) == 1:
        # A Polish account number (NRB) is the IBAN without its country code.
        account = "PL" + account
    return TransactionDetails(
        business_code=text[:3] if text[:3].isdigit() else None,
        transaction_id=_clean((fields.get("TNR") or "").replace(" ", "")) or None,
        counterparty=_party(name, account or None, None, None),
        remittance_information=_clean(fields.get("TYT.")),
    )


def _knab(text: str, match: re.Match[str]) -> TransactionDetails:
    return TransactionDetails(
        counterparty=_party(_clean(match["name"]), match["account"], None, None),
        remittance_information=_clean(text[: match.start()]),
    )


def _leading_account(text: str) -> TransactionDetails | None:
    """ASN, SNS and older ING files: "<account> <name>" on the first line, text below."""
    lines = text.split("\n")
    first = lines[0].strip()
    match = _LEADING_ACCOUNT.match(first)
    rest = [line for line in lines[1:] if line.strip()]
    if match is None or not rest:
        return None
    return TransactionDetails(
        counterparty=_party(_clean(match[2]), match[1], None, None),
        remittance_information=_clean(join_wrapped_lines(rest)),
    )


def _party(
    name: str | None,
    account: str | None,
    bank: str | None,
    own_account: str | None,
    *,
    iban: str | None = None,
) -> Party | None:
    account = account.replace(" ", "").upper() if account else None
    iban = iban.replace(" ", "").upper() if iban else None
    if own_account:
        own = _account_forms(own_account)
        account = None if account in own else account
        iban = None if iban in own else iban
    if account and _IBAN.match(account) and iban in (None, account):
        # The account is itself an IBAN: keep it once, as the IBAN.
        iban, account = account, None
    bank = bank.strip().upper() if bank else None
    if not (name or account or iban):
        return None
    return Party(
        name=name,
        iban=iban if iban and _IBAN.match(iban) else None,
        other_account_id=account,
        bic=bank if bank and _BIC.match(bank) else None,
        bank_code=bank if bank and not _BIC.match(bank) else None,
    )


def _account_forms(own_account: str) -> set[str]:
    """The statement's own account as written in :25: and without a bank prefix ("BANK/123")."""
    compact = own_account.replace(" ", "").upper()
    return {compact, compact.rsplit("/", 1)[-1]}


def _german_amount(text: str | None) -> Decimal | None:
    if not text:
        return None
    match = re.search(r"\d+(?:,\d{1,2})?", text)
    if match is None:
        return None
    try:
        return Decimal(match.group(0).replace(",", "."))
    except InvalidOperation:
        return None


def _provided(reference: str | None) -> str | None:
    reference = _clean(reference)
    if reference is None or reference.replace(" ", "").upper() in _NOT_PROVIDED:
        return None
    return reference


def _first(values: list[str] | None) -> str | None:
    if not values:
        return None
    return values[0].strip() or None


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(text.split()) or None
