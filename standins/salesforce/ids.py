"""Salesforce record IDs: the 15-character case-sensitive form and its 18-character twin.

The three extra characters encode, five characters at a time, which letters are upper case, so an
18-character ID survives case-insensitive systems. Salesforce checks them; so does the stand-in,
which lets a typo in the seed fixture fail loudly at start instead of producing IDs no real org has.
"""

import re

_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ID_PATTERN = re.compile(r"[0-9A-Za-z]{15}(?:[0-9A-Z]{3})?")


def checksum(id15: str) -> str:
    """Return the three characters Salesforce appends to a 15-character ID."""
    suffix = ""
    for start in range(0, 15, 5):
        bits = sum(
            1 << offset for offset, char in enumerate(id15[start : start + 5]) if char.isupper()
        )
        suffix += _CHECKSUM_ALPHABET[bits]
    return suffix


def is_valid(record_id: str) -> bool:
    """Tell whether ``record_id`` is a 15- or 18-character ID (with the right checksum)."""
    if not _ID_PATTERN.fullmatch(record_id):
        return False
    return len(record_id) == 15 or record_id[15:] == checksum(record_id[:15])


def to_18(record_id: str) -> str:
    """Return the 18-character form of a valid 15- or 18-character ID.

    Raises ``ValueError`` for anything that is not a valid ID.
    """
    if not is_valid(record_id):
        raise ValueError(f"not a Salesforce ID: {record_id!r}")
    return record_id if len(record_id) == 18 else record_id + checksum(record_id)
