import pytest

from settlement.matching.names import name_similarity, normalise_name


@pytest.mark.parametrize(
    ("written", "core"),
    [
        ("Müller Bautechnik GmbH & Co. KG", "mueller bautechnik"),
        ("MUELLER BAUTECHNIK GMBH + CO. K", "mueller bautechnik"),
        ("Dupont et Fils S.A.R.L.", "dupont fils"),
        ("Van den Berg Logistiek B.V.", "van den berg logistiek"),
        ("ACME Widgets Ltd.", "acme widgets"),
        ("Schmitz Sanitär UG (haftungsbeschränkt)", "schmitz sanitaer"),
        ("Rossi S.p.A.", "rossi"),
    ],
)
def test_legal_forms_punctuation_and_umlauts_are_normalised_away(written, core):
    assert normalise_name(written).text == core


def test_a_name_that_is_only_a_legal_form_is_kept():
    assert normalise_name("AG").text == "ag"


def test_a_card_processor_prefix_is_recognised_as_a_descriptor():
    name = normalise_name("PAYPAL *ACMESHOP")
    assert name.is_descriptor
    assert name.text == "acmeshop"


def test_a_name_cut_at_a_bank_field_limit_is_marked_truncated():
    assert normalise_name("Mueller Bautechnik und Fenster").is_truncated is False
    assert normalise_name("MUELLER BAUTECHNIK UND FENSTERB").is_truncated is False
    assert normalise_name("X" * 27).is_truncated


@pytest.mark.parametrize(
    ("payer", "account"),
    [
        ("MUELLER BAUTECHNIK GMBH", "Müller Bautechnik GmbH"),
        ("MULLER BAUTECHNIK", "Müller Bautechnik GmbH"),
        ("Bautechnik Mueller", "Müller Bautechnik GmbH"),
        ("PAYPAL *ACMESHOP", "Acme Shop GmbH"),
        ("SCHMIDT + PARTNER ELEKTROTECHNIK", "Schmidt & Partner Elektrotechnik GmbH"),
        ("VAN DEN BERG LOGISTIEK BV", "Van den Berg Logistiek B.V."),
    ],
)
def test_the_same_company_written_differently_scores_high(payer, account):
    assert name_similarity(normalise_name(payer), normalise_name(account)) >= 0.9


def test_a_truncated_name_still_resembles_the_full_name():
    payer = normalise_name("INGENIEURBUERO SCHNEIDER-KLEINSCHMIDT GMBH"[:27])
    account = normalise_name("Ingenieurbüro Schneider-Kleinschmidt GmbH")
    assert name_similarity(payer, account) >= 0.9


def test_different_companies_with_a_shared_word_score_low():
    payer = normalise_name("Schneider Logistik GmbH")
    account = normalise_name("Schneider Elektro GmbH")
    assert name_similarity(payer, account) < 0.75


def test_an_empty_name_resembles_nothing():
    assert name_similarity(normalise_name(""), normalise_name("Müller GmbH")) == 0.0
