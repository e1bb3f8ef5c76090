"""Large reviews computed in the worker, with progress the review page can show.

The worker acts with the clerk's own Salesforce access: the access token (never the refresh token,
whose rotation would end the clerk's session) rides along encrypted in the cache for the run's
lifetime. The computed review waits there, encrypted, for half an hour; nothing is written to the
database.
"""

import json
import pickle
from collections.abc import Callable
from dataclasses import replace

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from portal import encryption, progress
from portal.credentials import SalesforceCredentials
from portal.models import Tenant, User
from portal.progress import JobCancelled, Progress, State
from portal.salesforce.connection import build_client
from portal.salesforce.errors import SalesforceError, SalesforceSessionExpired
from settlement.review import Review, compute_review

REVIEW_KIND = "review"


def _access_key(job_id: str) -> str:
    return f"review-run:{job_id}:access"


def _result_key(job_id: str) -> str:
    return f"review-run:{job_id}:result"


def start_review_run(
    *, user: User, credentials: SalesforceCredentials, enqueue: Callable[[str], object]
) -> Progress:
    """Queue a review computation for ``user``; ``enqueue`` hands the job ID to the worker."""
    started = progress.start(kind=REVIEW_KIND, user=user)
    access = {"instance_url": credentials.instance_url, "access_token": credentials.access_token}
    cache.set(
        _access_key(started.job_id),
        encryption.encrypt(json.dumps(access).encode()),
        timeout=settings.JOB_PROGRESS_SECONDS,
    )
    transaction.on_commit(lambda: enqueue(started.job_id))
    return started


def _no_renewal() -> str:
    raise SalesforceSessionExpired(
        "Your Salesforce session expired during the run; open the review again to restart it."
    )


def run_review(job_id: str) -> None:
    """Compute the review of a queued run and keep it for the clerk; records the outcome."""
    queued = progress.load(job_id)
    sealed = cache.get(_access_key(job_id))
    if queued is None or sealed is None:
        return
    access = json.loads(encryption.decrypt(sealed))
    client = build_client(access["instance_url"], access["access_token"], _no_renewal)
    tenant = Tenant.objects.get(pk=queued.tenant_id)

    def report(stage: str, done: int, total: int | None) -> None:
        progress.report(job_id, stage=stage, done=done, total=total)

    try:
        report("Counting records", 0, None)
        review = compute_review(client=client, tenant=tenant, on_progress=report)
        report("Keeping the result", 0, None)
        cache.set(
            _result_key(job_id),
            encryption.encrypt(pickle.dumps(review)).encode("ascii"),
            timeout=settings.REVIEW_RESULT_SECONDS,
        )
    except JobCancelled:
        return
    except SalesforceError as error:
        progress.finish(job_id, state=State.FAILED, message=str(error), stage="Failed")
        return
    finally:
        cache.delete(_access_key(job_id))
    progress.finish(
        job_id,
        state=State.DONE,
        stage="Done",
        message=(
            f"{len(review.result.suggestions)} suggestions for {len(review.items)} statement items."
        ),
    )


def load_review(user: User, job_id: str) -> Review | None:
    """The finished run's review if it is the user's own and still kept, else None."""
    finished = progress.for_user(user, job_id)
    if finished is None or finished.state is not State.DONE:
        return None
    sealed = cache.get(_result_key(job_id))
    if sealed is None:
        return None
    review: Review = pickle.loads(encryption.decrypt(sealed.decode("ascii")))  # noqa: S301
    return review


def forget_items(user: User, job_id: str, statement_item_ids: set[str]) -> None:
    """Drop settled or rejected items from a kept review, so its pages stay current."""
    review = load_review(user, job_id)
    if review is None or not statement_item_ids:
        return
    kept = tuple(
        suggestion
        for suggestion in review.result.suggestions
        if suggestion.statement_item_id not in statement_item_ids
    )
    trimmed = Review(
        result=replace(review.result, suggestions=kept),
        items={k: v for k, v in review.items.items() if k not in statement_item_ids},
        entries=review.entries,
    )
    cache.set(
        _result_key(job_id),
        encryption.encrypt(pickle.dumps(trimmed)).encode("ascii"),
        timeout=settings.REVIEW_RESULT_SECONDS,
    )


# -- the review a user just looked at --------------------------------------------------------------


def _recent_key(user: User) -> str:
    return f"review-recent:{user.tenant_id}:{user.pk}"


def keep_recent(user: User, review: Review) -> None:
    """Keep the review a user just computed for a couple of minutes, encrypted, so that paging,
    filtering and coming back after an accept do not read all of Salesforce again."""
    cache.set(
        _recent_key(user),
        encryption.encrypt(pickle.dumps(review)).encode("ascii"),
        timeout=settings.REVIEW_RECENT_SECONDS,
    )


def recent(user: User) -> Review | None:
    sealed = cache.get(_recent_key(user))
    if sealed is None:
        return None
    review: Review = pickle.loads(encryption.decrypt(sealed.decode("ascii")))  # noqa: S301
    return review


def forget_recent(user: User) -> None:
    """After the user settled or rejected something: the next review is read afresh."""
    cache.delete(_recent_key(user))
