"""Writing parsed bank statements to Salesforce: Bank Statements and their Items, by external ID.

External IDs come from the statement itself (account, statement ID, message type) and the item's
place in it, so downloading the same statement again updates the same records: nothing is written
twice, and an item already matched keeps its match status.
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from banking.formats.statement import Statement, StatementItem
from portal.salesforce.client import SalesforceClient
from portal.salesforce.mapping import ObjectMapping

# Salesforce text external IDs hold 255 characters; longer keys are hashed.
_MAX_KEY = 80


@dataclass(frozen=True)
class WrittenStatements:
    statements: int
    items: int
    created_items: int


def _key(text: str) -> str:
    if len(text) <= _MAX_KEY:
        return text
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def statement_key(statement: Statement) -> str:
    """The statement's external ID: account, the bank's statement ID and the message type."""
    account = statement.account.iban or statement.account.other_id or "unknown-account"
    identifier = statement.statement_id or statement.message_id or "unknown"
    if statement.sequence_number:
        identifier += f"/{statement.sequence_number}"
    return _key(f"{account}/{statement.message_type}/{identifier}")


def _signed(item: StatementItem) -> Decimal:
    return item.amount.amount


def _statement_fields(statement: Statement) -> dict[str, Any]:
    period = statement.period
    dates = [item.booking_date for item in statement.items if item.booking_date]
    start = period.from_at.date() if period and period.from_at else min(dates, default=None)
    end = period.to_at.date() if period and period.to_at else max(dates, default=None)
    opening = next((b for b in statement.balances if b.type in ("OPBD", "PRCD")), None)
    closing = next((b for b in statement.balances if b.type in ("CLBD", "CLAV")), None)
    return {
        "statement_id": statement_key(statement),
        "account_iban": statement.account.iban or statement.account.other_id,
        "message_type": statement.message_type,
        "period_start": start.isoformat() if start else None,
        "period_end": end.isoformat() if end else None,
        "opening_balance": str(opening.amount.amount) if opening else None,
        "closing_balance": str(closing.amount.amount) if closing else None,
        "currency": statement.account.currency
        or (statement.items[0].amount.currency if statement.items else None),
    }


def _item_fields(key: str, position: int, item: StatementItem, record_id: str) -> dict[str, Any]:
    code = item.bank_transaction_code
    party = item.counterparty
    amount = _signed(item)
    return {
        "external_id": _key(f"{key}/{position}"),
        "bank_statement": record_id,
        "booking_date": item.booking_date.isoformat() if item.booking_date else None,
        "value_date": item.value_date.isoformat() if item.value_date else None,
        "amount": str(amount),
        "currency": item.amount.currency,
        "credit_debit": "CRDT" if amount >= 0 else "DBIT",
        "status": item.status,
        "counterparty_name": (party.name or "")[:255] if party else None,
        "counterparty_iban": party.iban if party else None,
        "counterparty_bic": party.bic if party else None,
        "remittance_information": item.remittance_information,
        "end_to_end_id": item.end_to_end_id,
        "mandate_id": item.mandate_id,
        "creditor_reference": item.creditor_reference,
        "bank_transaction_code": "/".join(
            part for part in (code.domain, code.family, code.sub_family) if part
        )
        or code.proprietary,
        "is_reversal": item.is_reversal,
        "return_reason": item.return_reason,
        "charges": str(item.charges.amount.amount) if item.charges else None,
        "batch_reference": item.batch.reference if item.batch else None,
    }


def _to_api(mapping: ObjectMapping, values: dict[str, Any]) -> dict[str, Any]:
    return {mapping.api_field(name): value for name, value in values.items()}


def write_statements(
    client: SalesforceClient,
    *,
    statement_mapping: ObjectMapping,
    item_mapping: ObjectMapping,
    statements: Sequence[Statement],
    on_statement: Callable[[int], None] | None = None,
) -> WrittenStatements:
    """Upsert each statement, then its items pointing at it.

    The match status is never sent: new items take the package's default (Unmatched) and a
    re-download leaves matched items as they are.

    Raises the client's SalesforceError on refusal; what was written before stays written and
    is upserted again, not duplicated, when the caller retries. ``on_statement`` hears how many
    statements are written so far.
    """
    written_items = created = 0
    for done, statement in enumerate(statements, start=1):
        key = statement_key(statement)
        (result,) = client.upsert(
            statement_mapping.object_name,
            statement_mapping.api_field("statement_id"),
            [_to_api(statement_mapping, _statement_fields(statement))],
        )
        rows = [
            _to_api(item_mapping, _item_fields(key, position, item, result.record_id))
            for position, item in enumerate(statement.items, start=1)
        ]
        outcomes = client.upsert(
            item_mapping.object_name, item_mapping.api_field("external_id"), rows
        )
        created += sum(outcome.is_created for outcome in outcomes)
        written_items += len(outcomes)
        if on_statement is not None:
            on_statement(done)
    return WrittenStatements(statements=len(statements), items=written_items, created_items=created)
