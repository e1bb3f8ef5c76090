"""German IBANs for the ledger's accounts, and the IBAN check every upload gets."""

import hashlib
import re

from banking.formats.check_digits import mod97, mod97_check_digits

#: The stand-in keeps its accounts at the bank code of the well-known example IBAN
#: DE89 3704 0044 0532 0130 00, which the Salesforce demo uses as Acme's own account.
BANK_CODE = "37040044"
BIC = "COBADEFFXXX"
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")


def german_iban(bank_code: str, account_number: str) -> str:
    """The IBAN of a German account (8-digit bank code, account number up to 10 digits)."""
    bban = bank_code + account_number.rjust(10, "0")
    return f"DE{mod97_check_digits(bban + 'DE')}{bban}"


def account_number_for(partner_id: str, position: int) -> str:
    """A stable 10-digit account number derived from the partner ID and account position."""
    digest = hashlib.sha256(f"{partner_id}/{position}".encode()).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**9 + 10**9:010d}"


def is_valid_iban(iban: str) -> bool:
    """Whether ``iban`` has the IBAN shape and correct MOD 97-10 check digits."""
    compact = "".join(iban.split()).upper()
    if not _IBAN.match(compact):
        return False
    return mod97(compact[4:] + compact[:4]) == 1
