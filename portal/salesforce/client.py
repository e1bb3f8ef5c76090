"""The Salesforce data client: queries, describes and idempotent writes under one user's token.

Every call has a timeout, retries what a retry can fix (network errors, 5xx, REQUEST_LIMIT_EXCEEDED)
with exponential back-off, renews an expired session once, and turns Salesforce's error bodies into
the exceptions of ``portal.salesforce.errors``. Writes go by external ID through the composite
sObject collections API, 200 records a call and all-or-none, so a retried write never duplicates.
"""

import csv
import io
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceError as LibrarySalesforceError,
)
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from portal.salesforce.errors import (
    SalesforceError,
    SalesforcePermissionError,
    SalesforceRequestError,
    SalesforceRetryableError,
    SalesforceSessionExpired,
)
from portal.salesforce.transport import build_http_session, instance_host

logger = logging.getLogger(__name__)
Result = TypeVar("Result")

COLLECTION_LIMIT = 200
_PERMISSION_CODES = {
    "INSUFFICIENT_ACCESS",
    "INSUFFICIENT_ACCESS_OR_READONLY",
    "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
    "INVALID_FIELD_FOR_INSERT_UPDATE",
    "API_DISABLED_FOR_ORG",
    "API_CURRENTLY_DISABLED",
}
_RETRYABLE_CODES = {"REQUEST_LIMIT_EXCEEDED", "SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW"}
# Above this share of the org's daily API calls, slow down to leave room for the org's other users.
_USAGE_SLOWDOWN_THRESHOLD = 0.9


@dataclass(frozen=True)
class FieldDescription:
    name: str
    type: str
    length: int
    is_external_id: bool
    is_unique: bool
    is_createable: bool
    is_updateable: bool
    reference_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObjectDescription:
    name: str
    is_queryable: bool
    is_createable: bool
    is_updateable: bool
    fields: dict[str, FieldDescription] = field(default_factory=dict)


@dataclass(frozen=True)
class WriteResult:
    record_id: str
    is_created: bool


@dataclass(frozen=True)
class ApiUsage:
    used: int
    limit: int

    @property
    def share(self) -> float:
        return self.used / self.limit if self.limit else 0.0


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    first_delay_seconds: float = 0.5
    max_delay_seconds: float = 8.0


def _first_error(content: Any) -> tuple[str, str]:
    """Salesforce answers errors as ``[{"errorCode", "message"}]``; take the first one."""
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return str(content[0].get("errorCode", "")), str(content[0].get("message", ""))
    if isinstance(content, dict):
        return str(content.get("errorCode", "")), str(content.get("message", ""))
    return "", str(content)[:500]


def _translate(error: LibrarySalesforceError) -> SalesforceError:
    code, message = _first_error(error.content)
    if isinstance(error, SalesforceExpiredSession):
        return SalesforceSessionExpired("The Salesforce session has expired.", error_code=code)
    if code in _RETRYABLE_CODES or isinstance(error, SalesforceGeneralError):
        return SalesforceRetryableError(
            f"Salesforce is busy or unavailable ({code or error.status}); try again shortly.",
            error_code=code,
        )
    if code in _PERMISSION_CODES or (isinstance(error, SalesforceRefusedRequest) and code != ""):
        return SalesforcePermissionError(
            f"Your Salesforce permissions do not allow this: {message}", error_code=code
        )
    if code == "INVALID_FIELD":
        # Salesforce answers the same for a field that does not exist and one hidden from the
        # user by field-level security; the user can only tell which from Setup.
        return SalesforcePermissionError(
            f"A field is missing in Salesforce or hidden from you: {message}", error_code=code
        )
    if isinstance(error, SalesforceResourceNotFound):
        return SalesforceRequestError(f"Not found in Salesforce: {message}", error_code=code)
    return SalesforceRequestError(f"Salesforce refused the request: {message}", error_code=code)


