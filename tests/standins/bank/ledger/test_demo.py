"""Demo data: Acme's noisy incoming payments for its open receivables in Salesforce."""

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from banking.formats import parse_statement_file
from banking.formats.creditor_reference import is_valid_creditor_reference
from standins.bank.ledger import Ledger
from standins.salesforce.demo.__main__ import main as generate_salesforce_demo
from tests.standins.bank.ledger.files import ACME_IBAN, TODAY

FIRST_DAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def salesforce_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo org written by the Salesforce stand-in's own generator."""
    path = tmp_path_factory.mktemp("salesforce") / "salesforce.sqlite3"
    generate_salesforce_demo(
        ["--data", str(path), "--accounts", "60", "--entries", "900", "--today", "2026-11-25"]
    )
    return path


def open_receivables(path: Path) -> dict[str, int]:
    """Document number -> open cents of the org's open EUR invoices."""
    with sqlite3.connect(path) as db:
        rows = db.execute(
            'SELECT "Document_Number__c", "Open_Amount__c" FROM "sobject_Ledgerlink_Entry__c" '
            "WHERE \"Status__c\" = 'Open' AND \"Direction__c\" = 'Receivable' "
            "AND \"Currency__c\" = 'EUR' AND \"Type__c\" = 'Invoice'"
        ).fetchall()
    return dict(rows)


def acme_items(ledger: Ledger) -> list:
    documents = ledger.statements("ACME", "camt.053", FIRST_DAY, TODAY)
    return [i for d in documents for i in parse_statement_file(d.content).statements[0].items]


def test_acme_keeps_the_iban_the_salesforce_demo_knows(ledger: Ledger) -> None:
    assert ledger.accounts("ACME")[0].iban == ACME_IBAN
    assert len(ledger.accounts("ACME")) == 2


def test_seeding_twice_adds_nothing(ledger: Ledger, salesforce_store: Path) -> None:
    ledger.seed_demo(salesforce_store)
    first = acme_items(ledger)

    ledger.seed_demo(salesforce_store)

    assert len(acme_items(ledger)) == len(first)


def test_payments_refer_to_open_salesforce_receivables(
    ledger: Ledger, salesforce_store: Path
) -> None:
    receivables = open_receivables(salesforce_store)
    ledger.seed_demo(salesforce_store)

    payments = [i for i in acme_items(ledger) if i.bank_transaction_code.sub_family == "ESCT"]
    incoming = [i for i in payments if i.amount.amount > 0]
    texts = " ".join(i.remittance_information or "" for i in incoming)
    mentioned = {number for number in receivables if number in texts}
    assert 60 <= len(incoming) <= 120
    assert len(mentioned) >= 20
    exact = [i for i in incoming if i.creditor_reference]
    assert exact
    assert all(is_valid_creditor_reference(i.creditor_reference) for i in exact)
    exact_amounts = {receivables[n] for n in receivables}
    assert any(int(i.amount.amount * 100) in exact_amounts for i in exact)


def test_demo_payments_carry_the_noise_of_real_ones(ledger: Ledger, salesforce_store: Path) -> None:
    ledger.seed_demo(salesforce_store)
    items = acme_items(ledger)
    texts = [i.remittance_information or "" for i in items]

    assert any(text.startswith("Teilzahlung") for text in texts)
    assert any("Spesen 7,50" in text for text in texts)
    assert any(text.startswith("Rechnungen ") and text.count(",") >= 1 for text in texts)
    assert any(text.startswith("RG ") for text in texts)
    mangled_references = [t for t in texts if t[:2].upper() == "RF" and " " not in t]
    assert any(not is_valid_creditor_reference(t) for t in mangled_references)
    assert any(i.bank_transaction_code.domain == "ACMT" for i in items)
    assert any(i.bank_transaction_code.sub_family == "SALA" for i in items)
    returned = [i for i in items if i.is_reversal]
    assert 1 <= len(returned) <= 2
    assert all(i.return_reason for i in returned)
    names = {i.counterparty.name for i in items if i.counterparty and i.counterparty.name}
    assert any(name.isupper() for name in names)


def test_without_a_salesforce_store_generic_payments_are_seeded(
    ledger: Ledger, tmp_path: Path
) -> None:
    ledger.seed_demo(tmp_path / "missing.sqlite3")

    items = acme_items(ledger)
    incoming = [i for i in items if i.amount.amount > 0 and not i.is_reversal]
    assert len(incoming) >= 60
    assert ledger.statements("GLOBEX", "camt.053", FIRST_DAY, TODAY)


def test_the_demo_is_the_same_every_time(tmp_path: Path, clock) -> None:
    contents = []
    for name in ("one", "two"):
        bank = Ledger(tmp_path / name / "ledger.sqlite3", clock)
        bank.seed_demo(None)
        contents.append([d.content for d in bank.statements("ACME", "mt940", FIRST_DAY, TODAY)])

    assert contents[0] == contents[1]
