from datetime import date
from decimal import Decimal

import pytest

from settlement.matching import (
    Band,
    Criterion,
    InvalidConfiguration,
    InvalidMatchingInput,
    MatchingConfiguration,
    MatchResult,
    Suggestion,
    Template,
    match_items,
)
from settlement.matching.references import creditor_reference_for, qr_check_digit
from tests.settlement.matching.builders import (
    DUPONT_IBAN,
    MUELLER_IBAN,
    VAN_DEN_BERG_IBAN,
    dupont_invoice,
    mueller_invoice,
    statement,
    van_den_berg_bill,
)


def only_suggestion(result: MatchResult) -> Suggestion:
    [suggestion] = result.suggestions
    return suggestion


def allocated(suggestion: Suggestion) -> dict[str, Decimal]:
    return {allocation.open_item_id: allocation.amount for allocation in suggestion.allocations}


def criteria(suggestion: Suggestion) -> set[Criterion]:
    return {evidence.criterion for evidence in suggestion.evidence}


def background() -> list:
    """Other open items every ledger has, so that a match is never the only choice."""
    return [
        mueller_invoice("OI-M-OLD", "77.10", "RE-2024-000700"),
        dupont_invoice("OI-D-OLD", "1450.00", "FA-2024-0099"),
        van_den_berg_bill("OI-V-OLD", "310.45", "VDB-55120"),
    ]


def test_our_own_end_to_end_id_settles_the_collected_item_automatically():
    invoice = mueller_invoice("OI-1", "250.00", "RE-2024-000811", end_to_end_id="LLDD0000042")
    payment = statement(amount="250.00", end_to_end_id="LLDD0000042")
    suggestion = only_suggestion(match_items([payment], [invoice, *background()]))
    assert allocated(suggestion) == {"OI-1": Decimal("250.00")}
    assert suggestion.band is Band.AUTO
    [evidence] = [e for e in suggestion.evidence if e.criterion is Criterion.END_TO_END_ID]
    assert evidence.span is not None
    assert evidence.span.field == "end_to_end_id"


def test_an_rf_creditor_reference_in_the_reference_field_settles_automatically():
    reference = creditor_reference_for("4711230815")
    invoice = dupont_invoice("OI-1", "980.00", "FA-2024-0815", payment_reference=reference)
    payment = statement(amount="980.00", creditor_reference=reference)
    suggestion = only_suggestion(match_items([payment], [invoice, *background()]))
    assert suggestion.band is Band.AUTO
    assert Criterion.CREDITOR_REFERENCE in criteria(suggestion)


def test_an_rf_reference_written_with_spaces_in_the_text_is_found_with_its_span():
    reference = creditor_reference_for("4711230815")
    spaced = " ".join(reference[index : index + 4] for index in range(0, len(reference), 4))
    invoice = dupont_invoice("OI-1", "980.00", "FA-2024-0815", payment_reference=reference)
    payment = statement(amount="980.00", remittance_information=f"Paiement {spaced} merci")
    suggestion = only_suggestion(match_items([payment], [invoice, *background()]))
    [evidence] = [e for e in suggestion.evidence if e.criterion is Criterion.CREDITOR_REFERENCE]
    assert evidence.span is not None
    assert evidence.span.text == spaced


def test_a_swiss_qr_reference_finds_the_invoice_it_was_printed_on():
    body = "00000000000000000002024815"
    reference = body + str(qr_check_digit(body))
    invoice = mueller_invoice(
        "OI-1", "412.30", "RE-2024-000815", currency="CHF", payment_reference=reference
    )
    payment = statement(amount="412.30", currency="CHF", creditor_reference=reference)
    suggestion = only_suggestion(match_items([payment], [invoice]))
    assert allocated(suggestion) == {"OI-1": Decimal("412.30")}
    assert suggestion.band is Band.AUTO


