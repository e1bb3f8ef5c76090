"""End-to-end IDs that lead back to the Salesforce payment record.

Layout: ``<PREFIX>-<RECORD ID>-<ATTEMPT><CHECK>``, e.g. ``ACME-A0B5G00000ABCDEFGH-1K``:

* ``PREFIX``: 1-10 upper-case letters or digits chosen by the tenant, so IDs of different
  tenants (and of Ledgerlink versus other software at the same bank account) never collide.
* ``RECORD ID``: the 18-character Salesforce ID in upper case. Banks do not always keep the
  case of references, and the 15-character ID is case-sensitive; the 18-character form
  encodes the case in its last three characters, so the exact ID is recovered either way.
* ``ATTEMPT``: 1-999, so a payment sent again after a rejection gets a new, unique ID.
* ``CHECK``: ISO 7064 MOD 37,36 over the rest without hyphens, so a mistyped or truncated
  reference is recognised instead of matched to the wrong record.

At most 34 characters, all in the EPC character set.
"""

import re
from dataclasses import dataclass

from banking.formats.check_digits import mod37_36_check_character
from banking.formats.errors import FormatError


class InvalidEndToEndInput(FormatError):
    """The prefix, record ID or attempt cannot form an end-to-end ID."""


_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_PREFIX = re.compile(r"^[A-Z0-9]{1,10}$")
_RECORD_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Z0-5]{3})?$")
_END_TO_END_ID = re.compile(
    r"^(?P<prefix>[A-Z0-9]{1,10})-(?P<record>[A-Z0-9]{15}[A-Z0-5]{3})-(?P<attempt>[1-9]\d{0,2})"
    r"(?P<check>[0-9A-Z])$"
)
MAX_ATTEMPT = 999


@dataclass(frozen=True, slots=True)
class EndToEndReference:
    """What an end-to-end ID says: whose record (its 18-character ID) and which attempt."""

    prefix: str
    record_id: str
    attempt: int


def build_end_to_end_id(prefix: str, record_id: str, attempt: int = 1) -> str:
    """Return the end-to-end ID for the ``attempt``-th payment of a Salesforce record.

    ``record_id`` may be the 15- or 18-character form. Raises
    :class:`InvalidEndToEndInput` for a prefix outside ``[A-Z0-9]{1,10}``, a malformed
    record ID or an attempt outside 1-999.
    """
    if not _PREFIX.match(prefix):
        raise InvalidEndToEndInput(f"prefix {prefix!r} must be 1-10 upper-case letters or digits")
    if not 1 <= attempt <= MAX_ATTEMPT:
        raise InvalidEndToEndInput(f"attempt {attempt} must be between 1 and {MAX_ATTEMPT}")
    record = salesforce_id_18(record_id).upper()
    body = f"{prefix}{record}{attempt}"
    return f"{prefix}-{record}-{attempt}{mod37_36_check_character(body)}"


def parse_end_to_end_id(value: str, *, prefix: str | None = None) -> EndToEndReference | None:
    """Return the record and attempt an end-to-end ID leads to, or None if it is not ours.

    Case and surrounding spaces are ignored (banks change both). With ``prefix``, IDs of
    other prefixes are not ours either.
    """
    match = _END_TO_END_ID.match(value.strip().upper())
    if match is None or (prefix is not None and match["prefix"] != prefix):
        return None
    body = match["prefix"] + match["record"] + match["attempt"]
    if mod37_36_check_character(body) != match["check"]:
        return None
    record_id = _restore_case(match["record"])
    if record_id is None:
        return None
    return EndToEndReference(
        prefix=match["prefix"], record_id=record_id, attempt=int(match["attempt"])
    )


def salesforce_id_18(record_id: str) -> str:
    """Return the 18-character, case-insensitive form of a Salesforce ID.

    Raises :class:`InvalidEndToEndInput` when ``record_id`` is not a 15- or 18-character ID.
    """
    if not _RECORD_ID.match(record_id):
        raise InvalidEndToEndInput(f"{record_id!r} is not a 15- or 18-character Salesforce ID")
    if len(record_id) == 18:
        restored = _restore_case(record_id.upper())
        if restored is None:
            raise InvalidEndToEndInput(f"{record_id!r} has an inconsistent case suffix")
        return restored
    suffix = ""
    for start in range(0, 15, 5):
        bits = sum(
            1 << offset
            for offset, character in enumerate(record_id[start : start + 5])
            if "A" <= character <= "Z"
        )
        suffix += _SUFFIX_ALPHABET[bits]
    return record_id + suffix


def _restore_case(record: str) -> str | None:
    """Undo upper-casing of an 18-character ID using its case suffix; None if impossible."""
    characters = []
    for chunk_index, suffix_character in enumerate(record[15:]):
        bits = _SUFFIX_ALPHABET.index(suffix_character)
        for offset, character in enumerate(record[chunk_index * 5 : chunk_index * 5 + 5]):
            is_upper = bool(bits >> offset & 1)
            if is_upper and not character.isalpha():
                return None
            characters.append(character if is_upper else character.lower())
    return "".join(characters) + record[15:]
