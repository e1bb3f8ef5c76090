"""The Salesforce client against the local Salesforce, over real HTTP."""

from decimal import Decimal

import pytest
from django.conf import settings

from portal.salesforce.client import RetryPolicy, SalesforceClient
from portal.salesforce.errors import (
    SalesforcePermissionError,
    SalesforceRequestError,
    SalesforceRetryableError,
    SalesforceSessionExpired,
)
from tests.salesforce_fixtures import arm_failures, password_grant, reset

pytestmark = pytest.mark.integration

ENTRY = "Ledgerlink_Entry__c"


def client_as(local_salesforce, username, password, **options) -> SalesforceClient:
    grant = password_grant(local_salesforce, username, password)
    options.setdefault("sleep", lambda seconds: None)
    return SalesforceClient(
        instance_url=grant["instance_url"],
        access_token=grant["access_token"],
        api_version=settings.SALESFORCE_API_VERSION,
        timeout=10,
        local_salesforce_url=local_salesforce.url,
        **options,
    )


@pytest.fixture
def alice(local_salesforce):
    reset(local_salesforce)
    return client_as(local_salesforce, "alice@acme.example", "alice-demo-pass")


def entries(count, *, prefix="INV", amount="100.00"):
    return [
        {
            "External_Id__c": f"{prefix}-{number:05d}",
            "Document_Number__c": f"{prefix}-{number:05d}",
            "Amount__c": amount,
            "Open_Amount__c": amount,
            "Currency__c": "EUR",
            "Status__c": "Open",
        }
        for number in range(count)
    ]


def count_of(client, prefix: str) -> int:
    return client.count(f"SELECT COUNT() FROM {ENTRY} WHERE External_Id__c LIKE '{prefix}-%'")


def test_an_upsert_written_twice_creates_each_record_once(alice):
    first = alice.upsert(ENTRY, "External_Id__c", entries(450, prefix="TWICE"))
    again = alice.upsert(ENTRY, "External_Id__c", entries(450, prefix="TWICE", amount="80.00"))
    assert len(first) == len(again) == 450
    assert all(result.is_created for result in first)
    assert not any(result.is_created for result in again)
    assert count_of(alice, "TWICE") == 450
    assert {r.record_id for r in first} == {r.record_id for r in again}


def test_a_query_follows_every_page(alice):
    alice.upsert(ENTRY, "External_Id__c", entries(2300, prefix="PAGE"))
    records = list(
        alice.query(
            f"SELECT Id, Document_Number__c, Amount__c FROM {ENTRY} "
            "WHERE External_Id__c LIKE 'PAGE-%'"
        )
    )
    assert len(records) == 2300
    assert len({record["Id"] for record in records}) == 2300
    assert "attributes" not in records[0]
    assert Decimal(str(records[0]["Amount__c"])) == Decimal("100.00")


def test_a_refused_record_rolls_back_its_whole_call(alice):
    batch = entries(3, prefix="ROLLBACK")
    batch[1]["Status__c"] = "Not a status"
    with pytest.raises(SalesforceRequestError, match="Record 2"):
        alice.upsert(ENTRY, "External_Id__c", batch)
    assert count_of(alice, "ROLLBACK") == 0


def test_unavailable_and_over_the_limit_calls_are_retried(local_salesforce, alice):
    arm_failures(local_salesforce, "unavailable", 2)
    assert alice.count(f"SELECT COUNT() FROM {ENTRY}") >= 0
    arm_failures(local_salesforce, "request_limit", 1)
    assert alice.count(f"SELECT COUNT() FROM {ENTRY}") >= 0


def test_retries_give_up_with_a_retryable_error(local_salesforce, alice):
    arm_failures(local_salesforce, "unavailable", 10)
    with pytest.raises(SalesforceRetryableError):
        alice.count(f"SELECT COUNT() FROM {ENTRY}")


def test_an_expired_session_is_renewed_once_and_the_call_repeated(local_salesforce):
    reset(local_salesforce)
    renewals = []

    def renew() -> str:
        renewals.append(1)
        return password_grant(local_salesforce, "alice@acme.example", "alice-demo-pass")[
            "access_token"
        ]

    client = client_as(local_salesforce, "alice@acme.example", "alice-demo-pass", renew_token=renew)
    arm_failures(local_salesforce, "expired_session", 1)
    assert client.count(f"SELECT COUNT() FROM {ENTRY}") >= 0
    assert renewals == [1]


def test_without_a_way_to_renew_an_expired_session_is_reported(local_salesforce, alice):
    arm_failures(local_salesforce, "expired_session", 1)
    with pytest.raises(SalesforceSessionExpired):
        alice.count(f"SELECT COUNT() FROM {ENTRY}")


def test_a_read_only_user_is_told_they_may_not_write(local_salesforce):
    reset(local_salesforce)
    dave = client_as(local_salesforce, "dave@acme.example", "dave-demo-pass")
    with pytest.raises(SalesforcePermissionError, match="permissions"):
        dave.upsert(ENTRY, "External_Id__c", entries(1))