@pytest.mark.parametrize(
    "text",
    [
        "RE-2024-000815",
        "Rechnung RE 2024/815 vom 01.03.2024",
        "Rg. RE2O24OOO815 danke",
        "2024000815",
        "re-2024-000815 Kd-Nr. K100234",
    ],
)
def test_a_document_number_written_any_way_in_the_text_identifies_the_invoice(text):
    invoice = mueller_invoice("OI-1", "1190.00", "RE-2024-000815")
    payment = statement(
        amount="1190.00", remittance_information=text, counterparty_name="MUELLER BAUTECHNIK"
    )
    suggestion = only_suggestion(match_items([payment], [invoice, *background()]))
    assert allocated(suggestion) == {"OI-1": Decimal("1190.00")}
    assert suggestion.band in (Band.AUTO, Band.SUGGEST)
    [evidence] = [e for e in suggestion.evidence if e.criterion is Criterion.DOCUMENT_NUMBER]
    assert evidence.span is not None
    assert evidence.span.text == text[evidence.span.start : evidence.span.end]
    assert evidence.contribution > 0


def test_the_payers_iban_and_the_exact_amount_suggest_the_invoice_without_settling_it():
    invoice = dupont_invoice("OI-1", "333.33", "FA-2024-0815")
    payment = statement(amount="333.33", counterparty_iban="FR14 2004 1010 0505 0001 3M02 606")
    suggestion = only_suggestion(match_items([payment], [invoice, *background()]))
    assert allocated(suggestion) == {"OI-1": Decimal("333.33")}
    assert suggestion.band is Band.SUGGEST
    assert Criterion.IBAN in criteria(suggestion)


def test_a_mangled_payer_name_and_the_exact_amount_suggest_the_invoice():
    invoice = mueller_invoice("OI-1", "615.80", "RE-2024-000815")
    payment = statement(amount="615.80", counterparty_name="MUELLER BAUTECHNIK GMBH + CO")
    suggestion = only_suggestion(match_items([payment], [invoice, *background()]))
    assert allocated(suggestion) == {"OI-1": Decimal("615.80")}
    assert suggestion.band is Band.SUGGEST
    [evidence] = [e for e in suggestion.evidence if e.criterion is Criterion.NAME]
    assert evidence.span is not None
    assert evidence.span.field == "counterparty_name"


def test_a_direct_debit_mandate_identifies_the_account():
    invoice = mueller_invoice("OI-1", "89.90", "RE-2024-000815", mandate_id="MNDT-77")
    payment = statement(amount="89.90", mandate_id="MNDT-77")
    suggestion = only_suggestion(match_items([payment], [invoice, *background()]))
    assert allocated(suggestion) == {"OI-1": Decimal("89.90")}
    assert Criterion.MANDATE in criteria(suggestion)


def test_a_customer_number_in_the_text_identifies_the_account():
    invoice = mueller_invoice("OI-1", "89.90", "RE-2024-000815")
    payment = statement(amount="89.90", remittance_information="Kundennr K100234 Maerz")
    suggestion = only_suggestion(match_items([payment], [invoice, *background()]))
    assert allocated(suggestion) == {"OI-1": Decimal("89.90")}
    assert Criterion.CUSTOMER_NUMBER in criteria(suggestion)


def test_a_custom_field_configuration_finds_items_by_their_custom_value():
    invoice = mueller_invoice(
        "OI-1", "89.90", "RE-2024-000815", custom_fields=(("Order__c", "PO-99812"),)
    )
    payment = statement(amount="89.90", remittance_information="Bestellung PO 99812")
    configuration = MatchingConfiguration(template=Template.CUSTOM_FIELD, custom_field="Order__c")
    suggestion = only_suggestion(match_items([payment], [invoice], configuration))
    assert Criterion.CUSTOM_FIELD in criteria(suggestion)


def test_a_reference_pattern_finds_short_labelled_document_numbers():
    invoice = mueller_invoice("OI-1", "42.00", "815")
    payment = statement(amount="42.00", remittance_information="Beleg 815 danke")
    plain = match_items([payment], [invoice, *background()])
    configured = match_items(
        [payment],
        [invoice, *background()],
        MatchingConfiguration(reference_patterns=(r"Beleg\s+(?P<document>\d+)",)),
    )

    def document_contribution(result: MatchResult) -> float:
        suggestion = only_suggestion(result)
        return sum(
            e.contribution for e in suggestion.evidence if e.criterion is Criterion.DOCUMENT_NUMBER
        )

    # Unlabelled, a three-digit number is weak evidence; a tenant's pattern vouches for it.
    assert document_contribution(configured) > document_contribution(plain)
    assert only_suggestion(configured).score > only_suggestion(plain).score


