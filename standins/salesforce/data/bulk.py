"""Bulk API 2.0 jobs: ingest (insert, update, upsert, delete from CSV) and query (SOQL to CSV).

An ingest job takes one CSV upload while ``Open``; ``UploadComplete`` queues it for a background
thread, which applies the rows in chunks (each chunk one transaction, each row in its own savepoint:
a failed row fails alone) and records a result per row, then sets ``JobComplete``. Aborting stops
it between chunks; rows never reached are the unprocessed records. A query job is checked when
created and run in the background; its results are read in pages with an opaque locator.

Jobs still queued or running when the process stops are picked up again at the next start.
"""

import array
import base64
import binascii
import csv
import io
import logging
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from standins.salesforce import ids
from standins.salesforce.data import permissions, querying, values
from standins.salesforce.data.errors import (
    ApiError,
    InvalidJobError,
    InvalidJobStateError,
    InvalidQueryLocatorError,
    NotFoundError,
    RecordError,
)
from standins.salesforce.data.permissions import PermissionSet
from standins.salesforce.data.querying import Caller
from standins.salesforce.data.records import Actor, Writer, savepoint
from standins.salesforce.data.schema import Field, Schema, SObjectType
from standins.salesforce.data.values import Stored, ValueTypeError
from standins.salesforce.store import Store, transaction

logger = logging.getLogger("standins.salesforce")

JOB_KEY_PREFIX = "750"
MAX_UPLOAD_BYTES = 150 * 1024 * 1024
CHUNK_ROWS = 2000
NULL_MARKER = "#N/A"
INGEST_OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")
QUERY_OPERATIONS = ("query", "queryAll")
DELIMITERS = {
    "COMMA": ",",
    "TAB": "\t",
    "PIPE": "|",
    "SEMICOLON": ";",
    "CARET": "^",
    "BACKQUOTE": "`",
}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}

OPEN = "Open"
UPLOAD_COMPLETE = "UploadComplete"
IN_PROGRESS = "InProgress"
JOB_COMPLETE = "JobComplete"
FAILED = "Failed"
ABORTED = "Aborted"
_FINISHED = (JOB_COMPLETE, FAILED, ABORTED)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Job:
    """A Bulk API 2.0 job as stored."""

    id: str
    org_id: str
    user_id: str
    kind: str  # "ingest" or "query"
    operation: str
    sobject: str
    external_id_field: str | None
    query: str | None
    line_ending: str
    column_delimiter: str
    api_version: str
    state: str
    error_message: str | None
    records_processed: int
    records_failed: int
    processing_ms: int
    created_at: str
    modstamp: str

    @property
    def delimiter(self) -> str:
        return DELIMITERS[self.column_delimiter]

    @property
    def newline(self) -> str:
        return LINE_ENDINGS[self.line_ending]

    def info(self, *, full: bool = True) -> dict[str, object]:
        """The job as Salesforce describes it (``full``: as ``GET`` answers, not as create)."""
        document: dict[str, object] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.sobject,
            "createdById": self.user_id,
            "createdDate": self.created_at,
            "systemModstamp": self.modstamp,
            "state": self.state,
        }
        if self.kind == "ingest" and self.external_id_field:
            document["externalIdFieldName"] = self.external_id_field
        document.update(
            {
                "concurrencyMode": "Parallel",
                "contentType": "CSV",
                "apiVersion": float(self.api_version),
            }
        )
        if self.kind == "ingest" and not full:
            document["contentUrl"] = (
                f"services/data/v{self.api_version}/jobs/ingest/{self.id}/batches"
            )
        document.update({"lineEnding": self.line_ending, "columnDelimiter": self.column_delimiter})
        if full:
            document["jobType"] = "V2Ingest" if self.kind == "ingest" else "V2Query"
            document["numberRecordsProcessed"] = self.records_processed
            if self.kind == "ingest":
                document["numberRecordsFailed"] = self.records_failed
            document["retries"] = 0
            document["totalProcessingTime"] = self.processing_ms
            if self.kind == "ingest":
                document["apiActiveProcessingTime"] = self.processing_ms
                document["apexProcessingTime"] = 0
            else:
                document["isPkChunkingSupported"] = False
            if self.error_message:
                document["errorMessage"] = self.error_message
        return document


