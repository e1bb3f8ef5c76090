"""ISO 11649 structured creditor references ("RF references", e.g. ``RF18539007547034``).

An RF reference is ``RF``, two check digits and up to 21 letters or digits. The check digits
make MOD 97-10 of (reference + ``RF`` + check digits) equal 1, so typing errors are caught
before a payment goes out and when a statement comes back.
"""

import re

from banking.formats.check_digits import is_alphanumeric, mod97, mod97_check_digits
from banking.formats.errors import FormatError


class InvalidReferenceBase(FormatError):
    """The text cannot be turned into an ISO 11649 creditor reference."""


_MAX_REFERENCE_LENGTH = 21
_RF_REFERENCE = re.compile(r"^RF\d{2}[0-9A-Z]{1,21}$")


def create_creditor_reference(invoice_number: str) -> str:
    """Return the RF reference (electronic format, no spaces) for ``invoice_number``.

    Spaces are dropped and letters upper-cased; what remains must be 1-21 letters or digits,
    otherwise :class:`InvalidReferenceBase` is raised.
    """
    base = "".join(invoice_number.split()).upper()
    if not is_alphanumeric(base) or len(base) > _MAX_REFERENCE_LENGTH:
        raise InvalidReferenceBase(
            f"{invoice_number!r} cannot become an RF reference: it needs 1 to "
            f"{_MAX_REFERENCE_LENGTH} letters or digits"
        )
    return f"RF{mod97_check_digits(base + 'RF')}{base}"


def is_valid_creditor_reference(reference: str) -> bool:
    """Return whether ``reference`` is a valid RF reference (spaces and case are ignored)."""
    compact = "".join(reference.split()).upper()
    if not _RF_REFERENCE.match(compact):
        return False
    return mod97(compact[4:] + compact[:4]) == 1
