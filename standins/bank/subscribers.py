"""EBICS subscribers of the bank: identity, state and the public keys sent with INI and HIA.

States follow the specification's life cycle: New, then INI and HIA received in either order
(both: Initialised, "INI and HIA received"), Ready once the bank activated the subscriber (or at
once with auto-activation), and Suspended.
"""

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from banking.ebics.keys import KeyVersion, PublicKey
from standins.bank.errors import BankError

BANK_HOST_ID = "LLBANK"


class State(StrEnum):
    """A subscriber's state at the bank."""

    NEW = "new"
    INI_RECEIVED = "ini_received"
    HIA_RECEIVED = "hia_received"
    INITIALISED = "initialised"
    READY = "ready"
    SUSPENDED = "suspended"

    @property
    def label(self) -> str:
        """How the admin page names the state."""
        return _LABELS[self]


_LABELS = {
    State.NEW: "New",
    State.INI_RECEIVED: "INI received",
    State.HIA_RECEIVED: "HIA received",
    State.INITIALISED: "INI and HIA received",
    State.READY: "Ready",
    State.SUSPENDED: "Suspended",
}


class UnknownSubscriber(BankError):
    """No subscriber with this host, partner and user ID."""


@dataclass(frozen=True)
class SubscriberId:
    """Who a subscriber is at the bank."""

    host_id: str
    partner_id: str
    user_id: str


@dataclass(frozen=True)
class Subscriber:
    """A subscriber with its state and whatever public keys it has sent."""

    id: SubscriberId
    name: str
    state: State
    protocol_version: str | None
    signature_key: PublicKey | None
    authentication_key: PublicKey | None
    encryption_key: PublicKey | None
    changed_at: datetime
    # SHA-256 (upper-case hex) of each key's X.509 certificate, for H005 subscribers.
    certificate_hashes: dict[str, str] = field(default_factory=dict)


# The seed: partner ACME with user ALICE, and a second customer GLOBEX with user ERIN.
SEED_PARTNERS = {"ACME": "Acme Industries GmbH", "GLOBEX": "Globex Corporation"}
SEED_USERS = (("ACME", "ALICE", "Alice Admin"), ("GLOBEX", "ERIN", "Erin Outsider"))


def _pem(key: PublicKey | None) -> bytes | None:
    if key is None:
        return None
    return key.key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _key(version: KeyVersion, pem: bytes | None) -> PublicKey | None:
    if pem is None:
        return None
    key = serialization.load_pem_public_key(bytes(pem))
    if not isinstance(key, rsa.RSAPublicKey):
        raise BankError(f"stored {version} key is not RSA")
    return PublicKey(version, key)


def _subscriber(row: sqlite3.Row) -> Subscriber:
    return Subscriber(
        id=SubscriberId(row["host_id"], row["partner_id"], row["user_id"]),
        name=row["name"],
        state=State(row["state"]),
        protocol_version=row["protocol_version"],
        signature_key=_key(KeyVersion.SIGNATURE, row["signature_key"]),
        authentication_key=_key(KeyVersion.AUTHENTICATION, row["authentication_key"]),
        encryption_key=_key(KeyVersion.ENCRYPTION, row["encryption_key"]),
        changed_at=datetime.fromisoformat(row["changed_at"]),
        certificate_hashes=json.loads(row["certificate_hashes"]),
    )


def find(db: sqlite3.Connection, subscriber_id: SubscriberId) -> Subscriber | None:
    """The subscriber, or None when the bank does not know it."""
    row = db.execute(
        "SELECT * FROM subscribers WHERE host_id = ? AND partner_id = ? AND user_id = ?",
        (subscriber_id.host_id, subscriber_id.partner_id, subscriber_id.user_id),
    ).fetchone()
    return _subscriber(row) if row is not None else None


def get(db: sqlite3.Connection, subscriber_id: SubscriberId) -> Subscriber:
    """The subscriber (raises ``UnknownSubscriber``)."""
    found = find(db, subscriber_id)
    if found is None:
        raise UnknownSubscriber(f"unknown subscriber {subscriber_id}")
    return found


def list_all(db: sqlite3.Connection) -> list[Subscriber]:
    """Every subscriber, ordered by host, partner and user."""
    rows = db.execute("SELECT * FROM subscribers ORDER BY host_id, partner_id, user_id")
    return [_subscriber(row) for row in rows]


def partner_users(db: sqlite3.Connection, host_id: str, partner_id: str) -> list[Subscriber]:
    """The subscribers of one partner (for HKD)."""
    rows = db.execute(
        "SELECT * FROM subscribers WHERE host_id = ? AND partner_id = ? ORDER BY user_id",
        (host_id, partner_id),
    )
    return [_subscriber(row) for row in rows]


