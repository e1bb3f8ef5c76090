"""The JSON rendering keeps its fixed shape: other tools rely on every key."""

import json
from decimal import Decimal

from banking.formats.statement_file import parse_statement_file
from banking.formats.statement_json import statements_to_json
from tests.banking.formats.camt_samples import SampleEntry, SampleTransaction, camt_document
from tests.banking.formats.conftest import CAMT_FIXTURES, MT940_FIXTURES

STATEMENT_KEYS = {
    "message_type",
    "statement_id",
    "account",
    "sequence_number",
    "legal_sequence_number",
    "created_at",
    "period",
    "balances",
    "items",
}
ITEM_KEYS = {
    "amount",
    "currency",
    "booking_date",
    "value_date",
    "status",
    "account_servicer_reference",
    "end_to_end_id",
    "transaction_id",
    "instruction_id",
    "mandate_id",
    "creditor_id",
    "uetr",
    "counterparty_name",
    "counterparty_iban",
    "counterparty_bic",
    "ultimate_counterparty_name",
    "remittance_information",
    "creditor_reference",
    "creditor_reference_type",
    "referred_document_numbers",
    "bank_transaction_code",
    "is_reversal",
    "return_reason",
    "return_information",
    "charges",
    "batch_reference",
    "batch_total",
    "original_amount",
    "original_currency",
    "exchange_rate",
}


def test_every_statement_item_and_error_has_exactly_the_agreed_keys() -> None:
    document = camt_document(
        [
            SampleEntry(Decimal("1.00"), reference="X", raw_amount="bad"),
            SampleEntry(Decimal("2.00")),
        ]
    )
    rendered = statements_to_json(parse_statement_file(document))

    assert set(rendered) == {"statements", "errors"}
    (statement,) = rendered["statements"]
    assert set(statement) == STATEMENT_KEYS
    assert set(statement["account"]) == {"iban", "other_id", "currency", "bic"}
    assert set(statement["period"]) == {"from", "to"}
    assert {key for balance in statement["balances"] for key in balance} == {
        "type",
        "amount",
        "currency",
        "date",
    }
    (item,) = statement["items"]
    assert set(item) == ITEM_KEYS
    assert set(item["bank_transaction_code"]) == {
        "domain",
        "family",
        "sub_family",
        "proprietary",
        "issuer",
    }
    (error,) = rendered["errors"]
    assert set(error) == {"statement_id", "entry", "line", "message"}


def test_amounts_are_signed_decimal_strings_dates_iso_and_absent_values_null() -> None:
    entry = SampleEntry(
        Decimal("30.00"),
        credit=False,
        transactions=[
            SampleTransaction(Decimal("10.00"), credit=False),
            SampleTransaction(Decimal("20.00"), credit=False),
        ],
    )
    rendered = statements_to_json(parse_statement_file(camt_document([entry])))
    statement = rendered["statements"][0]
    item = statement["items"][0]

    assert item["amount"] == "-10.00"
    assert item["currency"] == "EUR"
    assert item["booking_date"] == "2024-01-02"
    assert item["batch_total"] == "-30.00"
    assert item["batch_reference"] == "BATCH"
    assert item["uetr"] is None
    assert item["charges"] is None
    assert statement["created_at"] == "2024-01-02T10:00:00+01:00"
    assert statement["balances"][0] == {
        "type": "OPBD",
        "amount": "100.00",
        "currency": "EUR",
        "date": "2024-01-02",
    }
    json.dumps(rendered)  # plain JSON types only


def test_real_files_render_to_plain_json() -> None:
    for path in (
        CAMT_FIXTURES / "test-camt053",
        MT940_FIXTURES / "betterplace" / "sepa_mt9401.sta",
    ):
        rendered = statements_to_json(parse_statement_file(path))
        assert json.loads(json.dumps(rendered)) == rendered
        for statement in rendered["statements"]:
            for item in statement["items"]:
                assert set(item) == ITEM_KEYS
                Decimal(item["amount"])
