"""ISO 7064 check-digit arithmetic shared by IBAN-style references and our own identifiers.

* MOD 97-10 (letters count as 10..35) protects ISO 11649 creditor references, IBANs and
  SEPA creditor identifiers.
* MOD 37,36 (hybrid system over 0-9 and A-Z) gives a single check character; we use it for
  end-to-end IDs because it catches every single-character error and every swap of two
  adjacent characters.
"""

import string

_ALPHANUMERIC = string.digits + string.ascii_uppercase
_VALUES = {character: index for index, character in enumerate(_ALPHANUMERIC)}


def is_alphanumeric(text: str) -> bool:
    """Return whether ``text`` is non-empty and only has digits and upper-case A-Z."""
    return bool(text) and all(character in _VALUES for character in text)


def mod97(text: str) -> int:
    """Return ``text`` (digits and upper-case letters, A=10 .. Z=35) modulo 97.

    Raises ``ValueError`` for any other character.
    """
    remainder = 0
    for character in text:
        value = _VALUES.get(character)
        if value is None:
            raise ValueError(f"{character!r} is not a digit or an upper-case letter")
        # Two-digit values (letters) shift the running number by two decimal places.
        remainder = (remainder * (100 if value > 9 else 10) + value) % 97
    return remainder


def mod97_check_digits(body: str) -> str:
    """Return the two MOD 97-10 check digits for ``body`` (check digits appended as "00")."""
    return f"{98 - mod97(body + '00'):02d}"


def mod37_36_check_character(body: str) -> str:
    """Return the ISO 7064 MOD 37,36 check character (0-9 or A-Z) for ``body``."""
    product = 36
    for character in body:
        value = _VALUES.get(character)
        if value is None:
            raise ValueError(f"{character!r} is not a digit or an upper-case letter")
        total = (product + value) % 36 or 36
        product = (total * 2) % 37
    return _ALPHANUMERIC[(37 - product) % 36]
