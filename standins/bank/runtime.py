"""Assemble a running bank from a data directory: store, keys, ledger, protocol and control.

Used by ``__main__`` and by tests that start the bank in-process.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from standins.bank import subscribers, switches
from standins.bank.bank_keys import BankIdentity, load_or_create_bank_identity
from standins.bank.control import Control, Seeder
from standins.bank.ledger_port import LedgerPort
from standins.bank.protocol import Bank
from standins.bank.server import BankServer
from standins.bank.store import STORE_FILE, Store


@dataclass(frozen=True)
class RunningBank:
    """The parts of one bank, ready to serve."""

    store: Store
    identity: BankIdentity
    bank: Bank
    control: Control

    def server(self, host: str, port: int) -> BankServer:
        """An HTTP server bound to ``host:port`` (port 0 picks a free one)."""
        return BankServer((host, port), self.bank, self.control)


def assemble(
    data_dir: Path,
    ledger: LedgerPort,
    clock: Callable[[], datetime],
    *,
    reset: bool = False,
    auto_activate: bool = False,
    salesforce_data: Path | None = None,
) -> RunningBank:
    """Open (creating or, with ``reset``, reseeding) the bank's storage under ``data_dir``.

    A fresh store gets the bank's keys and the seed subscribers; the ledger is seeded through
    ``ensure_partner`` and, when it offers it, ``seed_demo``.
    """
    store = Store(data_dir / STORE_FILE)
    store.create()
    with store.connect() as db:
        identity = load_or_create_bank_identity(db, clock())
        is_empty = not subscribers.list_all(db)
    startup: dict[str, Any] = {"auto_activate": auto_activate}
    seeder = Seeder(ledger, salesforce_data)
    if reset:
        store.clear()
    if reset or is_empty:
        seeder.seed(store, clock(), startup)
    else:
        with store.connect() as db:
            switches.update_settings(db, startup)
    bank = Bank(store, ledger, identity, clock)
    control = Control(store, ledger, identity, clock, seeder=seeder, startup_settings=startup)
    return RunningBank(store, identity, bank, control)
