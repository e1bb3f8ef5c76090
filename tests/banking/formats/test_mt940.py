"""MT940/MT942 reading, checked against the values wolph/mt940 extracted from the same files.

Where our reading deliberately differs from wolph's, the test says so and why:

* ``RC``/``RD`` marks: SWIFT defines ``RC`` as a reversal of a credit, booked as a debit;
  wolph keeps it positive. Our sign is the one that makes the statements balance.
* A statement-level ``:86:`` after the closing balance (ING) is not part of the last entry.
* ``KREF+`` in the ``:61:`` reference only points at the ``KREF+`` keyword of ``:86:``.
* Text after ``MTLG:`` (a bank's message marker) is remittance text, not part of ``EREF+``.
"""

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from banking.formats.money import Money
from banking.formats.statement import Balance, Statement, StatementItem
from banking.formats.statement_file import parse_statement_file
from tests.banking.formats.conftest import MT940_FIXTURES, read_wolph_expectation

EXPECTATIONS = sorted(MT940_FIXTURES.glob("*/*.yml"))
# Snippets that hold entries but no balance: without a currency no amount can be booked,
# so the tests put an opening balance in front, as the rest of the statement would.
OPENING_BALANCE = b":60F:C000101EUR0,\n"
SNIPPETS_WITHOUT_CURRENCY = {"empty_entry_date", "statement_details", "statement_line"}

# Files whose balances do not add up in the file itself (hand-edited test data): entries
# were cut out of the snippet, or balances were anonymised independently of the entries.
UNBALANCED = {
    "betterplace/sepa_snippet.sta": {"T089414096000001"},
    "betterplace/sepa_snippet_broken.sta": {"T089414086000001"},
    "jejik/abnamro.sta": {"ABN AMRO BANK NV"},
    "jejik/ing.sta": {"MPBZ"},
    "jejik/knab.sta": {"B4G30MS9D00A003D"},
    "jejik/postfinance.sta": {"2014040708285928"},
    "jejik/rabobank.sta": {"940A110615", "940A110617"},
    "jejik/triodos.sta": {"1308728725026/1"},
    "mBank/with_newline_in_tnr.sta": {"ST170201CYC/1"},
}


def _statement_file(expectation: Path) -> Path:
    return expectation.with_suffix(".sta")


def _parse(expectation: Path) -> tuple[list[Statement], list[Any]]:
    data = _statement_file(expectation).read_bytes()
    if expectation.stem in SNIPPETS_WITHOUT_CURRENCY:
        data = OPENING_BALANCE + data
    result = parse_statement_file(data)
    return list(result.statements), list(result.errors)


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "").upper()


def _money(balance: dict[str, Any]) -> Money:
    return Money(balance["amount"]["amount"], balance["amount"]["currency"])


def _wolph_statement_data(statements: list[Statement]) -> dict[str, Any]:
    """Our statements folded the way wolph folds them: later statements overwrite."""
    folded: dict[str, Any] = {}
    for statement in statements:
        seen_opening = False
        for balance in statement.balances:
            if balance.type == "OPBD":
                key = "final_opening_balance"
            elif balance.type == "CLBD":
                key = "final_closing_balance"
            elif balance.type == "CLAV":
                key = "available_balance"
            elif balance.type == "FWAV":
                key = "forward_available_balance"
            elif not seen_opening and balance is statement.balances[0]:
                key = "intermediate_opening_balance"
            else:
                key = "intermediate_closing_balance"
            seen_opening = True
            folded[key] = balance
        if statement.statement_id is not None:
            folded["transaction_reference"] = statement.statement_id
        if statement.sequence_number is not None:
            folded["statement_number"] = statement.sequence_number
        if statement.page_number is not None:
            folded["sequence_number"] = statement.page_number
        account = statement.account
        identification = account.iban or account.other_id
        if account.bic and account.other_id:
            identification = f"{account.bic}/{account.other_id}"
        if identification is not None:
            folded["account_identification"] = identification
    return folded


