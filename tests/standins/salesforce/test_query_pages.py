"""Large queries: pages of 2,000 (or the batchSize asked for), nextRecordsUrl and locators."""

import re
from collections.abc import Iterator

import pytest

from tests.standins.salesforce.data_api import DataApi, connect, error_code
from tests.standins.salesforce.demo_store import run_demo
from tests.standins.salesforce.flows import LEDGERLINK_URL, LocalSalesforce
from tests.standins.salesforce.personas import ADMIN, FINANCE_MANAGER
from tests.standins.salesforce.server import data_path_in, running_local_salesforce

ENTRIES = 4500
NEXT_URL = re.compile(r"/services/data/v62\.0/query/01g[0-9A-Za-z]{15}-(\d+)")


@pytest.fixture(scope="module")
def local_salesforce(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSalesforce]:
    """A stand-in whose Acme org holds 4,500 demo entries."""
    folder = tmp_path_factory.mktemp("local-salesforce-pages")
    finished = run_demo(data_path_in(folder), "--entries", str(ENTRIES))
    assert finished.returncode == 0, finished.stderr
    with running_local_salesforce(folder, LEDGERLINK_URL) as running:
        yield running


@pytest.fixture(scope="module")
def api(local_salesforce: LocalSalesforce) -> DataApi:
    return connect(local_salesforce, ADMIN)


def test_a_large_query_answers_2000_records_and_the_url_of_the_next_page(api):
    body = api.query("SELECT Id FROM Ledgerlink_Entry__c").json()

    assert body["totalSize"] == ENTRIES
    assert body["done"] is False
    assert len(body["records"]) == 2000
    match = NEXT_URL.fullmatch(body["nextRecordsUrl"])
    assert match is not None
    assert match.group(1) == "2000"


def test_following_next_records_url_reads_every_record_once_in_order(api):
    answer = api.query("SELECT Name, Amount__c FROM Ledgerlink_Entry__c ORDER BY Name DESC")
    body = answer.json()
    names = [record["Name"] for record in body["records"]]
    pages = 1
    while not body["done"]:
        body = api.get(body["nextRecordsUrl"]).json()
        assert body["totalSize"] == ENTRIES
        names.extend(record["Name"] for record in body["records"])
        pages += 1

    assert pages == 3
    assert len(names) == ENTRIES == len(set(names))
    assert names == sorted(names, reverse=True)
    assert "nextRecordsUrl" not in body


@pytest.mark.parametrize(("asked", "page"), [(500, 500), (50, 200), (5000, 2000)])
def test_the_batch_size_header_sets_the_page_size_within_200_to_2000(api, asked, page):
    headers = {"Sforce-Query-Options": f"batchSize={asked}"}

    body = api.query("SELECT Id FROM Ledgerlink_Entry__c", headers=headers).json()
    following = api.get(body["nextRecordsUrl"], headers=headers).json()

    assert len(body["records"]) == page
    assert len(following["records"]) == page
    assert body["nextRecordsUrl"].endswith(f"-{page}")


def test_query_all_pages_under_query_all(api):
    body = api.get("queryAll", params={"q": "SELECT Id FROM Ledgerlink_Entry__c"}).json()

    assert "/queryAll/" in body["nextRecordsUrl"]
    assert len(api.get(body["nextRecordsUrl"]).json()["records"]) == 2000


def test_an_unknown_locator_is_an_invalid_query_locator(api):
    answer = api.get("query/01g5g00000AbCdEfGh-2000")

    assert answer.status_code == 400
    assert error_code(answer) == "INVALID_QUERY_LOCATOR"


def test_another_users_locator_is_invalid_for_them(api, local_salesforce):
    next_url = api.query("SELECT Id FROM Ledgerlink_Entry__c").json()["nextRecordsUrl"]

    answer = connect(local_salesforce, FINANCE_MANAGER).get(next_url)

    assert answer.status_code == 400
    assert error_code(answer) == "INVALID_QUERY_LOCATOR"


def test_relationship_fields_survive_paging(api):
    body = api.query(
        "SELECT Name, Account__r.AccountNumber FROM Ledgerlink_Entry__c ORDER BY Name"
    ).json()
    last_page = api.get(body["nextRecordsUrl"]).json()

    record = last_page["records"][0]
    assert re.fullmatch(r"[DK]\d{5}", record["Account__r"]["AccountNumber"])
