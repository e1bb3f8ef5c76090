"""Demo bookings: incoming payments for Acme's open receivables, as messy as real ones.

Where the local Salesforce's store holds the demo org's open receivables (EUR), a seeded
sample of them is paid over the last ten business days; otherwise made-up invoices are. The
noise is what a receivables clerk meets: exact RF references, RF references with typos,
dropped leading zeros, O/0 swaps or cut short, invoice numbers in free text (with separators
lost), no reference at all, partial payments, one payment for several invoices of a customer,
payer names abbreviated, cut or with another legal form, a deducted fee, a few unrelated
bookings (bank fees, salaries, card acquirer payouts) and two returned payments.
"""

import hashlib
import random
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from banking.formats.business_days import is_target_business_day
from banking.formats.creditor_reference import create_creditor_reference
from standins.bank.ledger import codes
from standins.bank.ledger.ibans import german_iban
from standins.bank.ledger.records import AccountInfo, Booking, TransactionCode

ACME_ORG_ID = "00D5g000004ACMEEA4"
_SEED = 20261122
_DAYS = 10

_LEGAL_FORMS = (
    ("GmbH & Co. KG", "GmbH + Co KG"),
    ("GmbH", "Gesellschaft mbH"),
    ("AG", "Aktiengesellschaft"),
    ("S.A.S.", "SAS"),
    ("B.V.", "BV"),
    ("SARL", "S.a.r.l."),
    ("KG", "Kommanditgesellschaft"),
)
_GENERIC_CUSTOMERS = (
    "Mueller Maschinenbau GmbH", "Schneider Logistik AG", "Fischer & Soehne KG",
    "Weber Elektrotechnik GmbH", "Becker Lebensmittel GmbH & Co. KG", "Hoffmann Bau AG",
    "Dupont Industrie S.A.S.", "van der Berg Handel B.V.", "Keller Medizintechnik GmbH",
    "Wagner Software GmbH", "Zimmermann Moebel KG", "Braun Textil GmbH",
)  # fmt: skip
_FIRST = ("Nord", "Sued", "Alpen", "Rhein", "Elbe", "Main", "Isar", "Weser", "Spree", "Donau")
_SECOND = ("Technik", "Handel", "Logistik", "Bau", "Consulting", "Medien", "Chemie", "Energie")


@dataclass(frozen=True, slots=True)
class _Receivable:
    document_number: str
    open_cents: int
    reference: str | None
    customer: str
    customer_key: str
    iban: str
    bic: str


def rf_reference(base: str) -> str:
    """The RF creditor reference of an invoice number (separators dropped)."""
    return create_creditor_reference("".join(ch for ch in base if ch.isalnum())[:21])


def bulk_name(rng: random.Random) -> str:
    """A made-up company name for synthetic payers."""
    return f"{rng.choice(_FIRST)}{rng.choice(_SECOND).lower()} GmbH"


def business_days_before(today: date, count: int) -> list[date]:
    """The ``count`` TARGET business days before ``today``, oldest first."""
    days: list[date] = []
    day = today
    while len(days) < count:
        day -= timedelta(days=1)
        if is_target_business_day(day):
            days.append(day)
    return sorted(days)


def demo_bookings(
    *, acme: AccountInfo, globex: AccountInfo, today: date, salesforce_data: Path | None
) -> list[Booking]:
    """All demo bookings for Acme's and Globex's first accounts, deterministic for ``today``."""
    rng = random.Random(_SEED)  # noqa: S311 - demo data must be the same on every run
    days = business_days_before(today, _DAYS)
    receivables = _salesforce_receivables(salesforce_data) if salesforce_data else []
    if not receivables:
        receivables = _generic_receivables(rng, today)
    maker = _Maker(rng, days)
    maker.payments(acme, receivables)
    maker.unrelated(acme)
    maker.returns(acme, receivables)
    maker.globex(globex)
    return sorted(maker.bookings, key=lambda booking: (booking.booking_date, booking.reference))