@pytest.mark.parametrize(
    "expectation", EXPECTATIONS, ids=lambda path: f"{path.parent.name}/{path.stem}"
)
def test_statement_level_values_match_what_wolph_extracted(expectation: Path) -> None:
    statements, _errors = _parse(expectation)
    expected = read_wolph_expectation(expectation)[-1]["data"]
    ours = _wolph_statement_data(statements)
    for key in (
        "final_opening_balance",
        "final_closing_balance",
        "available_balance",
        "intermediate_opening_balance",
        "intermediate_closing_balance",
    ):
        if key in expected and expected[key] is not None:
            assert ours[key].amount == _money(expected[key]), key
            assert ours[key].date == expected[key]["date"], key
    if expected.get("transaction_reference"):
        assert ours["transaction_reference"] == expected["transaction_reference"]
    if expected.get("statement_number"):
        assert ours["statement_number"] == expected["statement_number"]
    if expected.get("sequence_number"):
        assert ours["sequence_number"] == expected["sequence_number"]
    if expected.get("account_identification"):
        # wolph cuts the identification at 35 characters (the field's maximum).
        assert ours["account_identification"][:35] == expected["account_identification"]


@pytest.mark.parametrize(
    "expectation", EXPECTATIONS, ids=lambda path: f"{path.parent.name}/{path.stem}"
)
def test_entries_match_what_wolph_extracted(expectation: Path) -> None:
    statements, errors = _parse(expectation)
    items = [item for statement in statements for item in statement.items]
    expected = [
        transaction["data"]
        for transaction in read_wolph_expectation(expectation)[-1]["transactions"]
    ]

    assert errors == []
    assert len(items) == len(expected)
    for item, theirs in zip(items, expected, strict=True):
        _assert_same_entry(item, theirs)


def _assert_same_entry(item: StatementItem, theirs: dict[str, Any]) -> None:
    amount = theirs["amount"]["amount"]
    if theirs["status"] in ("RC", "RD"):
        # SWIFT: RC is the reversal of a credit, booked as a debit (and RD the opposite).
        assert item.is_reversal
        assert item.amount.amount == (-abs(amount) if theirs["status"] == "RC" else abs(amount))
    else:
        assert item.amount.amount == amount
    assert item.value_date == theirs["date"]
    if theirs.get("entry_date"):
        assert item.booking_date == theirs["entry_date"]
    if theirs.get("transaction_code"):
        assert item.bank_transaction_code.proprietary == theirs["transaction_code"]
    elif item.bank_transaction_code.issuer == "SWIFT":
        assert item.bank_transaction_code.proprietary == theirs["id"]
    customer_reference = (theirs.get("customer_reference") or "").strip()
    if (
        customer_reference
        and customer_reference != "NONREF"
        and not customer_reference.startswith("KREF+")
    ):
        assert item.customer_reference == customer_reference
    bank_reference = theirs.get("bank_reference")
    if bank_reference and bank_reference != "NONREF":
        assert item.account_servicer_reference == bank_reference
    if theirs.get("end_to_end_reference") not in (None, "NONREF", "NOTPROVIDED"):
        assert item.end_to_end_id == theirs["end_to_end_reference"].split("MTLG:")[0].strip()
    if theirs.get("applicant_creditor_id"):
        assert item.creditor_id == theirs["applicant_creditor_id"]
    if theirs.get("additional_position_reference"):
        assert item.mandate_id == theirs["additional_position_reference"]
    counterparty = item.counterparty
    if theirs.get("applicant_name"):
        assert counterparty is not None
        assert _squash(counterparty.name) == _squash(theirs["applicant_name"])
    if theirs.get("applicant_iban"):
        assert counterparty is not None
        assert _squash(theirs["applicant_iban"]) in (
            _squash(counterparty.iban),
            _squash(counterparty.other_account_id),
        )
    if theirs.get("applicant_bin"):
        assert counterparty is not None
        assert (counterparty.bic or counterparty.bank_code) == theirs["applicant_bin"]
    if theirs.get("purpose"):
        # wolph keeps "?60"-"?63" apart (additional_purpose); ours joins them to the rest.
        theirs_purpose = _squash(theirs["purpose"]) + _squash(theirs.get("additional_purpose"))
        ours = _squash(item.remittance_information)
        assert theirs_purpose.replace("MTLG:", "") in ours.replace("MTLG:", "")
    if theirs.get("transaction_details") and item.remittance_information:
        details = re.sub(r"[?>]\d{2}", "", theirs["transaction_details"])
        assert _squash(item.remittance_information) in _squash(details)
    if theirs.get("posting_text"):
        assert (item.additional_information or "").startswith(theirs["posting_text"])
    if theirs.get("extra_details"):
        assert theirs["extra_details"].strip() in (item.additional_information or "")


