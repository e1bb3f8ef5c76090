"""Structured creditor references and document numbers, and how to find them in free text.

Remittance text is typed by people, cut by banks at field limits and read by OCR, so a
document number `RE-2024-00123` may arrive as `RE 2024/123`, `RE2O24OO123`, `202400123` or a
truncated `RE-2024-001`. Both sides are therefore reduced to the same few *keys* and compared
by dictionary look-up instead of by fuzzy matching every pair.
"""

from __future__ import annotations

import enum
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

with warnings.catch_warnings():
    # sre_parse is the only stdlib way to inspect a pattern's structure; its deprecation
    # concerns the module name, not the parser.
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants
    import sre_parse

# Remittance text is scanned by tenant patterns only up to this length (SEPA allows 140;
# some formats concatenate several fields), which bounds the cost of any pattern.
MAXIMUM_SCANNED_TEXT = 1000
MAXIMUM_PATTERN_LENGTH = 300

_ALPHANUMERIC_RUN = re.compile(r"[A-Za-z0-9]+")
_PIECES = re.compile(r"[A-Z]+|[0-9]+")
_FOLD_NEXT_TO_DIGIT = re.compile(r"(?<=[0-9])[OIL]|[OIL](?=[0-9])")
_CREDITOR_REFERENCE = re.compile(r"RF ?[0-9]{2}(?: ?[A-Z0-9]){1,21}", re.IGNORECASE)
_QR_REFERENCE = re.compile(r"(?<![0-9])[0-9](?: ?[0-9]){26}(?![0-9])")
# OCR and typists confuse these letters with digits; they are read as digits next to digits.
_CONFUSABLE_DIGIT = {"O": "0", "I": "1", "L": "1"}
# Separators that may sit inside a document number written by a person.
_JOINING_GAP = re.compile(r"[ \-/._:#]{1,2}")


class KeyKind(enum.IntEnum):
    """How literally a key renders a reference; lower is more literal, and stronger evidence."""

    FULL = 0
    GROUPED = 1
    DIGITS = 2
    GROUPED_DIGITS = 3
    LAST_GROUP = 4


# How strongly a look-up hit identifies a document, by the weaker of the two keys' kinds.
KEY_STRENGTH: dict[KeyKind, float] = {
    KeyKind.FULL: 1.0,
    KeyKind.GROUPED: 0.95,
    KeyKind.DIGITS: 0.93,
    KeyKind.GROUPED_DIGITS: 0.88,
    KeyKind.LAST_GROUP: 0.8,
}


def normalise_reference(text: str) -> str:
    """Return the upper-case letters and digits of `text` (what a bank keeps of a reference)."""
    return "".join(_ALPHANUMERIC_RUN.findall(text)).upper()


def _letters_to_digits(text: str) -> str:
    """Return `text` (upper-case alphanumeric) with letters as ISO 7064 numbers (A=10 ... Z=35)."""
    return "".join(str(int(character, 36)) for character in text)


def is_valid_creditor_reference(reference: str) -> bool:
    """Tell whether `reference` is an ISO 11649 creditor reference (RFnn...) with a valid check."""
    compact = normalise_reference(reference)
    if not (5 <= len(compact) <= 25 and compact.startswith("RF") and compact[2:4].isdigit()):
        return False
    return int(_letters_to_digits(compact[4:] + compact[:4])) % 97 == 1


def creditor_reference_for(body: str) -> str:
    """Return the ISO 11649 creditor reference `RFnn<body>` for an alphanumeric body.

    Raises `ValueError` when the body has no letters or digits, or more than 21.
    """
    compact = normalise_reference(body)
    if not 1 <= len(compact) <= 21:
        raise ValueError("a creditor reference body has 1 to 21 letters or digits")
    check = 98 - int(_letters_to_digits(compact + "RF00")) % 97
    return f"RF{check:02d}{compact}"


_QR_TABLE = (0, 9, 4, 6, 8, 2, 7, 1, 3, 5)


def qr_check_digit(digits: str) -> int:
    """Return the modulo-10 recursive check digit of a Swiss QR (ESR) reference body."""
    carry = 0
    for digit in digits:
        carry = _QR_TABLE[(carry + int(digit)) % 10]
    return (10 - carry) % 10


