"""Writing SWIFT MT940 statements in the German banks' layout (DFUE-Abkommen).

One statement per account and booking day: ``:20:``, ``:25:`` (the IBAN), ``:28C:``,
``:60F:``, a ``:61:``/``:86:`` pair per booking, ``:62F:``, then ``-``. Lines end in CRLF and
hold at most 65 characters, tag included; longer fields continue on the next line. ``:86:`` is
the structured form: GVC, ``?00`` posting text, ``?20``-``?29`` (then ``?60``-``?63``) 27-character
slices of the SEPA text (``EREF+``, ``MREF+``, ``CRED+``, ``SVWZ+``), ``?30`` BIC, ``?31`` IBAN,
``?32``/``?33`` name. Text is reduced to the SWIFT character set; ``?`` is the subfield
separator and never appears in values.
"""

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from standins.bank.ledger.records import AccountInfo, Booking

_LINE = 65
_SLICE = 27
_REMITTANCE_KEYS = (
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
_NOT_SWIFT = re.compile(r"[^A-Za-z0-9/\-:().,'+ ]")
_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


def swift_text(text: str) -> str:
    """``text`` in the SWIFT X character set (no ``?``): umlauts spelled out, accents dropped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UMLAUTS))
    plain = "".join(character for character in decomposed if not unicodedata.combining(character))
    return " ".join(_NOT_SWIFT.sub(" ", plain).split())


def write_statement(
    *,
    account: AccountInfo,
    day: date,
    sequence_number: int,
    opening_cents: int,
    bookings: Iterable[Booking],
) -> bytes:
    """Return one MT940 statement (CRLF lines, Latin-1 safe ASCII) for an account's day."""
    lines = [
        f":20:{day:%y%m%d}{sequence_number:05d}",
        f":25:{account.iban}",
        f":28C:{sequence_number % 100000:05d}/001",
        f":60F:{_balance(opening_cents, day, account.currency)}",
    ]
    closing = opening_cents
    for booking in bookings:
        closing += _signed_cents(booking)
        lines.extend(_statement_line(booking))
        lines.extend(_wrap(":86:" + _details(booking, account)))
    lines.append(f":62F:{_balance(closing, day, account.currency)}")
    lines.append("-")
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def _signed_cents(booking: Booking) -> int:
    cents = int((booking.amount * 100).to_integral_value())
    return cents if booking.is_credit else -cents


def _balance(cents: int, day: date, currency: str) -> str:
    mark = "D" if cents < 0 else "C"
    return f"{mark}{day:%y%m%d}{currency}{_amount_cents(abs(cents))}"


def _amount_cents(cents: int) -> str:
    whole, rest = divmod(cents, 100)
    return f"{whole},{rest:02d}"


def _amount(value: Decimal) -> str:
    return _amount_cents(int((value * 100).to_integral_value()))


def _statement_line(booking: Booking) -> list[str]:
    if booking.is_reversal:
        # A reversal of a credit is booked as a debit (RC), of a debit as a credit (RD).
        mark = "RC" if not booking.is_credit else "RD"
    else:
        mark = "C" if booking.is_credit else "D"
    customer = swift_text(booking.end_to_end_id or "").replace(" ", "")[:16] or "NONREF"
    # The end of the bank's reference is its distinctive part (a running number).
    bank = swift_text(booking.reference).replace(" ", "")[-16:]
    head = (
        f":61:{booking.value_date:%y%m%d}{booking.booking_date:%m%d}{mark}"
        f"{_amount(booking.amount)}N{booking.code.swift}{customer}"
    )
    if len(head) + 2 + len(bank) <= _LINE:
        head += f"//{bank}"
    return [head]


def _details(booking: Booking, account: AccountInfo) -> str:
    code = booking.code
    parts = [code.gvc, "?00", swift_text(code.posting_text)[:_SLICE]]
    sepa = ""
    if booking.end_to_end_id:
        sepa += "EREF+" + swift_text(booking.end_to_end_id)
    if booking.mandate_id:
        sepa += "MREF+" + swift_text(booking.mandate_id)
    if booking.creditor_id:
        sepa += "CRED+" + swift_text(booking.creditor_id)
    remittance = " ".join(
        part
        for part in (
            booking.creditor_reference,
            booking.remittance_information,
            f"RUECKGABEGRUND {booking.return_reason}" if booking.return_reason else None,
        )
        if part
    )
    if remittance:
        sepa += "SVWZ+" + swift_text(remittance)
    slices = [sepa[index : index + _SLICE] for index in range(0, len(sepa), _SLICE)]
    for key, piece in zip(_REMITTANCE_KEYS, slices, strict=False):
        parts.append(f"?{key}{piece}")
    if booking.counterparty_bic:
        parts.append(f"?30{swift_text(booking.counterparty_bic)}")
    if booking.counterparty_iban:
        parts.append(f"?31{swift_text(booking.counterparty_iban)}")
    name = swift_text(booking.counterparty_name or "")
    if name.strip():
        parts.append(f"?32{name[:_SLICE]}")
        if len(name) > _SLICE:
            parts.append(f"?33{name[_SLICE : 2 * _SLICE]}")
    return "".join(parts)


def _wrap(field: str) -> list[str]:
    """Cut a field into lines of at most 65 characters.

    The reader joins German ``:86:`` lines without separators, so the cut may fall anywhere,
    but a continuation line must not look like a new field (``:nn:``) or the end (``-``).
    """
    lines: list[str] = []
    rest = field
    while len(rest) > _LINE:
        cut = _LINE
        while cut > 1 and (rest[cut] in ":-" or rest[cut - 1] == " "):
            cut -= 1
        lines.append(rest[:cut])
        rest = rest[cut:]
    lines.append(rest)
    return lines