def test_a_combined_payment_of_referenced_invoices_allocates_each_in_full():
    invoices = [
        mueller_invoice("OI-1", "100.00", "RE-2024-000811"),
        mueller_invoice("OI-2", "250.50", "RE-2024-000812"),
        mueller_invoice("OI-3", "49.50", "RE-2024-000813"),
    ]
    payment = statement(
        amount="400.00", remittance_information="RE-2024-000811 RE-2024-000812 RE-2024-000813"
    )
    suggestion = only_suggestion(match_items([payment], [*invoices, *background()]))
    assert allocated(suggestion) == {
        "OI-1": Decimal("100.00"),
        "OI-2": Decimal("250.50"),
        "OI-3": Decimal("49.50"),
    }
    assert suggestion.band is Band.AUTO
    assert Criterion.COMBINATION in criteria(suggestion)


def test_a_cut_off_list_of_invoices_is_completed_from_the_same_account():
    invoices = [mueller_invoice(f"OI-{n}", f"{n}00.{n}0", f"RE-2024-00081{n}") for n in range(1, 6)]
    total = sum((invoice.open_amount for invoice in invoices), Decimal(0))
    payment = statement(
        amount=str(total),
        remittance_information="RE-2024-000811 RE-2024-000812 RE-2024-000813",
        counterparty_iban=MUELLER_IBAN,
    )
    suggestion = only_suggestion(match_items([payment], invoices))
    assert set(allocated(suggestion)) == {invoice.id for invoice in invoices}


def test_a_combination_by_amount_alone_needs_the_account_and_is_never_settled_automatically():
    invoices = [
        mueller_invoice("OI-1", "120.00", "RE-2024-000811", due_date=date(2024, 3, 1)),
        mueller_invoice("OI-2", "75.25", "RE-2024-000812", due_date=date(2024, 3, 5)),
        mueller_invoice("OI-3", "1999.00", "RE-2024-000813", due_date=date(2024, 3, 8)),
    ]
    payment = statement(
        amount="195.25", counterparty_iban=MUELLER_IBAN, counterparty_name="Mueller Bautechnik"
    )
    suggestion = only_suggestion(match_items([payment], invoices))
    assert allocated(suggestion) == {"OI-1": Decimal("120.00"), "OI-2": Decimal("75.25")}
    assert suggestion.band is not Band.AUTO
    anonymous = statement(amount="195.25")
    assert match_items([anonymous], invoices).suggestions == ()


def test_a_partial_payment_allocates_what_was_paid_and_leaves_the_rest_open():
    invoice = mueller_invoice("OI-1", "1000.00", "RE-2024-000815")
    payment = statement(
        amount="400.00",
        remittance_information="Teilzahlung RE-2024-000815",
        counterparty_iban=MUELLER_IBAN,
    )
    suggestion = only_suggestion(match_items([payment], [invoice]))
    [allocation] = suggestion.allocations
    assert allocation.amount == Decimal("400.00")
    assert allocation.remaining_open_amount == Decimal("600.00")
    assert suggestion.unallocated_amount == Decimal("0.00")


def test_an_overpayment_allocates_the_open_amount_and_reports_the_excess():
    invoice = mueller_invoice("OI-1", "1000.00", "RE-2024-000815")
    payment = statement(
        amount="1050.00", remittance_information="RE-2024-000815", counterparty_iban=MUELLER_IBAN
    )
    suggestion = only_suggestion(match_items([payment], [invoice]))
    [allocation] = suggestion.allocations
    assert allocation.amount == Decimal("1000.00")
    assert allocation.remaining_open_amount == Decimal("0.00")
    assert suggestion.unallocated_amount == Decimal("50.00")


@pytest.mark.parametrize(
    ("paid", "explanation"), [("990.00", "bank fee"), ("980.00", "cash discount")]
)
def test_fees_and_cash_discounts_are_explained_and_leave_the_difference_open(paid, explanation):
    invoice = mueller_invoice("OI-1", "1000.00", "RE-2024-000815")
    payment = statement(
        amount=paid, remittance_information="RE-2024-000815", counterparty_iban=MUELLER_IBAN
    )
    suggestion = only_suggestion(match_items([payment], [invoice]))
    [amount_evidence] = [e for e in suggestion.evidence if e.criterion is Criterion.AMOUNT]
    assert explanation in amount_evidence.detail
    assert suggestion.allocations[0].remaining_open_amount == Decimal(1000) - Decimal(paid)


