"""Salesforce ID checksums, and the seed fixture's IDs checked against them.

``standins.salesforce.ids`` is pure Python and imports no Django, so it is tested in-process.
"""

import json
from pathlib import Path

import pytest

from standins.salesforce import ids

SEED = Path(__file__).resolve().parents[3] / "standins" / "salesforce" / "fixtures" / "seed.json"


def test_checksum_gives_the_18_character_form_of_a_known_id():
    assert ids.to_18("00D5g000004ACME") == "00D5g000004ACMEEA4"


def test_id_with_a_wrong_checksum_is_invalid():
    assert ids.is_valid("0055g00000AAdmiAAD")
    assert not ids.is_valid("0055g00000AAdmiAAA")
    assert not ids.is_valid("0055g00000AAdmi!AD")
    with pytest.raises(ValueError, match="not a Salesforce ID"):
        ids.to_18("0055g00000AAdmiAAA")


def test_every_seeded_id_is_a_valid_18_character_id():
    fixture = json.loads(SEED.read_text())
    seeded = [
        value
        for org in fixture["orgs"]
        for entry in (org, *org["users"])
        for key, value in entry.items()
        if key.endswith("id") and value is not None
    ]

    assert len(seeded) == 2 * 3 + 6 * 2
    assert all(len(value) == 18 and ids.is_valid(value) for value in seeded)
