"""What every order handler of the bank works with during one request."""

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from standins.bank.bank_keys import BankIdentity
from standins.bank.envelopes import Codes, EncryptedData, Segment
from standins.bank.ledger_port import LedgerPort
from standins.bank.subscribers import SEED_PARTNERS
from standins.bank.switches import Settings


@dataclass(frozen=True)
class Context:
    """The open store connection, the ledger, the bank's keys, the time and the settings."""

    db: sqlite3.Connection
    ledger: LedgerPort
    identity: BankIdentity
    now: datetime
    settings: Settings
    host_id: str

    @property
    def bank_parameters_at(self) -> datetime:
        """When the bank's parameters last changed: the creation of its keys."""
        return self.identity.authentication_created_at

    def partner_name(self, partner_id: str) -> str:
        """The customer's name as the bank shows it (from its accounts, else the seed)."""
        accounts = self.ledger.accounts(partner_id)
        if accounts:
            return accounts[0].holder_name
        return SEED_PARTNERS.get(partner_id, partner_id)


@dataclass(frozen=True)
class Reply:
    """What a handler answers to an ebicsRequest; the protocol turns it into signed XML."""

    phase: str
    codes: Codes = field(default_factory=Codes)
    transaction_id: str | None = None
    num_segments: int | None = None
    segment: Segment | None = None
    order_id: str | None = None
    data: EncryptedData | None = None
