"""The ledger's SQLite file: schema, one connection per call, and booking rows.

Every call opens its own connection (sqlite3 connections must not cross threads) on a file in
WAL mode, so statement downloads read while an upload books. Writers are serialised by the
caller's lock as well as SQLite's, which keeps duplicate checks and inserts atomic.
Amounts are stored twice: as text (the exact ``Decimal``) and as signed integer cents, which
SQLite sums exactly for balances.
"""

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

from standins.bank.ledger.records import Booking, TransactionCode

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    iban TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    bic TEXT NOT NULL,
    currency TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    number TEXT NOT NULL,
    description TEXT NOT NULL,
    opening_cents INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS accounts_partner ON accounts (partner_id, position);
CREATE TABLE IF NOT EXISTS bookings (
    id INTEGER PRIMARY KEY,
    iban TEXT NOT NULL REFERENCES accounts (iban),
    booking_date TEXT NOT NULL,
    value_date TEXT NOT NULL,
    amount TEXT NOT NULL,
    cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    is_credit INTEGER NOT NULL,
    domain TEXT NOT NULL,
    family TEXT NOT NULL,
    sub_family TEXT NOT NULL,
    swift TEXT NOT NULL,
    gvc TEXT NOT NULL,
    posting_text TEXT NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    counterparty_name TEXT,
    counterparty_iban TEXT,
    counterparty_bic TEXT,
    remittance_information TEXT,
    creditor_reference TEXT,
    end_to_end_id TEXT,
    mandate_id TEXT,
    creditor_id TEXT,
    return_reason TEXT,
    is_reversal INTEGER NOT NULL,
    batch_reference TEXT,
    message_id TEXT
);
CREATE INDEX IF NOT EXISTS bookings_day ON bookings (iban, booking_date, id);
CREATE INDEX IF NOT EXISTS bookings_batch ON bookings (batch_reference);
CREATE TABLE IF NOT EXISTS uploads (
    partner_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (partner_id, message_id)
);
CREATE TABLE IF NOT EXISTS status_reports (
    id INTEGER PRIMARY KEY,
    partner_id TEXT NOT NULL,
    created_on TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS status_reports_partner ON status_reports (partner_id, created_on);
CREATE TABLE IF NOT EXISTS seeds (
    name TEXT PRIMARY KEY,
    seeded_at TEXT NOT NULL
);
"""

_BOOKING_COLUMNS = (
    "iban", "booking_date", "value_date", "amount", "cents", "currency", "is_credit", "domain",
    "family", "sub_family", "swift", "gvc", "posting_text", "reference", "counterparty_name",
    "counterparty_iban", "counterparty_bic", "remittance_information", "creditor_reference",
    "end_to_end_id", "mandate_id", "creditor_id", "return_reason", "is_reversal",
    "batch_reference", "message_id",
)  # fmt: skip
_INSERT_BOOKING = (
    f"INSERT INTO bookings ({', '.join(_BOOKING_COLUMNS)}) "  # noqa: S608 - fixed column names
    f"VALUES ({', '.join('?' * len(_BOOKING_COLUMNS))})"
)
_SELECT_BOOKING = f"SELECT {', '.join(_BOOKING_COLUMNS)} FROM bookings"  # noqa: S608 - fixed


def create(path: Path) -> None:
    """Create the file (and its folder) and the tables that are missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.executescript(_SCHEMA)
    finally:
        db.close()


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection for one call; commits on success, rolls back on error, always closes."""
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.row_factory = sqlite3.Row
    try:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("BEGIN")
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    finally:
        db.close()


def to_cents(amount: Decimal, is_credit: bool) -> int:
    """Signed integer cents of an amount (positive for credits)."""
    cents = int((amount * 100).to_integral_value())
    return cents if is_credit else -cents


def booking_row(booking: Booking) -> tuple[object, ...]:
    code = booking.code
    return (
        booking.iban,
        booking.booking_date.isoformat(),
        booking.value_date.isoformat(),
        f"{booking.amount:.2f}",
        to_cents(booking.amount, booking.is_credit),
        booking.currency,
        int(booking.is_credit),
        code.domain,
        code.family,
        code.sub_family,
        code.swift,
        code.gvc,
        code.posting_text,
        booking.reference,
        booking.counterparty_name,
        booking.counterparty_iban,
        booking.counterparty_bic,
        booking.remittance_information,
        booking.creditor_reference,
        booking.end_to_end_id,
        booking.mandate_id,
        booking.creditor_id,
        booking.return_reason,
        int(booking.is_reversal),
        booking.batch_reference,
        booking.message_id,
    )


def insert_bookings(db: sqlite3.Connection, bookings: Iterable[Booking]) -> None:
    """Insert bookings (their references must be new)."""
    db.executemany(_INSERT_BOOKING, (booking_row(booking) for booking in bookings))


def insert_rows(
    db: sqlite3.Connection, rows: Iterable[tuple[object, ...]], *, ignore_duplicates: bool
) -> None:
    """Insert ready-made booking rows (as :func:`booking_row` makes them), for bulk loads.

    With ``ignore_duplicates`` rows whose reference is already booked are skipped.
    """
    sql = (
        _INSERT_BOOKING.replace("INSERT", "INSERT OR IGNORE", 1)
        if ignore_duplicates
        else _INSERT_BOOKING
    )
    db.executemany(sql, rows)


def booking_of(row: sqlite3.Row) -> Booking:
    """The booking a stored row holds."""
    return Booking(
        iban=row["iban"],
        booking_date=date.fromisoformat(row["booking_date"]),
        value_date=date.fromisoformat(row["value_date"]),
        amount=Decimal(row["amount"]),
        currency=row["currency"],
        is_credit=bool(row["is_credit"]),
        code=TransactionCode(
            domain=row["domain"],
            family=row["family"],
            sub_family=row["sub_family"],
            swift=row["swift"],
            gvc=row["gvc"],
            posting_text=row["posting_text"],
        ),
        reference=row["reference"],
        counterparty_name=row["counterparty_name"],
        counterparty_iban=row["counterparty_iban"],
        counterparty_bic=row["counterparty_bic"],
        remittance_information=row["remittance_information"],
        creditor_reference=row["creditor_reference"],
        end_to_end_id=row["end_to_end_id"],
        mandate_id=row["mandate_id"],
        creditor_id=row["creditor_id"],
        return_reason=row["return_reason"],
        is_reversal=bool(row["is_reversal"]),
        batch_reference=row["batch_reference"],
        message_id=row["message_id"],
    )


def iter_bookings(db: sqlite3.Connection, iban: str, start: date, end: date) -> Iterator[Booking]:
    """The bookings of an account booked from ``start`` to ``end`` (inclusive), in order."""
    cursor = db.execute(
        f"{_SELECT_BOOKING} WHERE iban = ? AND booking_date BETWEEN ? AND ? "
        "ORDER BY booking_date, id",
        (iban, start.isoformat(), end.isoformat()),
    )
    for row in cursor:
        yield booking_of(row)


def balance_before(db: sqlite3.Connection, iban: str, day: date) -> int:
    """The account's booked balance in cents at the start of ``day``."""
    row = db.execute(
        "SELECT a.opening_cents + COALESCE((SELECT SUM(b.cents) FROM bookings b "
        "WHERE b.iban = a.iban AND b.booking_date < ?), 0) FROM accounts a WHERE a.iban = ?",
        (day.isoformat(), iban),
    ).fetchone()
    return int(row[0]) if row else 0


def booking_days(db: sqlite3.Connection, iban: str, start: date, end: date) -> list[date]:
    """The days from ``start`` to ``end`` on which the account has bookings."""
    rows = db.execute(
        "SELECT DISTINCT booking_date FROM bookings WHERE iban = ? "
        "AND booking_date BETWEEN ? AND ? ORDER BY booking_date",
        (iban, start.isoformat(), end.isoformat()),
    )
    return [date.fromisoformat(row[0]) for row in rows]


def sequence_number(db: sqlite3.Connection, iban: str, day: date) -> int:
    """The statement number of ``day``: how many booking days the account has had up to it."""
    row = db.execute(
        "SELECT COUNT(DISTINCT booking_date) FROM bookings WHERE iban = ? AND booking_date <= ?",
        (iban, day.isoformat()),
    ).fetchone()
    return int(row[0])
