"""The local Salesforce, started once per test module, and the seeded users as personas."""

from collections.abc import Iterator

import pytest

from tests.standins.salesforce.flows import ACME, GLOBEX, LEDGERLINK_URL, LocalSalesforce, Persona
from tests.standins.salesforce.server import running_local_salesforce


@pytest.fixture(scope="module")
def local_salesforce(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSalesforce]:
    with running_local_salesforce(
        tmp_path_factory.mktemp("local-salesforce"), LEDGERLINK_URL
    ) as running:
        yield running


@pytest.fixture
def admin() -> Persona:
    return Persona(
        "0055g00000AAdmiAAD", ACME, "alice@acme.example", "alice-demo-pass", "Alice", "Admin"
    )


@pytest.fixture
def finance_manager() -> Persona:
    return Persona(
        "0055g00000BFinAAAT", ACME, "bob@acme.example", "bob-demo-pass", "Bob", "Finance"
    )


@pytest.fixture
def clerk() -> Persona:
    return Persona(
        "0055g00000CClerAAD", ACME, "carol@acme.example", "carol-demo-pass", "Carol", "Clerk"
    )


@pytest.fixture
def outsider() -> Persona:
    return Persona(
        "0057Q00000ESandQAD",
        GLOBEX,
        "erin@globex.example.sandbox",
        "erin-demo-pass",
        "Erin",
        "Outsider",
    )
