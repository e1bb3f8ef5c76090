"""Retrieving statements over EBICS: download, unpack, parse, and write them to Salesforce.

Nothing of the statements is kept: they pass through memory on their way to the org, and what is
recorded here (the audit event) holds counts only.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings

from banking import services
from banking.formats.container import unpack_download
from banking.formats.errors import FormatError
from banking.formats.statement import Statement
from banking.formats.statement_file import parse_statement_file
from banking.models import BankConnection
from portal.models import User
from portal.salesforce.client import SalesforceClient
from portal.salesforce.services import mapping_for
from portal.salesforce.statements import WrittenStatements, write_statements
from portal.services import record_audit
from settlement.own_payments import OwnPayments, apply_bookings


@dataclass(frozen=True)
class Retrieval:
    """What one retrieval found and did; ``statements`` live only as long as the request."""

    files: int
    statements: tuple[Statement, ...]
    problems: tuple[str, ...]
    skipped_accounts: tuple[str, ...]
    written: WrittenStatements | None
    own_payments: OwnPayments | None = None

    @property
    def items(self) -> int:
        return sum(len(statement.items) for statement in self.statements)


def _selected_accounts(connection: BankConnection) -> set[str] | None:
    rows = list(connection.accounts.all())
    if not rows:
        return None
    return {row.iban or row.account_id for row in rows if row.is_selected}


def parse_download(data: bytes) -> tuple[int, list[Statement], list[str]]:
    """The statements of every file in a download, and a line per entry or file that failed."""
    files = 0
    statements: list[Statement] = []
    problems: list[str] = []
    for contained in unpack_download(data, max_bytes=settings.BANK_FILE_MAX_BYTES):
        files += 1
        try:
            result = parse_statement_file(contained.content, max_bytes=settings.BANK_FILE_MAX_BYTES)
        except FormatError as error:
            problems.append(f"{contained.name}: {error}")
            continue
        statements.extend(result.statements)
        problems.extend(
            f"{contained.name}: statement {problem.statement_id or '?'}, "
            f"line {problem.line or '?'}: {problem.message}"
            for problem in result.errors
        )
    return files, statements, problems


def retrieve_statements(
    *,
    actor: User,
    connection: BankConnection,
    kind: str,
    start: date,
    end: date,
    now: datetime,
    salesforce: SalesforceClient | None,
    on_progress: Callable[[str, int, int | None], None] | None = None,
) -> Retrieval:
    """Download a period's statements and, given a Salesforce client, write them to the org.

    Without a client the result is a parsed preview. Statements of accounts the admin did not
    select are left out. Raises services.BankRefused or services.StepRefused as the
    download does, FormatError for an unreadable download, and the client's SalesforceError.
    ``on_progress`` hears the stage and counts (for runs in the worker; it may raise to stop).
    """
    report = on_progress or (lambda stage, done, total: None)
    report("Downloading from the bank", 0, None)
    data = services.download_statements(
        actor=actor, connection=connection, kind=kind, start=start, end=end, now=now
    )
    report("Reading the statements", 0, None)
    files, statements, problems = parse_download(data) if data is not None else (0, [], [])
    selected = _selected_accounts(connection)
    skipped: list[str] = []
    if selected is not None:
        kept = []
        for statement in statements:
            account = statement.account.iban or statement.account.other_id or ""
            if account in selected:
                kept.append(statement)
            elif account not in skipped:
                skipped.append(account)
        statements = kept
    written = None
    own = None
    if salesforce is not None and statements:
        written = write_statements(
            salesforce,
            statement_mapping=mapping_for(connection.tenant, "bank_statement"),
            item_mapping=mapping_for(connection.tenant, "bank_statement_item"),
            statements=statements,
            on_statement=lambda done: report(
                "Writing the statements to Salesforce", done, len(statements)
            ),
        )
        report("Updating Ledgerlink's own payments", 0, None)
        own = apply_bookings(client=salesforce, tenant=connection.tenant, statements=statements)
    record_audit(
        tenant=connection.tenant,
        actor=actor,
        action="bank_connection.statements_retrieved",
        target=str(connection),
        changes={
            "kind": kind,
            "period": f"{start.isoformat()}..{end.isoformat()}",
            "files": files,
            "statements": len(statements),
            "items": sum(len(statement.items) for statement in statements),
            "problems": len(problems),
            "written_to_salesforce": written is not None,
            "own_payments_collected": own.collected if own else 0,
            "own_payments_reversed": own.reversed if own else 0,
        },
    )
    return Retrieval(
        files=files,
        statements=tuple(statements),
        problems=tuple(problems),
        skipped_accounts=tuple(skipped),
        written=written,
        own_payments=own,
    )
