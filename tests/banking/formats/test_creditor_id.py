"""SEPA creditor identifiers are checked by their MOD 97-10 digits, without the business code."""

import pytest

from banking.formats.creditor_id import is_valid_creditor_id


@pytest.mark.parametrize(
    "creditor_id",
    ["DE98ZZZ09999999999", "DE98ABC09999999999", "NL22ZZZ524885430000", "de98 zzz 0999 9999 999"],
)
def test_valid_creditor_ids_are_accepted_whatever_their_business_code(creditor_id: str) -> None:
    assert is_valid_creditor_id(creditor_id)


@pytest.mark.parametrize(
    "creditor_id",
    [
        "DE98ZZZ09999999998",
        "DE97ZZZ09999999999",
        "DE98ZZZ",
        "98DEZZZ09999999999",
        "DE98ZZZ0999999999_",
    ],
)
def test_mistyped_or_malformed_creditor_ids_are_rejected(creditor_id: str) -> None:
    assert not is_valid_creditor_id(creditor_id)
