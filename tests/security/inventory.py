"""Every URL of Ledgerlink with what the security suite expects of it.

The table is checked against Django's URL resolver (tests/security/test_inventory.py): a new URL
without an entry here fails the suite, so nobody adds a page without deciding who may use it,
whether it names a tenant's object, and whether Salesforce may frame it.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum

from django.urls import URLPattern, URLResolver, get_resolver

from banking.models import BankConnection, BankJobRun
from portal.models import ApiKey, User
from portal.roles import Role
from settlement.models import MatchingConfiguration

# Framework URLs that are not Ledgerlink's own code: allauth's login machinery (the Salesforce
# OAuth flow is tested in tests/portal), and static files (served by WhiteNoise's middleware,
# not by a URL pattern). Their framing is still checked (test_framing: a sample of allauth pages).
FRAMEWORK_PREFIXES = ("accounts/", "static/")

GET = frozenset({"GET"})
POST = frozenset({"POST"})
GET_POST = frozenset({"GET", "POST"})


class Scope(Enum):
    """What the URL's arguments name, which decides what another tenant must get."""

    NONE = "none"  # no object in the URL: the page shows the caller's own tenant
    TENANT_OBJECT = "tenant_object"  # a row of one tenant: another tenant gets a 404
    USER_JOB = "user_job"  # a job in the cache, readable by its own user only
    SALESFORCE_RECORD = "salesforce_record"  # a record id read through the caller's own org
    CONCEPT = "concept"  # a fixed name (a mapping concept), the same for every tenant


@dataclass(frozen=True)
class AcmeWorld:
    """Acme's objects that URLs can name (made by the ``acme_world`` fixture)."""

    connection: BankConnection
    run: BankJobRun
    payment_run: BankJobRun
    configuration: MatchingConfiguration
    api_key: ApiKey
    user: User
    review_job_id: str


Arguments = Callable[[AcmeWorld], dict[str, object]]


def _none(world: AcmeWorld) -> dict[str, object]:
    return {}


def _connection(world: AcmeWorld) -> dict[str, object]:
    return {"connection_id": world.connection.pk}


@dataclass(frozen=True)
class Route:
    """What one URL pattern must do.

    ``role`` is the lowest role that may use it (None: anyone, even anonymous); ``api`` routes are
    DRF endpoints authenticated by API key; ``missing_status`` is what a URL naming another
    tenant's object answers (the same as for an object that never existed).
    """

    name: str
    role: Role | None
    methods: frozenset[str]
    frameable: bool
    scope: Scope = Scope.NONE
    arguments: Arguments = _none
    api: bool = False
    missing_status: int = 404
    # Why a POST endpoint takes no CSRF token (empty: it must demand one).
    csrf_exempt_because: str = ""
    # Request data for a POST that must not change anything when refused.
    data: dict[str, object] = field(default_factory=dict)

    @property
    def is_post(self) -> bool:
        return "POST" in self.methods

    @property
    def is_get(self) -> bool:
        return "GET" in self.methods


FA = Role.FINANCE_ADMIN


def _banking(name: str, methods: frozenset[str], **kwargs: object) -> Route:
    return Route(
        name=f"banking:{name}",
        role=FA,
        methods=methods,
        frameable=True,
        scope=Scope.TENANT_OBJECT,
        arguments=_connection,
        **kwargs,  # type: ignore[arg-type]
    )


def _run(world: AcmeWorld) -> dict[str, object]:
    return {"run_id": world.run.pk}


def _payment_run(world: AcmeWorld) -> dict[str, object]:
    return {"run_id": world.payment_run.pk}


def _review_job(world: AcmeWorld) -> dict[str, object]:
    return {"job_id": world.review_job_id}


def _configuration(world: AcmeWorld) -> dict[str, object]:
    return {"configuration_id": world.configuration.pk}


