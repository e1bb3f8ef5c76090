"""Statements from the ledger: valid camt, chained balances, MT940 and round trips."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest

from banking.formats import parse_statement_file
from standins.bank.ledger import Ledger, UnknownStatementKind
from standins.bank.ledger.mt940_writer import swift_text
from tests.standins.bank.ledger.files import ACME_IBAN, TODAY, schema_errors

MONTH_START = date(2026, 11, 1)


@pytest.fixture
def seeded(ledger: Ledger) -> Ledger:
    ledger.seed_demo(None)
    return ledger


@pytest.mark.parametrize("kind", ["camt.053", "camt.052", "camt.054"])
def test_every_camt_document_validates_against_its_schema(seeded: Ledger, kind: str) -> None:
    documents = seeded.statements("ACME", kind, MONTH_START, TODAY)

    assert documents
    for document in documents:
        assert schema_errors(f"{kind}.001.08", document.content) is None, document.file_name


def test_file_names_carry_kind_iban_day_and_sequence(seeded: Ledger) -> None:
    documents = seeded.statements("ACME", "camt.053", MONTH_START, TODAY)

    first = documents[0].file_name
    assert first.startswith(f"camt.053_{ACME_IBAN}_2026111")
    assert first.endswith("_1.xml")


def test_closing_balance_of_one_day_opens_the_next(seeded: Ledger) -> None:
    documents = seeded.statements("ACME", "camt.053", MONTH_START, TODAY)
    statements = [parse_statement_file(d.content).statements[0] for d in documents]

    for earlier, later in itertools.pairwise(statements):
        closing = earlier.balance("CLBD")
        opening = later.balance("OPBD")
        assert closing is not None
        assert opening is not None
        assert closing.amount == opening.amount
    for statement in statements:
        total = sum((item.amount.amount for item in statement.items), Decimal(0))
        opening, closing = statement.balance("OPBD"), statement.balance("CLBD")
        assert opening is not None
        assert closing is not None
        assert opening.amount.amount + total == closing.amount.amount


def test_sequence_numbers_count_booking_days(seeded: Ledger) -> None:
    documents = seeded.statements("ACME", "camt.053", MONTH_START, TODAY)
    statements = [parse_statement_file(d.content).statements[0] for d in documents]

    assert [s.sequence_number for s in statements] == [str(n) for n in range(1, 11)]
    assert [s.legal_sequence_number for s in statements] == [str(n) for n in range(1, 11)]


def test_end_of_day_statements_stop_before_today(seeded: Ledger, clock) -> None:
    clock.now = clock.now.replace(day=26)
    seeded.seed_demo(None)

    documents = seeded.statements("ACME", "camt.053", TODAY, TODAY + timedelta(days=1))

    assert documents == []


def test_nothing_booked_in_the_range_gives_no_documents(seeded: Ledger) -> None:
    for kind in ("camt.053", "camt.052", "camt.054", "mt940"):
        assert seeded.statements("ACME", kind, date(2026, 1, 1), date(2026, 1, 31)) == []


def test_an_unknown_kind_is_refused(seeded: Ledger) -> None:
    with pytest.raises(UnknownStatementKind):
        seeded.statements("ACME", "camt.099", MONTH_START, TODAY)


def test_camt_053_reads_back_with_references_and_codes(seeded: Ledger) -> None:
    documents = seeded.statements("ACME", "camt.053", MONTH_START, TODAY)
    items = [i for d in documents for i in parse_statement_file(d.content).statements[0].items]

    returned = [item for item in items if item.is_reversal]
    assert {item.return_reason for item in returned} == {"AC04", "MD06"}
    direct_debit_return = next(item for item in returned if item.return_reason == "MD06")
    assert direct_debit_return.amount.amount < 0
    assert direct_debit_return.mandate_id is not None
    assert direct_debit_return.bank_transaction_code.sub_family == "UPDD"
    exact = [item for item in items if item.creditor_reference and item.creditor_reference_type]
    assert exact
    assert all(item.bank_transaction_code.domain for item in items)
    assert any(item.end_to_end_id for item in items)
    assert all(item.booking_date and item.value_date for item in items)


def test_mt940_and_camt_053_report_the_same_bookings(seeded: Ledger) -> None:
    camt = seeded.statements("ACME", "camt.053", MONTH_START, TODAY)
    mt940 = seeded.statements("ACME", "mt940", MONTH_START, TODAY)

    assert len(camt) == len(mt940)
    for camt_document, mt_document in zip(camt, mt940, strict=True):
        mt_result = parse_statement_file(mt_document.content)
        assert mt_result.errors == ()
        (xml_statement,) = parse_statement_file(camt_document.content).statements
        (mt_statement,) = mt_result.statements
        assert mt_statement.account.iban == xml_statement.account.iban
        for kind in ("OPBD", "CLBD"):
            assert mt_statement.balance(kind) == xml_statement.balance(kind)
        assert len(mt_statement.items) == len(xml_statement.items)
        for mt_item, xml_item in zip(mt_statement.items, xml_statement.items, strict=True):
            assert mt_item.amount == xml_item.amount
            assert mt_item.booking_date == xml_item.booking_date
            assert mt_item.value_date == xml_item.value_date
            assert mt_item.is_reversal == xml_item.is_reversal
            assert mt_item.end_to_end_id == xml_item.end_to_end_id
            assert mt_item.mandate_id == xml_item.mandate_id
            xml_party, mt_party = xml_item.counterparty, mt_item.counterparty
            assert (xml_party and xml_party.iban) == (mt_party and mt_party.iban)
            # MT940 keeps names in the SWIFT character set and at most 54 characters.
            xml_name = swift_text(xml_party.name)[:54] if xml_party and xml_party.name else None
            assert xml_name == (mt_party.name if mt_party else None)
            if xml_item.creditor_reference:
                assert xml_item.creditor_reference in (mt_item.remittance_information or "")


def test_mt940_keeps_to_swift_lines(seeded: Ledger) -> None:
    for document in seeded.statements("ACME", "mt940", MONTH_START, TODAY):
        text = document.content.decode("ascii")
        lines = text.split("\r\n")
        assert "\n" not in text.replace("\r\n", "")
        assert lines[-2:] == ["-", ""]
        assert max(len(line) for line in lines) <= 65
        assert lines[0].startswith(":20:")
        assert lines[1] == f":25:{ACME_IBAN}"
        assert lines[2].startswith(":28C:")
        assert lines[3].startswith(":60F:")
        assert any(line.startswith(":86:166?00") for line in lines)


def test_intraday_report_for_today_shows_bookings_so_far(ledger: Ledger) -> None:
    ledger.add_bulk_bookings("ACME", 3, TODAY, seed=1)

    (report,) = ledger.statements("ACME", "camt.052", TODAY, TODAY)

    (statement,) = parse_statement_file(report.content).statements
    assert statement.message_type == "camt.052"
    assert len(statement.items) == 3
    assert statement.balance("ITBD") is not None
    assert statement.balance("CLBD") is None


def test_other_partners_see_only_their_own_accounts(seeded: Ledger) -> None:
    documents = seeded.statements("GLOBEX", "camt.053", MONTH_START, TODAY)

    assert documents
    assert all(ACME_IBAN not in document.file_name for document in documents)
    assert all(ACME_IBAN.encode() not in document.content for document in documents)