@pytest.mark.parametrize(
    "path",
    sorted(MT940_FIXTURES.glob("*/*.sta")) + sorted(MT940_FIXTURES.glob("*/*.txt")),
    ids=lambda path: f"{path.parent.name}/{path.name}",
)
def test_balances_reconcile_opening_plus_items_equals_closing(path: Path) -> None:
    result = parse_statement_file(path)
    unbalanced = UNBALANCED.get(f"{path.parent.name}/{path.name}", set())
    checked = 0
    for statement in result.statements:
        opening, closing = _opening_and_closing(statement)
        if opening is None or closing is None:
            continue
        total = sum((item.amount.amount for item in statement.items), Decimal(0))
        if statement.statement_id in unbalanced:
            assert opening.amount.amount + total != closing.amount.amount
        else:
            assert opening.amount.amount + total == closing.amount.amount, statement.statement_id
            checked += 1
    if not unbalanced:
        assert checked or all(_opening_and_closing(s)[1] is None for s in result.statements)


def _opening_and_closing(statement: Statement) -> tuple[Balance | None, Balance | None]:
    """The first balance if it opens the statement, and the booked closing balance."""
    if not statement.balances or statement.balances[0].type not in ("OPBD", "ITBD"):
        return None, None
    later = statement.balances[1:]
    closing = next((b for b in later if b.type == "CLBD"), None)
    if closing is None:
        closing = next((b for b in reversed(later) if b.type == "ITBD"), None)
    return statement.balances[0], closing


def test_reversal_of_a_credit_is_money_out_which_is_what_makes_the_statement_balance() -> None:
    result = parse_statement_file(MT940_FIXTURES / "betterplace" / "sepa_mt9401.sta")
    statement = next(s for s in result.statements if s.statement_id == "T089413946000001")
    reversal = next(item for item in statement.items if item.is_reversal)

    assert reversal.amount == Money(Decimal("-204.88"), "EUR")
    opening, closing = statement.balance("OPBD"), statement.balance("CLBD")
    assert opening is not None
    assert closing is not None
    total = sum((item.amount.amount for item in statement.items), Decimal(0))
    assert opening.amount.amount + total == closing.amount.amount


def test_asn_bank_file_which_other_parsers_reject_is_read_completely() -> None:
    result = parse_statement_file(MT940_FIXTURES / "ASNB" / "mt940.txt")

    assert result.errors == ()
    assert len(result.statements) == 31
    items = [item for statement in result.statements for item in statement.items]
    assert len(items) == 8
    first = items[0]
    assert first.amount == Money(Decimal("-65.00"), "EUR")
    assert first.counterparty is not None
    assert first.counterparty.iban == "NL47INGB9999999999"
    assert first.counterparty.name == "hr gjlm paulissen"
    assert first.remittance_information == "Betaling sieraden"
    assert result.statements[0].account.iban == "NL81ASNB9999999999"


def test_asn_entry_dates_of_four_spaces_mean_no_entry_date() -> None:
    with_spaces = parse_statement_file(
        MT940_FIXTURES / "ASNB" / "mt940_with_spaces_for_entry_date.txt"
    )
    plain = parse_statement_file(MT940_FIXTURES / "ASNB" / "mt940.txt")

    assert [item.amount for s in with_spaces.statements for item in s.items] == [
        item.amount for s in plain.statements for item in s.items
    ]
    assert with_spaces.errors == ()


def test_mt942_is_recognised_with_its_creation_time_and_floor_limit_currency() -> None:
    result = parse_statement_file(MT940_FIXTURES / "mBank" / "mt942.sta")

    statement = result.statements[0]
    assert statement.message_type == "MT942"
    assert statement.created_at is not None
    assert statement.created_at.isoformat() == "2017-01-19T18:15:00+01:00"
    assert sum(item.amount.amount for item in statement.items) == Decimal("0.03")
    assert {item.amount.currency for item in statement.items} == {"PLN"}