def _salesforce_receivables(path: Path) -> list[_Receivable]:
    """Open EUR receivables of the demo org in the Salesforce stand-in's store ([] if none)."""
    if not path.is_file():
        return []
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error:
        return []
    try:
        rows = db.execute(
            """
            SELECT e."Document_Number__c", e."Open_Amount__c", e."Payment_Reference__c",
                   a."Name", a."Id",
                   (SELECT m."IBAN__c" FROM "sobject_Ledgerlink_Payment_Instrument__c" m
                     WHERE m.org_id = e.org_id AND m."Account__c" = a."Id" AND m."IsDeleted" = 0
                     ORDER BY m."Active__c" DESC LIMIT 1),
                   (SELECT m."BIC__c" FROM "sobject_Ledgerlink_Payment_Instrument__c" m
                     WHERE m.org_id = e.org_id AND m."Account__c" = a."Id" AND m."IsDeleted" = 0
                     ORDER BY m."Active__c" DESC LIMIT 1)
            FROM "sobject_Ledgerlink_Entry__c" e
            JOIN "sobject_Account" a ON a.org_id = e.org_id AND a."Id" = e."Account__c"
            WHERE e.org_id = ? AND e."IsDeleted" = 0 AND e."Status__c" = 'Open'
              AND e."Direction__c" = 'Receivable' AND e."Type__c" = 'Invoice'
              AND e."Currency__c" = 'EUR' AND e."Open_Amount__c" > 0
            ORDER BY e."Id"
            """,
            (ACME_ORG_ID,),
        ).fetchall()
    except sqlite3.Error:
        # A store without the Ledgerlink objects (or not a store at all) has nothing to pay.
        return []
    finally:
        db.close()
    receivables = []
    for number, cents, reference, name, account_id, iban, bic in rows:
        if not number or not name:
            continue
        receivables.append(
            _Receivable(
                document_number=str(number),
                open_cents=int(cents),
                reference=reference or None,
                customer=str(name),
                customer_key=str(account_id),
                iban=iban or _made_up_iban(str(account_id)),
                bic=bic or "COBADEFFXXX",
            )
        )
    return receivables


def _made_up_iban(key: str) -> str:
    digest = hashlib.sha256(key.encode()).digest()
    return german_iban("50010517", f"{int.from_bytes(digest[:6], 'big') % 10**10:010d}")


def _generic_receivables(rng: random.Random, today: date) -> list[_Receivable]:
    receivables = []
    for index in range(160):
        customer = _GENERIC_CUSTOMERS[index % len(_GENERIC_CUSTOMERS)]
        number = f"RE-{today.year}-{rng.randrange(100, 99999):05d}"
        receivables.append(
            _Receivable(
                document_number=number,
                open_cents=rng.randrange(5_000, 2_500_000),
                reference=rf_reference(number),
                customer=customer,
                customer_key=customer,
                iban=_made_up_iban(customer),
                bic="INGDDEFFXXX",
            )
        )
    return receivables


def _mangle_name(rng: random.Random, name: str) -> str:
    style = rng.random()
    if style < 0.2:
        return name.upper()
    if style < 0.35:
        return name[:27]
    if style < 0.5:
        for short, long in _LEGAL_FORMS:
            if name.endswith(short):
                return name[: -len(short)] + long
        return name + " GmbH"
    if style < 0.6:
        words = name.split()
        return " ".join([words[0], *(w[:1] + "." for w in words[1:-1]), words[-1]])
    return name


def _mangle_reference(rng: random.Random, reference: str) -> str:
    style = rng.random()
    body = reference[4:]
    if style < 0.3:
        # Two neighbouring characters swapped: the check digits no longer fit.
        position = rng.randrange(4, len(reference) - 1)
        return (
            reference[:position]
            + reference[position + 1]
            + reference[position]
            + reference[position + 2 :]
        )
    if style < 0.55:
        return reference[:4] + body.lstrip("0")
    if style < 0.8:
        return reference.replace("0", "O", 1) if "0" in reference[2:] else reference.lower()
    return reference[: max(6, len(reference) - 4)]


