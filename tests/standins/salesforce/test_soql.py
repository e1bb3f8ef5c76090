"""SOQL through ``query``: answer shapes, relationship fields, every supported filter, ordering,
paging clauses and the errors Salesforce answers bad queries with."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.standins.salesforce.data_api import DataApi, connect, error_code
from tests.standins.salesforce.personas import ADMIN

ENTRY = "Ledgerlink_Entry__c"
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000")


def berlin_today() -> date:
    # Alice's time zone decides where her TODAY starts and ends.
    return datetime.now(ZoneInfo("Europe/Berlin")).date()


@pytest.fixture(scope="module")
def ledger(local_salesforce):
    """Alice's API and a small known ledger: three accounts and six entries."""
    api = connect(local_salesforce, ADMIN)
    today = berlin_today()
    accounts = {
        "alpen": api.create("Account", Name="Alpen Logistik GmbH", BillingCountry="Austria"),
        "brenner": api.create(
            "Account", Name="Brenner Maschinenbau AG", BillingCountry="Germany", BillingCity="Ulm"
        ),
        "celine": api.create("Account", Name="Céline Emballages SAS", BillingCountry="France"),
    }
    mandate = api.create(
        "Ledgerlink_Payment_Instrument__c",
        Account__c=accounts["brenner"],
        IBAN__c="DE89370400440532013000",
        Mandate_Reference__c="MNDT-1",
    )
    rows = [
        ("E-ALPHA", "RE-2026-000001", 1500.5, 1500.5, "Open", accounts["alpen"], 0, False),
        ("E-BRAVO", "RE-2026-000002", 99.99, 0, "Balanced", accounts["brenner"], 1, True),
        ("E-CHARLIE", "RE-2026-000003", 250, 100, "Open", accounts["brenner"], 10, False),
        ("E-DELTA", "GS-2026-000004", -40, -40, "Open", accounts["celine"], 40, False),
        ("E-ECHO", "RE_2026_000005", 10000, 10000, "Cancelled", None, 70, False),
        ("E-FOXTROT", None, 5, 5, "Open", None, -5, False),
    ]
    entries = {}
    for external_id, number, amount, open_amount, status, account, age, direct_debit in rows:
        fields = {
            "External_Id__c": external_id,
            "Amount__c": amount,
            "Open_Amount__c": open_amount,
            "Status__c": status,
            "Document_Date__c": (today - timedelta(days=age)).isoformat(),
            "Due_Date__c": (today - timedelta(days=age) + timedelta(days=14)).isoformat(),
            "Direct_Debit__c": direct_debit,
        }
        if number:
            fields["Document_Number__c"] = number
        if account:
            fields["Account__c"] = account
        if direct_debit:
            fields["Payment_Instrument__c"] = mandate
        entries[external_id] = api.create(ENTRY, **fields)
    return api, accounts, entries


def external_ids(api: DataApi, where: str) -> list[str]:
    answer = api.query(
        f"SELECT External_Id__c FROM Ledgerlink_Entry__c WHERE {where} ORDER BY External_Id__c"
    )
    assert answer.status_code == 200, answer.text
    return [record["External_Id__c"] for record in answer.json()["records"]]


def test_query_answers_records_with_attributes_and_only_the_selected_fields(ledger):
    api, _, entries = ledger

    answer = api.query("SELECT Id, Name FROM Ledgerlink_Entry__c WHERE External_Id__c = 'E-ALPHA'")

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert list(body) == ["totalSize", "done", "records"]
    assert body["totalSize"] == 1
    assert body["done"] is True
    record = body["records"][0]
    assert list(record) == ["attributes", "Id", "Name"]
    assert record["attributes"] == {
        "type": ENTRY,
        "url": f"/services/data/v62.0/sobjects/Ledgerlink_Entry__c/{entries['E-ALPHA']}",
    }
    assert re.fullmatch(r"E-\d{6}", record["Name"])
    assert record["Id"].startswith("a0")
    assert len(record["Id"]) == 18


def test_field_names_are_matched_in_any_case_and_answered_in_their_own(ledger):
    api, _, _ = ledger

    answer = api.query(
        "select external_id__c, STATUS__C from ledgerlink_entry__c where status__c = 'balanced'"
    )

    assert answer.json()["records"][0] | {"attributes": None} == {
        "attributes": None,
        "External_Id__c": "E-BRAVO",
        "Status__c": "Balanced",
    }


