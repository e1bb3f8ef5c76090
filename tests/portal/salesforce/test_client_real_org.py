"""The client's core behaviour against a real Salesforce org with the Ledgerlink package.

Runs only when SALESFORCE_TEST_INSTANCE_URL and SALESFORCE_TEST_ACCESS_TOKEN name a (sandbox) org
and a token of a user with the Ledgerlink Admin permission set; otherwise it is skipped, and says
so: the same behaviour is covered against the local Salesforce in test_client.py.
"""

import os
import secrets

import pytest

from portal.salesforce.client import SalesforceClient

INSTANCE_URL = os.environ.get("SALESFORCE_TEST_INSTANCE_URL", "")
ACCESS_TOKEN = os.environ.get("SALESFORCE_TEST_ACCESS_TOKEN", "")

pytestmark = pytest.mark.skipif(
    not (INSTANCE_URL and ACCESS_TOKEN),
    reason="no real org configured (SALESFORCE_TEST_INSTANCE_URL, SALESFORCE_TEST_ACCESS_TOKEN); "
    "the client suite ran against the local Salesforce only",
)

ENTRY = "Ledgerlink_Entry__c"


@pytest.fixture
def client():
    return SalesforceClient(
        instance_url=INSTANCE_URL, access_token=ACCESS_TOKEN, api_version="62.0", timeout=30
    )


def test_an_upsert_written_twice_creates_each_record_once_in_a_real_org(client):
    tag = f"LLTEST-{secrets.token_hex(4)}"
    records = [
        {"External_Id__c": f"{tag}-{n}", "Amount__c": "1.00", "Open_Amount__c": "1.00"}
        for n in range(3)
    ]
    first = client.upsert(ENTRY, "External_Id__c", records)
    again = client.upsert(ENTRY, "External_Id__c", records)
    assert [r.record_id for r in first] == [r.record_id for r in again]
    found = list(client.query(f"SELECT Id FROM {ENTRY} WHERE External_Id__c LIKE '{tag}-%'"))
    assert len(found) == 3


def test_describe_of_a_real_org_has_the_package_fields(client):
    assert client.describe(ENTRY).fields["External_Id__c"].is_external_id
