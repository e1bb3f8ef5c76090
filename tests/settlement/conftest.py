import pytest

from tests.portal.salesforce.test_client import client_as
from tests.salesforce_fixtures import reset


@pytest.fixture
def alice(local_salesforce):
    """Alice's data client on a freshly reset local Salesforce."""
    reset(local_salesforce)
    return client_as(local_salesforce, "alice@acme.example", "alice-demo-pass")
