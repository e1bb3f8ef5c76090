"""Typed records read from Salesforce through a field mapping: Decimal money, real dates.

Raw records come back as JSON values (numbers, ISO date strings); each concept field's kind says
how to read it, so an org mapped onto its own objects reads the same as the Ledgerlink package.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.salesforce.client import SalesforceClient
from portal.salesforce.errors import SalesforceRequestError
from portal.salesforce.mapping import CONCEPTS, Kind, ObjectMapping


class UnreadableRecord(SalesforceRequestError):
    pass


@dataclass(frozen=True)
class OpenEntry:
    """An open receivable or payable, as the matching and payment runs need it."""

    record_id: str
    external_id: str | None
    account_id: str | None
    direction: str | None
    type: str | None
    document_number: str | None
    document_date: date | None
    due_date: date | None
    amount: Decimal | None
    open_amount: Decimal
    currency: str
    payment_reference: str | None
    is_direct_debit: bool
    payment_instrument_id: str | None


def _read(kind: Kind, raw: Any, where: str) -> Any:
    if raw is None or raw == "":
        return None
    try:
        if kind is Kind.MONEY:
            return Decimal(str(raw))
        if kind is Kind.DATE:
            return date.fromisoformat(str(raw)[:10])
        if kind is Kind.BOOLEAN:
            return raw if isinstance(raw, bool) else str(raw).lower() == "true"
    except (InvalidOperation, ValueError) as error:
        raise UnreadableRecord(f"{where}: {raw!r} is not a {kind.value} value.") from error
    return str(raw)


def select_clause(mapping: ObjectMapping, names: tuple[str, ...]) -> str:
    return ", ".join(["Id", *(mapping.api_field(name) for name in names)])


def read_open_entries(
    client: SalesforceClient, mapping: ObjectMapping, *, use_bulk: bool = False
) -> Iterator[OpenEntry]:
    """Yield every entry with an open amount, through REST pages or Bulk API 2.0.

    Raises UnreadableRecord naming the record and field when a value cannot be read.
    """
    concept = CONCEPTS["entry"]
    names = tuple(item.name for item in concept.fields)
    # API names in a mapping are checked to be plain identifiers (ObjectMapping), so this is safe.
    soql = (
        f"SELECT {select_clause(mapping, names)} FROM {mapping.object_name} "  # noqa: S608
        f"WHERE {mapping.api_field('status')} = 'Open' AND {mapping.api_field('open_amount')} != 0"
    )
    rows = client.bulk_query(soql) if use_bulk else client.query(soql)
    for row in rows:
        values = {
            item.name: _read(
                item.kind, row.get(mapping.api_field(item.name)), f"{row['Id']}.{item.name}"
            )
            for item in concept.fields
        }
        yield OpenEntry(
            record_id=row["Id"],
            external_id=values["external_id"],
            account_id=values["account"],
            direction=values["direction"],
            type=values["type"],
            document_number=values["document_number"],
            document_date=values["document_date"],
            due_date=values["due_date"],
            amount=values["amount"],
            open_amount=values["open_amount"] or Decimal(0),
            currency=values["currency"] or "EUR",
            payment_reference=values["payment_reference"],
            is_direct_debit=bool(values["direct_debit"]),
            payment_instrument_id=values["payment_instrument"],
        )
