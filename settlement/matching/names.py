"""Counterparty names: normalisation, index tokens and fuzzy similarity.

A bank delivers `MUELLER BAUTECHNIK GMBH + CO. K` (upper case, umlauts spelt out, cut at 35
characters) or `PAYPAL *MUELLERBAU` for the account `Müller Bautechnik GmbH & Co. KG`. Names are
reduced to a comparable core (legal forms, punctuation and card-processor prefixes removed,
umlauts transliterated) once per account and once per statement item, then compared with
rapidfuzz.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

# Field lengths at which banks and formats cut names (DTAUS 27, SWIFT MT 35, SEPA 70).
TRUNCATION_LENGTHS = frozenset({27, 35, 70, 140})

_TRANSLITERATION = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "æ": "ae",
        "ø": "o",
    }
)
_NON_WORD = re.compile(r"[^a-z0-9]+")
# Legal forms, written as the tokens they become after punctuation is removed. Multi-word forms
# come first so that "gmbh co kg" goes as a whole rather than leaving "co kg" behind.
_LEGAL_FORMS: tuple[tuple[str, ...], ...] = tuple(
    tuple(form.split())
    for form in sorted(
        {
            "gmbh co kg",
            "gmbh und co kg",
            "gmbh co kgaa",
            "ag co kg",
            "se co kg",
            "ug haftungsbeschraenkt",
            "ug haftungsbeschrankt",
            "ug haftungsbeschr",
            "b v",
            "n v",
            "s a",
            "s a s",
            "s a r l",
            "s r l",
            "s p a",
            "e k",
            "e v",
            "e g",
            "co kg",
            "gmbh",
            "ges m b h",
            "gesmbh",
            "mbh",
            "ag",
            "kg",
            "kgaa",
            "ohg",
            "og",
            "gbr",
            "ug",
            "se",
            "ek",
            "ev",
            "eg",
            "sarl",
            "sas",
            "sasu",
            "sa",
            "eurl",
            "snc",
            "sagl",
            "bv",
            "nv",
            "vof",
            "cv",
            "ltd",
            "limited",
            "llc",
            "llp",
            "inc",
            "corp",
            "corporation",
            "plc",
            "co",
            "cie",
            "spa",
            "srl",
            "oy",
            "ab",
            "as",
            "aps",
        },
        key=lambda form: (-len(form.split()), form),
    )
)
_LEGAL_FORM_TOKENS = frozenset(token for form in _LEGAL_FORMS for token in form)
_UNAMBIGUOUS_LEGAL_WORDS = frozenset(
    {
        "gmbh",
        "mbh",
        "gesmbh",
        "kgaa",
        "ohg",
        "haftungsbeschraenkt",
        "haftungsbeschrankt",
        "sarl",
        "sasu",
        "eurl",
        "bv",
        "nv",
        "vof",
        "ltd",
        "llc",
        "plc",
        "sagl",
    }
)
# Words that say nothing about who pays.
_NOISE_TOKENS = frozenset(
    {
        "und",
        "and",
        "et",
        "en",
        "the",
        "die",
        "der",
        "fa",
        "firma",
        "herr",
        "frau",
        "mr",
        "mrs",
        "m",
        "mme",
        "dhr",
        "mevr",
    }
)
# Card and wallet processors put their own name before the merchant's: "PAYPAL *ACMESHOP".
_DESCRIPTOR = re.compile(
    r"^\s*(?:paypal|pp|sq|sumup|stripe|klarna|adyen|izettle|zettle|amzn|amazon|google|apple)"
    r"\s*(?:\.\w+)?\s*\*+\s*",
    re.IGNORECASE,
)


def transliterate(text: str) -> str:
    """Return `text` in lower-case ASCII: umlauts spelt out (ü → ue), other accents dropped."""
    spelt = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    return spelt.encode("ascii", "ignore").decode("ascii").lower()


_LEGAL_FORMS_BY_FIRST_TOKEN: dict[str, list[tuple[str, ...]]] = {}
for _form in _LEGAL_FORMS:
    _LEGAL_FORMS_BY_FIRST_TOKEN.setdefault(_form[0], []).append(_form)


def _strip_legal_forms(tokens: list[str]) -> list[str]:
    kept: list[str] = []
    index = 0
    while index < len(tokens):
        for form in _LEGAL_FORMS_BY_FIRST_TOKEN.get(tokens[index], ()):
            # A name that is nothing but a legal form ("AG") keeps it rather than vanish.
            is_whole_name = index == 0 and len(tokens) == len(form)
            if tuple(tokens[index : index + len(form)]) == form and not is_whole_name:
                index += len(form)
                break
        else:
            kept.append(tokens[index])
            index += 1
    return kept


@dataclass(frozen=True, slots=True)
class NormalisedName:
    """A name reduced for comparison.

    `text` is the core words, `compact` the same without spaces, and `spelt` the compact
    name with its small words kept ("micheletfils"), as merchants spell their descriptors.
    """

    text: str
    compact: str
    is_descriptor: bool
    is_truncated: bool
    spelt: str = ""

    @property
    def tokens(self) -> list[str]:
        """The core words of the name."""
        return self.text.split()


def normalise_name(name: str) -> NormalisedName:
    """Reduce a company or person name to its comparable core.

    Legal forms (GmbH, AG, SARL, B.V., Ltd ...), punctuation, salutations and card-processor
    prefixes are removed and umlauts transliterated. A name whose length is a bank field limit
    is marked as possibly truncated, and so is one ending in a broken-off legal form.
    """
    is_truncated = len(name) in TRUNCATION_LENGTHS
    descriptor = _DESCRIPTOR.match(name)
    if descriptor:
        name = name[descriptor.end() :]
    tokens = [token for token in _NON_WORD.split(transliterate(name)) if token]
    tokens = _strip_legal_forms(tokens)
    spelt = "".join(tokens)
    tokens = [token for token in tokens if token not in _NOISE_TOKENS]
    # Words that are legal forms and nothing else go wherever they stand: banks reorder words.
    kept = [
        token
        for token in tokens
        if token not in _UNAMBIGUOUS_LEGAL_WORDS and not token.startswith("haftungs")
    ]
    tokens = kept or tokens
    # A name cut inside its legal form leaves a stub such as "gmbh co k" or "ug (haftungsbe":
    # drop trailing fragments that start a legal-form word.
    while len(tokens) > 1 and (
        (len(tokens[-1]) <= 3 or is_truncated)
        and any(form_token.startswith(tokens[-1]) for form_token in _LEGAL_FORM_TOKENS)
    ):
        tokens.pop()
        is_truncated = True
    text = " ".join(tokens)
    return NormalisedName(text, text.replace(" ", ""), descriptor is not None, is_truncated, spelt)


def index_token(token: str) -> str:
    """Return the form of a name word used as an index key.

    Banks write "Müller" as MUELLER, MULLER or MLLER; folding the spelt-out umlauts back
    (ue → u) makes the first two agree, which is what candidate look-up needs.
    """
    return token.replace("ae", "a").replace("oe", "o").replace("ue", "u").replace("ss", "s")


def index_tokens(name: NormalisedName) -> list[str]:
    """Return the index keys of a normalised name: its folded words of three letters or more."""
    return [index_token(token) for token in name.tokens if len(token) >= 3 and not token.isdigit()]


def compact_prefix_key(name: NormalisedName) -> str:
    """Return the key that finds an account by a run-together descriptor ("ACMESHOP")."""
    return index_token(name.compact)[:5]


def name_similarity(payer: NormalisedName, account: NormalisedName) -> float:
    """Return how alike two normalised names are, from 0 to 1.

    Takes the best of a plain comparison, one that ignores word order, one that ignores
    spaces, and, when the payer's name may have been cut at a field limit or is a processor
    descriptor, a comparison against the same-length start of the account name.
    """
    if not payer.text or not account.text:
        return 0.0
    best = max(
        fuzz.ratio(payer.text, account.text),
        fuzz.token_sort_ratio(payer.text, account.text),
        fuzz.ratio(payer.compact, account.compact),
    )
    if best >= 100:
        return 1.0
    if payer.is_truncated and len(payer.tokens) >= 2:
        # A cut name keeps its first words whole: all of them among the account's words
        # (in any order, as banks reorder) is strong evidence.
        words = set(account.tokens)
        for whole in (payer.tokens, payer.tokens[:-1]):
            if len(whole) >= 2 and sum(map(len, whole)) >= 8 and set(whole) <= words:
                best = max(best, 92)
                break
    if len(payer.compact) >= 5 and len(payer.compact) < len(account.compact):
        prefix = account.compact[: len(payer.compact)]
        # A prefix is weaker evidence than a whole name, the more so when nothing says the
        # payer's name was cut.
        discount = 0.96 if payer.is_truncated or payer.is_descriptor else 0.9
        best = max(best, discount * fuzz.ratio(payer.compact, prefix))
    if payer.is_descriptor and len(payer.compact) >= 5:
        best = max(
            best,
            0.9 * fuzz.partial_ratio(payer.compact, account.compact),
            0.95 * fuzz.ratio(payer.compact, account.spelt[: len(payer.compact)]),
        )
    return best / 100.0
