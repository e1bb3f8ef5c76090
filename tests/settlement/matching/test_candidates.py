from decimal import Decimal

from settlement.matching.amounts import to_minor_units
from settlement.matching.candidates import CandidateGenerator, FeatureExtractor
from settlement.matching.configuration import MatchingConfiguration, Template
from settlement.matching.index import OpenItemIndex
from settlement.matching.model import Criterion, StatementItem
from tests.settlement.matching.builders import (
    MUELLER_IBAN,
    dupont_invoice,
    mueller_invoice,
    statement,
)

DEFAULT = MatchingConfiguration()


def extractor_for(*items):
    index = OpenItemIndex(list(items))
    return index, FeatureExtractor(index, [DEFAULT])


def features_of(extractor: FeatureExtractor, item: StatementItem):
    return extractor.extract(item, to_minor_units(item.amount, item.currency) or 0)


def test_a_document_number_in_the_text_is_identity_evidence_with_its_span():
    _, extractor = extractor_for(mueller_invoice("OI-1", "10.00", "RE-2024-000815"))
    features = features_of(extractor, statement(remittance_information="Danke fuer RE 2024/815!"))
    hit = features.identity[0]
    assert hit.criterion is Criterion.DOCUMENT_NUMBER
    assert hit.span is not None
    assert hit.span.text == "RE 2024/815"


def test_numbers_that_look_like_dates_or_amounts_are_not_taken_for_documents():
    _, extractor = extractor_for(
        mueller_invoice("OI-1", "10.00", "12032024"), mueller_invoice("OI-2", "11.00", "1234")
    )
    features = features_of(
        extractor, statement(remittance_information="vom 12.03.2024 Betrag 1234,56")
    )
    assert all(hit.strength < 0.5 for hit in features.identity.values())


def test_the_iban_and_mandate_point_to_the_account():
    _, extractor = extractor_for(mueller_invoice("OI-1", "10.00", "RE-1", mandate_id="M-1"))
    features = features_of(extractor, statement(counterparty_iban=MUELLER_IBAN, mandate_id="M-1"))
    assert {hit.criterion for hit in features.accounts[0]} == {Criterion.IBAN, Criterion.MANDATE}


def test_the_name_search_finds_the_account_without_comparing_every_name():
    index, extractor = extractor_for(
        mueller_invoice("OI-1", "10.00", "RE-1"), dupont_invoice("OI-2", "10.00", "FA-1")
    )
    features = features_of(extractor, statement(counterparty_name="DUPONT ET FILS"))
    extractor.add_accounts_by_name(features)
    assert set(features.accounts) == {index.account_of[1]}


def test_a_template_limits_how_candidates_are_found():
    index, extractor = extractor_for(mueller_invoice("OI-1", "10.00", "RE-1"))
    generator = CandidateGenerator(index, extractor)
    features = features_of(extractor, statement(amount="10.00", counterparty_iban=MUELLER_IBAN))
    by_document = MatchingConfiguration(template=Template.ENTRY_BY_DOCUMENT_NUMBER)
    assert generator.candidate_sets(features, by_document) == []
    assert generator.candidate_sets(
        features, MatchingConfiguration(template=Template.ACCOUNT_BY_IBAN)
    ) == [(0,)]


def test_combinations_are_searched_within_the_account_only():
    index, extractor = extractor_for(
        mueller_invoice("OI-1", "10.00", "RE-1"),
        mueller_invoice("OI-2", "15.00", "RE-2"),
        dupont_invoice("OI-3", "5.00", "FA-1"),
    )
    generator = CandidateGenerator(index, extractor)
    features = features_of(extractor, statement(amount="25.00", counterparty_iban=MUELLER_IBAN))
    assert generator.candidate_sets(features, DEFAULT) == [(0, 1)]
    assert Decimal(index.units[0] + index.units[1]) == Decimal(2500)