def test_numbers_dates_and_datetimes_have_salesforce_json_shapes(ledger):
    api, _, _ = ledger

    record = api.query(
        "SELECT Amount__c, Open_Amount__c, Document_Date__c, CreatedDate, Direct_Debit__c "
        "FROM Ledgerlink_Entry__c WHERE External_Id__c = 'E-ALPHA'"
    ).json()["records"][0]

    assert record["Amount__c"] == 1500.5
    assert isinstance(record["Amount__c"], float)
    assert record["Document_Date__c"] == berlin_today().isoformat()
    assert DATETIME.fullmatch(record["CreatedDate"])
    assert record["Direct_Debit__c"] is False


def test_parent_relationship_fields_are_nested_objects_or_null(ledger):
    api, accounts, _ = ledger

    records = api.query(
        "SELECT External_Id__c, Account__r.Name, Account__r.BillingCity FROM Ledgerlink_Entry__c "
        "WHERE External_Id__c IN ('E-BRAVO', 'E-ECHO') ORDER BY External_Id__c"
    ).json()["records"]

    assert records[0]["Account__r"] == {
        "attributes": {
            "type": "Account",
            "url": f"/services/data/v62.0/sobjects/Account/{accounts['brenner']}",
        },
        "Name": "Brenner Maschinenbau AG",
        "BillingCity": "Ulm",
    }
    assert records[1]["Account__r"] is None


def test_relationships_reach_two_levels_and_the_owner(ledger, local_salesforce):
    api, _, entries = ledger
    item = api.create(
        "Ledgerlink_Entry_Item__c",
        Entry__c=entries["E-BRAVO"],
        Amount__c=99.99,
        External_Id__c="I-1",
    )

    record = api.query(
        "SELECT Entry__r.Account__r.Name, Owner.Name, CreatedBy.Username "
        f"FROM Ledgerlink_Entry_Item__c WHERE Id = '{item}'"
    ).json()["records"][0]

    assert record["Entry__r"]["Account__r"]["Name"] == "Brenner Maschinenbau AG"
    assert record["Entry__r"]["attributes"]["type"] == ENTRY
    assert record["Owner"]["Name"] == "Alice Admin"
    assert record["Owner"]["attributes"]["type"] == "User"
    assert record["CreatedBy"]["Username"] == "alice@acme.example"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("Amount__c = 250", ["E-CHARLIE"]),
        ("Amount__c != 250", ["E-ALPHA", "E-BRAVO", "E-DELTA", "E-ECHO", "E-FOXTROT"]),
        ("Amount__c <> 250", ["E-ALPHA", "E-BRAVO", "E-DELTA", "E-ECHO", "E-FOXTROT"]),
        ("Amount__c < 99.99", ["E-DELTA", "E-FOXTROT"]),
        ("Amount__c <= 99.99", ["E-BRAVO", "E-DELTA", "E-FOXTROT"]),
        ("Amount__c > 1500.5", ["E-ECHO"]),
        ("Amount__c >= 1500.5", ["E-ALPHA", "E-ECHO"]),
        ("Amount__c < -10", ["E-DELTA"]),
        ("Open_Amount__c = 0", ["E-BRAVO"]),
    ],
)
def test_comparison_operators_filter_numbers(ledger, condition, expected):
    api, _, _ = ledger

    assert external_ids(api, condition) == expected


def test_strings_compare_without_regard_to_case(ledger):
    api, _, _ = ledger

    assert external_ids(api, "Status__c = 'CANCELLED'") == ["E-ECHO"]
    assert external_ids(api, "External_Id__c > 'e-delta'") == ["E-ECHO", "E-FOXTROT"]


def test_in_and_not_in_take_lists_and_null(ledger):
    api, _, _ = ledger

    assert external_ids(api, "Status__c IN ('Balanced', 'Cancelled')") == ["E-BRAVO", "E-ECHO"]
    assert external_ids(api, "Status__c NOT IN ('Open')") == ["E-BRAVO", "E-ECHO"]
    assert external_ids(api, "Document_Number__c IN (null, 'GS-2026-000004')") == [
        "E-DELTA",
        "E-FOXTROT",
    ]