def is_valid_qr_reference(reference: str) -> bool:
    """Tell whether `reference` is a 27-digit Swiss QR reference with a valid check digit."""
    compact = reference.replace(" ", "")
    if len(compact) != 27 or not compact.isdigit():
        return False
    return qr_check_digit(compact[:26]) == int(compact[26])


class StructuredKind(enum.StrEnum):
    """Which standard a structured reference follows."""

    CREDITOR_REFERENCE = "ISO 11649 creditor reference"
    QR_REFERENCE = "Swiss QR reference"


@dataclass(frozen=True, slots=True)
class StructuredReference:
    """A checksum-valid structured reference found at `start:end` of a text."""

    kind: StructuredKind
    value: str
    start: int
    end: int


def find_structured_references(text: str) -> list[StructuredReference]:
    """Return the checksum-valid RF and QR references in `text`, in order of appearance.

    A regular expression cannot tell where an RF reference ends when words follow it, so each
    candidate is shortened until its check digits hold; text that never validates is left to the
    document-number search.
    """
    found: list[StructuredReference] = []
    for match in _CREDITOR_REFERENCE.finditer(text):
        candidate = match.group()
        while len(candidate) >= 5:
            if is_valid_creditor_reference(candidate):
                found.append(
                    StructuredReference(
                        StructuredKind.CREDITOR_REFERENCE,
                        normalise_reference(candidate),
                        match.start(),
                        match.start() + len(candidate),
                    )
                )
                break
            candidate = candidate[:-1].rstrip()
    for match in _QR_REFERENCE.finditer(text):
        if is_valid_qr_reference(match.group()):
            found.append(
                StructuredReference(
                    StructuredKind.QR_REFERENCE,
                    match.group().replace(" ", ""),
                    match.start(),
                    match.end(),
                )
            )
    return found


def _fold_confusables(text: str) -> str:
    """Read O, I and L as 0, 1 and 1 where they stand next to digits, as OCR confuses them.

    `text` is upper case; a run such as "IO0" folds from the digit outwards, pass by pass.
    """
    if "O" not in text and "I" not in text and "L" not in text:
        return text
    folded = _FOLD_NEXT_TO_DIGIT.sub(_fold_match, text)
    while folded != text:
        text = folded
        folded = _FOLD_NEXT_TO_DIGIT.sub(_fold_match, text)
    return folded


def _fold_match(match: re.Match[str]) -> str:
    return _CONFUSABLE_DIGIT[match.group()]


def _keys_of_pieces(pieces: Sequence[str]) -> dict[str, KeyKind]:
    """Return the look-up keys of a reference written as these letter and digit pieces."""
    numbers = [piece for piece in pieces if piece[0] <= "9"]
    if not numbers:
        return {}
    keys: dict[str, KeyKind] = {}
    full = "".join(pieces)
    if len(full) >= 3:
        keys[full] = KeyKind.FULL
    stripped = [piece.lstrip("0") or "0" for piece in numbers]
    if len(pieces) > len(numbers):
        grouped = "".join(
            piece.lstrip("0") or "0" if piece[0] <= "9" else piece for piece in pieces
        )
    else:
        grouped = "".join(stripped)
    if len(grouped) >= 4 and grouped not in keys:
        keys[grouped] = KeyKind.GROUPED
    # Shorter digit strings occur by chance in dates, amounts and postcodes.
    digits = "".join(numbers).lstrip("0")
    if len(digits) >= 4 and digits not in keys:
        keys[digits] = KeyKind.DIGITS
    grouped_digits = "".join(stripped).lstrip("0")
    if len(grouped_digits) >= 4 and grouped_digits not in keys:
        keys[grouped_digits] = KeyKind.GROUPED_DIGITS
    if len(numbers) > 1:
        # Customers often quote only the running number: "12345" for "RE-2024-012345".
        last = stripped[-1]
        if len(last) >= 5 and last not in keys:
            keys[last] = KeyKind.LAST_GROUP
    return keys


def document_keys(document_number: str) -> dict[str, KeyKind]:
    """Return the keys under which a document number is indexed, each with its kind.

    Empty when the number has no digit; a key is only made when long enough to be found
    reliably in text.
    """
    return _keys_of_pieces(_PIECES.findall(_fold_confusables(document_number.upper())))


def full_key(reference: str) -> str:
    """Return the literal (FULL) key of a reference: upper-case, separators dropped, OCR-folded."""
    return "".join(_PIECES.findall(_fold_confusables(reference.upper())))


