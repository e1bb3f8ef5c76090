"""Fill one org with a European company's receivables and payables, written straight to the store.

What it makes, seeded and deterministic for a given seed and day:

- accounts: customers (debtor numbers ``D10001`` ...) and suppliers (creditor numbers ``K70001``
  ...) in Germany, Austria, Switzerland, France and the Netherlands;
- payment instruments: SEPA direct-debit mandates (valid IBANs, BIC-shaped codes, mandate
  references; CORE mostly, some B2B) for a share of the customers, and each supplier's bank
  account (no mandate) to pay it to;
- entries: invoices, credit notes and other items over the last nine months, mostly receivables,
  mostly in EUR (CHF for many Swiss ones), with ``RF`` creditor references on receivable invoices,
  direct debits against mandates and an approval status on payables;
- payments with entry items that settle some entries fully or partly, some settling several entries
  of one account at once (credit notes netted with invoices), some direct debits returned unpaid.

Open amounts follow from the items (amount minus what was settled), and an entry is ``Balanced``
exactly when nothing is open. Everything is written in one transaction, in batches of rows.
"""

import random
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from standins.salesforce.data import tables
from standins.salesforce.data.schema import Schema, SObjectType
from standins.salesforce.data.tables import quote
from standins.salesforce.demo import companies, references
from standins.salesforce.demo.companies import Country
from standins.salesforce.store import Store, transaction

ACME_ORG_ID = "00D5g000004ACMEEA4"
ENTRY_OBJECT = "Ledgerlink_Entry__c"
PAYMENT_OBJECT = "Ledgerlink_Payment__c"
ITEM_OBJECT = "Ledgerlink_Entry_Item__c"
INSTRUMENT_OBJECT = "Ledgerlink_Payment_Instrument__c"
STATEMENT_OBJECT = "Ledgerlink_Bank_Statement__c"
STATEMENT_ITEM_OBJECT = "Ledgerlink_Bank_Statement_Item__c"
_DATA_OBJECTS = (
    "Account",
    INSTRUMENT_OBJECT,
    ENTRY_OBJECT,
    PAYMENT_OBJECT,
    ITEM_OBJECT,
    STATEMENT_OBJECT,
    STATEMENT_ITEM_OBJECT,
)
# At most this many unmatched statement items, so the review screen has work but not too much.
_STATEMENT_ITEMS = 60
_HISTORY_DAYS = 270
_CHUNK = 20_000
_RETURN_REASONS = (
    "AC04 Account closed",
    "AM04 Insufficient funds",
    "MD06 Refund requested by the debtor",
    "MS02 Refused by the debtor",
)


class DemoError(Exception):
    """The org does not exist, or already has records and no reset was asked for."""


@dataclass(frozen=True)
class DemoSettings:
    """What to generate; the defaults are what ``make run`` shows."""

    org_id: str = ACME_ORG_ID
    accounts: int = 200
    entries: int = 2000
    seed: int = 1
    # The day the data is "as of"; None means the day it runs.
    today: date | None = None


@dataclass(frozen=True)
class DemoReport:
    org_id: str
    counts: Mapping[str, int]
    seconds: float

    @property
    def summary(self) -> str:
        made = ", ".join(f"{count} {name}" for name, count in self.counts.items())
        return f"org {self.org_id}: {made} in {self.seconds:.1f} s"


# -- Writing rows --------------------------------------------------------------------------------