def test_a_credit_note_is_netted_against_the_invoice_it_names():
    invoice = mueller_invoice("OI-1", "1000.00", "RE-2024-000815")
    credit = mueller_invoice(
        "OI-2", "-150.00", "GS-2024-000090", description="Gutschrift zu RE-2024-000815"
    )
    payment = statement(
        amount="850.00", remittance_information="RE-2024-000815", counterparty_iban=MUELLER_IBAN
    )
    suggestion = only_suggestion(match_items([payment], [invoice, credit, *background()]))
    assert allocated(suggestion) == {"OI-1": Decimal("1000.00"), "OI-2": Decimal("-150.00")}
    assert sum(allocated(suggestion).values()) == payment.amount


def test_money_out_pays_payables_and_money_in_never_does():
    bill = van_den_berg_bill("OI-1", "500.00", "VDB-7781")
    paid_out = statement(
        "S-OUT",
        amount="-500.00",
        remittance_information="VDB-7781",
        counterparty_iban=VAN_DEN_BERG_IBAN,
    )
    paid_in = statement(
        "S-IN",
        amount="500.00",
        remittance_information="VDB-7781",
        counterparty_iban=VAN_DEN_BERG_IBAN,
    )
    suggestion = only_suggestion(match_items([paid_out], [bill]))
    assert allocated(suggestion) == {"OI-1": Decimal("-500.00")}
    assert match_items([paid_in], [bill]).suggestions == ()


def test_a_payment_in_another_currency_does_not_pay_the_invoice():
    invoice = mueller_invoice("OI-1", "500.00", "RE-2024-000815")
    payment = statement(amount="500.00", currency="CHF", remittance_information="RE-2024-000815")
    assert match_items([payment], [invoice]).suggestions == ()


def test_a_payment_quoting_a_cancelled_invoice_pays_its_reissue():
    cancelled = mueller_invoice("OI-1", "700.00", "RE-2024-000815")
    cancellation = mueller_invoice(
        "OI-2", "-700.00", "GS-2024-000091", description="Storno zu RE-2024-000815"
    )
    reissue = mueller_invoice(
        "OI-3",
        "700.00",
        "RE-2024-000830",
        document_date=date(2024, 2, 25),
        description="ersetzt RE-2024-000815",
    )
    payment = statement(
        amount="700.00", remittance_information="RE-2024-000815", counterparty_iban=MUELLER_IBAN
    )
    result = match_items([payment], [cancelled, cancellation, reissue])
    suggestion = only_suggestion(result)
    assert allocated(suggestion) == {"OI-3": Decimal("700.00")}
    assert Criterion.VOID_AND_REISSUE in criteria(suggestion)
    assert {"OI-1", "OI-2"} <= set(result.unmatched_open_item_ids)


def test_a_returned_direct_debit_and_its_collection_are_both_left_unmatched():
    invoice = mueller_invoice("OI-1", "89.90", "RE-2024-000815", end_to_end_id="LLDD77")
    collection = statement(
        "S-COLLECT", amount="89.90", end_to_end_id="LLDD77", booking_date=date(2024, 3, 5)
    )
    returned = statement(
        "S-RETURN", amount="-92.90", end_to_end_id="LLDD77", bank_transaction_code="PMNT-RDDT-UPDD"
    )
    result = match_items([collection, returned], [invoice])
    assert result.suggestions == ()
    [reversal] = result.reversals
    assert reversal.statement_item_id == "S-RETURN"
    assert reversal.original_statement_item_id == "S-COLLECT"
    assert reversal.open_item_ids == ("OI-1",)
    assert "OI-1" in result.unmatched_open_item_ids


def test_a_return_whose_payment_is_not_in_the_run_is_never_matched_as_a_payment():
    bill = van_den_berg_bill("OI-1", "300.00", "VDB-7781", end_to_end_id="LLPAY9")
    returned = statement(
        amount="300.00", end_to_end_id="LLPAY9", remittance_information="RETOURE AC04 VDB-7781"
    )
    result = match_items([returned], [bill])
    assert result.suggestions == ()
    assert result.reversals[0].original_statement_item_id is None


