"""The onboarding checklist: where a tenant stands on the way to its first retrieval."""

from dataclasses import dataclass
from enum import StrEnum

from django.http import HttpRequest

from portal import salesforce_auth, sessions


class StepState(StrEnum):
    DONE = "done"
    TODO = "todo"
    PROBLEM = "problem"
    NOT_YET_AVAILABLE = "not_yet_available"


@dataclass(frozen=True)
class Step:
    title: str
    state: StepState
    detail: str

    @property
    def state_label(self) -> str:
        return _STATE_LABELS[self.state]


_STATE_LABELS = {
    StepState.DONE: "done",
    StepState.TODO: "to do",
    StepState.PROBLEM: "needs attention",
    StepState.NOT_YET_AVAILABLE: "not yet available",
}


def onboarding_steps(request: HttpRequest) -> list[Step]:
    """Check each step live; the steps beyond the org connection arrive with later features."""
    try:
        identity = sessions.call_salesforce(
            request,
            lambda credentials: salesforce_auth.fetch_identity(
                credentials.instance_url, credentials.access_token
            ),
        )
        connection = Step(
            "Salesforce org connected",
            StepState.DONE,
            f"Connected as {identity.name or identity.username}.",
        )
    except salesforce_auth.SalesforceAuthError as error:
        connection = Step("Salesforce org connected", StepState.PROBLEM, str(error))
    pending = "This step arrives with a later part of Ledgerlink."
    return [
        connection,
        Step("Ledgerlink package found in Salesforce", StepState.NOT_YET_AVAILABLE, pending),
        Step("Bank connection set up", StepState.NOT_YET_AVAILABLE, pending),
        Step("Matching configuration reviewed", StepState.NOT_YET_AVAILABLE, pending),
        Step("First statements retrieved", StepState.NOT_YET_AVAILABLE, pending),
    ]
