"""The demo generator: what it writes, that its identifiers check out, that the ledger adds up."""

import re
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

import pytest
import requests

from tests.standins.salesforce.data_api import DataApi, connect
from tests.standins.salesforce.demo_store import run_demo
from tests.standins.salesforce.flows import ACME, GLOBEX, LEDGERLINK_URL, TIMEOUT, LocalSalesforce
from tests.standins.salesforce.personas import ADMIN, OUTSIDER
from tests.standins.salesforce.server import data_path_in, running_local_salesforce

LEGAL_FORMS = ("GmbH", "AG", "KG", "SARL", "SAS", "B.V.", "N.V.", "SA", "OG", "e.K.", "OHG")
COUNTRIES = {"Germany", "Austria", "Switzerland", "France", "Netherlands"}


def mod97_valid(code: str) -> bool:
    """ISO 7064 MOD 97-10, the check of IBANs and RF creditor references (independent of the
    stand-in's own implementation)."""
    rearranged = code[4:] + code[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return int(digits) % 97 == 1


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("local-salesforce-demo")
    finished = run_demo(data_path_in(folder))
    return folder, finished


@pytest.fixture(scope="module")
def local_salesforce(generated) -> Iterator[LocalSalesforce]:
    folder, finished = generated
    assert finished.returncode == 0, finished.stderr
    with running_local_salesforce(folder, LEDGERLINK_URL) as running:
        yield running


@pytest.fixture(scope="module")
def api(local_salesforce: LocalSalesforce) -> DataApi:
    return connect(local_salesforce, ADMIN)


def test_the_generator_reports_what_it_wrote_and_how_long_it_took(generated):
    _, finished = generated

    assert re.search(
        r"org 00D5g000004ACMEEA4: 200 Account, \d+ Ledgerlink_Payment_Instrument__c, "
        r"2000 Ledgerlink_Entry__c, \d+ Ledgerlink_Payment__c, \d+ Ledgerlink_Entry_Item__c, "
        r"1 Ledgerlink_Bank_Statement__c, 61 Ledgerlink_Bank_Statement_Item__c in \d+\.\d s",
        finished.stdout,
    ), finished.stdout


def test_the_default_org_gets_200_accounts_and_2000_entries(local_salesforce):
    counts = requests.get(local_salesforce.url("/_standin/counts"), timeout=TIMEOUT).json()

    assert counts[ACME]["Account"] == 200
    assert counts[ACME]["Ledgerlink_Entry__c"] == 2000
    # Mandates for a share of the 164 customers, and a bank account for each of the 36 suppliers.
    assert 40 + 36 <= counts[ACME]["Ledgerlink_Payment_Instrument__c"] <= 120 + 36
    assert counts[ACME]["Ledgerlink_Payment__c"] > 500
    assert counts[ACME]["Ledgerlink_Entry_Item__c"] >= counts[ACME]["Ledgerlink_Payment__c"] * 0.9
    assert GLOBEX not in counts


def test_accounts_are_european_companies_with_legal_forms_and_customer_numbers(api):
    accounts = api.records(
        "SELECT Name, AccountNumber, Type, BillingCity, BillingCountry, BillingPostalCode "
        "FROM Account"
    )

    assert all(
        account["Name"].endswith((*LEGAL_FORMS, "EURL", "V.O.F.", "Sàrl", "e.U."))
        for account in accounts
    )
    assert {account["BillingCountry"] for account in accounts} == COUNTRIES
    assert all(re.fullmatch(r"[DK]\d{5}", account["AccountNumber"]) for account in accounts)
    assert len({account["Name"] for account in accounts}) == 200
    suppliers = [a for a in accounts if a["AccountNumber"].startswith("K")]
    assert 20 <= len(suppliers) <= 50


def test_mandates_have_valid_ibans_bic_shaped_codes_and_unique_references(api):
    mandates = api.records(
        "SELECT IBAN__c, BIC__c, Mandate_Reference__c, Scheme__c, Sequence_Type__c, Active__c, "
        "Account__r.BillingCountry FROM Ledgerlink_Payment_Instrument__c "
        "WHERE Mandate_Reference__c != null"
    )

    assert all(mod97_valid(mandate["IBAN__c"]) for mandate in mandates)
    assert all(
        re.fullmatch(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?", m["BIC__c"]) for m in mandates
    )
    assert all(mandate["BIC__c"][4:6] == mandate["IBAN__c"][:2] for mandate in mandates)
    assert len({mandate["Mandate_Reference__c"] for mandate in mandates}) == len(mandates)
    schemes = [mandate["Scheme__c"] for mandate in mandates]
    assert schemes.count("CORE") > schemes.count("B2B") > 0
    lengths = {"DE": 22, "AT": 20, "CH": 21, "FR": 27, "NL": 18}
    assert all(len(m["IBAN__c"]) == lengths[m["IBAN__c"][:2]] for m in mandates)


def test_every_supplier_has_a_bank_account_to_be_paid_to(api):
    accounts = api.records(
        "SELECT IBAN__c, Account__r.AccountNumber FROM Ledgerlink_Payment_Instrument__c "
        "WHERE Mandate_Reference__c = null"
    )
    assert len(accounts) == 36
    assert all(row["Account__r"]["AccountNumber"].startswith("K") for row in accounts)
    assert all(mod97_valid(row["IBAN__c"]) for row in accounts)


def test_entries_are_mostly_euro_receivables_with_valid_creditor_references(api):
    entries = api.records(
        "SELECT Document_Number__c, Direction__c, Type__c, Currency__c, Payment_Reference__c, "
        "Approval_Status__c, Direct_Debit__c, Payment_Instrument__c, Document_Date__c, "
        "Due_Date__c, Account__r.BillingCountry FROM Ledgerlink_Entry__c"
    )

    receivables = [e for e in entries if e["Direction__c"] == "Receivable"]
    payables = [e for e in entries if e["Direction__c"] == "Payable"]
    assert len(receivables) > 3 * len(payables) > 0
    assert sum(e["Currency__c"] == "EUR" for e in entries) > 0.8 * len(entries)
    assert all(
        e["Account__r"]["BillingCountry"] == "Switzerland"
        for e in entries
        if e["Currency__c"] == "CHF"
    )
    invoices = [e for e in receivables if e["Type__c"] == "Invoice"]
    assert all(re.fullmatch(r"RE-20\d\d-\d{6}", e["Document_Number__c"]) for e in invoices)
    assert all(mod97_valid(e["Payment_Reference__c"]) for e in invoices)
    assert all(e["Payment_Reference__c"].startswith("RF") for e in invoices)
    assert {e["Approval_Status__c"] for e in receivables} == {"Not Required"}
    assert {"Approved", "Pending"} <= {e["Approval_Status__c"] for e in payables}
    direct_debits = [e for e in entries if e["Direct_Debit__c"]]
    assert direct_debits
    assert all(e["Payment_Instrument__c"] for e in direct_debits)
    assert all(e["Document_Date__c"] <= e["Due_Date__c"] for e in entries)
    assert all("2026-02-01" <= e["Document_Date__c"] < "2026-11-22" for e in entries)


def test_open_amounts_are_the_amount_less_what_entry_items_settled(api):
    entries = api.records(
        "SELECT Id, Amount__c, Open_Amount__c, Status__c FROM Ledgerlink_Entry__c"
    )
    settled: dict[str, Decimal] = defaultdict(Decimal)
    for item in api.records("SELECT Entry__c, Amount__c FROM Ledgerlink_Entry_Item__c"):
        settled[item["Entry__c"]] += Decimal(str(item["Amount__c"]))

    for entry in entries:
        amount, open_amount = (
            Decimal(str(entry["Amount__c"])),
            Decimal(str(entry["Open_Amount__c"])),
        )
        if entry["Status__c"] == "Cancelled":
            assert open_amount == 0
            continue
        assert open_amount == amount - settled[entry["Id"]], entry
        assert (entry["Status__c"] == "Balanced") == (open_amount == 0), entry
    statuses = {entry["Status__c"] for entry in entries}
    assert statuses == {"Open", "Balanced", "Cancelled"}


def test_payments_add_up_to_their_items_and_have_unique_end_to_end_ids(api):
    payments = api.records(
        "SELECT Id, Amount__c, Status__c, Type__c, End_To_End_Id__c, Counterparty_IBAN__c "
        "FROM Ledgerlink_Payment__c"
    )
    items: dict[str, Decimal] = defaultdict(Decimal)
    for item in api.records("SELECT Payment__c, Amount__c FROM Ledgerlink_Entry_Item__c"):
        items[item["Payment__c"]] += Decimal(str(item["Amount__c"]))

    assert len({p["End_To_End_Id__c"] for p in payments}) == len(payments)
    for payment in payments:
        if payment["Status__c"] == "Reversed":
            assert payment["Id"] not in items
        else:
            assert Decimal(str(payment["Amount__c"])) == items[payment["Id"]]
        assert mod97_valid(payment["Counterparty_IBAN__c"])
    assert {p["Type__c"] for p in payments} == {"Incoming", "Outgoing"}


def test_running_again_without_reset_is_refused(generated):
    folder, _ = generated

    finished = run_demo(data_path_in(folder))

    assert finished.returncode != 0
    assert "already has records" in finished.stderr


def test_reset_replaces_the_orgs_records_instead_of_adding_to_them(tmp_path):
    data_path = data_path_in(tmp_path)

    first = run_demo(data_path, "--accounts", "20", "--entries", "150")
    again = run_demo(data_path, "--accounts", "20", "--entries", "150", "--reset")

    assert first.returncode == again.returncode == 0
    written = re.compile(r"org \w+: (.*) in")
    assert written.search(first.stdout).group(1) == written.search(again.stdout).group(1)
    with running_local_salesforce(tmp_path, LEDGERLINK_URL) as running:
        counts = requests.get(running.url("/_standin/counts"), timeout=TIMEOUT).json()
    assert counts[ACME]["Ledgerlink_Entry__c"] == 150
    assert counts[ACME]["Account"] == 20


def test_the_same_seed_gives_the_same_records(tmp_path):
    def first_entries(folder):
        assert run_demo(data_path_in(folder), "--accounts", "15", "--entries", "60").returncode == 0
        with running_local_salesforce(folder, LEDGERLINK_URL) as running:
            return connect(running, ADMIN).records(
                "SELECT Id, Name, Amount__c, Document_Number__c, Account__r.Name, "
                "Payment_Reference__c "
                "FROM Ledgerlink_Entry__c ORDER BY Name"
            )

    assert first_entries(tmp_path / "one") == first_entries(tmp_path / "two")


def test_another_org_can_be_filled_and_stays_apart(tmp_path):
    folder = tmp_path / "globex"
    finished = run_demo(
        data_path_in(folder), "--org", GLOBEX, "--accounts", "10", "--entries", "30"
    )
    assert finished.returncode == 0, finished.stderr

    with running_local_salesforce(folder, LEDGERLINK_URL) as running:
        erin_sees = connect(running, OUTSIDER).query("SELECT COUNT() FROM Ledgerlink_Entry__c")
        alice_sees = connect(running, ADMIN).query("SELECT COUNT() FROM Ledgerlink_Entry__c")

    assert erin_sees.json()["totalSize"] == 30
    assert alice_sees.json()["totalSize"] == 0


def test_company_names_stay_unique_long_after_the_name_parts_run_out():
    import random

    from standins.salesforce.demo.companies import COUNTRIES, company

    rng = random.Random(7)
    taken: set[str] = set()
    names = [company(rng, COUNTRIES[0], taken).name for _ in range(20_000)]
    assert len(set(names)) == 20_000


def test_the_demo_statement_pays_open_invoices_and_waits_for_review(api):
    items = api.records(
        "SELECT Amount__c, Remittance_Information__c, Match_Status__c "
        "FROM Ledgerlink_Bank_Statement_Item__c"
    )
    assert len(items) == 61
    assert {item["Match_Status__c"] for item in items} == {"Unmatched"}
    assert sum(1 for item in items if item["Amount__c"] < 0) == 1
