"""Text sent in SEPA files uses the EPC character set: transliterated where it can be,
refused where it cannot."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from banking.formats.epc_text import EPC_CHARACTERS, UntransliterableText, is_epc_text, to_epc_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Müller", "Mueller"),
        ("GRÜNE WIESE", "GRUeNE WIESE"),
        ("Straße", "Strasse"),
        ("Crème brûlée", "Creme brulee"),
        ("Łódź", "Lodz"),
        ("Ærøskøbing", "AEroskobing"),
        ("Señor Ñandú", "Senor Nandu"),
        ("l\u2019été \u2013 2024", "l'ete - 2024"),
        ("  two   spaces\tand\nlines ", "two spaces and lines"),
        ("already fine (1/2) +?:.,'-", "already fine (1/2) +?:.,'-"),
    ],
)
def test_text_is_transliterated_into_the_epc_character_set(text: str, expected: str) -> None:
    assert to_epc_text(text) == expected


@pytest.mark.parametrize(
    "text", ["info@acme.example", "王小明", "Price: 5€", "50%", "a_b", 'say "hi"']
)
def test_characters_without_an_equivalent_are_refused_and_named(text: str) -> None:
    with pytest.raises(UntransliterableText, match="U\\+"):
        to_epc_text(text)


@given(st.text())
def test_whatever_comes_out_is_epc_text(text: str) -> None:
    try:
        result = to_epc_text(text)
    except UntransliterableText:
        return
    assert is_epc_text(result)
    assert set(result) <= EPC_CHARACTERS


def test_an_ampersand_becomes_a_plus_as_german_banks_convert_it():
    assert to_epc_text("Müller & Söhne") == "Mueller + Soehne"
