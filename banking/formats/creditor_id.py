"""SEPA creditor identifiers (e.g. ``DE98ZZZ09999999999``).

Layout: country code, two check digits, a three-character creditor business code (free for
the creditor's own use, ``ZZZ`` when unused) and the national identifier. The check digits
are ISO 7064 MOD 97-10 over the national identifier followed by the country code and the
check digits; the business code is left out, so it can change without a new checksum.
"""

import re

from banking.formats.check_digits import mod97

_CREDITOR_ID = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{3}[A-Z0-9]{1,28}$")


def is_valid_creditor_id(creditor_id: str) -> bool:
    """Return whether ``creditor_id`` is a well-formed SEPA creditor identifier."""
    compact = "".join(creditor_id.split()).upper()
    if len(compact) > 35 or not _CREDITOR_ID.match(compact):
        return False
    country, check_digits, national = compact[:2], compact[2:4], compact[7:]
    return mod97(national + country + check_digits) == 1
