"""Progress of long jobs, shared between the worker that runs them and the page that shows them.

A job's progress lives in the cache (Redis in production) under a random ID, for an hour at most:
its stage, counts and outcome — never business data. Each job belongs to one tenant and user, and
only they can read or cancel it.
"""

import secrets
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.cache import cache

from portal.errors import PortalError
from portal.models import User

_PREFIX = "progress:"


class State(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_finished(self) -> bool:
        return self in (State.DONE, State.FAILED, State.CANCELLED)


class JobCancelled(PortalError):
    """The user cancelled the job; the worker stops at the next checkpoint."""


@dataclass(frozen=True)
class Progress:
    job_id: str
    kind: str
    tenant_id: int
    user_id: int
    state: State = State.QUEUED
    stage: str = "Waiting for a worker"
    done: int = 0
    total: int | None = None
    message: str = ""
    is_cancel_requested: bool = False

    @property
    def percent(self) -> int | None:
        if self.state is State.DONE:
            return 100
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))

    def as_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "kind": self.kind,
            "state": self.state.value,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "percent": self.percent,
            "message": self.message,
            "is_finished": self.state.is_finished,
        }


def _store(progress: Progress) -> Progress:
    cache.set(_PREFIX + progress.job_id, asdict(progress), timeout=settings.JOB_PROGRESS_SECONDS)
    return progress


def start(*, kind: str, user: User) -> Progress:
    """A new queued job of ``user``'s tenant."""
    return _store(
        Progress(
            job_id=secrets.token_urlsafe(16), kind=kind, tenant_id=user.tenant_id, user_id=user.pk
        )
    )


def load(job_id: str) -> Progress | None:
    stored = (
        cache.get(_PREFIX + job_id) if job_id.replace("-", "").replace("_", "").isalnum() else None
    )
    if not isinstance(stored, dict):
        return None
    return Progress(**{**stored, "state": State(stored["state"])})


def for_user(user: User, job_id: str) -> Progress | None:
    """The job if it is the user's own; another tenant's or user's job reads as missing."""
    progress = load(job_id)
    if progress is None or progress.tenant_id != user.tenant_id or progress.user_id != user.pk:
        return None
    return progress


def report(job_id: str, **changes: Any) -> Progress:
    """Record the worker's progress; raises JobCancelled when the user asked to stop.

    Called at checkpoints, so cancelling takes effect there and nothing is half-written.
    """
    progress = load(job_id)
    if progress is None:
        raise JobCancelled("The job's progress expired; it was abandoned.")
    if progress.is_cancel_requested:
        _store(replace(progress, state=State.CANCELLED, stage="Cancelled"))
        raise JobCancelled("The job was cancelled.")
    return _store(replace(progress, state=State.RUNNING, **changes))


def finish(job_id: str, *, state: State, message: str = "", stage: str = "") -> None:
    progress = load(job_id)
    if progress is not None:
        _store(replace(progress, state=state, message=message, stage=stage or progress.stage))


def request_cancel(user: User, job_id: str) -> Progress | None:
    progress = for_user(user, job_id)
    if progress is None or progress.state.is_finished:
        return progress
    if progress.state is State.QUEUED:
        # Not started: it will stop at its first checkpoint; show it cancelled at once.
        return _store(
            replace(progress, is_cancel_requested=True, state=State.CANCELLED, stage="Cancelled")
        )
    return _store(replace(progress, is_cancel_requested=True, stage="Cancelling…"))
