"""The bank's ledger: accounts, bookings, statements, uploads and status reports.

This is the object the EBICS protocol side calls (see ``standins/bank/ledger_port.py``).
Each call opens its own SQLite connection; writes also hold one lock, so a duplicate check
and the bookings it guards are one atomic step whatever the number of server threads.
"""

import hashlib
import random
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from standins.bank.ledger import codes, demo, store
from standins.bank.ledger.camt_writer import BalanceLine, ReportHeader, group_entries, write_report
from standins.bank.ledger.errors import LedgerError, LedgerRejected
from standins.bank.ledger.ibans import BANK_CODE, BIC, account_number_for, german_iban
from standins.bank.ledger.mt940_writer import write_statement
from standins.bank.ledger.records import AccountInfo, Booking, Document
from standins.bank.ledger.status_writer import write_status_report
from standins.bank.ledger.uploads import PROCESSING_ERROR, read_upload

STATEMENT_KINDS = ("camt.053", "camt.052", "camt.054", "mt940")
ORDER_ID_EXISTS = "091115"

#: Partners whose first account is fixed: Acme's is the IBAN the Salesforce demo knows.
_KNOWN_ACCOUNT_NUMBERS = {"ACME": "0532013000"}
_DESCRIPTIONS = ("Geschaeftskonto", "Inkassokonto")


class UnknownStatementKind(LedgerError):
    """A statement kind other than camt.053, camt.052, camt.054 or mt940 was asked for."""