def test_like_matches_percent_and_underscore_and_escapes(ledger):
    api, _, _ = ledger

    assert external_ids(api, "Document_Number__c LIKE 'gs%'") == ["E-DELTA"]
    assert external_ids(api, "Document_Number__c LIKE 'RE-2026-00000_'") == [
        "E-ALPHA",
        "E-BRAVO",
        "E-CHARLIE",
    ]
    # "_" matches any one character, "\_" only an underscore.
    assert external_ids(api, "Document_Number__c LIKE 'RE_2026%'") == [
        "E-ALPHA",
        "E-BRAVO",
        "E-CHARLIE",
        "E-ECHO",
    ]
    assert external_ids(api, "Document_Number__c LIKE 'RE\\_2026%'") == ["E-ECHO"]


def test_and_or_not_combine_with_parentheses(ledger):
    api, _, _ = ledger

    assert external_ids(api, "Status__c = 'Open' AND (Amount__c > 1000 OR Amount__c < 0)") == [
        "E-ALPHA",
        "E-DELTA",
    ]
    assert external_ids(api, "NOT (Status__c = 'Open')") == ["E-BRAVO", "E-ECHO"]
    assert external_ids(
        api, "(Amount__c = 5 OR Amount__c = 250) AND NOT Status__c = 'Cancelled'"
    ) == [
        "E-CHARLIE",
        "E-FOXTROT",
    ]


def test_mixing_and_with_or_without_parentheses_is_malformed(ledger):
    api, _, _ = ledger

    answer = api.query(
        "SELECT Id FROM Ledgerlink_Entry__c WHERE Amount__c > 1 AND Amount__c < 5 OR Name = 'x'"
    )

    assert answer.status_code == 400
    assert error_code(answer) == "MALFORMED_QUERY"
    assert answer.json()[0]["message"].endswith("unexpected token: 'OR'")


def test_null_comparisons_and_inequality_includes_records_without_a_value(ledger):
    api, _, _ = ledger

    assert external_ids(api, "Account__c = null") == ["E-ECHO", "E-FOXTROT"]
    assert external_ids(api, "Document_Number__c != null AND Account__c != null") == [
        "E-ALPHA",
        "E-BRAVO",
        "E-CHARLIE",
        "E-DELTA",
    ]
    # SOQL has no unknown truth value: records without a number are "not equal" to any number.
    assert "E-FOXTROT" in external_ids(api, "Document_Number__c != 'RE-2026-000001'")
    assert "E-FOXTROT" in external_ids(api, "NOT Document_Number__c = 'RE-2026-000001'")


def test_boolean_literals_filter_checkboxes(ledger):
    api, _, _ = ledger

    assert external_ids(api, "Direct_Debit__c = true") == ["E-BRAVO"]
    assert len(external_ids(api, "Direct_Debit__c = FALSE")) == 5


def test_date_and_datetime_literals(ledger):
    api, _, _ = ledger
    today = berlin_today()
    tomorrow_utc = (datetime.now(ZoneInfo("UTC")) + timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )

    assert external_ids(api, f"Document_Date__c = {today.isoformat()}") == ["E-ALPHA"]
    assert external_ids(api, f"Document_Date__c > {today.isoformat()}") == ["E-FOXTROT"]
    assert len(external_ids(api, "CreatedDate > 2020-01-01T00:00:00Z")) == 6
    assert external_ids(api, f"CreatedDate > {tomorrow_utc}") == []
    assert len(external_ids(api, "CreatedDate < 2099-01-01T00:00:00.000+01:00")) == 6


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("TODAY", ["E-ALPHA"]),
        ("YESTERDAY", ["E-BRAVO"]),
        ("TOMORROW", []),
        ("LAST_N_DAYS:30", ["E-ALPHA", "E-BRAVO", "E-CHARLIE"]),
        ("LAST_N_DAYS:60", ["E-ALPHA", "E-BRAVO", "E-CHARLIE", "E-DELTA"]),
        ("NEXT_N_DAYS:7", ["E-FOXTROT"]),
        ("N_DAYS_AGO:10", ["E-CHARLIE"]),
    ],
)
def test_date_literals_cover_days_in_the_users_time_zone(ledger, literal, expected):
    api, _, _ = ledger

    assert external_ids(api, f"Document_Date__c = {literal}") == expected