_JOB_COLUMNS = (
    "id, org_id, user_id, kind, operation, object, external_id_field, query, line_ending, "
    "column_delimiter, api_version, state, error_message, records_processed, records_failed, "
    "processing_ms, created_at, modstamp"
)


def _job_from_row(row: sqlite3.Row) -> Job:
    fields = {key: row[key] for key in row.keys()}  # noqa: SIM118 - sqlite3.Row has no items()
    fields["sobject"] = fields.pop("object")
    return Job(**fields)


def _new_job_id(org_id: str) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    id15 = f"{JOB_KEY_PREFIX}{org_id[3:5]}{''.join(secrets.choice(alphabet) for _ in range(10))}"
    return id15 + ids.checksum(id15)


def get_job(db: sqlite3.Connection, job_id: str, *, org_id: str, kind: str) -> Job:
    """A job of the caller's org; ``NOT_FOUND`` for another org's job, as for an unknown one."""
    row = db.execute(
        f"SELECT {_JOB_COLUMNS} FROM bulk_jobs WHERE id = ? AND org_id = ? AND kind = ?",  # noqa: S608 - fixed columns
        (ids.to_18(job_id) if ids.is_valid(job_id) else job_id, org_id, kind),
    ).fetchone()
    if row is None:
        raise NotFoundError("Job not found")
    return _job_from_row(row)


def list_jobs(db: sqlite3.Connection, *, org_id: str, kind: str) -> list[Job]:
    return [
        _job_from_row(row)
        for row in db.execute(
            f"SELECT {_JOB_COLUMNS} FROM bulk_jobs WHERE org_id = ? AND kind = ? "  # noqa: S608 - fixed columns
            "ORDER BY created_at, id",
            (org_id, kind),
        )
    ]


def _format_options(body: Mapping[str, object]) -> tuple[str, str]:
    line_ending = str(body.get("lineEnding") or "LF")
    delimiter = str(body.get("columnDelimiter") or "COMMA")
    if line_ending not in LINE_ENDINGS:
        raise InvalidJobError(f"InvalidJob : Invalid line ending: {line_ending}")
    if delimiter not in DELIMITERS:
        raise InvalidJobError(f"InvalidJob : Invalid column delimiter: {delimiter}")
    if str(body.get("contentType") or "CSV") != "CSV":
        raise InvalidJobError("InvalidJob : Only CSV content is supported")
    return line_ending, delimiter


