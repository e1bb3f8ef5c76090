"""Schemathesis fuzzes every operation of the OpenAPI schema at /api/v1/schema/ with Acme's API
key: no 500, only the status codes and bodies the schema declares, and no leaks (no stack
trace, nothing of Globex, the other tenant)."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from portal.roles import Role
from portal.services import create_api_key
from tests.security.inventory import API

# Modest, so the whole module stays well under two minutes in CI.
EXAMPLES_PER_OPERATION = 30

# Strings that must never come back: a stack trace, or anything of the other tenant.
LEAKS = ("Traceback", 'File "/', "Globex", "00D7Q000009SANDUA4", "Erin Outsider")


@pytest.fixture
def wsgi_in_test_transaction(db):
    """Keep the test's database connection open across WSGI calls, as Django's test client does.

    Schemathesis calls the WSGI application directly, whose request signals would otherwise
    close the connection that holds the test's transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _generated_schema() -> dict:
    """The schema /api/v1/schema/ serves, generated without a request (and so without a database
    at import time); test_the_served_schema_is_the_fuzzed_one proves the two are the same."""
    return SchemaGenerator().get_schema(request=None, public=True)


# Loaded when the module is collected: schemathesis's lazy ``from_fixture`` loader does not run
# under pytest 9 (it sets Function._nodeid, which pytest 9 no longer has).
schema = schemathesis.openapi.from_dict(_generated_schema())
schema.app = application


@pytest.fixture
def acme_key(admin, outsider):
    # Erin's org exists and has its own key, so a leak of her tenant would be visible.
    create_api_key(actor=outsider, name="Globex ERP", role=Role.ADMIN)
    _, plaintext = create_api_key(actor=admin, name="Acme ERP", role=Role.ADMIN)
    return plaintext


def no_leak(ctx, response, case):
    """Custom check: the answer holds no stack trace and nothing of another tenant."""
    body = response.content.decode(errors="replace")
    leaked = [leak for leak in LEAKS if leak in body]
    if leaked:
        raise AssertionError(f"the answer leaks {leaked}")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_api_operation_answers_as_its_schema_says_and_leaks_nothing(
    case, acme_key, wsgi_in_test_transaction
):
    case.call_and_validate(
        headers={"Authorization": f"Api-Key {acme_key}"},
        additional_checks=[no_leak],
        # Data the schema allows can still be refused: a file that is not a bank file, an IBAN
        # with a wrong check digit, items that do not add up. The schema cannot express that.
        excluded_checks=[positive_data_acceptance],
    )


def test_the_served_schema_is_the_fuzzed_one(db, client):
    served = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert served.status_code == 200
    assert served.json() == json.loads(json.dumps(_generated_schema()))


def test_the_schema_lists_every_api_endpoint():
    listed = {result.ok().path for result in schema.get_all_operations()}
    assert listed == {reverse(route.name) for route in API}
