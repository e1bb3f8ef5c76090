"""HCS: a Ready subscriber swaps its keys with an order signed by its current A006 key."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from banking.ebics import messages
from banking.ebics.keys import SubscriberKeys, generate_subscriber_keys, self_signed_certificate
from banking.ebics.messages import DownloadOrder, EbicsVersion, UploadOrder


@pytest.fixture(scope="module")
def new_keys() -> SubscriberKeys:
    return generate_subscriber_keys()


def hcs_order_data(client, keys: SubscriberKeys) -> bytes:
    now = datetime.now(UTC)
    certificates = None
    if client.version is EbicsVersion.H005:
        signature, authentication, encryption = (
            self_signed_certificate(key, common_name="ALICE", now=now)
            for key in (keys.signature, keys.authentication, keys.encryption)
        )
        certificates = (signature, authentication, encryption)
    return messages.build_hcs_request_order_data(
        client.subscriber,
        signature_key=keys.signature.public,
        authentication_key=keys.authentication.public,
        encryption_key=keys.encryption.public,
        version=client.version,
        certificates=certificates,
        now=now,
    )


def test_after_hcs_only_the_new_keys_are_accepted(alice, new_keys) -> None:
    pages = alice.upload(UploadOrder("HCS"), hcs_order_data(alice, new_keys))
    assert (pages[-1].technical_code, pages[-1].business_code) == ("000000", "000000")
    assert alice.initialise_download(DownloadOrder("HTD")).technical_code == "061001"
    renewed = replace(alice, keys=new_keys)
    _, data = renewed.download(DownloadOrder("HTD"))
    assert b"HTDResponseOrderData" in data


def test_h004_hcs_works_the_same_way(erin_h004, new_keys) -> None:
    pages = erin_h004.upload(UploadOrder("HCS"), hcs_order_data(erin_h004, new_keys))
    assert pages[-1].business_code == "000000"
    renewed = replace(erin_h004, keys=new_keys)
    assert renewed.initialise_download(DownloadOrder("HAA")).technical_code == "000000"


def test_hcs_naming_another_subscriber_is_refused_and_changes_nothing(
    alice, erin_h004, new_keys
) -> None:
    foreign = hcs_order_data(replace(alice, subscriber=erin_h004.subscriber), new_keys)
    pages = alice.upload(UploadOrder("HCS"), foreign)
    assert pages[-1].business_code == "090004"
    assert alice.initialise_download(DownloadOrder("HAA")).technical_code == "000000"
