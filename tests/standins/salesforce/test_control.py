"""The stand-in's own controls under /_standin/, and its store."""

import requests

from tests.standins.salesforce.data_api import connect
from tests.standins.salesforce.flows import TIMEOUT, log_in, refresh, userinfo


def test_health_answers_ok(local_salesforce):
    answer = requests.get(local_salesforce.url("/_standin/health"), timeout=TIMEOUT)

    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_store_is_created_with_its_folders(local_salesforce):
    assert local_salesforce.data_path.is_file()


def test_store_keeps_token_digests_not_tokens(local_salesforce, admin):
    tokens = log_in(local_salesforce, admin)

    stored = local_salesforce.data_path.read_bytes()
    for suffix in ("-wal", "-shm"):
        companion = local_salesforce.data_path.with_name(local_salesforce.data_path.name + suffix)
        if companion.exists():
            stored += companion.read_bytes()
    assert tokens["access_token"].encode() not in stored
    assert tokens["refresh_token"].encode() not in stored
    assert b"alice-demo-pass" not in stored


def test_reset_forgets_every_token_and_keeps_the_seeded_users(local_salesforce, admin):
    tokens = log_in(local_salesforce, admin)

    answer = requests.post(local_salesforce.url("/_standin/reset"), timeout=TIMEOUT)

    assert answer.status_code == 200
    assert userinfo(local_salesforce, tokens["access_token"]).status_code == 403
    assert refresh(local_salesforce, tokens["refresh_token"]).status_code == 400
    assert userinfo(local_salesforce, log_in(local_salesforce, admin)["access_token"]).ok


def test_control_endpoints_only_take_post(local_salesforce):
    answer = requests.get(local_salesforce.url("/_standin/reset"), timeout=TIMEOUT)

    assert answer.status_code == 405


def test_records_and_counts_show_what_is_stored_per_org(local_salesforce, admin, outsider):
    acme_id = connect(local_salesforce, admin).create("Account", Name="Counted GmbH")
    connect(local_salesforce, outsider).create("Account", Name="Counted Too GmbH")

    listed = requests.get(
        local_salesforce.url("/_standin/records/Account"),
        params={"org_id": admin.org_id},
        timeout=TIMEOUT,
    ).json()
    counts = requests.get(local_salesforce.url("/_standin/counts"), timeout=TIMEOUT).json()

    assert [(r["Id"], r["Name"], r["org_id"]) for r in listed["records"]] == [
        (acme_id, "Counted GmbH", admin.org_id)
    ]
    assert counts[admin.org_id]["Account"] == counts[outsider.org_id]["Account"] == 1


def test_reset_forgets_records_field_security_and_the_failure_switch(local_salesforce, admin):
    api = connect(local_salesforce, admin)
    api.create("Account", Name="Forgotten GmbH")
    requests.post(
        local_salesforce.url("/_standin/field-security"),
        json={"user_id": admin.user_id, "field": "Account.Name", "readable": False},
        timeout=TIMEOUT,
    )
    requests.post(
        local_salesforce.url("/_standin/failures"),
        json={"mode": "unavailable", "count": 99, "paths": ["/nowhere"]},
        timeout=TIMEOUT,
    )

    requests.post(local_salesforce.url("/_standin/reset"), timeout=TIMEOUT)

    api = connect(local_salesforce, admin)
    assert api.query("SELECT Name FROM Account").json() == {
        "totalSize": 0,
        "done": True,
        "records": [],
    }
    switch = requests.get(local_salesforce.url("/_standin/failures"), timeout=TIMEOUT).json()
    assert switch == {"armed": None}