class _Maker:
    def __init__(self, rng: random.Random, days: list[date]) -> None:
        self.rng = rng
        self.days = days
        self.bookings: list[Booking] = []

    def add(
        self,
        account: AccountInfo,
        *,
        cents: int,
        is_credit: bool,
        code: TransactionCode,
        day: date | None = None,
        name: str | None = None,
        iban: str | None = None,
        bic: str | None = None,
        text: str | None = None,
        reference: str | None = None,
        end_to_end_id: str | None = None,
        return_reason: str | None = None,
        is_reversal: bool = False,
        mandate_id: str | None = None,
        creditor_id: str | None = None,
    ) -> Booking:
        day = day or self.rng.choice(self.days)
        booking = Booking(
            iban=account.iban,
            booking_date=day,
            value_date=day,
            amount=Decimal(cents) / 100,
            currency=account.currency,
            is_credit=is_credit,
            code=code,
            reference=f"DM{account.number[-6:]}{len(self.bookings) + 1:05d}",
            counterparty_name=name,
            counterparty_iban=iban,
            counterparty_bic=bic,
            remittance_information=text[:140] if text else None,
            creditor_reference=reference,
            end_to_end_id=end_to_end_id,
            return_reason=return_reason,
            is_reversal=is_reversal,
            mandate_id=mandate_id,
            creditor_id=creditor_id,
        )
        self.bookings.append(booking)
        return booking

    def payments(self, account: AccountInfo, receivables: list[_Receivable]) -> None:
        rng = self.rng
        pool = list(receivables)
        rng.shuffle(pool)
        wanted = min(len(pool), rng.randrange(70, 100))
        by_customer: dict[str, list[_Receivable]] = {}
        for receivable in pool:
            by_customer.setdefault(receivable.customer_key, []).append(receivable)
        used: set[str] = set()
        made = 0
        for receivable in pool:
            if made >= wanted:
                break
            if receivable.document_number in used:
                continue
            used.add(receivable.document_number)
            made += 1
            siblings = [
                r for r in by_customer[receivable.customer_key] if r.document_number not in used
            ]
            self.payment(account, receivable, siblings, used)

    def payment(
        self,
        account: AccountInfo,
        receivable: _Receivable,
        siblings: list[_Receivable],
        used: set[str],
    ) -> None:
        rng = self.rng
        cents = receivable.open_cents
        text: str | None = f"Rechnung {receivable.document_number}"
        reference: str | None = None
        style = rng.random()
        number = receivable.document_number
        if style < 0.3 and receivable.reference:
            reference, text = receivable.reference, None
        elif style < 0.4 and receivable.reference:
            text = _mangle_reference(rng, receivable.reference)
        elif style < 0.5:
            text = "RG " + number.replace("-", "").replace("RE", "").lstrip("0")
        elif style < 0.57:
            text = rng.choice(("Zahlung offene Posten", "Ausgleich Konto", None))
        elif style < 0.65:
            cents = rng.choice((cents // 2, (cents // 3 // 100) * 100 or cents // 2))
            text = f"Teilzahlung {number}"
        elif style < 0.72:
            cents = max(1, cents - 750)
            text = f"{number} abzgl. Spesen 7,50"
        elif style < 0.82 and siblings:
            more = siblings[: rng.randrange(1, min(3, len(siblings)) + 1)]
            for sibling in more:
                used.add(sibling.document_number)
            cents = receivable.open_cents + sum(s.open_cents for s in more)
            text = "Rechnungen " + ", ".join([number, *(s.document_number for s in more)])
        elif style < 0.9:
            text = f"Kd-Nr. {receivable.customer_key[-5:]} Re. {number} Danke"
        self.add(
            account,
            cents=cents,
            is_credit=True,
            code=codes.CREDIT_TRANSFER_RECEIVED,
            name=_mangle_name(rng, receivable.customer),
            iban=receivable.iban,
            bic=receivable.bic,
            text=text,
            reference=reference,
            end_to_end_id=f"E2E{rng.randrange(10**11, 10**12)}" if rng.random() < 0.4 else None,
        )

    def unrelated(self, account: AccountInfo) -> None:
        rng = self.rng
        self.add(
            account, cents=1290, is_credit=False, code=codes.BANK_FEES, day=self.days[-1],
            text=f"Kontofuehrungsgebuehr {self.days[-1]:%m/%Y}",
        )  # fmt: skip
        self.add(
            account, cents=45 * 7, is_credit=False, code=codes.BANK_FEES, day=self.days[0],
            text="Entgelt 45 SEPA-Posten",
        )  # fmt: skip
        for number, name in enumerate(("Anna Schmidt", "Jonas Weber", "Lea Hoffmann"), start=1):
            self.add(
                account, cents=rng.randrange(280_000, 520_000), is_credit=False,
                code=codes.SALARY_SENT, day=self.days[-3], name=name,
                iban=_made_up_iban(name), bic="GENODEF1S01",
                text=f"Gehalt {self.days[-3]:%m/%Y} Personalnr. {1000 + number}",
                end_to_end_id=f"SAL-{self.days[-3]:%Y%m}-{number:03d}",
            )  # fmt: skip
        for day in self.days[1::3]:
            acquirer = rng.choice(
                (
                    ("Adyen N.V.", "NL", "ADYBNL2AXXX"),
                    ("Stripe Payments Europe", "IE", "STPEIE22XXX"),
                )
            )
            self.add(
                account, cents=rng.randrange(150_000, 2_400_000), is_credit=True,
                code=codes.CARD_ACQUIRER_PAYOUT, day=day, name=acquirer[0],
                iban=_made_up_iban(acquirer[0]), bic=acquirer[2],
                text=f"Payout {rng.randrange(10**8, 10**9)} settlement batch {day:%Y%m%d}",
            )  # fmt: skip

    def returns(self, account: AccountInfo, receivables: list[_Receivable]) -> None:
        """A returned outgoing transfer (money back) and a direct debit returned unpaid."""
        supplier = "Papier Schulze GmbH"
        self.add(
            account, cents=48_390, is_credit=False, code=codes.CREDIT_TRANSFER_SENT,
            day=self.days[2], name=supplier, iban=_made_up_iban(supplier), bic="DEUTDEFFXXX",
            text="Rechnung 2026-4471", end_to_end_id="PAY-RUN-0042-0007",
        )  # fmt: skip
        self.add(
            account, cents=48_390, is_credit=True, code=codes.CREDIT_TRANSFER_RETURNED,
            day=self.days[4], name=supplier, iban=_made_up_iban(supplier), bic="DEUTDEFFXXX",
            text="Rechnung 2026-4471", end_to_end_id="PAY-RUN-0042-0007",
            return_reason="AC04", is_reversal=True,
        )  # fmt: skip
        if not receivables:
            return
        debtor = receivables[-1]
        for code, day, is_credit, reason in (
            (codes.DIRECT_DEBIT_COLLECTED, self.days[3], True, None),
            (codes.DIRECT_DEBIT_RETURNED, self.days[6], False, "MD06"),
        ):
            self.add(
                account, cents=debtor.open_cents, is_credit=is_credit, code=code, day=day,
                name=debtor.customer, iban=debtor.iban, bic=debtor.bic,
                text=f"Lastschrift {debtor.document_number}", reference=debtor.reference,
                end_to_end_id=f"DD-{debtor.document_number}"[:35],
                mandate_id=f"MNDT-{debtor.customer_key[-6:]}", creditor_id="DE98ZZZ09999999999",
                return_reason=reason, is_reversal=reason is not None,
            )  # fmt: skip

    def globex(self, account: AccountInfo) -> None:
        rng = self.rng
        for customer in ("Initech LLC", "Umbrella Handels GmbH", "Hooli Europe B.V."):
            number = f"GX-{rng.randrange(10000, 99999)}"
            self.add(
                account, cents=rng.randrange(20_000, 900_000), is_credit=True,
                code=codes.CREDIT_TRANSFER_RECEIVED, name=customer, iban=_made_up_iban(customer),
                bic="INGDDEFFXXX", text=f"Invoice {number}", reference=rf_reference(number),
            )  # fmt: skip
        self.add(
            account, cents=990, is_credit=False, code=codes.BANK_FEES, day=self.days[-1],
            text="Kontofuehrung",
        )  # fmt: skip
        self.add(
            account, cents=310_000, is_credit=False, code=codes.SALARY_SENT, day=self.days[-2],
            name="Hank Scorpio", iban=_made_up_iban("Hank Scorpio"), bic="GENODEF1S01",
            text=f"Salary {self.days[-2]:%m/%Y}",
        )  # fmt: skip