@dataclass(frozen=True, slots=True)
class TextWindow:
    """A run of neighbouring tokens in a text that could be a written reference.

    `keys` is shared between windows spelling the same text and must not be changed.
    """

    start: int
    end: int
    keys: Mapping[str, KeyKind]
    full: str


# Remittance texts repeat themselves (dates, amounts, "RE", customer numbers): the keys of a
# window are remembered by its pieces, bounded so memory stays flat on any input.
@lru_cache(maxsize=1 << 16)
def _token_pieces(token: str) -> tuple[str, ...]:
    return tuple(_PIECES.findall(_fold_confusables(token)))


@lru_cache(maxsize=1 << 16)
def _window_keys(pieces: tuple[str, ...]) -> Mapping[str, KeyKind]:
    return _keys_of_pieces(pieces)


def text_windows(text: str, *, maximum_tokens: int = 3) -> Iterator[TextWindow]:
    """Yield the windows of `text` that may spell a reference, with their look-up keys.

    A window is an optional short prefix word ("RE", "Nr") followed by up to
    `maximum_tokens` tokens holding digits, separated by at most two separator characters, so
    that `RE 2024-00123` is found as well as its parts.
    """
    upper = text.upper()
    tokens: list[tuple[int, int, tuple[str, ...], bool]] = []
    for match in _ALPHANUMERIC_RUN.finditer(upper):
        token = match.group()
        has_digit = not token.isalpha()
        if has_digit:
            tokens.append((match.start(), match.end(), _token_pieces(token), True))
        elif len(token) <= 4:
            tokens.append((match.start(), match.end(), (token,), False))
        else:
            # A long word ("Rechnung") is a label: it ends any window.
            tokens.append((match.start(), match.end(), (), False))
    count = len(tokens)
    for first in range(count):
        start, previous_end, pieces, first_has_digit = tokens[first]
        if not pieces:
            continue
        digit_tokens = 1 if first_has_digit else 0
        if first_has_digit:
            keys = _window_keys(pieces)
            if keys:
                yield TextWindow(start, previous_end, keys, "".join(pieces))
        for last in range(first + 1, count):
            token_start, token_end, token_pieces, token_has_digit = tokens[last]
            if (
                not token_has_digit
                or digit_tokens >= maximum_tokens
                or not _JOINING_GAP.fullmatch(upper, previous_end, token_start)
            ):
                break
            previous_end = token_end
            pieces = pieces + token_pieces
            digit_tokens += 1
            keys = _window_keys(pieces)
            if keys:
                yield TextWindow(start, token_end, keys, "".join(pieces))


def check_reference_pattern(pattern: str) -> str | None:
    """Return why a tenant's reference pattern is unusable, or None when it is fine.

    Besides compile errors this rejects over-long patterns and nested unbounded repetition
    such as `(a+)+`, the shape behind catastrophic backtracking.
    """
    if len(pattern) > MAXIMUM_PATTERN_LENGTH:
        return f"is longer than {MAXIMUM_PATTERN_LENGTH} characters"
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        return f"does not compile: {error}"
    if _has_nested_repetition(sre_parse.parse(pattern)):
        return "repeats a repetition (such as (a+)+), which can take exponential time"
    if compiled.groups == 0 and not pattern:
        return "is empty"
    return None


_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)


def _has_nested_repetition(parsed: sre_parse.SubPattern, *, inside_unbounded: bool = False) -> bool:
    for operator, argument in parsed.data:
        # The parser's argument shapes differ by operator; only sub-patterns matter here.
        parts: tuple[Any, ...] = argument if isinstance(argument, tuple) else (argument,)
        is_unbounded = False
        if operator in _REPEATS:
            maximum = parts[1]
            is_unbounded = maximum == sre_constants.MAXREPEAT or maximum > 50
            if is_unbounded and inside_unbounded:
                return True
        children: list[sre_parse.SubPattern] = []
        for part in parts:
            if isinstance(part, sre_parse.SubPattern):
                children.append(part)
            elif isinstance(part, list):
                children.extend(
                    branch for branch in part if isinstance(branch, sre_parse.SubPattern)
                )
        for child in children:
            if _has_nested_repetition(child, inside_unbounded=inside_unbounded or is_unbounded):
                return True
    return False
