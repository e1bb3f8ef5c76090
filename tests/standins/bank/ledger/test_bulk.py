"""Synthetic bulk bookings for the large-statement benchmark."""

from datetime import date

from banking.formats import iter_statement_file
from banking.formats.statement_stream import ItemRead
from standins.bank.ledger import Ledger
from tests.standins.bank.ledger.files import schema_errors

DAY = date(2026, 11, 24)


def test_bulk_bookings_make_one_large_valid_statement(ledger: Ledger) -> None:
    ledger.add_bulk_bookings("ACME", 2000, DAY, seed=7)

    (statement,) = ledger.statements("ACME", "camt.053", DAY, DAY)

    assert schema_errors("camt.053.001.08", statement.content) is None
    items = [e for e in iter_statement_file(statement.content) if isinstance(e, ItemRead)]
    assert len(items) == 2000
    # About 1.3 KB per entry: 40 000 entries make the benchmark's 50 MB file.
    assert 1100 <= len(statement.content) / 2000 <= 1400


def test_bulk_bookings_are_not_added_twice(ledger: Ledger) -> None:
    ledger.add_bulk_bookings("ACME", 50, DAY, seed=7)
    ledger.add_bulk_bookings("ACME", 50, DAY, seed=7)

    (statement,) = ledger.statements("ACME", "camt.053", DAY, DAY)
    items = [e for e in iter_statement_file(statement.content) if isinstance(e, ItemRead)]
    assert len(items) == 50
