import json
from decimal import Decimal

import pytest

from settlement.matching import (
    InvalidMatchingInput,
    MatchingConfiguration,
    Template,
    match_items,
    match_json,
    parse_match_request,
    parse_match_result,
    render_match_request,
    render_match_result,
)
from settlement.matching.jsonio import MatchRequest
from tests.settlement.matching.builders import MUELLER_IBAN, mueller_invoice, statement

REQUEST = {
    "statement_items": [
        {
            "id": "S-1",
            "amount": "1190.00",
            "currency": "EUR",
            "booking_date": "2024-03-12",
            "counterparty_name": "MUELLER BAUTECHNIK GMBH",
            "counterparty_iban": MUELLER_IBAN,
            "remittance_information": "RE 2024/815",
            "unknown_field": "ignored",
        },
        {"id": "S-2", "amount": "-12.50", "currency": "EUR", "booking_date": "2024-03-12"},
    ],
    "open_items": [
        {
            "id": "OI-1",
            "open_amount": "1190.00",
            "currency": "EUR",
            "document_number": "RE-2024-000815",
            "document_date": "2024-02-20",
            "due_date": "2024-03-10",
            "account_id": "ACC-MUELLER",
            "account_name": "Müller Bautechnik GmbH",
            "account_ibans": [MUELLER_IBAN],
        }
    ],
}


def test_the_json_interface_matches_and_renders_the_fixed_shape():
    result = match_json(json.dumps(REQUEST))
    assert set(result) >= {
        "suggestions",
        "unmatched_statement_item_ids",
        "unmatched_open_item_ids",
        "statistics",
    }
    [suggestion] = result["suggestions"]
    assert suggestion["statement_item_id"] == "S-1"
    assert suggestion["allocations"] == [
        {"open_item_id": "OI-1", "amount": "1190.00", "remaining_open_amount": "0.00"}
    ]
    assert suggestion["band"] == "AUTO"
    assert suggestion["score"] == round(suggestion["score"], 4)
    document = next(e for e in suggestion["evidence"] if e["criterion"] == "document_number")
    assert document["span"] == {
        "field": "remittance_information",
        "start": 0,
        "end": 11,
        "text": "RE 2024/815",
    }
    assert set(document) == {"criterion", "detail", "contribution", "span", "open_item_ids"}
    assert result["unmatched_statement_item_ids"] == ["S-2"]
    json.dumps(result)


def test_a_result_survives_rendering_and_parsing():
    invoices = [
        mueller_invoice("OI-1", "450.00", "RE-2024-000815"),
        mueller_invoice("OI-2", "450.00", "RE-2024-000816"),
    ]
    result = match_items([statement(amount="450.00", counterparty_iban=MUELLER_IBAN)], invoices)
    assert result.suggestions[0].alternatives
    assert parse_match_result(json.dumps(render_match_result(result))) == result


def test_a_request_survives_rendering_and_parsing():
    request = MatchRequest(
        (statement(amount="12.30", remittance_information="RE 1", is_reversal=True),),
        (mueller_invoice("OI-1", "12.30", "RE-1", custom_fields=(("Order__c", "PO-1"),)),),
        (
            MatchingConfiguration(
                name="IBAN",
                template=Template.ACCOUNT_BY_IBAN,
                reference_patterns=("RE(?P<document>\\d+)",),
            ),
        ),
    )
    assert parse_match_request(json.dumps(render_match_request(request))) == request


def test_json_numbers_are_read_as_decimals_without_passing_through_floats():
    document = json.loads(json.dumps(REQUEST))
    document["statement_items"][0]["amount"] = 1190.1
    text = json.dumps(document)
    parsed = parse_match_request(text)
    assert parsed.statement_items[0].amount == Decimal("1190.1")
    with pytest.raises(InvalidMatchingInput, match="decimal string"):
        parse_match_request(document)


def test_every_problem_in_the_request_is_listed_with_its_path():
    document = {
        "statement_items": [
            {"id": "S-1", "amount": "ten", "currency": "EUR", "booking_date": "2024-02-30"},
            {"id": "S-1", "amount": "5.00", "currency": "EURO", "booking_date": "2024-03-01"},
            "not an object",
        ],
        "open_items": [
            {"open_amount": "0", "currency": "EUR", "account_ibans": "DE89"},
            {"id": "OI-2", "open_amount": "1.005", "currency": "EUR", "due_date": 20240301},
        ],
        "configuration": {
            "template": "by_magic",
            "reference_patterns": ["(a+)+", "(["],
            "auto_threshold": 2,
        },
    }
    with pytest.raises(InvalidMatchingInput) as raised:
        parse_match_request(document)
    problems = {(problem.path, problem.message.split(":")[0]) for problem in raised.value.problems}
    paths = [problem.path for problem in raised.value.problems]
    assert paths == [
        "statement_items[0].amount",
        "statement_items[0].booking_date",
        "statement_items[1].currency",
        "statement_items[1].id",
        "statement_items[2]",
        "open_items[0].id",
        "open_items[0].account_ibans",
        "open_items[0].open_amount",
        "open_items[1].due_date",
        "open_items[1].open_amount",
        "configuration.template",
    ], problems
    message = str(raised.value)
    assert message.startswith("11 problems in the input")


def test_configuration_problems_are_all_listed_once_the_fields_parse():
    document = dict(
        REQUEST, configuration={"reference_patterns": ["(a+)+", "(["], "auto_threshold": 0.5}
    )
    with pytest.raises(InvalidMatchingInput) as raised:
        parse_match_request(document)
    assert [problem.path for problem in raised.value.problems] == [
        "configuration.reference_patterns[0]",
        "configuration.reference_patterns[1]",
        "configuration.suggest_threshold",
    ]


def test_repeated_ids_and_amounts_too_precise_for_the_currency_are_problems():
    document = json.loads(json.dumps(REQUEST))
    document["statement_items"][1]["id"] = "S-1"
    document["open_items"][0]["open_amount"] = "1190.005"
    with pytest.raises(InvalidMatchingInput) as raised:
        parse_match_request(document)
    assert [problem.path for problem in raised.value.problems] == [
        "statement_items[1].id",
        "open_items[0].open_amount",
    ]


def test_a_list_of_configurations_is_read_in_order():
    document = dict(
        REQUEST,
        configuration=[
            {"name": "by IBAN", "priority": 1, "template": "account_by_iban"},
            {
                "name": "by number",
                "priority": 2,
                "template": "entry_by_document_number",
                "active": False,
            },
        ],
    )
    request = parse_match_request(document)
    assert [configuration.name for configuration in request.configurations] == [
        "by IBAN",
        "by number",
    ]


def test_text_that_is_not_json_is_one_clear_problem():
    with pytest.raises(InvalidMatchingInput, match="not valid JSON"):
        parse_match_request("{not json")


def test_missing_lists_are_reported():
    with pytest.raises(InvalidMatchingInput) as raised:
        parse_match_request({})
    assert [problem.path for problem in raised.value.problems] == ["statement_items", "open_items"]