def _insert_job(
    db: sqlite3.Connection,
    *,
    org_id: str,
    user_id: str,
    kind: str,
    operation: str,
    sobject: str,
    external_id_field: str | None,
    query: str | None,
    line_ending: str,
    column_delimiter: str,
    version: str,
    state: str,
    now: datetime,
) -> Job:
    stamp = values.format_datetime(now)
    job_id = _new_job_id(org_id)
    db.execute(
        """
        INSERT INTO bulk_jobs (id, org_id, user_id, kind, operation, object, external_id_field,
            query, line_ending, column_delimiter, api_version, state, created_at, modstamp)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            job_id,
            org_id,
            user_id,
            kind,
            operation,
            sobject,
            external_id_field,
            query,
            line_ending,
            column_delimiter,
            version,
            state,
            stamp,
            stamp,
        ),
    )
    return get_job(db, job_id, org_id=org_id, kind=kind)


def create_ingest_job(
    db: sqlite3.Connection,
    schema: Schema,
    actor: Actor,
    body: Mapping[str, object],
    *,
    version: str,
) -> Job:
    """Open an ingest job from a create request's body; raises :class:`ApiError` if it is bad."""
    operation = str(body.get("operation") or "")
    if operation not in INGEST_OPERATIONS:
        raise InvalidJobError(f"InvalidJob : Invalid operation: {operation}")
    sobject = schema.get(str(body.get("object") or ""))
    if sobject is None or not actor.access.on(sobject).read:
        raise InvalidJobError(f"InvalidJob : Invalid object: {body.get('object')}")
    external_id_field = None
    if operation == "upsert":
        name = str(body.get("externalIdFieldName") or "")
        field = sobject.field(name)
        if field is None or not field.id_lookup or not actor.access.can_read_field(sobject, field):
            raise InvalidJobError(
                f"InvalidJob : External ID was blank or invalid for {sobject.name}: {name}. An "
                "External ID must be specified for upsert."
            )
        external_id_field = field.name
    line_ending, delimiter = _format_options(body)
    return _insert_job(
        db,
        org_id=actor.org_id,
        user_id=actor.user_id,
        kind="ingest",
        operation=operation,
        sobject=sobject.name,
        external_id_field=external_id_field,
        query=None,
        line_ending=line_ending,
        column_delimiter=delimiter,
        version=version,
        state=OPEN,
        now=actor.now,
    )


def upload(db: sqlite3.Connection, job: Job, data: bytes) -> None:
    """Keep a job's CSV; allowed once, while the job is ``Open``."""
    if job.state != OPEN:
        raise InvalidJobStateError(f"Job {job.id} is not Open: its state is {job.state}")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidJobError("InvalidJob : The uploaded data exceeds 150 MB")
    updated = db.execute(
        "UPDATE bulk_jobs SET data = ? WHERE id = ? AND data IS NULL", (data, job.id)
    ).rowcount
    if not updated:
        raise InvalidJobStateError(f"Job {job.id} already has its data: upload it in one request")


def _set_state(
    db: sqlite3.Connection, job_id: str, state: str, now: datetime, **extra: object
) -> None:
    assignments = ", ".join(f"{name} = ?" for name in extra)
    db.execute(
        f"UPDATE bulk_jobs SET state = ?, modstamp = ?{', ' if extra else ''}{assignments} "  # noqa: S608 - names from this module
        "WHERE id = ?",
        (state, values.format_datetime(now), *extra.values(), job_id),
    )


def change_state(db: sqlite3.Connection, job: Job, state: str, now: datetime) -> Job:
    """Close (``UploadComplete``) or abort (``Aborted``) a job as its owner asks."""
    if state == UPLOAD_COMPLETE and job.kind == "ingest" and job.state == OPEN:
        has_data = db.execute(
            "SELECT data IS NOT NULL FROM bulk_jobs WHERE id = ?", (job.id,)
        ).fetchone()[0]
        if not has_data:
            _set_state(db, job.id, FAILED, now, error_message="No data uploaded for the job")
        else:
            _set_state(db, job.id, UPLOAD_COMPLETE, now)
    elif state == ABORTED and job.state not in _FINISHED:
        _set_state(db, job.id, ABORTED, now)
    else:
        raise InvalidJobStateError(
            f"Cannot change the state of job {job.id} from {job.state} to {state}"
        )
    return get_job(db, job.id, org_id=job.org_id, kind=job.kind)


def delete_job(db: sqlite3.Connection, job: Job) -> None:
    if job.state in {OPEN, IN_PROGRESS}:
        raise InvalidJobStateError(f"Cannot delete job {job.id} in state {job.state}")
    db.execute("DELETE FROM bulk_results WHERE job_id = ?", (job.id,))
    db.execute("DELETE FROM bulk_jobs WHERE id = ?", (job.id,))


def create_query_job(
    db: sqlite3.Connection,
    schema: Schema,
    caller: Caller,
    body: Mapping[str, object],
    *,
    version: str,
) -> Job:
    """Check a query job's SOQL for the caller and queue it."""
    operation = str(body.get("operation") or "")
    if operation not in QUERY_OPERATIONS:
        raise InvalidJobError(f"InvalidJob : Invalid operation: {operation}")
    text = str(body.get("query") or "")
    compiled = querying.compile_query(schema, caller, text, include_deleted=operation == "queryAll")
    if compiled.count_only:
        raise InvalidJobError("InvalidJob : Aggregate queries are not supported by Bulk API 2.0")
    line_ending, delimiter = _format_options(body)
    return _insert_job(
        db,
        org_id=caller.org_id,
        user_id=caller.user_id,
        kind="query",
        operation=operation,
        sobject=compiled.sobject.name,
        external_id_field=None,
        query=text,
        line_ending=line_ending,
        column_delimiter=delimiter,
        version=version,
        state=UPLOAD_COMPLETE,
        now=caller.now,
    )


# -- CSV -----------------------------------------------------------------------------------------


def _csv_text(rows: Iterator[Sequence[str]], job: Job) -> str:
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=job.delimiter, lineterminator=job.newline, quoting=csv.QUOTE_ALL
    )
    writer.writerows(rows)
    return buffer.getvalue()


