"""End-to-end IDs lead back to the Salesforce payment record, even after a bank changed
their case, and mistyped ones are not matched."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from banking.formats.end_to_end_id import (
    EndToEndReference,
    InvalidEndToEndInput,
    build_end_to_end_id,
    parse_end_to_end_id,
    salesforce_id_18,
)
from banking.formats.epc_text import is_epc_text

RECORD_15 = "a0B5g00000AbCdE"
RECORD_18 = "a0B5g00000AbCdEEAV"


def test_the_15_character_id_gets_its_salesforce_case_suffix() -> None:
    assert salesforce_id_18(RECORD_15) == RECORD_18
    assert salesforce_id_18("001000000000001") == "001000000000001AAA"
    assert salesforce_id_18(RECORD_18.upper()) == RECORD_18


def test_the_id_is_short_epc_text_that_parses_back_to_the_record() -> None:
    end_to_end_id = build_end_to_end_id("ACME", RECORD_15, attempt=2)

    assert end_to_end_id == "ACME-A0B5G00000ABCDEEAV-2" + end_to_end_id[-1]
    assert len(end_to_end_id) <= 35
    assert is_epc_text(end_to_end_id)
    assert parse_end_to_end_id(end_to_end_id) == EndToEndReference("ACME", RECORD_18, 2)


def test_a_bank_that_changes_case_or_adds_spaces_still_leads_back_to_the_record() -> None:
    end_to_end_id = build_end_to_end_id("ACME", RECORD_15)
    assert parse_end_to_end_id(f"  {end_to_end_id.lower()} ") == EndToEndReference(
        "ACME", RECORD_18, 1
    )


def test_other_prefixes_mistypes_and_foreign_ids_are_not_ours() -> None:
    end_to_end_id = build_end_to_end_id("ACME", RECORD_15)
    mistyped = end_to_end_id[:10] + ("X" if end_to_end_id[10] != "X" else "Y") + end_to_end_id[11:]
    swapped = end_to_end_id[:6] + end_to_end_id[7] + end_to_end_id[6] + end_to_end_id[8:]

    assert parse_end_to_end_id(end_to_end_id, prefix="GLOBEX") is None
    assert parse_end_to_end_id(mistyped) is None
    assert parse_end_to_end_id(swapped) is None
    assert parse_end_to_end_id("NOTPROVIDED") is None
    assert parse_end_to_end_id("435005714488-ABNO33052620") is None


@pytest.mark.parametrize(
    ("prefix", "record_id", "attempt"),
    [
        ("acme", RECORD_15, 1),
        ("TOOLONGPREFIX", RECORD_15, 1),
        ("ACME", "a0B5g", 1),
        ("ACME", RECORD_15, 0),
        ("ACME", RECORD_15, 1000),
        ("ACME", "a0B5g00000AbCdE#", 1),
    ],
)
def test_inputs_that_cannot_form_an_id_are_refused(
    prefix: str, record_id: str, attempt: int
) -> None:
    with pytest.raises(InvalidEndToEndInput):
        build_end_to_end_id(prefix, record_id, attempt)


@given(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=10),
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        min_size=15,
        max_size=15,
    ),
    st.integers(1, 999),
)
def test_every_id_built_parses_back_to_its_record_and_attempt(
    prefix: str, record_id: str, attempt: int
) -> None:
    end_to_end_id = build_end_to_end_id(prefix, record_id, attempt)
    parsed = parse_end_to_end_id(end_to_end_id.lower(), prefix=prefix)

    assert len(end_to_end_id) <= 35
    assert parsed == EndToEndReference(prefix, salesforce_id_18(record_id), attempt)
    assert parsed.record_id[:15] == record_id
