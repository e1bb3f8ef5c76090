"""API usage (``Sforce-Limit-Info``, ``limits``, REQUEST_LIMIT_EXCEEDED) and the failure switch
that makes calls fail as an unwell Salesforce does."""

from collections.abc import Iterator

import pytest
import requests

from tests.standins.salesforce.data_api import DataApi, connect, error_code
from tests.standins.salesforce.flows import LEDGERLINK_URL, TIMEOUT, LocalSalesforce
from tests.standins.salesforce.personas import ADMIN, FINANCE_MANAGER, OUTSIDER
from tests.standins.salesforce.server import running_local_salesforce

DAILY_LIMIT = 40


@pytest.fixture(scope="module")
def local_salesforce(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSalesforce]:
    """A stand-in whose orgs may make only 40 API calls a day."""
    with running_local_salesforce(
        tmp_path_factory.mktemp("local-salesforce-limits"),
        LEDGERLINK_URL,
        environment={"LOCAL_SALESFORCE_DAILY_API_LIMIT": str(DAILY_LIMIT)},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def api(local_salesforce) -> DataApi:
    return connect(local_salesforce, ADMIN)


@pytest.fixture
def switch(local_salesforce) -> Iterator[str]:
    url = local_salesforce.url("/_standin/failures")
    yield url
    requests.delete(url, timeout=TIMEOUT)


def used(answer: requests.Response) -> int:
    usage, limit = answer.headers["Sforce-Limit-Info"].removeprefix("api-usage=").split("/")
    assert int(limit) == DAILY_LIMIT
    return int(usage)


def test_every_call_reports_the_orgs_usage_and_counts_one_more(api):
    first = used(api.query("SELECT Id FROM Account"))

    second = used(api.get("sobjects/"))

    assert second == first + 1


def test_the_org_shares_one_count_between_its_users(api, local_salesforce):
    before = used(api.get("limits"))

    after = used(connect(local_salesforce, FINANCE_MANAGER).get("limits"))

    assert after == before + 1


def test_limits_answer_the_daily_allowance_and_what_remains(api):
    answer = api.get("limits/")

    body = answer.json()
    assert body["DailyApiRequests"] == {"Max": DAILY_LIMIT, "Remaining": DAILY_LIMIT - used(answer)}
    assert set(body["DailyBulkV2QueryJobs"]) == {"Max", "Remaining"}


def test_the_failure_switch_makes_the_next_calls_unavailable(api, switch):
    armed = requests.post(switch, json={"mode": "unavailable", "count": 2}, timeout=TIMEOUT)

    answers = [api.query("SELECT Id FROM Account") for _ in range(3)]

    assert armed.json()["armed"] == {"mode": "unavailable", "remaining": 2, "paths": []}
    assert [a.status_code for a in answers] == [503, 503, 200]
    assert error_code(answers[0]) == "SERVER_UNAVAILABLE"
    assert requests.get(switch, timeout=TIMEOUT).json() == {"armed": None}


def test_the_failure_switch_can_spend_the_request_limit(api, switch):
    requests.post(switch, json={"mode": "request_limit", "count": 1}, timeout=TIMEOUT)

    answer = api.get("sobjects/")

    assert answer.status_code == 403
    assert answer.json() == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]


def test_the_failure_switch_can_end_the_session_without_ending_the_token(api, switch):
    requests.post(switch, json={"mode": "expired_session", "count": 1}, timeout=TIMEOUT)

    refused = api.get("sobjects/")
    retried = api.get("sobjects/")

    assert refused.status_code == 401
    assert error_code(refused) == "INVALID_SESSION_ID"
    assert retried.status_code == 200


def test_the_failure_switch_only_hits_the_paths_it_names(api, switch):
    requests.post(
        switch, json={"mode": "unavailable", "count": 1, "paths": ["composite/"]}, timeout=TIMEOUT
    )

    query = api.query("SELECT Id FROM Account")
    composite = api.post("composite/sobjects", json={"records": []})

    assert query.status_code == 200
    assert composite.status_code == 503


def test_the_failure_switch_shows_what_is_armed_and_can_be_disarmed(switch):
    requests.post(
        switch,
        json={"mode": "unavailable", "count": 5, "paths": "/services/data/v62.0/query"},
        timeout=TIMEOUT,
    )

    shown = requests.get(switch, timeout=TIMEOUT).json()
    requests.delete(switch, timeout=TIMEOUT)

    assert shown == {
        "armed": {"mode": "unavailable", "remaining": 5, "paths": ["/services/data/v62.0/query"]}
    }
    assert requests.get(switch, timeout=TIMEOUT).json() == {"armed": None}


@pytest.mark.parametrize(
    "body", [{"mode": "flaky", "count": 1}, {"mode": "unavailable", "count": 0}]
)
def test_the_failure_switch_refuses_unknown_modes_and_counts(switch, body):
    assert requests.post(switch, json=body, timeout=TIMEOUT).status_code == 400


def test_an_org_over_its_daily_limit_is_refused_until_the_next_day(local_salesforce, api):
    outsider = connect(local_salesforce, OUTSIDER)
    answers = [outsider.get("limits") for _ in range(DAILY_LIMIT + 2)]

    refused = answers[-1]
    assert [a.status_code for a in answers[:DAILY_LIMIT]] == [200] * DAILY_LIMIT
    assert refused.status_code == 403
    assert refused.json() == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    assert refused.headers["Sforce-Limit-Info"] == f"api-usage={DAILY_LIMIT}/{DAILY_LIMIT}"
    # Another org's allowance is its own.
    assert api.get("sobjects/").status_code == 200