def _uploaded_rows(db: sqlite3.Connection, job: Job) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a job's upload."""
    row = db.execute("SELECT data FROM bulk_jobs WHERE id = ?", (job.id,)).fetchone()
    if row is None or row[0] is None:
        return [], []
    text = bytes(row[0]).decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=job.delimiter)
    rows = [entry for entry in reader if entry]
    return (rows[0], rows[1:]) if rows else ([], [])


def ingest_results(db: sqlite3.Connection, job: Job, kind: str) -> str:
    """``successfulResults``, ``failedResults`` or ``unprocessedrecords`` as CSV."""
    header, rows = _uploaded_rows(db, job)
    results = {
        row["row_number"]: row
        for row in db.execute(
            "SELECT row_number, success, record_id, created, error FROM bulk_results "
            "WHERE job_id = ? ORDER BY row_number",
            (job.id,),
        )
    }
    if kind == "unprocessedrecords":
        return _csv_text(
            iter([header, *(row for number, row in enumerate(rows, 1) if number not in results)]),
            job,
        )
    success = kind == "successfulResults"
    columns = ["sf__Id", "sf__Created"] if success else ["sf__Id", "sf__Error"]
    output: list[Sequence[str]] = [[*columns, *header]]
    for number, result in results.items():
        if bool(result["success"]) != success or number > len(rows):
            continue
        second = ("true" if result["created"] else "false") if success else result["error"] or ""
        output.append([result["record_id"] or "", second, *rows[number - 1]])
    return _csv_text(iter(output), job)


@dataclass(frozen=True)
class ResultPage:
    csv: str
    locator: str | None
    count: int


def _locator(position: int) -> str:
    return base64.b64encode(str(position).encode()).decode().rstrip("=")


