"""Shared fixtures for the EBICS tests: the epics fixture folder, keys made once per session,
and the subscriber persona (Acme's EBICS user at a test bank)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from banking.ebics import keys
from banking.ebics.messages import RequestStamp, Subscriber

EPICS_FIXTURES = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "ebics" / "epics"
)
SENT_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def read_fixture(name: str) -> bytes:
    """The bytes of one railslove/epics fixture, read in place."""
    return (EPICS_FIXTURES / name).read_bytes()


def counting_bytes(length: int) -> bytes:
    """Deterministic stand-in for the random source: 0, 1, 2, ..."""
    return bytes(range(length))


@pytest.fixture(scope="session")
def subscriber_keys() -> keys.SubscriberKeys:
    return keys.generate_subscriber_keys()


@pytest.fixture(scope="session")
def bank_private_keys() -> keys.SubscriberKeys:
    """The bank's key pairs, so tests can play the bank's side (decrypt, sign responses)."""
    return keys.generate_subscriber_keys()


@pytest.fixture(scope="session")
def bank_keys(bank_private_keys: keys.SubscriberKeys) -> keys.BankKeys:
    return keys.BankKeys(
        authentication=bank_private_keys.authentication.public,
        encryption=bank_private_keys.encryption.public,
    )


@pytest.fixture
def acme_subscriber() -> Subscriber:
    return Subscriber(host_id="TESTBANK", partner_id="ACME", user_id="ALICE")


@pytest.fixture
def stamp() -> RequestStamp:
    return RequestStamp(nonce="00112233445566778899AABBCCDDEEFF", timestamp=SENT_AT)
