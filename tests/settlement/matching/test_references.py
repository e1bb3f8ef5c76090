import pytest

from settlement.matching.references import (
    KeyKind,
    StructuredKind,
    check_reference_pattern,
    creditor_reference_for,
    document_keys,
    find_structured_references,
    full_key,
    is_valid_creditor_reference,
    is_valid_qr_reference,
    qr_check_digit,
    text_windows,
)


def test_a_creditor_reference_with_correct_check_digits_is_valid():
    assert is_valid_creditor_reference("RF18 5390 0754 7034")
    assert is_valid_creditor_reference(creditor_reference_for("INV4711"))


def test_a_creditor_reference_with_a_typo_is_invalid():
    assert not is_valid_creditor_reference("RF18 5390 0754 7035")
    assert not is_valid_creditor_reference("RF1")


def test_a_swiss_qr_reference_carries_a_modulo_10_recursive_check_digit():
    body = "21000000000313947143000901"
    assert qr_check_digit(body) == 7
    assert is_valid_qr_reference(body + "7")
    assert not is_valid_qr_reference(body + "8")


def test_structured_references_are_found_in_free_text_with_their_span():
    text = "Zahlung RF18 5390 0754 7034 vielen Dank"
    [found] = find_structured_references(text)
    assert found.kind is StructuredKind.CREDITOR_REFERENCE
    assert found.value == "RF18539007547034"
    assert text[found.start : found.end] == "RF18 5390 0754 7034"


def test_a_spaced_qr_reference_is_found_in_text():
    [found] = find_structured_references("QR 21 00000 00003 13947 14300 09017 ok")
    assert found.kind is StructuredKind.QR_REFERENCE
    assert found.value == "210000000003139471430009017"


def test_document_keys_cover_separators_leading_zeros_and_a_missing_prefix():
    keys = document_keys("RE-2024-0012345")
    assert keys["RE20240012345"] is KeyKind.FULL
    assert keys["RE202412345"] is KeyKind.GROUPED
    assert keys["20240012345"] is KeyKind.DIGITS
    assert keys["12345"] is KeyKind.LAST_GROUP


def test_letters_read_as_digits_only_next_to_digits():
    assert full_key("RE-2O24-OO1l23") == "RE2024001123"
    assert full_key("INVOICE 12") == "INVOICE12"


def test_text_windows_join_a_prefix_and_separated_digit_groups():
    text = "Rechnung RE 2O24/OO123 danke"
    windows = {text[window.start : window.end]: window for window in text_windows(text)}
    assert "RE202400123" in windows["RE 2O24/OO123"].keys
    assert all(not window.full.startswith("RECHNUNG") for window in windows.values())


def test_document_keys_are_the_same_for_the_number_however_it_is_written():
    written = ["RE-2024-000815", "re 2024/815", "RE2024000815", "2024-000815"]
    indexed = set(document_keys("RE-2024-000815"))
    for text in written:
        found = {key for window in text_windows(text) for key in window.keys}
        assert found & indexed, text


@pytest.mark.parametrize("pattern", ["(a+)+", "(.*)*x", "(?:\\d+\\s?)+$"])
def test_patterns_with_nested_repetition_are_refused(pattern):
    assert "repeats a repetition" in str(check_reference_pattern(pattern))


def test_a_pattern_that_does_not_compile_is_refused_with_the_reason():
    assert check_reference_pattern("RE(?P<document>[0-9+") is not None
    assert "does not compile" in str(check_reference_pattern("RE(?P<document>[0-9+"))


def test_overlong_patterns_are_refused():
    assert "longer than" in str(check_reference_pattern("a" * 400))


def test_a_plain_labelled_pattern_is_accepted():
    assert check_reference_pattern(r"Rechnung\s*(?P<document>\d{4,10})") is None