class _Rows:
    """Rows of one object, given IDs, auto-numbers and audit fields, inserted in batches."""

    def __init__(
        self,
        db: sqlite3.Connection,
        sobject: SObjectType,
        org_id: str,
        owner_id: str,
        columns: Sequence[str],
    ) -> None:
        self.db = db
        self.sobject = sobject
        self.org_id = org_id
        self.owner_id = owner_id
        self.next_row = tables.next_rows(db, sobject, 1)[0]
        last = db.execute(
            "SELECT last FROM auto_numbers WHERE org_id = ? AND object = ?",
            (org_id, sobject.name),
        ).fetchone()
        self.next_number = (last[0] if last else 0) + 1
        self.auto_number = sobject.auto_number_format is not None
        self.name_before, self.name_width, self.name_after = tables.auto_number_parts(
            sobject.auto_number_format
        )
        system = ["_row", "org_id", "Id", "OwnerId", "CreatedDate", "CreatedById"]
        system += ["LastModifiedDate", "LastModifiedById", "SystemModstamp"]
        if self.auto_number:
            system.append("Name")
        names = [*system, *columns]
        self.sql = (
            f"INSERT INTO {quote(sobject.table)} ({', '.join(quote(n) for n in names)}) "  # noqa: S608 - names from the schema
            f"VALUES ({', '.join('?' * len(names))})"
        )
        self.pending: list[tuple[object, ...]] = []
        self.count = 0

    def add(self, stamp: str, row: tuple[object, ...]) -> str:
        """Queue a record (``stamp``: its creation time) and return its ID."""
        record_id = tables.record_id(self.sobject.key_prefix, self.org_id, self.next_row)
        system: tuple[object, ...] = (
            self.next_row,
            self.org_id,
            record_id,
            self.owner_id,
            stamp,
            self.owner_id,
            stamp,
            self.owner_id,
            stamp,
        )
        if self.auto_number:
            name = f"{self.name_before}{str(self.next_number).zfill(self.name_width)}"
            system += (name + self.name_after,)
            self.next_number += 1
        self.pending.append(system + row)
        self.next_row += 1
        self.count += 1
        if len(self.pending) >= _CHUNK:
            self.flush()
        return record_id

    def flush(self) -> None:
        self.db.executemany(self.sql, self.pending)
        self.pending.clear()
        if self.auto_number:
            self.db.execute(
                "INSERT OR REPLACE INTO auto_numbers (org_id, object, last) VALUES (?, ?, ?)",
                (self.org_id, self.sobject.name, self.next_number - 1),
            )


def _cents(amount: float) -> int:
    return round(amount * 100)


def _stamp(day: date, rng: random.Random) -> str:
    """A creation time during the working day ``day`` (07:00 to 18:00 UTC), in stored form."""
    seconds = 7 * 3600 + rng.randrange(11 * 3600)
    hours, rest = divmod(seconds, 3600)
    return f"{day.isoformat()}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.000+0000"


# -- The model -----------------------------------------------------------------------------------


@dataclass
class _Mandate:
    id: str
    iban: str
    bic: str


@dataclass
class _Account:
    id: str
    name: str
    number: str
    country: Country
    is_supplier: bool
    iban: str
    bic: str
    mandate: _Mandate | None = None


@dataclass
class _Entry:
    id: str
    account: _Account
    external_id: str
    amount: int  # cents, signed: credit notes are negative
    currency: str
    payable: bool
    credit_note: bool
    document_date: date
    due_date: date
    direct_debit: bool
    settled: int = 0  # cents settled by entry items
    cancelled: bool = False
    items: list[tuple[str, int]] = field(default_factory=list)  # (payment e2e, cents)