class Ledger:
    """The ledger in one SQLite file at ``path``; ``clock`` gives the bank's aware "now"."""

    def __init__(self, path: Path, clock: Callable[[], datetime]) -> None:
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.Lock()
        store.create(self.path)

    # -- partners and accounts ------------------------------------------------------------

    def ensure_partner(self, partner_id: str, holder_name: str) -> None:
        """Give the partner two EUR accounts (stable IBANs from the partner ID) if it has none."""
        with self._lock, store.connect(self.path) as db:
            if db.execute("SELECT 1 FROM accounts WHERE partner_id = ?", (partner_id,)).fetchone():
                return
            for position, description in enumerate(_DESCRIPTIONS, start=1):
                number = account_number_for(partner_id, position)
                if position == 1:
                    number = _KNOWN_ACCOUNT_NUMBERS.get(partner_id, number)
                digest = hashlib.sha256(f"{partner_id}/{position}/opening".encode()).digest()
                opening_cents = (10_000 + int.from_bytes(digest[:4], "big") % 90_000) * 100
                db.execute(
                    "INSERT INTO accounts (iban, partner_id, position, bic, currency, holder_name,"
                    " number, description, opening_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        german_iban(BANK_CODE, number),
                        partner_id,
                        position,
                        BIC,
                        "EUR",
                        holder_name,
                        number,
                        description,
                        opening_cents if position == 1 else 0,
                    ),
                )

    def accounts(self, partner_id: str) -> list[AccountInfo]:
        """The partner's accounts in a stable order ([] for an unknown partner)."""
        with store.connect(self.path) as db:
            rows = db.execute(
                "SELECT * FROM accounts WHERE partner_id = ? ORDER BY position", (partner_id,)
            ).fetchall()
        return [
            AccountInfo(
                iban=row["iban"],
                bic=row["bic"],
                currency=row["currency"],
                holder_name=row["holder_name"],
                number=row["number"],
                description=row["description"],
            )
            for row in rows
        ]

    # -- downloads ------------------------------------------------------------------------

    def statements(self, partner_id: str, kind: str, start: date, end: date) -> list[Document]:
        """Statements of ``kind`` for the partner's accounts, booking days ``start``..``end``.

        camt.053 and MT940: one end-of-day statement per account and day with bookings, for
        days before today (a day is closed at its end). camt.052: one report per account and
        day, today's holding what is booked so far. camt.054: one notification per batch
        booking or returned payment. Returns [] when nothing was booked in the range.
        Raises :class:`UnknownStatementKind` for any other ``kind``.
        """
        if kind not in STATEMENT_KINDS:
            raise UnknownStatementKind(f"{kind!r} is not one of {', '.join(STATEMENT_KINDS)}")
        now = self.clock()
        today = now.date()
        last = min(end, today if kind in ("camt.052", "camt.054") else today - timedelta(days=1))
        documents: list[Document] = []
        if last < start:
            return documents
        for account in self.accounts(partner_id):
            with store.connect(self.path) as db:
                for day in store.booking_days(db, account.iban, start, last):
                    if kind == "camt.054":
                        documents.extend(self._notifications(db, account, day, now))
                    else:
                        documents.append(self._statement(db, kind, account, day, now))
        return documents

    def _statement(
        self,
        db: sqlite3.Connection,
        kind: str,
        account: AccountInfo,
        day: date,
        now: datetime,
    ) -> Document:
        sequence = store.sequence_number(db, account.iban, day)
        opening = store.balance_before(db, account.iban, day)
        bookings = store.iter_bookings(db, account.iban, day, day)
        stamp = f"{day:%Y%m%d}"
        if kind == "mt940":
            content = write_statement(
                account=account,
                day=day,
                sequence_number=sequence,
                opening_cents=opening,
                bookings=bookings,
            )
            return Document(f"mt940_{account.iban}_{stamp}_{sequence}.sta", content)
        closing = store.balance_before(db, account.iban, day + timedelta(days=1))
        is_open_day = kind == "camt.052" and day >= now.date()
        header = ReportHeader(
            message_type=kind,
            message_id=f"{kind[5:]}{stamp}{account.number}{sequence:05d}",
            report_id=f"{account.iban}-{stamp}",
            created_at=now,
            sequence_number=sequence,
            account=account,
            from_at=datetime.combine(day, time.min, tzinfo=now.tzinfo),
            to_at=now
            if is_open_day
            else datetime.combine(day, time(23, 59, 59), tzinfo=now.tzinfo),
            balances=(
                BalanceLine(type="OPBD", cents=opening, on=day),
                BalanceLine(type="ITBD" if is_open_day else "CLBD", cents=closing, on=day),
            ),
        )
        return Document(
            f"{kind}_{account.iban}_{stamp}_{sequence}.xml", write_report(header, bookings)
        )

    def _notifications(
        self, db: sqlite3.Connection, account: AccountInfo, day: date, now: datetime
    ) -> Iterator[Document]:
        stamp = f"{day:%Y%m%d}"
        number = 0
        for entry in group_entries(store.iter_bookings(db, account.iban, day, day)):
            first = entry[0]
            if first.batch_reference is None and not first.is_reversal:
                continue
            number += 1
            header = ReportHeader(
                message_type="camt.054",
                message_id=f"054{stamp}{account.number}{number:05d}",
                report_id=f"{account.iban}-{stamp}-{number}",
                created_at=now,
                sequence_number=number,
                account=account,
                from_at=datetime.combine(day, time.min, tzinfo=now.tzinfo),
                to_at=datetime.combine(day, time(23, 59, 59), tzinfo=now.tzinfo),
            )
            yield Document(
                f"camt.054_{account.iban}_{stamp}_{number}.xml", write_report(header, iter(entry))
            )

    def status_reports(self, partner_id: str, start: date, end: date) -> list[Document]:
        """The pain.002 reports made for the partner's uploads from ``start`` to ``end``."""
        with store.connect(self.path) as db:
            rows = db.execute(
                "SELECT file_name, content FROM status_reports WHERE partner_id = ? "
                "AND created_on BETWEEN ? AND ? ORDER BY id",
                (partner_id, start.isoformat(), end.isoformat()),
            ).fetchall()
        return [Document(row["file_name"], bytes(row["content"])) for row in rows]

    # -- uploads --------------------------------------------------------------------------

    def book_upload(self, partner_id: str, kind: str, document: bytes, order_id: str) -> None:
        """Check and book a pain.001 or pain.008 upload and record its pain.002.

        Raises :class:`LedgerRejected` with ``090004`` for a file that is not a valid order
        of ``kind`` (schema, counts, control sums), ``091302`` when the ordering account is
        not the partner's, ``091115`` for an order ID used before and ``091116`` for a
        message ID already booked; nothing is booked then.
        """
        now = self.clock()
        accepted = read_upload(
            partner_id=partner_id,
            kind=kind,
            document=document,
            accounts=self.accounts(partner_id),
            now=now,
        )
        with self._lock, store.connect(self.path) as db:
            if db.execute(
                "SELECT 1 FROM uploads WHERE partner_id = ? AND order_id = ?",
                (partner_id, order_id),
            ).fetchone():
                raise LedgerRejected(ORDER_ID_EXISTS, f"order ID {order_id} was used before")
            if db.execute(
                "SELECT 1 FROM uploads WHERE partner_id = ? AND message_id = ?",
                (partner_id, accepted.message_id),
            ).fetchone():
                raise LedgerRejected(
                    PROCESSING_ERROR,
                    f"duplicate order: message ID {accepted.message_id} was already booked",
                )
            db.execute(
                "INSERT INTO uploads (partner_id, message_id, order_id, kind, received_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (partner_id, accepted.message_id, order_id, kind, now.isoformat()),
            )
            store.insert_bookings(db, accepted.bookings)
            db.execute(
                "INSERT INTO status_reports (partner_id, created_on, file_name, content) "
                "VALUES (?, ?, ?, ?)",
                (
                    partner_id,
                    now.date().isoformat(),
                    f"pain.002_{order_id}_{accepted.outcome.message_id}.xml",
                    write_status_report(accepted.outcome),
                ),
            )

    # -- demo and benchmark data -----------------------------------------------------------

    def seed_demo(self, salesforce_data: Path | None) -> None:
        """Seed ACME (Acme GmbH) and GLOBEX with noisy incoming payments, once.

        ACME's payments pay a sample of the open receivables in the local Salesforce's store
        at ``salesforce_data`` when it has any; otherwise generic payments. Idempotent.
        """
        self.ensure_partner("ACME", "Acme GmbH")
        self.ensure_partner("GLOBEX", "Globex Corporation")
        today = self.clock().date()
        with self._lock, store.connect(self.path) as db:
            if db.execute("SELECT 1 FROM seeds WHERE name = 'demo'").fetchone():
                return
            acme = self.accounts("ACME")
            globex = self.accounts("GLOBEX")
            bookings = demo.demo_bookings(
                acme=acme[0], globex=globex[0], today=today, salesforce_data=salesforce_data
            )
            store.insert_bookings(db, bookings)
            db.execute(
                "INSERT INTO seeds (name, seeded_at) VALUES ('demo', ?)",
                (self.clock().isoformat(),),
            )

    def add_bulk_bookings(self, partner_id: str, count: int, day: date, seed: int) -> None:
        """Book ``count`` synthetic incoming transfers on ``day`` to the partner's first account.

        Each entry has a name, IBAN, BIC, end-to-end ID, RF reference and remittance text
        (about 1.3 KB of camt.053 each: 40 000 make a ~50 MB statement). The same
        ``seed`` and ``day`` give the same bookings; calling again adds nothing.
        Raises :class:`LedgerError` for a partner without accounts.
        """
        accounts = self.accounts(partner_id)
        if not accounts:
            raise LedgerError(f"partner {partner_id} has no accounts; call ensure_partner first")
        account = accounts[0]
        # Seeded on purpose: benchmark data must be the same on every run.
        rng = random.Random(seed)  # noqa: S311
        stamp = f"{day:%Y%m%d}"

        def rows() -> Iterator[tuple[object, ...]]:
            for index in range(count):
                cents = rng.randrange(1_000, 5_000_000)
                invoice = f"RE{day.year}{seed % 1000:03d}{index:07d}"
                yield store.booking_row(
                    Booking(
                        iban=account.iban,
                        booking_date=day,
                        value_date=day,
                        amount=Decimal(cents) / 100,
                        currency=account.currency,
                        is_credit=True,
                        code=codes.CREDIT_TRANSFER_RECEIVED,
                        # The account in the reference keeps partners' bulk bookings apart.
                        reference=f"BULK{seed}-{account.iban[-6:]}-{stamp}-{index}",
                        counterparty_name=f"{demo.bulk_name(rng)} {index}",
                        counterparty_iban=german_iban("50010517", f"{rng.randrange(10**9):010d}"),
                        counterparty_bic="INGDDEFFXXX",
                        remittance_information=(
                            f"Rechnung {invoice} vom {day:%d.%m.%Y} Kundennummer "
                            f"D{rng.randrange(10000, 99999)}"
                        ),
                        creditor_reference=demo.rf_reference(invoice),
                        end_to_end_id=f"E2E-{stamp}-{seed}-{index:08d}",
                    )
                )

        with self._lock, store.connect(self.path) as db:
            store.insert_rows(db, rows(), ignore_duplicates=True)