def test_month_literals_cover_calendar_months(ledger):
    api, _, _ = ledger
    today = berlin_today()
    first = today.replace(day=1)
    last_month_start = (first - timedelta(days=1)).replace(day=1)
    dates = {
        "E-ALPHA": 0,
        "E-BRAVO": 1,
        "E-CHARLIE": 10,
        "E-DELTA": 40,
        "E-ECHO": 70,
        "E-FOXTROT": -5,
    }

    def in_range(start: date, end: date) -> list[str]:
        return sorted(k for k, age in dates.items() if start <= today - timedelta(days=age) < end)

    next_month_start = (first + timedelta(days=32)).replace(day=1)
    assert external_ids(api, "Document_Date__c = THIS_MONTH") == in_range(first, next_month_start)
    assert external_ids(api, "Document_Date__c = LAST_MONTH") == in_range(last_month_start, first)
    assert external_ids(api, "CreatedDate = TODAY") == sorted(dates)
    assert external_ids(api, "CreatedDate < TODAY") == []


def test_order_by_sorts_ascending_descending_and_places_nulls(ledger):
    api, _, _ = ledger

    def order(clause: str) -> list[str]:
        answer = api.query(f"SELECT External_Id__c FROM Ledgerlink_Entry__c ORDER BY {clause}")
        assert answer.status_code == 200, answer.text
        return [r["External_Id__c"] for r in answer.json()["records"]]

    assert order("Amount__c") == [
        "E-DELTA",
        "E-FOXTROT",
        "E-BRAVO",
        "E-CHARLIE",
        "E-ALPHA",
        "E-ECHO",
    ]
    assert order("Amount__c DESC")[0] == "E-ECHO"
    assert order("Document_Number__c ASC")[0] == "E-FOXTROT"  # nulls first by default
    assert order("Document_Number__c ASC NULLS LAST")[-1] == "E-FOXTROT"
    assert order("Document_Number__c DESC")[-1] == "E-FOXTROT"  # nulls last by default
    assert order("Document_Number__c DESC NULLS FIRST")[0] == "E-FOXTROT"
    assert order("Account__r.Name DESC NULLS LAST, External_Id__c")[:2] == ["E-DELTA", "E-BRAVO"]


def test_limit_and_offset_page_through_ordered_records(ledger):
    api, _, _ = ledger

    answer = api.query(
        "SELECT External_Id__c FROM Ledgerlink_Entry__c ORDER BY External_Id__c LIMIT 2 OFFSET 3"
    )

    body = answer.json()
    assert body["totalSize"] == 2
    assert [r["External_Id__c"] for r in body["records"]] == ["E-DELTA", "E-ECHO"]


def test_offset_over_2000_is_refused(ledger):
    api, _, _ = ledger

    answer = api.query("SELECT Id FROM Ledgerlink_Entry__c OFFSET 2001")

    assert answer.status_code == 400
    assert error_code(answer) == "NUMBER_OUTSIDE_VALID_RANGE"


def test_count_answers_the_total_without_records(ledger):
    api, _, _ = ledger

    body = api.query("SELECT COUNT() FROM Ledgerlink_Entry__c WHERE Status__c = 'Open'").json()

    assert body == {"totalSize": 4, "done": True, "records": []}


def test_the_organization_query_of_the_login_still_answers(ledger):
    api, _, _ = ledger

    record = api.query("SELECT Name, IsSandbox FROM Organization LIMIT 1").json()["records"][0]

    assert record["Name"] == "Acme Industries GmbH"
    assert record["IsSandbox"] is False


def test_query_all_includes_deleted_records_and_query_does_not(ledger):
    api, _, _ = ledger
    doomed = api.create(ENTRY, External_Id__c="E-DOOMED")
    assert api.delete(f"sobjects/Ledgerlink_Entry__c/{doomed}").status_code == 204

    live = api.query(f"SELECT Id FROM Ledgerlink_Entry__c WHERE Id = '{doomed}'").json()
    everything = api.get(
        "queryAll",
        params={"q": f"SELECT Id, IsDeleted FROM Ledgerlink_Entry__c WHERE Id = '{doomed}'"},
    ).json()

    assert live["totalSize"] == 0
    assert everything["records"][0]["IsDeleted"] is True