def _position(locator: str) -> int:
    try:
        padded = locator + "=" * (-len(locator) % 4)
        return int(base64.b64decode(padded, validate=True).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidQueryLocatorError(f"Invalid locator: {locator}") from None


def query_results(
    db: sqlite3.Connection,
    schema: Schema,
    caller: Caller,
    job: Job,
    *,
    locator: str | None,
    max_records: int | None,
) -> ResultPage:
    """One page of a finished query job's results as CSV, and the locator of the next page."""
    if job.state != JOB_COMPLETE:
        raise InvalidJobStateError(f"Job {job.id} has no results yet: its state is {job.state}")
    row = db.execute("SELECT row_ids FROM bulk_jobs WHERE id = ?", (job.id,)).fetchone()
    rows = array.array("q")
    rows.frombytes(row[0] or b"")
    start = _position(locator) if locator else 0
    end = len(rows) if not max_records else min(len(rows), start + max_records)
    compiled = querying.compile_query(
        schema, caller, job.query or "", include_deleted=job.operation == "queryAll"
    )
    converters = [(column.index, values.csv_converter(column.field)) for column in compiled.columns]
    fetched = compiled.fetch(db, list(rows[start:end]))
    lines: list[Sequence[str]] = [[column.header for column in compiled.columns]]
    lines.extend([convert(found[index]) for index, convert in converters] for found in fetched)
    return ResultPage(
        csv=_csv_text(iter(lines), job),
        locator=_locator(end) if end < len(rows) else None,
        count=len(fetched),
    )


# -- Processing ----------------------------------------------------------------------------------


class _JobFailure(Exception):
    """The whole job fails (a bad header): it ends ``Failed`` with this message."""


def _columns(sobject: SObjectType, header: list[str], job: Job) -> list[Field]:
    if not header:
        raise _JobFailure("InvalidBatch : Failed to parse CSV header")
    fields = []
    for name in header:
        field = sobject.field(name.strip())
        if field is None:
            raise _JobFailure(f"InvalidBatch : Field name not found : {name}")
        fields.append(field)
    names = {field.name for field in fields}
    if job.operation in {"update", "delete", "hardDelete"} and "Id" not in names:
        raise _JobFailure("InvalidBatch : Field name not found : Id")
    if job.operation == "upsert" and job.external_id_field not in names:
        raise _JobFailure(f"InvalidBatch : Field name not found : {job.external_id_field}")
    return fields


def _row_values(fields: list[Field], cells: list[str]) -> dict[str, Stored]:
    if len(cells) != len(fields):
        raise RecordError(
            "INVALID_FIELD", "The row has a different number of columns than the header"
        )
    given: dict[str, Stored] = {}
    for field, cell in zip(fields, cells, strict=True):
        if cell == "":
            continue
        if cell == NULL_MARKER:
            given[field.name] = values.from_json(field, None)
            continue
        try:
            given[field.name] = values.from_csv(field, cell)
        except ValueTypeError:
            raise RecordError(
                "INVALID_TYPE_ON_FIELD_IN_RECORD",
                f"{field.label}: value not of required type: {cell}",
                [field.name],
            ) from None
    return given


def _apply_row(
    writer: Writer, job: Job, sobject: SObjectType, given: dict[str, Stored]
) -> tuple[str, bool]:
    if job.operation == "insert":
        return writer.create(sobject, given), True
    if job.operation == "upsert":
        key_field = sobject.field(job.external_id_field or "")
        key = given.pop(job.external_id_field or "", None)
        if key_field is None or key is None:
            raise RecordError("MISSING_ARGUMENT", f"{job.external_id_field} not specified")
        return writer.upsert(sobject, key_field, str(key), given)
    record_id = given.pop("Id", None)
    if record_id is None:
        raise RecordError("MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])
    if job.operation == "update":
        return writer.update(sobject, str(record_id), given), False
    return writer.delete(sobject, str(record_id)), False


def _error_text(error: RecordError) -> str:
    return f"{error.status_code}:{error.message}:{','.join(error.fields)} --"


class BulkWorker:
    """Runs jobs in background threads, one at a time per thread."""

    def __init__(
        self,
        store: Store,
        schema: Schema,
        permission_sets: Mapping[str, PermissionSet],
        clock: Clock,
        threads: int = 2,
    ) -> None:
        self.store = store
        self.schema = schema
        self.permission_sets = permission_sets
        self.clock = clock
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="bulk-job")

    def submit(self, job_id: str) -> None:
        self.executor.submit(self._run, job_id)

    def resume(self) -> None:
        """Queue the jobs a previous process left queued or running."""
        with self.store.connect() as db:
            waiting = [
                row[0]
                for row in db.execute(
                    "SELECT id FROM bulk_jobs WHERE state IN (?, ?) ORDER BY created_at",
                    (UPLOAD_COMPLETE, IN_PROGRESS),
                )
            ]
        for job_id in waiting:
            self.submit(job_id)

    def _run(self, job_id: str) -> None:
        started = time.monotonic()
        with self.store.connect() as db:
            row = db.execute(
                f"SELECT {_JOB_COLUMNS} FROM bulk_jobs WHERE id = ?",  # noqa: S608 - names from the schema
                (job_id,),
            ).fetchone()
            if row is None:
                return
            job = _job_from_row(row)
            if job.state not in {UPLOAD_COMPLETE, IN_PROGRESS}:
                return
            try:
                if job.kind == "query":
                    self._run_query(db, job)
                else:
                    self._run_ingest(db, job, started)
            except _JobFailure as failure:
                _set_state(db, job.id, FAILED, self.clock(), error_message=str(failure))
            except Exception:
                logger.exception("bulk job %s failed", job_id)
                _set_state(db, job.id, FAILED, self.clock(), error_message="UNKNOWN_EXCEPTION")

    def _caller(self, db: sqlite3.Connection, job: Job) -> Caller:
        user = db.execute(
            "SELECT time_zone, locale FROM users WHERE id = ?", (job.user_id,)
        ).fetchone()
        return Caller(
            org_id=job.org_id,
            user_id=job.user_id,
            access=permissions.access_for(db, self.permission_sets, job.user_id),
            now=self.clock(),
            time_zone=user["time_zone"] if user else "UTC",
            locale=user["locale"] if user else "en_US",
        )

    def _run_query(self, db: sqlite3.Connection, job: Job) -> None:
        started = time.monotonic()
        _set_state(db, job.id, IN_PROGRESS, self.clock())
        caller = self._caller(db, job)
        try:
            compiled = querying.compile_query(
                self.schema, caller, job.query or "", include_deleted=job.operation == "queryAll"
            )
        except ApiError as error:
            raise _JobFailure(f"{error.error_code}: {error.message}") from None
        rows = compiled.matching_rows(db, job.org_id)
        elapsed = int((time.monotonic() - started) * 1000)
        db.execute(
            "UPDATE bulk_jobs SET row_ids = ?, state = ?, records_processed = ?, "
            "processing_ms = ?, modstamp = ? WHERE id = ? AND state = ?",
            (
                array.array("q", rows).tobytes(),
                JOB_COMPLETE,
                len(rows),
                elapsed,
                values.format_datetime(self.clock()),
                job.id,
                IN_PROGRESS,
            ),
        )

    def _run_ingest(self, db: sqlite3.Connection, job: Job, started: float) -> None:
        sobject = self.schema.get(job.sobject)
        if sobject is None:
            raise _JobFailure(f"InvalidJob : Invalid object: {job.sobject}")
        header, rows = _uploaded_rows(db, job)
        fields = _columns(sobject, header, job)
        done = db.execute(
            "SELECT coalesce(max(row_number), 0) FROM bulk_results WHERE job_id = ?", (job.id,)
        ).fetchone()[0]
        _set_state(db, job.id, IN_PROGRESS, self.clock())
        caller = self._caller(db, job)
        for first in range(done, len(rows), CHUNK_ROWS):
            state = db.execute("SELECT state FROM bulk_jobs WHERE id = ?", (job.id,)).fetchone()
            if state is None or state[0] != IN_PROGRESS:
                return  # aborted or deleted: the rest stays unprocessed
            actor = Actor(job.org_id, job.user_id, caller.access, self.clock())
            self._ingest_chunk(db, job, sobject, fields, rows, first, actor, started)
        elapsed = int((time.monotonic() - started) * 1000)
        db.execute(
            "UPDATE bulk_jobs SET state = ?, processing_ms = ?, modstamp = ? "
            "WHERE id = ? AND state = ?",
            (JOB_COMPLETE, elapsed, values.format_datetime(self.clock()), job.id, IN_PROGRESS),
        )

    def _ingest_chunk(
        self,
        db: sqlite3.Connection,
        job: Job,
        sobject: SObjectType,
        fields: list[Field],
        rows: list[list[str]],
        first: int,
        actor: Actor,
        started: float,
    ) -> None:
        results: list[tuple[str, int, int, str | None, int, str | None]] = []
        failed = 0
        with transaction(db):
            writer = Writer(db, self.schema, actor)
            for number, cells in enumerate(rows[first : first + CHUNK_ROWS], start=first + 1):
                try:
                    with savepoint(db):
                        record_id, created = _apply_row(
                            writer, job, sobject, _row_values(fields, cells)
                        )
                    results.append((job.id, number, 1, record_id, int(created), None))
                except RecordError as error:
                    failed += 1
                    results.append((job.id, number, 0, error.record_id, 0, _error_text(error)))
            db.executemany(
                "INSERT OR REPLACE INTO bulk_results "
                "(job_id, row_number, success, record_id, created, error) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                results,
            )
            db.execute(
                "UPDATE bulk_jobs SET records_processed = records_processed + ?, "
                "records_failed = records_failed + ?, processing_ms = ? WHERE id = ?",
                (len(results), failed, int((time.monotonic() - started) * 1000), job.id),
            )
