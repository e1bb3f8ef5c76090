"""The EPC basic character set of SEPA messages, and transliteration into it.

SEPA banks must accept only ``a-z A-Z 0-9 / - ? : ( ) . , ' +`` and space. Text from
Salesforce is transliterated where that keeps its meaning (German umlauts and ß by their
conventional spellings, accented Latin letters by their base letter, typographic quotes
and dashes by their plain forms, ``&`` by ``+`` as the German banks' implementation guide's
conversion table says); anything else (other scripts, ``@``, emoji) cannot be sent and is
refused rather than silently dropped.
"""

import re
import unicodedata

from banking.formats.errors import FormatError


class UntransliterableText(FormatError):
    """Text contains characters that have no equivalent in the EPC character set."""


EPC_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ "
)
_EPC_TEXT = re.compile(r"^[A-Za-z0-9/\-?:().,'+ ]*$")

# Spellings that NFKD decomposition would get wrong (ä -> a) or cannot produce (ß, ø).
_SPECIAL = str.maketrans(
    {
        "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS",
        "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L",
        "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ħ": "h",
        "\u0131": "i",  # dotless i
        # Typographic quotes and accents become the apostrophe, dashes the hyphen-minus.
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u00b4": "'", "`": "'",
        "\u2010": "-", "\u2013": "-", "\u2014": "-",
        "\t": " ", "\n": " ", "\r": " ", "\u00a0": " ",
        # Company names ("Klein & Hoffmann") are common; DK's conversion table gives "+".
        "&": "+",
    }
)  # fmt: skip


def is_epc_text(text: str) -> bool:
    """Return whether ``text`` uses only the EPC basic character set."""
    return _EPC_TEXT.match(text) is not None


def to_epc_text(text: str) -> str:
    """Return ``text`` in the EPC character set, transliterated where possible, with runs of
    whitespace collapsed to one space and no spaces at either end.

    Raises :class:`UntransliterableText` naming the first character that has no equivalent.
    """
    if is_epc_text(text):
        return " ".join(text.split())
    special = " ".join(text.translate(_SPECIAL).split())
    decomposed = unicodedata.normalize("NFKD", special)
    result = "".join(character for character in decomposed if not unicodedata.combining(character))
    for character in result:
        if character not in EPC_CHARACTERS:
            raise UntransliterableText(
                f"{character!r} (U+{ord(character):04X}) has no equivalent in the EPC character set"
            )
    return result
