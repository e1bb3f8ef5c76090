"""Salesforce record IDs: 15-character case-sensitive and 18-character case-safe forms."""

import re

_ID_PATTERN = re.compile(r"^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$")
_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


class InvalidSalesforceId(ValueError):
    pass


def normalize_salesforce_id(value: str) -> str:
    """Return the 18-character form of a 15- or 18-character Salesforce ID.

    The last three characters of the 18-character form encode which of the first fifteen are
    upper case, so an 18-character ID is checked against its own suffix.
    Raises InvalidSalesforceId for anything else.
    """
    if not isinstance(value, str) or not _ID_PATTERN.match(value):
        raise InvalidSalesforceId("Not a Salesforce ID.")
    base = value[:15]
    suffix = ""
    for chunk_start in range(0, 15, 5):
        bits = 0
        for position, character in enumerate(base[chunk_start : chunk_start + 5]):
            if "A" <= character <= "Z":
                bits |= 1 << position
        suffix += _SUFFIX_ALPHABET[bits]
    if len(value) == 18 and value[15:] != suffix:
        raise InvalidSalesforceId("The ID's case-safe suffix does not match.")
    return base + suffix


def org_id_from_access_token(token: str) -> str | None:
    """Salesforce access tokens (session IDs) start with the 15-character org ID and a '!'."""
    prefix, separator, _ = token.partition("!")
    if not separator or len(prefix) != 15 or not prefix.startswith("00D"):
        return None
    try:
        return normalize_salesforce_id(prefix)
    except InvalidSalesforceId:
        return None
