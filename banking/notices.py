"""What a finance admin must hear of on every page: failed scheduled runs, runs to approve.

Each connection's latest scheduled run of each kind decides: a failure stays until a later run
succeeds, a prepared payment run until it is sent or cancelled.
"""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from banking.models import BankJobRun, JobKind, RunState
from portal.models import Tenant, User
from portal.roles import Role

# Scheduled runs looked at, newest first: plenty for a day's schedules of many connections.
RECENT_RUNS = 200


@dataclass(frozen=True)
class BankNotices:
    failed: tuple[BankJobRun, ...]
    waiting: tuple[BankJobRun, ...]

    def __bool__(self) -> bool:
        return bool(self.failed or self.waiting)

    @property
    def count(self) -> int:
        return len(self.failed) + len(self.waiting)


def bank_notices(tenant: Tenant) -> BankNotices:
    """The tenant's failed scheduled runs and calendar runs waiting for approval."""
    latest: dict[tuple[int, str], BankJobRun] = {}
    recent = BankJobRun.objects.filter(tenant=tenant, scheduled_for__isnull=False).select_related(
        "connection"
    )[:RECENT_RUNS]
    for run in recent:
        if run.connection_id is not None:
            latest.setdefault((run.connection_id, run.kind), run)
    runs = list(latest.values())
    return BankNotices(
        failed=tuple(run for run in runs if run.state == RunState.FAILED),
        waiting=tuple(
            run
            for run in runs
            if run.kind == JobKind.PAYMENT_RUN
            and run.state == RunState.QUEUED
            and not run.parameters.get("preparing")
        ),
    )


def notices_context(request: HttpRequest) -> dict[str, Any]:
    """Template context: ``bank_notices`` for finance admins, read only if a page shows it."""
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    if not isinstance(user, User) or tenant is None or not user.has_role(Role.FINANCE_ADMIN):
        return {}
    return {"bank_notices": SimpleLazyObject(lambda: bank_notices(tenant))}