def test_unknown_field_is_invalid_field_with_its_position(ledger):
    api, _, _ = ledger

    answer = api.query("SELECT Id, Chiffre__c FROM Ledgerlink_Entry__c")

    assert answer.status_code == 400
    assert error_code(answer) == "INVALID_FIELD"
    message = answer.json()[0]["message"]
    assert "ERROR at Row:1:Column:12" in message
    assert "No such column 'Chiffre__c' on entity 'Ledgerlink_Entry__c'" in message


def test_unknown_object_is_invalid_type(ledger):
    api, _, _ = ledger

    answer = api.query("SELECT Id FROM Nope__c")

    assert answer.status_code == 400
    assert error_code(answer) == "INVALID_TYPE"
    assert "ERROR at Row:1:Column:16" in answer.json()[0]["message"]
    assert "sObject type 'Nope__c' is not supported" in answer.json()[0]["message"]


def test_unknown_relationship_is_invalid_field(ledger):
    api, _, _ = ledger

    answer = api.query("SELECT Account__c.Name FROM Ledgerlink_Entry__c")

    assert answer.status_code == 400
    assert error_code(answer) == "INVALID_FIELD"
    assert "Didn't understand relationship 'Account__c'" in answer.json()[0]["message"]


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT FROM Ledgerlink_Entry__c",
        "SELECT Id Ledgerlink_Entry__c",
        "SELECT Id FROM",
        "SELECT Id FROM Ledgerlink_Entry__c WHERE",
        "SELECT Id FROM Ledgerlink_Entry__c WHERE Amount__c >",
        "SELECT Id FROM Ledgerlink_Entry__c WHERE Name = 'unterminated",
        "SELECT Id FROM Ledgerlink_Entry__c LIMIT x",
        "SELECT Id FROM Ledgerlink_Entry__c ORDER BY",
        "SELECT Id FROM Ledgerlink_Entry__c WHERE (Amount__c > 1",
        "SELECT Id, FROM Ledgerlink_Entry__c",
        "SELECT Id FROM Ledgerlink_Entry__c GROUP BY Id",
        "SELECT (SELECT Id FROM Entry_Items__r) FROM Ledgerlink_Entry__c",
        (
            "SELECT Id FROM Ledgerlink_Entry__c WHERE Id IN "
            "(SELECT Entry__c FROM Ledgerlink_Entry_Item__c)"
        ),
        "SELECT SUM(Amount__c) FROM Ledgerlink_Entry__c",
        "SELECT Id FROM Ledgerlink_Entry__c WHERE Document_Date__c = LAST_N_DAYS",
        "SELECT Id FROM Ledgerlink_Entry__c WHERE Document_Date__c = SOMEDAY",
        "SELECT Id FROM Ledgerlink_Entry__c WHERE Name = :name",
        "SELECT Name, Name FROM Ledgerlink_Entry__c",
        "DELETE FROM Ledgerlink_Entry__c",
        "",
    ],
)
def test_malformed_queries_are_refused_as_salesforce_refuses_them(ledger, soql):
    api, _, _ = ledger

    answer = api.query(soql)

    assert answer.status_code == 400, answer.text
    assert error_code(answer) == "MALFORMED_QUERY"


@pytest.mark.parametrize(
    "condition",
    [
        "Amount__c = '5'",
        "Name = 5",
        "Direct_Debit__c = 'true'",
        "Document_Date__c = '2026-01-01'",
        "Document_Date__c = 2026-01-01T00:00:00Z",
        "CreatedDate = 2026-01-01",
        "Account__c = 'not-an-id'",
        "Direct_Debit__c > true",
    ],
)
def test_values_of_the_wrong_type_are_refused(ledger, condition):
    api, _, _ = ledger

    answer = api.query(f"SELECT Id FROM Ledgerlink_Entry__c WHERE {condition}")

    assert answer.status_code == 400, answer.text
    assert error_code(answer) == "INVALID_QUERY_FILTER_OPERATOR"


def test_long_text_areas_cannot_be_filtered(ledger):
    api, _, _ = ledger

    answer = api.query(
        "SELECT Id FROM Ledgerlink_Bank_Statement_Item__c WHERE Rejected_Entries__c = 'x'"
    )

    assert answer.status_code == 400
    assert error_code(answer) == "INVALID_FIELD"


def test_a_query_without_a_session_is_refused(local_salesforce):
    answer = DataApi(local_salesforce, "00D5g000004ACME!bogus").query("SELECT Id FROM Account")

    assert answer.status_code == 401
    assert answer.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