def test_two_equally_good_invoices_mean_review_with_both_shown():
    first = mueller_invoice("OI-1", "450.00", "RE-2024-000815")
    second = mueller_invoice("OI-2", "450.00", "RE-2024-000816")
    payment = statement(amount="450.00", counterparty_iban=MUELLER_IBAN)
    suggestion = only_suggestion(match_items([payment], [first, second]))
    assert suggestion.band is Band.REVIEW
    shown = {suggestion.allocations[0].open_item_id} | {
        alternative.allocations[0].open_item_id for alternative in suggestion.alternatives
    }
    assert shown == {"OI-1", "OI-2"}
    assert Criterion.AMBIGUITY in criteria(suggestion)


def test_the_same_invoice_paid_twice_is_given_to_one_payment_and_flagged():
    invoice = mueller_invoice("OI-1", "450.00", "RE-2024-000815")
    payments = [
        statement("S-1", amount="450.00", remittance_information="RE-2024-000815"),
        statement("S-2", amount="450.00", remittance_information="RE-2024-000815"),
    ]
    result = match_items(payments, [invoice])
    suggestion = only_suggestion(result)
    assert suggestion.band is Band.REVIEW
    assert any("could take" in evidence.detail for evidence in suggestion.evidence)
    assert len(result.unmatched_statement_item_ids) == 1


def test_two_partial_payments_of_one_invoice_share_its_open_amount():
    invoice = mueller_invoice("OI-1", "1000.00", "RE-2024-000815")
    payments = [
        statement("S-1", amount="300.00", remittance_information="RE-2024-000815"),
        statement("S-2", amount="200.00", remittance_information="RE-2024-000815"),
    ]
    result = match_items(payments, [invoice])
    assert [allocated(suggestion) for suggestion in result.suggestions] == [
        {"OI-1": Decimal("300.00")},
        {"OI-1": Decimal("200.00")},
    ]
    assert all(
        s.allocations[0].remaining_open_amount == Decimal("500.00") for s in result.suggestions
    )


def test_a_clear_reference_wins_the_contested_invoice_over_a_vague_match():
    invoice = mueller_invoice("OI-1", "450.00", "RE-2024-000815")
    other = mueller_invoice("OI-2", "460.00", "RE-2024-000816")
    vague = statement("S-VAGUE", amount="450.00", counterparty_iban=MUELLER_IBAN)
    clear = statement("S-CLEAR", amount="450.00", remittance_information="RE-2024-000815")
    result = match_items([vague, clear], [invoice, other])
    by_statement = {suggestion.statement_item_id: suggestion for suggestion in result.suggestions}
    assert allocated(by_statement["S-CLEAR"]) == {"OI-1": Decimal("450.00")}
    assert (
        "OI-1" not in allocated(by_statement.get("S-VAGUE", by_statement["S-CLEAR"]))
        or "S-VAGUE" not in by_statement
    )


def test_bank_charges_and_interest_stay_unmatched():
    items = [
        statement("S-FEE", amount="-12.50", remittance_information="Entgelt Kontofuehrung 03/2024"),
        statement("S-INT", amount="0.37", remittance_information="Habenzinsen Q1/2024"),
    ]
    result = match_items(
        items, [mueller_invoice("OI-1", "1000.00", "RE-2024-000815"), *background()]
    )
    assert result.suggestions == ()
    assert set(result.unmatched_statement_item_ids) == {"S-FEE", "S-INT"}


def test_the_same_input_gives_the_same_result():
    invoices = [mueller_invoice(f"OI-{n}", f"{n}11.00", f"RE-2024-00081{n}") for n in range(1, 7)]
    payments = [
        statement("S-1", amount="111.00", counterparty_iban=MUELLER_IBAN),
        statement("S-2", amount="733.00", remittance_information="RE-2024-000812 RE-2024-000815"),
        statement("S-3", amount="611.00", counterparty_name="Mueller Bautechnik"),
    ]
    assert match_items(payments, invoices) == match_items(payments, invoices)


def test_no_open_item_is_allocated_beyond_its_open_amount():
    invoice = dupont_invoice("OI-1", "500.00", "FA-2024-0815")
    payments = [
        statement(
            f"S-{n}",
            amount="300.00",
            remittance_information="FA-2024-0815",
            counterparty_iban=DUPONT_IBAN,
        )
        for n in range(4)
    ]
    result = match_items(payments, [invoice])
    total = sum(
        (
            allocation.amount
            for suggestion in result.suggestions
            for allocation in suggestion.allocations
        ),
        Decimal(0),
    )
    assert total <= Decimal("500.00")


