"""The :86: field is read in the conventions German, Dutch, Polish and Swiss banks use."""

from decimal import Decimal

from banking.formats.mt940_details import join_wrapped_lines, parse_transaction_details
from banking.formats.statement import Party


def test_sepa_keywords_split_across_subfields_are_rejoined_before_splitting() -> None:
    lines = [
        "105?00SEPA-BASISLASTSCHRIFT?109310?20EREF+RE-2024-00012345-A?21BC-DE",
        "F?22MREF+MANDAT-0815?23CRED+DE98ZZZ09999999999?24SVWZ+Beitrag Maerz 2",
        "024 Mitgl?25iedsnummer 4711?26ABWA+Verein e.V. Abteil?27ung Sport?30BYLADEM1",
        "001?31DE02120300000000202051?32Max Mustermann?34992",
    ]
    details = parse_transaction_details(lines, first_line_prefix=4)

    assert details.business_code == "105"
    assert details.code_issuer == "DK"
    assert details.posting_text == "SEPA-BASISLASTSCHRIFT"
    assert details.end_to_end_id == "RE-2024-00012345-ABC-DEF"
    assert details.mandate_id == "MANDAT-0815"
    assert details.creditor_id == "DE98ZZZ09999999999"
    assert details.remittance_information == "Beitrag Maerz 2024 Mitgliedsnummer 4711"
    assert details.ultimate_debtor == "Verein e.V. Abteilung Sport"
    assert details.counterparty == Party(
        name="Max Mustermann", iban="DE02120300000000202051", bic="BYLADEM1001"
    )


def test_keyword_text_not_provided_is_absent_and_message_markers_are_remittance() -> None:
    details = parse_transaction_details(
        ["166?00GUTSCHRIFT?20EREF+NOTPROVIDED?21KREF+K-1MTLG:Danke?22SVWZ+Rechnung 5"]
    )
    assert details.end_to_end_id is None
    assert details.customer_reference == "K-1"
    assert details.remittance_information == "Rechnung 5 Danke"


def test_original_and_compensation_amounts_are_read_from_their_keywords() -> None:
    details = parse_transaction_details(
        ["109?20EREF+X1?21OAMT+100,00?22COAM+3,50?23SVWZ+Ruecklastschrift"]
    )
    assert details.original_amount == Decimal("100.00")
    assert details.compensation_amount == Decimal("3.50")


def test_legacy_german_fields_give_bank_code_and_account_number() -> None:
    details = parse_transaction_details(
        ["051?00UEBERWEISUNG?20Gehalt Januar?3050010517?310123456789?32ACME GMBH"]
    )
    assert details.counterparty == Party(
        name="ACME GMBH", other_account_id="0123456789", bank_code="50010517"
    )
    assert details.remittance_information == "Gehalt Januar"


def test_the_statement_account_is_never_taken_for_the_counterparty() -> None:
    details = parse_transaction_details(
        ["000>100987654321>20HUUR>310390123456"], own_account="TRIODOSBANK/0390123456"
    )
    assert details.counterparty is None
    assert details.code_issuer is None


def test_dutch_slash_codes_give_references_parties_and_return_reason() -> None:
    lines = [
        "/TRTP/SEPA INCASSO ALGEMEEN DOORLOPEND/CSID/NL22ZZZ524885430000/NAME/Energie B.V.",
        "/MARF/M-77/REMI/Voorschot maart/IBAN/NL91ABNA0417164300/BIC/ABNANL2A/EREF/E-2024-3",
        "/RTRN/MD06",
    ]
    details = parse_transaction_details(lines)
    assert details.posting_text == "SEPA INCASSO ALGEMEEN DOORLOPEND"
    assert details.creditor_id == "NL22ZZZ524885430000"
    assert details.mandate_id == "M-77"
    assert details.end_to_end_id == "E-2024-3"
    assert details.return_reason == "MD06"
    assert details.remittance_information == "Voorschot maart"
    assert details.counterparty == Party(
        name="Energie B.V.", iban="NL91ABNA0417164300", bic="ABNANL2A"
    )


def test_mbank_fields_give_the_polish_account_as_iban_and_the_title() -> None:
    lines = [
        "911 TRANSAKCJA; Z RACH.: 56114010810000267002001001; OD: JAN NOWAK  UL. NIJAKA 1;",
        " TYT.: FAKTURA 7; TNR: 17917.01",
    ]
    details = parse_transaction_details(lines)
    assert details.counterparty == Party(name="JAN NOWAK", iban="PL56114010810000267002001001")
    assert details.remittance_information == "FAKTURA 7"
    assert details.transaction_id == "17917.01"


def test_knab_account_and_name_come_after_the_description() -> None:
    details = parse_transaction_details(["FACTUUR 2014-1", "REK: NL65INGB0123456789/NAAM: PICQER"])
    assert details.counterparty == Party(name="PICQER", iban="NL65INGB0123456789")
    assert details.remittance_information == "FACTUUR 2014-1"


def test_full_width_lines_continue_without_a_space_shorter_ones_end_a_word() -> None:
    assert join_wrapped_lines(["x" * 61, "yz", "next"], first_line_prefix=4) == "x" * 61 + "yz next"
    assert join_wrapped_lines(["short", "lines"]) == "short lines"
