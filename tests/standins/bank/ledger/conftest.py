"""A ledger on a temporary file with a fixed clock."""

from pathlib import Path

import pytest

from standins.bank.ledger import Ledger
from tests.standins.bank.ledger.files import NOW, Clock


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def ledger(tmp_path: Path, clock: Clock) -> Ledger:
    bank = Ledger(tmp_path / "bank" / "ledger.sqlite3", clock)
    bank.ensure_partner("ACME", "Acme GmbH")
    bank.ensure_partner("GLOBEX", "Globex Corporation")
    return bank