def test_a_bad_statement_line_is_reported_with_its_line_and_the_others_are_kept() -> None:
    data = (
        b":20:REF1\n:25:NL91ABNA0417164300\n:28C:1/1\n:60F:C240102EUR100,00\n"
        b":61:2401020102C10,00NTRFNONREF//A1\n:86:first\n"
        b":61:2401020102X99,00NTRFNONREF//BROKEN\n:86:garbled mark\n"
        b":61:2401020102D5,00NTRFNONREF//A3\n:86:third\n"
        b":62F:C240102EUR105,00\n-\n"
    )
    result = parse_statement_file(data)

    assert [item.account_servicer_reference for item in result.statements[0].items] == ["A1", "A3"]
    (error,) = result.errors
    assert error.statement_id == "REF1"
    assert error.line == 7
    assert error.entry == "#2 (BROKEN)"
    assert "line 7" in error.message


def test_a_malformed_balance_is_a_statement_error_not_a_guess() -> None:
    data = (
        b":20:REF1\n:25:X\n:60F:C240102EUR1.000,00\n"
        b":61:2401020102C10,00NTRFNONREF\n:62F:C240102EUR110,00\n"
    )
    result = parse_statement_file(data)

    assert any(error.entry is None and error.line == 3 for error in result.errors)
    assert [balance.type for balance in result.statements[0].balances] == ["CLBD"]
    # The entry still books: the closing balance gives the currency.
    assert result.statements[0].items[0].amount == Money(Decimal("10.00"), "EUR")


def test_windows_1252_text_is_decoded_per_line_and_utf8_stays_utf8() -> None:
    header = ":20:REF\n:25:X\n:60F:C240102EUR0,\n:61:2401020102C1,00NTRFNONREF\n"
    latin = (header + ":86:Zahlung M\xfcller Stra\xdfe\n").encode("cp1252")
    utf8 = (header + ":86:Zahlung Müller Straße\n").encode()

    for data in (latin, utf8):
        (item,) = parse_statement_file(data).statements[0].items
        assert item.remittance_information == "Zahlung Müller Straße"


def test_undecodable_bytes_make_their_entry_an_error_with_line_and_column() -> None:
    data = (
        b":20:REF\n:25:X\n:60F:C240102EUR0,\n:61:2401020102C1,00NTRFNONREF\n:86:bad \x81 byte\n"
        b":61:2401020102C2,00NTRFNONREF\n:86:fine\n"
    )
    result = parse_statement_file(data)

    assert [item.amount.amount for item in result.statements[0].items] == [Decimal("2.00")]
    (error,) = result.errors
    assert "line 5, column 9" in error.message
    assert "0x81" in error.message


def test_a_forced_encoding_is_used_for_every_line() -> None:
    data = ":20:REF\n:25:X\n:60F:C240102EUR0,\n:61:2401020102C1,00NTRFNONREF\n:86:Ærø\n".encode(
        "latin-1"
    )
    (item,) = parse_statement_file(data, encoding="latin-1").statements[0].items
    assert item.remittance_information == "Ærø"


def test_entries_without_any_currency_in_their_statement_are_reported_not_guessed() -> None:
    result = parse_statement_file((MT940_FIXTURES / "cmxl" / "statement_line.sta").read_bytes())

    assert result.statements[0].items == ()
    (error,) = result.errors
    assert error.line == 1
    assert "currency" in error.message


def test_a_statement_without_a_terminator_or_final_newline_is_still_complete() -> None:
    result = parse_statement_file(
        b":20:A\n:25:X\n:60F:C240102EUR1,\n:61:2401020102C1,NTRFNONREF\n:62F:C240102EUR2,"
    )
    assert len(result.statements[0].items) == 1
    assert result.statements[0].balance("CLBD") is not None


def test_entries_before_the_first_currency_are_booked_once_a_floor_limit_gives_it() -> None:
    data = (
        b":20:R\n:25:X\n:61:2401020102C1,00NTRFNONREF\n:34F:PLN0,\n:61:2401020102D2,00NTRFNONREF\n"
    )
    result = parse_statement_file(data)
    assert [item.amount for item in result.statements[0].items] == [
        Money(Decimal("1.00"), "PLN"),
        Money(Decimal("-2.00"), "PLN"),
    ]
    assert result.statements[0].message_type == "MT942"
