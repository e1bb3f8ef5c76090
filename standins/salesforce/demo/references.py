"""Bank and payment identifiers with valid check digits: IBANs (ISO 13616), creditor references
(ISO 11649 ``RF``), and BIC-shaped codes.

Both check-digit schemes are ISO 7064 MOD 97-10: move the head to the end, turn letters into
numbers (A=10 ... Z=35), and choose the two digits that leave a remainder of 1 modulo 97.
"""

import random
import string

# Account-number lengths after the bank code, where the account is plain digits.
_ACCOUNT_LENGTHS = {"DE": 10, "AT": 11, "CH": 12}


_LETTERS_AS_NUMBERS = str.maketrans(
    {letter: str(value) for value, letter in enumerate(string.ascii_uppercase, start=10)}
)


def _digits_of(text: str) -> int:
    return int(text.upper().translate(_LETTERS_AS_NUMBERS))


def mod97_check_digits(body: str, prefix: str) -> str:
    """The two check digits that make ``prefix + digits + body`` valid under MOD 97-10."""
    return f"{98 - _digits_of(body + prefix + '00') % 97:02d}"


def iban(country: str, bank_code: str, account: str) -> str:
    """An IBAN from a country code and the national bank code and account number."""
    bban = bank_code + account
    return f"{country}{mod97_check_digits(bban, country)}{bban}"


def _french_rib_key(bank: str, branch: str, account: str) -> str:
    # The RIB key makes 89*bank + 15*branch + 3*account + key a multiple of 97.
    return f"{97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97:02d}"


def _dutch_account(rng: random.Random) -> str:
    # Dutch account numbers pass the "elfproef": digits weighted 10..1 sum to a multiple of 11.
    while True:
        digits = [rng.randrange(10) for _ in range(10)]
        if (
            digits[0]
            and sum(d * w for d, w in zip(digits, range(10, 0, -1), strict=True)) % 11 == 0
        ):
            return "".join(map(str, digits))


def random_iban(country: str, bank_code: str, rng: random.Random) -> str:
    """A valid IBAN at a bank (its national code) for a made-up account."""
    if country == "FR":
        branch = f"{rng.randrange(10000, 99999)}"
        account = f"{rng.randrange(10**10, 10**11)}"
        return iban(
            country, bank_code + branch, account + _french_rib_key(bank_code, branch, account)
        )
    if country == "NL":
        return iban(country, bank_code, _dutch_account(rng))
    account = "".join(rng.choice(string.digits) for _ in range(_ACCOUNT_LENGTHS[country]))
    return iban(country, bank_code, account)


def creditor_reference(reference: str) -> str:
    """An ISO 11649 structured creditor reference: ``RF``, two check digits, the reference."""
    cleaned = "".join(char for char in reference.upper() if char.isalnum())
    if not 1 <= len(cleaned) <= 21:
        raise ValueError(f"a creditor reference holds 1 to 21 letters or digits: {reference!r}")
    return f"RF{mod97_check_digits(cleaned, 'RF')}{cleaned}"


def bic(bank_letters: str, country: str, location: str, branch: str = "") -> str:
    """A BIC: 4 bank letters, the country, 2 location characters, optionally a 3-char branch."""
    code = f"{bank_letters}{country}{location}{branch}"
    if len(code) not in {8, 11} or not code.isalnum():
        raise ValueError(f"not BIC-shaped: {code!r}")
    return code