class SalesforceClient:
    """Data calls under one user's token.

    ``renew_token`` is called once when the token has expired; it returns a fresh access token or
    raises SalesforceSessionExpired. ``sleep`` is injectable so tests do not wait.
    """

    def __init__(
        self,
        *,
        instance_url: str,
        access_token: str,
        api_version: str,
        timeout: float,
        local_salesforce_url: str = "",
        renew_token: Callable[[], str] | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._instance_url = instance_url
        self._api_version = api_version
        self._http = build_http_session(timeout=timeout, local_salesforce_url=local_salesforce_url)
        self._renew_token = renew_token
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._sf = self._connect(access_token)
        self.api_usage: ApiUsage | None = None

    def __repr__(self) -> str:
        return f"SalesforceClient(instance_url={self._instance_url!r})"

    def _connect(self, access_token: str) -> Salesforce:
        return Salesforce(
            instance=instance_host(self._instance_url),
            session_id=access_token,
            version=self._api_version,
            session=self._http,
        )

    # -- the call discipline ------------------------------------------------------------------

    def _call(self, operation: Callable[[Salesforce], Result]) -> Result:
        renewed = False
        delay = self._retry.first_delay_seconds
        for attempt in range(1, self._retry.attempts + 1):
            self._respect_api_usage()
            try:
                result = operation(self._sf)
            except (requests.ConnectionError, requests.Timeout) as error:
                failure: SalesforceError = SalesforceRetryableError(
                    "Salesforce could not be reached; try again shortly."
                )
                failure.__cause__ = error
            except LibrarySalesforceError as error:
                failure = _translate(error)
            else:
                self._read_api_usage()
                return result
            if isinstance(failure, SalesforceSessionExpired) and not renewed and self._renew_token:
                self._sf = self._connect(self._renew_token())
                renewed = True
                continue
            if not isinstance(failure, SalesforceRetryableError) or attempt == self._retry.attempts:
                raise failure
            logger.warning(
                "Salesforce call failed (%s), retrying in %.1f s", failure.error_code, delay
            )
            self._sleep(delay)
            delay = min(delay * 2, self._retry.max_delay_seconds)
        raise AssertionError("unreachable: the last attempt raises")  # pragma: no cover

    def _read_api_usage(self) -> None:
        usage = getattr(self._sf, "api_usage", {}).get("api-usage")
        if usage is not None:
            self.api_usage = ApiUsage(used=usage.used, limit=usage.total)

    def _respect_api_usage(self) -> None:
        if self.api_usage and self.api_usage.share >= _USAGE_SLOWDOWN_THRESHOLD:
            # Spread the remaining calls out rather than exhaust the org's daily allowance.
            self._sleep(self._retry.first_delay_seconds)

    # -- reads ----------------------------------------------------------------------------------

    def query(self, soql: str) -> Iterator[dict[str, Any]]:
        """Yield every record of a SOQL query, following ``nextRecordsUrl`` page by page."""
        page = self._call(lambda sf: sf.query(soql))
        while True:
            yield from _without_attributes(page["records"])
            if page.get("done", True):
                return
            page = self._call(_next_page(page["nextRecordsUrl"]))

    def count(self, soql: str) -> int:
        return int(self._call(lambda sf: sf.query(soql))["totalSize"])

    def describe(self, sobject: str) -> ObjectDescription:
        data: Any = self._call(lambda sf: sf.restful(f"sobjects/{sobject}/describe"))
        return ObjectDescription(
            name=data["name"],
            is_queryable=bool(data.get("queryable", True)),
            is_createable=bool(data.get("createable", False)),
            is_updateable=bool(data.get("updateable", False)),
            fields={
                item["name"]: FieldDescription(
                    name=item["name"],
                    type=item["type"],
                    length=int(item.get("length") or 0),
                    is_external_id=bool(item.get("externalId")),
                    is_unique=bool(item.get("unique")),
                    is_createable=bool(item.get("createable")),
                    is_updateable=bool(item.get("updateable")),
                    reference_to=tuple(item.get("referenceTo") or ()),
                )
                for item in data["fields"]
            },
        )

    def bulk_query(self, soql: str) -> Iterator[dict[str, str]]:
        """Yield the records of a large query through Bulk API 2.0 (values as CSV strings)."""
        sobject = _object_of(soql)
        chunks = self._call(lambda sf: list(getattr(sf.bulk2, sobject).query(soql)))
        for chunk in chunks:
            yield from csv.DictReader(io.StringIO(str(chunk)))

    # -- writes ---------------------------------------------------------------------------------

    def upsert(
        self, sobject: str, external_id_field: str, records: Sequence[dict[str, Any]]
    ) -> list[WriteResult]:
        """Create or update records by external ID, 200 a call, each call all-or-none.

        Raises SalesforceRequestError naming the first failing record when a call is refused;
        the calls before it stay written, which is safe because a retry upserts them again.
        """
        results: list[WriteResult] = []
        for start in range(0, len(records), COLLECTION_LIMIT):
            chunk = [
                {"attributes": {"type": sobject}, **record}
                for record in records[start : start + COLLECTION_LIMIT]
            ]
            answer = self._call(
                _composite_upsert(f"composite/sobjects/{sobject}/{external_id_field}", chunk)
            )
            results.extend(_write_results(answer, chunk, start))
        return results

    def update(self, sobject: str, records: Sequence[dict[str, Any]]) -> list[WriteResult]:
        """Update records by Id, 200 a call, each call all-or-none; raises like :meth:`upsert`."""
        results: list[WriteResult] = []
        for start in range(0, len(records), COLLECTION_LIMIT):
            chunk = [
                {"attributes": {"type": sobject}, **record}
                for record in records[start : start + COLLECTION_LIMIT]
            ]
            answer = self._call(_composite_update(chunk))
            results.extend(_write_results(answer, chunk, start))
        return results

    def composite(self, subrequests: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Run sObject subrequests in one all-or-none call (Salesforce's Composite resource).

        Later subrequests may refer to earlier results as ``@{referenceId.id}``. Returns each
        subrequest's body; raises like :meth:`upsert` naming the subrequest that failed, and then
        nothing of the call is written.
        """
        prefix = f"/services/data/v{self._api_version}/"
        payload = {
            "allOrNone": True,
            "compositeRequest": [
                {**subrequest, "url": prefix + subrequest["url"]} for subrequest in subrequests
            ],
        }
        answer = self._call(lambda sf: sf.restful("composite", method="POST", json=payload))
        responses = list((answer or {}).get("compositeResponse", []))
        for response in responses:
            body = response.get("body")
            if int(response.get("httpStatusCode", 500)) >= 400 and isinstance(body, list):
                code = str(body[0].get("errorCode", "")) if body else ""
                if code == "PROCESSING_HALTED":
                    continue
                message = f"{response.get('referenceId')}: {body[0].get('message', 'refused')}"
                if code in _PERMISSION_CODES:
                    raise SalesforcePermissionError(
                        f"Your Salesforce permissions do not allow this: {message}",
                        error_code=code,
                    )
                raise SalesforceRequestError(
                    f"Salesforce refused the write. {message}", error_code=code
                )
        return [response.get("body") for response in responses]

    def bulk_upsert(
        self, sobject: str, external_id_field: str, records: Sequence[dict[str, Any]]
    ) -> tuple[int, int]:
        """Upsert many records through Bulk API 2.0; returns (processed, failed)."""
        if not records:
            return 0, 0
        rows = [
            {key: "" if value is None else str(value) for key, value in r.items()} for r in records
        ]
        outcome = self._call(
            lambda sf: getattr(sf.bulk2, sobject).upsert(
                records=rows, external_id_field=external_id_field, wait=1
            )
        )
        processed = sum(int(job.get("numberRecordsProcessed", 0)) for job in outcome)
        failed = sum(int(job.get("numberRecordsFailed", 0)) for job in outcome)
        return processed, failed


def _next_page(url: str) -> Callable[[Salesforce], Any]:
    return lambda sf: sf.query_more(url, identifier_is_url=True)


def _composite_upsert(path: str, records: list[dict[str, Any]]) -> Callable[[Salesforce], Any]:
    return lambda sf: sf.restful(path, method="PATCH", json={"allOrNone": True, "records": records})


def _composite_update(records: list[dict[str, Any]]) -> Callable[[Salesforce], Any]:
    return lambda sf: sf.restful(
        "composite/sobjects", method="PATCH", json={"allOrNone": True, "records": records}
    )


def _without_attributes(records: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for record in records:
        yield _strip(record)


def _strip(value: Any) -> Any:
    """Drop Salesforce's ``attributes`` from a record and its parent-relationship records."""
    if isinstance(value, dict):
        return {key: _strip(inner) for key, inner in value.items() if key != "attributes"}
    return value


def _object_of(soql: str) -> str:
    words = soql.split()
    lowered = [word.lower() for word in words]
    return words[lowered.index("from") + 1]


def _write_results(answer: Any, chunk: list[dict[str, Any]], offset: int) -> list[WriteResult]:
    results = []
    for index, item in enumerate(answer or []):
        if not item.get("success"):
            errors = item.get("errors") or [{}]
            real = next(
                (e for e in errors if e.get("statusCode") != "ALL_OR_NONE_OPERATION_ROLLED_BACK"),
                None,
            )
            if real is None:
                continue
            code = str(real.get("statusCode", ""))
            message = f"Record {offset + index + 1}: {real.get('message', 'refused')}"
            if code in _PERMISSION_CODES:
                raise SalesforcePermissionError(
                    f"Your Salesforce permissions do not allow this: {message}", error_code=code
                )
            raise SalesforceRequestError(
                f"Salesforce refused the write. {message}", error_code=code
            )
        results.append(WriteResult(record_id=item["id"], is_created=bool(item.get("created"))))
    if len(results) != len(chunk):
        raise SalesforceRequestError("Salesforce refused the write (all or none).")
    return results
