"""The stand-in's own controls under /_standin/, and its store."""

import requests

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
