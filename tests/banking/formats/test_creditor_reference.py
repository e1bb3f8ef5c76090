"""ISO 11649 creditor references (RF) are created and checked."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from banking.formats.creditor_reference import (
    InvalidReferenceBase,
    create_creditor_reference,
    is_valid_creditor_reference,
)


def test_the_standard_example_is_reproduced() -> None:
    assert create_creditor_reference("539007547034") == "RF18539007547034"


@pytest.mark.parametrize(
    "reference", ["RF18539007547034", "RF18 5390 0754 7034", "rf18539007547034", "RF712348231"]
)
def test_valid_references_are_accepted_with_spaces_and_any_case(reference: str) -> None:
    assert is_valid_creditor_reference(reference)


@pytest.mark.parametrize(
    "reference",
    [
        "RF19539007547034",
        "RF18539007547035",
        "RF185390075470341234567890",
        "XX18539007547034",
        "RF18",
        "RF18-5390",
    ],
)
def test_mistyped_or_malformed_references_are_rejected(reference: str) -> None:
    assert not is_valid_creditor_reference(reference)


@pytest.mark.parametrize("invoice_number", ["", "INV_2024", "1234567890123456789012", "Rechnung-1"])
def test_invoice_numbers_that_cannot_become_a_reference_are_refused(invoice_number: str) -> None:
    with pytest.raises(InvalidReferenceBase):
        create_creditor_reference(invoice_number)


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=21), st.data())
def test_every_created_reference_is_valid_and_a_mistyped_digit_is_caught(
    base: str, data: st.DataObject
) -> None:
    reference = create_creditor_reference(base)
    assert is_valid_creditor_reference(reference)
    # MOD 97-10 catches every single wrong digit (a letter typed for a digit can slip through,
    # since a letter counts as two digits).
    position = data.draw(st.sampled_from([i for i, c in enumerate(reference) if c.isdigit()]))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != reference[position]]))
    assert not is_valid_creditor_reference(reference[:position] + wrong + reference[position + 1 :])
