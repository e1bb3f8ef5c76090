"""simple-salesforce, the library Ledgerlink's client builds on, against the stand-in unchanged.

simple-salesforce always speaks https to ``instance_url``; a transport adapter on its session sends
those requests to the stand-in's plain http port instead, and changes nothing else.
"""

import csv
import io
from urllib.parse import urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.standins.salesforce.data_api import password_token
from tests.standins.salesforce.personas import ADMIN

simple_salesforce = pytest.importorskip("simple_salesforce")

ENTRY = "Ledgerlink_Entry__c"


class PlainHttpAdapter(HTTPAdapter):
    """Sends ``https://host:port/...`` requests to ``http://host:port/...``."""

    def send(self, request, *args, **kwargs):
        if request.url and request.url.startswith("https://"):
            request.url = "http://" + request.url.removeprefix("https://")
        return super().send(request, *args, **kwargs)


@pytest.fixture(scope="module")
def sf(local_salesforce):
    netloc = urlsplit(local_salesforce.base_url).netloc
    session = requests.Session()
    session.mount(f"https://{netloc}", PlainHttpAdapter())
    return simple_salesforce.Salesforce(
        instance_url=f"https://{netloc}",
        session_id=password_token(local_salesforce, ADMIN),
        session=session,
        version="62.0",
    )


def test_query_all_follows_the_pages_of_a_large_query(sf):
    records = [{"External_Id__c": f"SF-{n:05d}", "Amount__c": n} for n in range(2100)]
    loaded = sf.bulk2.Ledgerlink_Entry__c.insert(records=records, wait=0.1)

    result = sf.query_all(
        "SELECT External_Id__c, Amount__c FROM Ledgerlink_Entry__c WHERE External_Id__c LIKE 'SF-%'"
    )

    assert loaded[0]["numberRecordsProcessed"] == 2100
    assert loaded[0]["numberRecordsFailed"] == 0
    assert result["totalSize"] == 2100
    assert result["done"] is True
    assert len(result["records"]) == 2100
    assert sf.api_usage["api-usage"].total == 100000


def test_upsert_by_external_id_creates_then_updates(sf):
    created = sf.Ledgerlink_Entry__c.upsert("External_Id__c/SF-UPSERT", {"Amount__c": 1})
    updated = sf.Ledgerlink_Entry__c.upsert("External_Id__c/SF-UPSERT", {"Amount__c": 2})

    record = sf.Ledgerlink_Entry__c.get_by_custom_id("External_Id__c", "SF-UPSERT")
    assert created == 201
    assert updated == 200
    assert record["Amount__c"] == 2.0


def test_create_update_get_and_delete_through_the_object_proxy(sf):
    created = sf.Ledgerlink_Entry__c.create({"External_Id__c": "SF-CRUD", "Amount__c": 5})
    sf.Ledgerlink_Entry__c.update(created["id"], {"Open_Amount__c": 5})

    record = sf.Ledgerlink_Entry__c.get(created["id"])
    sf.Ledgerlink_Entry__c.delete(created["id"])

    assert created["success"] is True
    assert record["Open_Amount__c"] == 5.0
    with pytest.raises(simple_salesforce.exceptions.SalesforceResourceNotFound):
        sf.Ledgerlink_Entry__c.get(created["id"])


def test_restful_composite_collections(sf):
    results = sf.restful(
        "composite/sobjects",
        method="POST",
        json={
            "allOrNone": True,
            "records": [
                {"attributes": {"type": ENTRY}, "External_Id__c": "SF-COMPOSITE-1"},
                {"attributes": {"type": ENTRY}, "External_Id__c": "SF-COMPOSITE-2"},
            ],
        },
    )

    assert [result["success"] for result in results] == [True, True]


def test_describe_and_limits(sf):
    described = sf.Ledgerlink_Entry__c.describe()
    limits = sf.limits()

    assert described["name"] == ENTRY
    assert "External_Id__c" in {field["name"] for field in described["fields"]}
    assert limits["DailyApiRequests"]["Max"] == 100000


def test_bulk2_query_reads_every_record_as_csv(sf):
    chunks = list(
        sf.bulk2.Ledgerlink_Entry__c.query(
            "SELECT External_Id__c FROM Ledgerlink_Entry__c WHERE External_Id__c LIKE 'SF-0%' "
            "ORDER BY External_Id__c",
            max_records=1000,
            wait=0.1,
        )
    )

    rows = [row for chunk in chunks for row in csv.DictReader(io.StringIO(chunk))]
    assert len(chunks) == 3
    assert len(rows) == 2100
    assert rows[0] == {"External_Id__c": "SF-00000"}


def test_salesforce_errors_become_simple_salesforce_exceptions(sf):
    with pytest.raises(simple_salesforce.exceptions.SalesforceMalformedRequest) as raised:
        sf.query("SELECT Nope__c FROM Ledgerlink_Entry__c")

    assert raised.value.content[0]["errorCode"] == "INVALID_FIELD"