def test_the_first_configuration_by_priority_that_suggests_decides():
    invoice = mueller_invoice("OI-1", "450.00", "RE-2024-000815")
    other = mueller_invoice(
        "OI-2",
        "450.00",
        "RE-2024-000999",
        account_id="ACC-OTHER",
        account_name="Andere AG",
        account_ibans=(),
    )
    payment = statement(
        amount="450.00", remittance_information="RE-2024-000999", counterparty_iban=MUELLER_IBAN
    )
    by_iban = MatchingConfiguration(
        name="IBAN first", priority=1, template=Template.ACCOUNT_BY_IBAN
    )
    by_document = MatchingConfiguration(
        name="documents", priority=2, template=Template.ENTRY_BY_DOCUMENT_NUMBER
    )
    suggestion = only_suggestion(match_items([payment], [invoice, other], [by_document, by_iban]))
    assert allocated(suggestion) == {"OI-1": Decimal("450.00")}
    assert any(
        "IBAN first" in e.detail
        for e in suggestion.evidence
        if e.criterion is Criterion.CONFIGURATION
    )


def test_a_tenant_that_does_not_allow_auto_gets_suggestions_instead():
    invoice = mueller_invoice("OI-1", "250.00", "RE-2024-000811", end_to_end_id="LLDD0000042")
    payment = statement(amount="250.00", end_to_end_id="LLDD0000042")
    result = match_items([payment], [invoice], MatchingConfiguration(allow_auto=False))
    assert only_suggestion(result).band is Band.SUGGEST


def test_inactive_configurations_are_skipped_but_at_least_one_must_be_active():
    with pytest.raises(InvalidConfiguration, match="no configuration is active"):
        match_items([], [], [MatchingConfiguration(active=False)])


def test_every_problem_of_the_items_is_listed():
    payments = [statement("S-1", amount="0"), statement("S-1", amount="1.005")]
    invoices = [mueller_invoice("OI-1", "1.00", "RE-1", currency="eur")]
    with pytest.raises(InvalidMatchingInput) as raised:
        match_items(payments, invoices)
    paths = [problem.path for problem in raised.value.problems]
    assert paths == [
        "statement_items[0].amount",
        "statement_items[1].id",
        "statement_items[1].amount",
        "open_items[0].currency",
    ]


def test_statistics_count_what_happened():
    invoice = mueller_invoice("OI-1", "250.00", "RE-2024-000811", end_to_end_id="LLDD0000042")
    result = match_items(
        [statement(amount="250.00", end_to_end_id="LLDD0000042")], [invoice, *background()]
    )
    assert result.statistics.suggestions == 1
    assert result.statistics.auto == 1
    assert result.statistics.unmatched_open_items == 3


def test_a_date_correlating_configuration_prefers_the_invoice_due_on_the_booking_day():
    due_today = dupont_invoice("OI-1", "450.00", "FA-2024-0815", due_date=date(2024, 3, 12))
    long_due = mueller_invoice("OI-2", "450.00", "RE-2024-000999", due_date=date(2024, 1, 5))
    configuration = MatchingConfiguration(template=Template.ENTRY_BY_CORRELATED_DATES)
    suggestion = only_suggestion(
        match_items([statement(amount="450.00")], [due_today, long_due], configuration)
    )
    assert allocated(suggestion) == {"OI-1": Decimal("450.00")}
    assert [alternative.allocations[0].open_item_id for alternative in suggestion.alternatives] == [
        "OI-2"
    ]


def test_an_account_by_name_configuration_finds_the_account_from_the_payer_name_alone():
    invoice = dupont_invoice("OI-1", "77.70", "FA-2024-0815")
    payment = statement(amount="77.70", counterparty_name="DUPONT ET FILS")
    configuration = MatchingConfiguration(template=Template.ACCOUNT_BY_NAME)
    suggestion = only_suggestion(match_items([payment], [invoice, *background()], configuration))
    assert allocated(suggestion) == {"OI-1": Decimal("77.70")}
    assert Criterion.NAME in criteria(suggestion)