class _Generator:
    def __init__(self, db: sqlite3.Connection, schema: Schema, settings: DemoSettings) -> None:
        self.db = db
        self.schema = schema
        self.settings = settings
        # Seeded on purpose: the same settings give the same demo data, and nothing here is secret.
        self.rng = random.Random(settings.seed)  # noqa: S311
        self.today = settings.today or datetime.now(UTC).date()
        owner = db.execute(
            "SELECT id FROM users WHERE org_id = ? ORDER BY rowid LIMIT 1", (settings.org_id,)
        ).fetchone()
        if owner is None:
            raise DemoError(f"org {settings.org_id} does not exist or has no users")
        self.owner_id = owner[0]
        self.accounts: list[_Account] = []
        # Open receivables the demo statement pays: (entry ID, document number, cents, account).
        self.open_receivables: list[tuple[str, str, int, _Account, str]] = []
        self.sequences: dict[str, int] = {}
        self.e2e_sequence = 0

    def _object(self, name: str) -> SObjectType:
        sobject = self.schema.get(name)
        if sobject is None:
            raise DemoError(f"the package metadata has no {name}")
        return sobject

    def _rows(self, name: str, columns: Sequence[str]) -> _Rows:
        return _Rows(self.db, self._object(name), self.settings.org_id, self.owner_id, columns)

    # Accounts and mandates -------------------------------------------------------------------

    def make_accounts(self) -> tuple[int, int]:
        rng = self.rng
        accounts = self._rows(
            "Account",
            (
                "Name", "AccountNumber", "Type", "BillingStreet", "BillingPostalCode",
                "BillingCity", "BillingCountry", "Phone",
            ),
        )  # fmt: skip
        mandates = self._rows(
            INSTRUMENT_OBJECT,
            (
                "Account__c", "Account_Holder__c", "IBAN__c", "BIC__c", "Mandate_Reference__c",
                "Scheme__c", "Sequence_Type__c", "Signing_Date__c", "Active__c",
                "Valid_Until__c",
            ),
        )  # fmt: skip
        taken: set[str] = set()
        suppliers = max(1, self.settings.accounts * 18 // 100)
        for index in range(self.settings.accounts):
            is_supplier = index >= self.settings.accounts - suppliers
            country = companies.pick_country(rng)
            made = companies.company(rng, country, taken)
            number = f"K{70001 + index}" if is_supplier else f"D{10001 + index}"
            created = self.today - timedelta(days=rng.randrange(300, 1500))
            bank = rng.choice(country.banks)
            account = _Account(
                id="",
                name=made.name,
                number=number,
                country=country,
                is_supplier=is_supplier,
                iban=references.random_iban(country.code, bank.code, rng),
                bic=bank.bic,
            )
            account.id = accounts.add(
                _stamp(created, rng),
                (
                    made.name,
                    number,
                    "Other" if is_supplier else "Customer - Direct",
                    made.street,
                    made.postal_code,
                    made.city,
                    country.name,
                    made.phone,
                ),
            )
            self.accounts.append(account)
            if is_supplier:
                self._supplier_bank_account(mandates, account, created)
            elif rng.random() < 0.45:
                self._mandates(mandates, account, created)
        accounts.flush()
        mandates.flush()
        return accounts.count, mandates.count

    def _supplier_bank_account(self, instruments: _Rows, account: _Account, created: date) -> None:
        """The account a supplier is paid to: an instrument without a mandate.

        Drawn from its own random source, so the rest of the demo data stays as it was.
        """
        own = random.Random(account.number)  # noqa: S311  (demo data, not security)
        instruments.add(
            _stamp(min(created, self.today - timedelta(days=1)), own),
            (
                account.id, account.name[:70], account.iban, account.bic,
                None, None, None, None, 1, None,
            ),
        )  # fmt: skip

    def _mandates(self, mandates: _Rows, account: _Account, created: date) -> None:
        rng = self.rng
        versions = 2 if rng.random() < 0.1 else 1
        for version in range(1, versions + 1):
            active = version == versions and rng.random() < 0.95
            signed = created + timedelta(days=rng.randrange(0, 200) + 200 * (version - 1))
            bank = rng.choice(account.country.banks)
            iban = (
                account.iban
                if version == versions
                else references.random_iban(account.country.code, bank.code, rng)
            )
            bic = account.bic if version == versions else bank.bic
            mandate_id = mandates.add(
                _stamp(min(signed, self.today - timedelta(days=1)), rng),
                (
                    account.id,
                    account.name[:70],
                    iban,
                    bic,
                    f"MNDT-{account.number}-{version:02d}",
                    "B2B" if rng.random() < 0.15 else "CORE",
                    "RCUR" if rng.random() < 0.8 else "FRST",
                    min(signed, self.today - timedelta(days=1)).isoformat(),
                    int(active),
                    None
                    if active
                    else (self.today - timedelta(days=rng.randrange(1, 120))).isoformat(),
                ),
            )
            if active:
                account.mandate = _Mandate(mandate_id, iban, bic)

    # Entries ---------------------------------------------------------------------------------

    def _document_number(self, prefix: str, day: date) -> str:
        key = f"{prefix}{day.year}"
        self.sequences[key] = self.sequences.get(key, 0) + 1
        return f"{prefix}-{day.year}-{self.sequences[key]:06d}"

    def _supplier_number(self, account: _Account, day: date) -> str:
        sequence = self.sequences.get(account.number, self.rng.randrange(1000, 90000)) + 1
        self.sequences[account.number] = sequence
        style = int(account.number[1:]) % 3
        if style == 0:
            return f"INV-{day.year}-{sequence:05d}"
        if style == 1:
            return f"{sequence}/{day.year % 100:02d}"
        return f"F{day.year}{sequence:06d}"

    def _entries(self, count: int) -> Iterator[tuple[_Entry, tuple[object, ...], str]]:
        """Entries with their column values (before settlement) and creation stamp."""
        rng = self.rng
        customers = [a for a in self.accounts if not a.is_supplier]
        suppliers = [a for a in self.accounts if a.is_supplier]
        # A few big customers and suppliers have most of the documents.
        customer_weights = list(accumulate(1 / (rank + 1) ** 0.7 for rank in range(len(customers))))
        supplier_weights = list(accumulate(1 / (rank + 1) ** 0.7 for rank in range(len(suppliers))))
        for _ in range(count):
            payable = bool(suppliers) and (not customers or rng.random() < 0.18)
            pool, weights = (
                (suppliers, supplier_weights) if payable else (customers, customer_weights)
            )
            account = rng.choices(pool, cum_weights=weights)[0]
            kind = rng.random()
            entry_type = "Invoice" if kind < 0.86 else "Credit Note" if kind < 0.96 else "Other"
            # Recent months hold more documents, as a growing business's ledger does.
            age = 1 + int(_HISTORY_DAYS * rng.random() ** 1.4)
            document_date = self.today - timedelta(days=age)
            due_date = document_date + timedelta(days=rng.choice((14, 14, 30, 30, 30, 45, 60)))
            amount = min(250_000.0, max(12.0, rng.lognormvariate(6.6, 1.15)))
            if entry_type == "Credit Note":
                amount = -min(amount, 5_000.0) / 3
            cents = _cents(amount)
            currency = "CHF" if account.country.code == "CH" and rng.random() < 0.7 else "EUR"
            if payable:
                number = self._supplier_number(account, document_date)
                external_id = f"AP-{account.number}-{number}"
                reference = None
                approval = rng.choices(
                    ("Approved", "Pending", "Rejected", "Not Required"), (65, 25, 5, 5)
                )[0]
            else:
                prefix = {"Invoice": "RE", "Credit Note": "GS", "Other": "SO"}[entry_type]
                number = self._document_number(prefix, document_date)
                external_id = f"AR-{number}"
                reference = (
                    references.creditor_reference(number.replace("-", ""))
                    if entry_type == "Invoice"
                    else None
                )
                approval = "Not Required"
            direct_debit = (
                not payable
                and entry_type == "Invoice"
                and account.mandate is not None
                and currency == "EUR"
                and rng.random() < 0.7
            )
            entry = _Entry(
                id="",
                account=account,
                external_id=external_id,
                amount=cents,
                currency=currency,
                payable=payable,
                credit_note=entry_type == "Credit Note",
                document_date=document_date,
                due_date=due_date,
                direct_debit=direct_debit,
                cancelled=rng.random() < 0.015,
            )
            columns = (
                account.id,
                cents,
                approval,
                currency,
                int(direct_debit),
                "Payable" if payable else "Receivable",
                document_date.isoformat(),
                number,
                due_date.isoformat(),
                int(rng.random() < 0.02),
                external_id,
                account.mandate.id if direct_debit and account.mandate else None,
                reference,
                entry_type,
            )
            yield entry, columns, _stamp(document_date, rng)

    # Payments --------------------------------------------------------------------------------

    def _settle(
        self, entries: list[_Entry]
    ) -> list[tuple[_Account, list[_Entry], date, bool, str | None]]:
        """Decide which entries get paid, grouped into payments: (account, entries, day,
        direct debit, return reason)."""
        rng = self.rng
        open_by_account: dict[tuple[str, str, bool], list[_Entry]] = {}
        payments = []
        for entry in entries:
            if entry.cancelled or entry.credit_note:
                if entry.credit_note and not entry.cancelled:
                    open_by_account.setdefault(
                        (entry.account.id, entry.currency, entry.payable), []
                    ).append(entry)
                continue
            age = (self.today - entry.document_date).days
            if age < 5:
                continue
            chance = 0.8 if entry.due_date < self.today else 0.35
            if rng.random() >= chance:
                continue
            group = [entry]
            credits = open_by_account.get((entry.account.id, entry.currency, entry.payable), [])
            if credits and rng.random() < 0.5:
                credit = credits.pop()
                if entry.amount + credit.amount > 0:
                    group.append(credit)
            paid_on = min(
                self.today - timedelta(days=1),
                max(
                    entry.document_date + timedelta(days=3),
                    entry.due_date + timedelta(days=rng.randrange(-10, 15)),
                ),
            )
            returned = (
                rng.choice(_RETURN_REASONS) if entry.direct_debit and rng.random() < 0.03 else None
            )
            payments.append((entry.account, group, paid_on, entry.direct_debit, returned))
        return payments

    def _payment_rows(
        self,
        payments_rows: _Rows,
        items_rows: _Rows,
        payments: list[tuple[_Account, list[_Entry], date, bool, str | None]],
    ) -> None:
        rng = self.rng
        for account, group, paid_on, direct_debit, returned in payments:
            partial = not returned and len(group) == 1 and rng.random() < 0.2
            shares = []
            for entry in group:
                share = entry.amount
                if partial:
                    share = round(entry.amount * rng.uniform(0.3, 0.9))
                shares.append(share)
            total = sum(shares)
            self.e2e_sequence += 1
            e2e = f"{'DD' if direct_debit else 'TR'}{paid_on:%Y%m%d}{self.e2e_sequence:010d}"
            mandate = account.mandate if direct_debit else None
            status = (
                "Reversed"
                if returned
                else "Collected"
                if direct_debit and rng.random() < 0.3
                else "Final"
            )
            payment_id = payments_rows.add(
                _stamp(paid_on, rng),
                (
                    account.id,
                    total,
                    account.name[:140],
                    mandate.iban if mandate else account.iban,
                    mandate.bic if mandate else account.bic,
                    group[0].currency,
                    e2e,
                    paid_on.isoformat(),
                    returned,
                    status,
                    "Outgoing" if group[0].payable else "Incoming",
                    (paid_on + timedelta(days=rng.choice((0, 0, 1, 2)))).isoformat(),
                ),
            )
            if returned:
                continue
            for entry, share in zip(group, shares, strict=True):
                items_rows.add(
                    _stamp(paid_on, rng),
                    (payment_id, entry.id, share, f"{e2e}/{entry.external_id}"),
                )
                entry.settled += share

    def make_statement(self) -> tuple[int, int]:
        """Today's statement: payments of some open invoices, as messy as real ones, and a fee."""
        rng = self.rng
        if not self.open_receivables:
            return 0, 0
        statements = self._rows(
            STATEMENT_OBJECT,
            (
                "Statement_Id__c", "Account_IBAN__c", "Message_Type__c", "Period_Start__c",
                "Period_End__c", "Currency__c",
            ),
        )  # fmt: skip
        items = self._rows(
            STATEMENT_ITEM_OBJECT,
            (
                "External_Id__c", "Bank_Statement__c", "Booking_Date__c", "Value_Date__c",
                "Amount__c", "Currency__c", "Credit_Debit__c", "Status__c",
                "Counterparty_Name__c", "Counterparty_IBAN__c", "Remittance_Information__c",
                "Match_Status__c",
            ),
        )  # fmt: skip
        day = self.today - timedelta(days=1)
        own_iban = "DE89370400440532013000"
        statement_key = f"{own_iban}/{day.isoformat()}"
        statement_id = statements.add(
            _stamp(day, rng),
            (statement_key, own_iban, "camt.053", day.isoformat(), day.isoformat(), "EUR"),
        )
        chosen = rng.sample(
            self.open_receivables, min(_STATEMENT_ITEMS, len(self.open_receivables))
        )
        for number, (_, document, cents, account, currency) in enumerate(chosen, start=1):
            style = rng.random()
            amount, text, name = cents, f"Rechnung {document}", account.name.upper()[:70]
            if style < 0.2:
                # Separators and leading zeros lost, as many banking apps do.
                text = "RG " + document.replace("-", "").replace("RE", "").lstrip("0")
            elif style < 0.35:
                text, name = "Zahlung offene Posten", account.name[:27]
            elif style < 0.45:
                amount = cents // 2
                text = f"Teilzahlung {document}"
            elif style < 0.55:
                amount = cents - 150  # the payer's bank kept a fee
            items.add(
                _stamp(day, rng),
                (
                    f"{statement_key}/{number}", statement_id, day.isoformat(), day.isoformat(),
                    amount, currency,
                    "CRDT", "BOOK", name, account.iban, text, "Unmatched",
                ),
            )  # fmt: skip
        items.add(
            _stamp(day, rng),
            (
                f"{statement_key}/fee", statement_id, day.isoformat(), day.isoformat(), -1290,
                "EUR", "DBIT", "BOOK",
                "", "", "Kontofuehrungsgebuehr November", "Unmatched",
            ),
        )  # fmt: skip
        statements.flush()
        items.flush()
        return statements.count, items.count

    def make_entries(self) -> tuple[int, int, int]:
        entry_columns = (
            "Account__c", "Amount__c", "Approval_Status__c", "Currency__c", "Direct_Debit__c",
            "Direction__c", "Document_Date__c", "Document_Number__c", "Due_Date__c",
            "Exclude_From_Payment_Run__c", "External_Id__c", "Payment_Instrument__c",
            "Payment_Reference__c", "Type__c", "Open_Amount__c", "Status__c",
        )  # fmt: skip
        entries_rows = self._rows(ENTRY_OBJECT, entry_columns)
        payments_rows = self._rows(
            PAYMENT_OBJECT,
            (
                "Account__c", "Amount__c", "Counterparty_Name__c", "Counterparty_IBAN__c",
                "Counterparty_BIC__c", "Currency__c", "End_To_End_Id__c", "Payment_Date__c",
                "Return_Reason__c", "Status__c", "Type__c", "Value_Date__c",
            ),
        )  # fmt: skip
        items_rows = self._rows(
            ITEM_OBJECT, ("Payment__c", "Entry__c", "Amount__c", "External_Id__c")
        )
        remaining = self.settings.entries
        while remaining > 0:
            batch = min(_CHUNK, remaining)
            remaining -= batch
            generated = list(self._entries(batch))
            # IDs first: payments refer to them; rows are written once open amounts are known.
            start = entries_rows.next_row
            for offset, (entry, _, _) in enumerate(generated):
                entry.id = tables.record_id(
                    entries_rows.sobject.key_prefix, self.settings.org_id, start + offset
                )
            self._payment_rows(
                payments_rows, items_rows, self._settle([entry for entry, _, _ in generated])
            )
            for entry, columns, stamp in generated:
                open_amount = 0 if entry.cancelled else entry.amount - entry.settled
                status = (
                    "Cancelled" if entry.cancelled else "Balanced" if open_amount == 0 else "Open"
                )
                if entries_rows.add(stamp, (*columns, open_amount, status)) != entry.id:
                    raise DemoError("entry IDs went out of step")
                if (
                    status == "Open"
                    and open_amount > 0
                    and not entry.payable
                    and len(self.open_receivables) < _STATEMENT_ITEMS * 4
                ):
                    document_number = str(columns[entry_columns.index("Document_Number__c")])
                    self.open_receivables.append(
                        (entry.id, document_number, open_amount, entry.account, entry.currency)
                    )
        entries_rows.flush()
        payments_rows.flush()
        items_rows.flush()
        return entries_rows.count, payments_rows.count, items_rows.count


def _has_records(db: sqlite3.Connection, schema: Schema, org_id: str) -> bool:
    return any(
        db.execute(
            f"SELECT 1 FROM {quote(sobject.table)} WHERE org_id = ? LIMIT 1",  # noqa: S608 - names from the schema
            (org_id,),
        ).fetchone()
        for sobject in schema.stored_objects
    )


def _clear_org(db: sqlite3.Connection, schema: Schema, org_id: str) -> None:
    for sobject in schema.stored_objects:
        db.execute(f"DELETE FROM {quote(sobject.table)} WHERE org_id = ?", (org_id,))  # noqa: S608 - names from the schema
    db.execute("DELETE FROM auto_numbers WHERE org_id = ?", (org_id,))


def generate(
    store: Store, schema: Schema, settings: DemoSettings, *, reset: bool = False
) -> DemoReport:
    """Write the demo data of ``settings`` into its org, in one transaction.

    With ``reset`` the org's records are replaced; without it an org that already has records is
    refused with :class:`DemoError`, so that running twice never doubles the data.
    """
    started = time.monotonic()
    with store.connect() as db:
        # A big cache keeps the one large transaction from spilling pages to the WAL over and over.
        db.execute("PRAGMA cache_size = -262144")
        with transaction(db):
            if _has_records(db, schema, settings.org_id):
                if not reset:
                    raise DemoError(
                        f"org {settings.org_id} already has records; pass --reset to replace them"
                    )
                _clear_org(db, schema, settings.org_id)
            # Rows load several times faster without indexes, and SQLite builds an index from
            # sorted rows faster than it grows one row by row. DDL is transactional: readers see
            # the old indexes until the commit, and a duplicate fails the whole load.
            loaded = [schema.get(name) for name in _DATA_OBJECTS]
            for sobject in loaded:
                if sobject is not None:
                    tables.drop_indexes(db, sobject)
            generator = _Generator(db, schema, settings)
            accounts, mandates = generator.make_accounts()
            entries, payments, items = generator.make_entries()
            statements, statement_items = generator.make_statement()
            for sobject in loaded:
                if sobject is not None:
                    tables.create_indexes(db, sobject)
        tables.refresh_statistics(db)
    return DemoReport(
        org_id=settings.org_id,
        counts={
            "Account": accounts,
            INSTRUMENT_OBJECT: mandates,
            ENTRY_OBJECT: entries,
            PAYMENT_OBJECT: payments,
            ITEM_OBJECT: items,
            STATEMENT_OBJECT: statements,
            STATEMENT_ITEM_OBJECT: statement_items,
        },
        seconds=time.monotonic() - started,
    )
