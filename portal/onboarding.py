"""The onboarding checklist: where a tenant stands on the way to its first retrieval."""

from dataclasses import dataclass
from enum import StrEnum

from django.core.cache import cache

from portal import salesforce_auth, sessions
from portal.salesforce import services as salesforce_services
from portal.salesforce.connection import client_for
from portal.salesforce.errors import SalesforceError
from portal.tenancy import PortalRequest

# Checking the package costs one describe call per concept; the answer changes rarely.
_PACKAGE_CHECK_SECONDS = 300


class StepState(StrEnum):
    DONE = "done"
    TODO = "todo"
    PROBLEM = "problem"
    NOT_YET_AVAILABLE = "not_yet_available"


_STATE_LABELS = {
    StepState.DONE: "done",
    StepState.TODO: "to do",
    StepState.PROBLEM: "needs attention",
    StepState.NOT_YET_AVAILABLE: "not yet available",
}


@dataclass(frozen=True)
class Step:
    title: str
    state: StepState
    detail: str

    @property
    def state_label(self) -> str:
        return _STATE_LABELS[self.state]


def _connection_step(request: PortalRequest) -> Step:
    title = "Salesforce org connected"
    try:
        identity = sessions.call_salesforce(
            request,
            lambda credentials: salesforce_auth.fetch_identity(
                credentials.instance_url, credentials.access_token
            ),
        )
    except salesforce_auth.SalesforceAuthError as error:
        return Step(title, StepState.PROBLEM, str(error))
    return Step(title, StepState.DONE, f"Connected as {identity.name or identity.username}.")


def _package_step(request: PortalRequest) -> Step:
    title = "Ledgerlink package found in Salesforce"
    cache_key = f"onboarding:package:{request.tenant.pk}:{request.user.pk}"
    missing = cache.get(cache_key)
    if missing is None:
        try:
            checks = salesforce_services.check_package(
                tenant=request.tenant, client=client_for(request)
            )
        except SalesforceError as error:
            return Step(title, StepState.PROBLEM, str(error))
        missing = [check.label for check in checks if not check.is_ok]
        cache.set(cache_key, missing, timeout=_PACKAGE_CHECK_SECONDS)
    if missing:
        return Step(
            title,
            StepState.PROBLEM,
            f"Not usable yet: {', '.join(missing)}. See the Salesforce page for what is missing.",
        )
    return Step(title, StepState.DONE, "Every object and field Ledgerlink needs is there.")


def onboarding_steps(request: PortalRequest) -> list[Step]:
    """Check each step live; the steps beyond the Salesforce side arrive with later features."""
    pending = "This step arrives with a later part of Ledgerlink."
    return [
        _connection_step(request),
        _package_step(request),
        Step("Bank connection set up", StepState.NOT_YET_AVAILABLE, pending),
        Step("Matching configuration reviewed", StepState.NOT_YET_AVAILABLE, pending),
        Step("First statements retrieved", StepState.NOT_YET_AVAILABLE, pending),
    ]
