from decimal import Decimal

from settlement.matching.index import OpenItemIndex, postings
from settlement.matching.references import KeyKind, document_keys
from tests.settlement.matching.builders import MUELLER_IBAN, dupont_invoice, mueller_invoice


def test_items_of_one_account_share_it_and_its_ibans():
    index = OpenItemIndex(
        [
            mueller_invoice("OI-1", "10.00", "RE-1"),
            mueller_invoice("OI-2", "20.00", "RE-2"),
            dupont_invoice("OI-3", "30.00", "FA-3"),
        ]
    )
    assert index.account_of == [0, 0, 1]
    assert index.accounts[0].ibans == (MUELLER_IBAN,)
    assert postings(index.accounts_by_iban, MUELLER_IBAN) == (0,)


def test_amounts_are_indexed_in_signed_minor_units():
    index = OpenItemIndex(
        [mueller_invoice("OI-1", "10.00", "RE-1"), mueller_invoice("OI-2", "-10.00", "GS-1")]
    )
    assert postings(index.by_amount, 1000) == (0,)
    assert postings(index.by_amount, -1000) == (1,)


def test_a_document_is_found_by_every_way_of_writing_its_number():
    index = OpenItemIndex([mueller_invoice("OI-1", "10.00", "RE-2024-0012345")])
    for written in ("RE-2024-0012345", "re 2024/12345", "2024-0012345", "12345"):
        hits = index.reference_hits(document_keys(written), limit=5)
        assert [position for position, _, _ in hits] == [0], written


def test_a_hit_reports_how_literally_the_number_was_written():
    index = OpenItemIndex([mueller_invoice("OI-1", "10.00", "RE-2024-0012345")])
    [(_, exact, _)] = index.reference_hits(document_keys("RE-2024-0012345"), limit=5)
    [(_, zeros_dropped, _)] = index.reference_hits(document_keys("RE 2024 12345"), limit=5)
    assert exact is KeyKind.FULL
    assert zeros_dropped is KeyKind.GROUPED


def test_a_full_credit_note_naming_an_invoice_cancels_it_and_finds_the_reissue():
    index = OpenItemIndex(
        [
            mueller_invoice("OI-1", "700.00", "RE-2024-000815"),
            mueller_invoice(
                "OI-2", "-700.00", "GS-2024-000091", description="Storno zu RE-2024-000815"
            ),
            mueller_invoice(
                "OI-3", "700.00", "RE-2024-000830", description="ersetzt RE-2024-000815"
            ),
        ]
    )
    assert index.voided[0].credit_note == 1
    assert index.voided[0].reissue == 2
    assert index.excluded == {0, 1}


def test_a_partial_credit_note_is_linked_to_the_invoice_it_names():
    index = OpenItemIndex(
        [
            mueller_invoice("OI-1", "700.00", "RE-2024-000815"),
            mueller_invoice(
                "OI-2", "-100.00", "GS-2024-000091", description="Gutschrift zu RE-2024-000815"
            ),
        ]
    )
    assert index.credit_notes_for == {0: [1]}
    assert index.voided == {}


def test_cut_off_numbers_are_found_by_their_start():
    index = OpenItemIndex(
        [
            mueller_invoice("OI-1", "10.00", "RE-2024-0012345"),
            mueller_invoice("OI-2", "11.00", "RE-2024-0099999"),
        ]
    )
    assert index.reference_keys_starting_with("RE2024001234", limit=5) == [0]
    assert Decimal(index.units[1]) == Decimal(1100)