ROUTES: tuple[Route, ...] = (
    # -- framework-adjacent, public --------------------------------------------------------------
    Route("healthz", None, GET, frameable=False),
    Route("api_schema", None, GET, frameable=False),
    Route("api_docs", None, GET, frameable=False),
    Route("portal:login", None, GET, frameable=False),
    Route("portal:logout", None, POST, frameable=False),
    Route(
        "portal:canvas",
        None,
        POST,
        frameable=True,
        csrf_exempt_because="Salesforce posts it cross-site; the HMAC signature authenticates it",
        data={"signed_request": "forged.e30="},
    ),
    # -- the API (API key, session or Salesforce bearer) -----------------------------------------
    Route("portal:api_me", Role.VIEWER, GET, frameable=False, api=True),
    Route("banking:api_statements_parse", Role.VIEWER, POST, frameable=False, api=True),
    Route("banking:api_status_reports_parse", Role.VIEWER, POST, frameable=False, api=True),
    Route("banking:api_payment_orders", Role.CLERK, POST, frameable=False, api=True),
    Route("settlement:api_matching_suggestions", Role.VIEWER, POST, frameable=False, api=True),
    # -- portal ----------------------------------------------------------------------------------
    Route("portal:home", Role.VIEWER, GET, frameable=True),
    Route("portal:users", Role.ADMIN, GET, frameable=True),
    Route(
        "portal:change_role",
        Role.ADMIN,
        POST,
        frameable=True,
        scope=Scope.TENANT_OBJECT,
        arguments=lambda world: {"user_id": world.user.pk},
        data={"role": "admin"},
    ),
    Route(
        "portal:api_keys", Role.ADMIN, GET_POST, frameable=True, data={"name": "x", "role": "admin"}
    ),
    Route(
        "portal:revoke_api_key",
        Role.ADMIN,
        POST,
        frameable=True,
        scope=Scope.TENANT_OBJECT,
        arguments=lambda world: {"key_id": world.api_key.pk},
    ),
    Route(
        "portal:organisation",
        Role.ADMIN,
        GET_POST,
        frameable=True,
        data={"origins": "https://evil.example"},
    ),
    Route("portal:audit_log", FA, GET, frameable=True),
    Route("portal:salesforce_connection", FA, GET, frameable=True),
    Route("portal:salesforce_mappings", FA, GET, frameable=True),
    Route("portal:salesforce_authorize_jobs", FA, POST, frameable=True),
    Route(
        "portal:salesforce_edit_mapping",
        FA,
        GET_POST,
        frameable=True,
        scope=Scope.CONCEPT,
        arguments=lambda world: {"concept": "entry"},
        data={"object_name": "Evil__c"},
    ),
    Route(
        "portal:salesforce_reset_mapping",
        FA,
        POST,
        frameable=True,
        scope=Scope.CONCEPT,
        arguments=lambda world: {"concept": "entry"},
    ),
    # -- banking ---------------------------------------------------------------------------------
    Route("banking:connections", FA, GET, frameable=True),
    Route(
        "banking:new_connection",
        FA,
        GET_POST,
        frameable=True,
        data={
            "name": "Evil bank",
            "bank_url": "https://ebics.evil.example/ebics",
            "host_id": "EVIL",
            "partner_id": "EVIL01",
            "user_id": "EVIL01",
            "ebics_version": "H005",
        },
    ),
    _banking("connection", GET),
    _banking("edit_connection", GET_POST, data={"name": "Renamed by an attacker"}),
    _banking("letter", GET),
    _banking("verify_bank_keys", POST, data={"authentication_hash": "00", "encryption_hash": "00"}),
    _banking("select_accounts", POST),
    _banking("test", POST),
    _banking("retrieve", POST),
    _banking("upload_payment_order", POST),
    _banking("schedule", POST, data={"schedule-retrieve_at": "06:00", "schedule-kind": "camt.053"}),
    _banking(
        "payment_schedule",
        POST,
        data={"payments-prepare_at": "07:00", "payments-weekdays": ["1"], "payments-lead_days": 1},
    ),
    _banking("export_keys", POST),
    _banking("restore_keys", POST),
    Route(
        "banking:action",
        FA,
        POST,
        frameable=True,
        scope=Scope.TENANT_OBJECT,
        arguments=lambda world: {"connection_id": world.connection.pk, "action": "disable"},
    ),
    Route("banking:runs", FA, GET, frameable=True),
    Route("banking:run", FA, GET, frameable=True, scope=Scope.TENANT_OBJECT, arguments=_run),
    # Polled by the run page's script, never shown on its own: nobody may frame it.
    Route(
        "banking:run_status", FA, GET, frameable=False, scope=Scope.TENANT_OBJECT, arguments=_run
    ),
    Route(
        "banking:cancel_run", FA, POST, frameable=True, scope=Scope.TENANT_OBJECT, arguments=_run
    ),
    # Payment runs (banking/payment_run_views.py).
    _banking("payment_run_start", GET_POST, data={"e2e_prefix": "EVIL"}),
    _banking("payment_run_status_reports", POST, data={"start": "2026-11-01", "end": "2026-11-02"}),
    # The report view takes any method (it has no require_GET); a POST changes nothing there.
    Route(
        "banking:payment_run",
        FA,
        GET_POST,
        frameable=True,
        scope=Scope.TENANT_OBJECT,
        arguments=_payment_run,
    ),
    Route(
        "banking:payment_run_recorded_by_hand",
        FA,
        POST,
        frameable=True,
        scope=Scope.TENANT_OBJECT,
        arguments=_payment_run,
    ),
    Route(
        "banking:payment_run_prepare_again",
        FA,
        POST,
        frameable=True,
        scope=Scope.TENANT_OBJECT,
        arguments=_payment_run,
    ),
    Route(
        "banking:payment_run_send",
        FA,
        POST,
        frameable=True,
        scope=Scope.TENANT_OBJECT,
        arguments=_payment_run,
    ),
    Route(
        "banking:payment_run_resolve",
        FA,
        POST,
        frameable=True,
        scope=Scope.TENANT_OBJECT,
        arguments=_payment_run,
        data={"order": "1", "received": "yes"},
    ),
    # -- settlement ------------------------------------------------------------------------------
    Route("settlement:review", Role.CLERK, GET, frameable=True),
    Route("settlement:accept", Role.CLERK, POST, frameable=True),
    # An unknown or foreign run sends the clerk to a fresh review with a message (the same
    # answer as for an expired run of their own), so it reads as missing without a 404.
    Route(
        "settlement:review_run",
        Role.CLERK,
        GET,
        frameable=True,
        scope=Scope.USER_JOB,
        arguments=_review_job,
        missing_status=302,
    ),
    Route(
        "settlement:review_run_status",
        Role.CLERK,
        GET,
        frameable=False,
        scope=Scope.USER_JOB,
        arguments=_review_job,
    ),
    Route(
        "settlement:cancel_review_run",
        Role.CLERK,
        POST,
        frameable=True,
        scope=Scope.USER_JOB,
        arguments=_review_job,
    ),
    Route(
        "settlement:settle_by_hand",
        Role.CLERK,
        GET,
        frameable=True,
        scope=Scope.SALESFORCE_RECORD,
        arguments=lambda world: {"statement_item_id": "a0B5g00000ItemAAA"},
    ),
    Route("settlement:accept_many", Role.CLERK, POST, frameable=True),
    Route("settlement:accept_band", Role.CLERK, POST, frameable=True, data={"band": "auto"}),
    Route("settlement:reject", Role.CLERK, POST, frameable=True),
    Route("settlement:configurations", FA, GET, frameable=True),
    Route(
        "settlement:new_configuration",
        FA,
        GET_POST,
        frameable=True,
        data={"name": "Evil rules", "template": "standard", "priority": "1"},
    ),
    Route(
        "settlement:edit_configuration",
        FA,
        GET_POST,
        frameable=True,
        scope=Scope.TENANT_OBJECT,
        arguments=_configuration,
        data={"name": "Renamed by an attacker", "template": "standard", "priority": "1"},
    ),
    Route(
        "settlement:delete_configuration",
        FA,
        POST,
        frameable=True,
        scope=Scope.TENANT_OBJECT,
        arguments=_configuration,
    ),
)

BY_NAME = {route.name: route for route in ROUTES}
PAGES = tuple(route for route in ROUTES if not route.api)
API = tuple(route for route in ROUTES if route.api)


@dataclass(frozen=True)
class ResolvedPattern:
    name: str
    route: str


def resolved_patterns() -> Iterator[ResolvedPattern]:
    """Every URL pattern Django resolves, with its namespaced name, minus framework URLs."""

    def walk(
        patterns: list[URLPattern | URLResolver], prefix: str, namespace: str
    ) -> Iterator[ResolvedPattern]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            else:
                route = prefix + str(pattern.pattern)
                if not route.startswith(FRAMEWORK_PREFIXES):
                    yield ResolvedPattern(namespace + (pattern.name or ""), route)

    yield from walk(get_resolver().url_patterns, "", "")


def route_id(route: Route) -> str:
    return route.name