def create(
    db: sqlite3.Connection, subscriber_id: SubscriberId, *, name: str, now: datetime
) -> Subscriber:
    """Add a subscriber in state New (does nothing when it exists) and return it."""
    db.execute(
        "INSERT OR IGNORE INTO subscribers (host_id, partner_id, user_id, name, state, changed_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            subscriber_id.host_id,
            subscriber_id.partner_id,
            subscriber_id.user_id,
            name,
            State.NEW.value,
            now.isoformat(),
        ),
    )
    return get(db, subscriber_id)


def set_state(
    db: sqlite3.Connection, subscriber_id: SubscriberId, state: State, now: datetime
) -> None:
    """Move the subscriber to ``state`` (raises ``UnknownSubscriber``)."""
    get(db, subscriber_id)
    db.execute(
        "UPDATE subscribers SET state = ?, changed_at = ?"
        " WHERE host_id = ? AND partner_id = ? AND user_id = ?",
        (state.value, now.isoformat(), *_key_columns(subscriber_id)),
    )


def reset(db: sqlite3.Connection, subscriber_id: SubscriberId, now: datetime) -> None:
    """Forget the subscriber's keys and put it back to New (raises ``UnknownSubscriber``)."""
    get(db, subscriber_id)
    db.execute(
        "UPDATE subscribers SET state = ?, changed_at = ?, protocol_version = NULL,"
        " signature_key = NULL, authentication_key = NULL, encryption_key = NULL,"
        " certificate_hashes = '{}'"
        " WHERE host_id = ? AND partner_id = ? AND user_id = ?",
        (State.NEW.value, now.isoformat(), *_key_columns(subscriber_id)),
    )


def store_signature_key(
    db: sqlite3.Connection,
    subscriber_id: SubscriberId,
    key: PublicKey,
    *,
    protocol_version: str,
    state: State,
    now: datetime,
    certificate_hashes: dict[str, str] | None = None,
) -> None:
    """Keep the A006 key (and certificate hash) received with INI and move to ``state``."""
    hashes = {**get(db, subscriber_id).certificate_hashes, **(certificate_hashes or {})}
    db.execute(
        "UPDATE subscribers SET signature_key = ?, protocol_version = ?, state = ?, changed_at = ?,"
        " certificate_hashes = ? WHERE host_id = ? AND partner_id = ? AND user_id = ?",
        (
            _pem(key),
            protocol_version,
            state.value,
            now.isoformat(),
            json.dumps(hashes),
            *_key_columns(subscriber_id),
        ),
    )


def store_hia_keys(
    db: sqlite3.Connection,
    subscriber_id: SubscriberId,
    authentication_key: PublicKey,
    encryption_key: PublicKey,
    *,
    protocol_version: str,
    state: State,
    now: datetime,
    certificate_hashes: dict[str, str] | None = None,
) -> None:
    """Keep the X002 and E002 keys (and certificate hashes) from HIA and move to ``state``."""
    hashes = {**get(db, subscriber_id).certificate_hashes, **(certificate_hashes or {})}
    db.execute(
        "UPDATE subscribers SET authentication_key = ?, encryption_key = ?, protocol_version = ?,"
        " state = ?, changed_at = ?, certificate_hashes = ?"
        " WHERE host_id = ? AND partner_id = ? AND user_id = ?",
        (
            _pem(authentication_key),
            _pem(encryption_key),
            protocol_version,
            state.value,
            now.isoformat(),
            json.dumps(hashes),
            *_key_columns(subscriber_id),
        ),
    )


def replace_keys(
    db: sqlite3.Connection,
    subscriber_id: SubscriberId,
    *,
    signature_key: PublicKey,
    authentication_key: PublicKey,
    encryption_key: PublicKey,
    certificate_hashes: dict[str, str],
    now: datetime,
) -> None:
    """Swap all three keys at once (HCS); the state is unchanged."""
    db.execute(
        "UPDATE subscribers SET signature_key = ?, authentication_key = ?, encryption_key = ?,"
        " certificate_hashes = ?, changed_at = ?"
        " WHERE host_id = ? AND partner_id = ? AND user_id = ?",
        (
            _pem(signature_key),
            _pem(authentication_key),
            _pem(encryption_key),
            json.dumps(certificate_hashes),
            now.isoformat(),
            *_key_columns(subscriber_id),
        ),
    )


def _key_columns(subscriber_id: SubscriberId) -> tuple[str, str, str]:
    return subscriber_id.host_id, subscriber_id.partner_id, subscriber_id.user_id


def seed(db: sqlite3.Connection, now: datetime) -> None:
    """Create the seeded subscribers (ACME/ALICE and GLOBEX/ERIN, state New)."""
    for partner_id, user_id, name in SEED_USERS:
        create(db, SubscriberId(BANK_HOST_ID, partner_id, user_id), name=name, now=now)
