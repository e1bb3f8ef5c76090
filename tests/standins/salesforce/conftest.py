"""The local Salesforce, started once per test module, and the seeded users as personas."""

from collections.abc import Iterator

import pytest

from tests.standins.salesforce import personas
from tests.standins.salesforce.flows import LEDGERLINK_URL, LocalSalesforce, Persona
from tests.standins.salesforce.server import running_local_salesforce


@pytest.fixture(scope="module")
def local_salesforce(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSalesforce]:
    with running_local_salesforce(
        tmp_path_factory.mktemp("local-salesforce"), LEDGERLINK_URL
    ) as running:
        yield running


@pytest.fixture
def admin() -> Persona:
    return personas.ADMIN


@pytest.fixture
def finance_manager() -> Persona:
    return personas.FINANCE_MANAGER


@pytest.fixture
def clerk() -> Persona:
    return personas.CLERK


@pytest.fixture
def viewer() -> Persona:
    return personas.VIEWER


@pytest.fixture
def outsider() -> Persona:
    return personas.OUTSIDER