def test_a_bad_query_is_a_request_error_not_a_retry(alice):
    with pytest.raises(SalesforceRequestError):
        list(alice.query(f"SELECT Id FROM {ENTRY} WHERE"))


def test_a_field_hidden_from_the_user_is_explained(local_salesforce):
    import requests

    reset(local_salesforce)
    requests.post(
        f"{local_salesforce.url}/_standin/field-security",
        json={
            "user_id": "0055g00000CClerAAD",
            "field": f"{ENTRY}.Open_Amount__c",
            "readable": False,
            "editable": False,
        },
        timeout=10,
    ).raise_for_status()
    carol = client_as(local_salesforce, "carol@acme.example", "carol-demo-pass")
    with pytest.raises(SalesforcePermissionError, match="hidden from you"):
        list(carol.query(f"SELECT Id, Open_Amount__c FROM {ENTRY}"))


def test_describe_lists_the_package_fields(alice):
    description = alice.describe(ENTRY)
    assert description.fields["External_Id__c"].is_external_id
    assert description.fields["Amount__c"].type == "currency"
    assert description.fields["Account__c"].reference_to == ("Account",)


def test_api_usage_is_read_from_every_answer(alice):
    alice.count(f"SELECT COUNT() FROM {ENTRY}")
    assert alice.api_usage is not None
    assert alice.api_usage.limit > 0


def test_bulk_upsert_and_query_move_many_records(alice):
    processed, failed = alice.bulk_upsert(ENTRY, "External_Id__c", entries(3000, prefix="BULK"))
    assert (processed, failed) == (3000, 0)
    rows = list(
        alice.bulk_query(
            f"SELECT Id, External_Id__c FROM {ENTRY} WHERE External_Id__c LIKE 'BULK-%'"
        )
    )
    assert len(rows) == 3000


def test_retry_policy_bounds_the_attempts(local_salesforce):
    reset(local_salesforce)
    client = client_as(
        local_salesforce, "alice@acme.example", "alice-demo-pass", retry=RetryPolicy(attempts=2)
    )
    arm_failures(local_salesforce, "unavailable", 2)
    with pytest.raises(SalesforceRetryableError):
        client.count(f"SELECT COUNT() FROM {ENTRY}")


def test_open_entries_come_back_typed_through_rest_and_bulk_alike(alice):
    from datetime import date

    from portal.salesforce.mapping import default_mapping
    from portal.salesforce.records import read_open_entries

    batch = entries(3, prefix="TYPED", amount="19.99")
    for record in batch:
        record["Due_Date__c"] = "2026-12-01"
    alice.upsert(ENTRY, "External_Id__c", batch)
    mapping = default_mapping("entry")
    by_rest = {e.external_id: e for e in read_open_entries(alice, mapping)}
    by_bulk = {e.external_id: e for e in read_open_entries(alice, mapping, use_bulk=True)}
    typed = by_rest["TYPED-00001"]
    assert typed.open_amount == Decimal("19.99")
    assert typed.due_date == date(2026, 12, 1)
    assert typed.is_direct_debit is False
    assert by_bulk["TYPED-00001"] == typed
    assert by_rest.keys() == by_bulk.keys()


def test_a_composite_call_writes_everything_or_nothing(alice):
    good = [
        {
            "method": "PATCH",
            "url": f"sobjects/{ENTRY}/External_Id__c/COMPOSITE-1",
            "referenceId": "first",
            "body": {"Amount__c": "10.00", "Open_Amount__c": "10.00", "Status__c": "Open"},
        },
        {
            "method": "PATCH",
            "url": "sobjects/Ledgerlink_Payment__c/End_To_End_Id__c/COMPOSITE-PAY",
            "referenceId": "payment",
            "body": {"Amount__c": "10.00", "Currency__c": "EUR"},
        },
        {
            "method": "PATCH",
            "url": "sobjects/Ledgerlink_Entry_Item__c/External_Id__c/COMPOSITE-LINK",
            "referenceId": "link",
            "body": {"Entry__c": "@{first.id}", "Payment__c": "@{payment.id}", "Amount__c": "10"},
        },
    ]
    broken = [*good, {**good[0], "referenceId": "bad", "body": {"Status__c": "Nonsense"}}]
    with pytest.raises(SalesforceRequestError, match="bad"):
        alice.composite(broken)
    assert count_of(alice, "COMPOSITE") == 0
    assert (
        alice.count(
            "SELECT COUNT() FROM Ledgerlink_Payment__c WHERE End_To_End_Id__c = 'COMPOSITE-PAY'"
        )
        == 0
    )

    bodies = alice.composite(good)
    link = next(
        iter(
            alice.query(
                "SELECT Entry__c, Payment__c FROM Ledgerlink_Entry_Item__c "
                "WHERE External_Id__c = 'COMPOSITE-LINK'"
            )
        )
    )
    assert link["Entry__c"] == bodies[0]["id"]
    assert link["Payment__c"] == bodies[1]["id"]
    again = alice.composite(good)
    assert [body["id"] for body in again] == [body["id"] for body in bodies]
    assert count_of(alice, "COMPOSITE") == 1
