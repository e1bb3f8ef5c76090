"""Typed records read from Salesforce through a field mapping: Decimal money, real dates.

Raw records come back as JSON values (numbers, ISO date strings); each concept field's kind says
how to read it, so an org mapped onto its own objects reads the same as the Ledgerlink package.
"""

from collections.abc import Iterator, Sequence
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


def _open_entries_from(mapping: ObjectMapping) -> str:
    # API names in a mapping are checked to be plain identifiers (ObjectMapping), so this is safe.
    return (
        f"FROM {mapping.object_name} WHERE {mapping.api_field('status')} = 'Open' "
        f"AND {mapping.api_field('open_amount')} != 0"
    )


def count_open_entries(client: SalesforceClient, mapping: ObjectMapping) -> int:
    """How many entries :func:`read_open_entries` would yield."""
    return client.count(f"SELECT COUNT() {_open_entries_from(mapping)}")


def read_open_entries(
    client: SalesforceClient,
    mapping: ObjectMapping,
    *,
    use_bulk: bool = False,
    record_ids: Sequence[str] | None = None,
) -> Iterator[OpenEntry]:
    """Yield every entry with an open amount (or only those of ``record_ids``), through REST
    pages or Bulk API 2.0.

    Raises UnreadableRecord naming the record and field when a value cannot be read.
    """
    concept = CONCEPTS["entry"]
    names = tuple(item.name for item in concept.fields)
    soql = f"SELECT {select_clause(mapping, names)} {_open_entries_from(mapping)}"
    if record_ids is not None:
        soql += _only_ids(record_ids)
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


def relationship_of(reference_field: str) -> str:
    """The relationship name SOQL reaches a lookup's record by (Account__c → Account__r)."""
    if reference_field.endswith("__c"):
        return reference_field[:-3] + "__r"
    return reference_field.removesuffix("Id")


@dataclass(frozen=True)
class AccountFacts:
    """What identifies a payer: the account's name, number and known IBANs."""

    name: str
    number: str
    ibans: tuple[str, ...]


def read_account_facts(
    client: SalesforceClient,
    entries: ObjectMapping,
    instruments: ObjectMapping,
) -> dict[str, AccountFacts]:
    """Name, number and mandate IBANs of every account with open entries, by account ID."""
    relationship = relationship_of(entries.api_field("account"))
    names: dict[str, tuple[str, str]] = {}
    soql = (
        f"SELECT {entries.api_field('account')}, {relationship}.Name, {relationship}.AccountNumber "  # noqa: S608
        f"FROM {entries.object_name} WHERE {entries.api_field('status')} = 'Open'"
    )
    for row in client.query(soql):
        account_id = row.get(entries.api_field("account"))
        parent = row.get(relationship) or {}
        if account_id:
            names[account_id] = (parent.get("Name") or "", parent.get("AccountNumber") or "")
    ibans: dict[str, list[str]] = {}
    iban_soql = (
        f"SELECT {instruments.api_field('account')}, {instruments.api_field('iban')} "  # noqa: S608
        f"FROM {instruments.object_name}"
    )
    for row in client.query(iban_soql):
        account_id = row.get(instruments.api_field("account"))
        iban = row.get(instruments.api_field("iban"))
        if account_id and iban:
            ibans.setdefault(account_id, []).append(str(iban).replace(" ", ""))
    return {
        account_id: AccountFacts(name, number, tuple(ibans.get(account_id, ())))
        for account_id, (name, number) in names.items()
    }


@dataclass(frozen=True)
class StatementItemRecord:
    """A booked statement item waiting to be matched."""

    record_id: str
    external_id: str
    booking_date: date
    value_date: date | None
    amount: Decimal
    currency: str
    counterparty_name: str
    counterparty_iban: str
    remittance_information: str
    end_to_end_id: str
    mandate_id: str
    creditor_reference: str
    bank_transaction_code: str
    is_reversal: bool
    rejected_entry_ids: frozenset[str]


def _only_ids(record_ids: Sequence[str]) -> str:
    """A SOQL ``AND Id IN (...)`` clause; only plain record IDs get in."""
    quoted = ", ".join(f"'{record_id}'" for record_id in record_ids if record_id.isalnum())
    return " AND Id IN (" + (quoted or "''") + ")"


def _unmatched_items_from(mapping: ObjectMapping) -> str:
    return (
        f"FROM {mapping.object_name} "
        f"WHERE {mapping.api_field('match_status')} IN ('Unmatched', 'Suggested') "
        f"AND {mapping.api_field('status')} = 'BOOK'"
    )


def count_unmatched_statement_items(client: SalesforceClient, mapping: ObjectMapping) -> int:
    """How many items :func:`read_unmatched_statement_items` would yield."""
    return client.count(f"SELECT COUNT() {_unmatched_items_from(mapping)}")


def read_unmatched_statement_items(
    client: SalesforceClient, mapping: ObjectMapping, *, record_ids: Sequence[str] | None = None
) -> Iterator[StatementItemRecord]:
    """Yield booked items not yet matched (Unmatched or Suggested), or only those of
    ``record_ids``, typed."""
    concept = CONCEPTS["bank_statement_item"]
    names = tuple(item.name for item in concept.fields)
    soql = f"SELECT {select_clause(mapping, names)} {_unmatched_items_from(mapping)}"
    if record_ids is not None:
        soql += _only_ids(record_ids)
    for row in client.query(soql):
        values = {
            item.name: _read(
                item.kind, row.get(mapping.api_field(item.name)), f"{row['Id']}.{item.name}"
            )
            for item in concept.fields
        }
        if values["booking_date"] is None or values["amount"] is None:
            raise UnreadableRecord(
                f"{row['Id']}: a booked item needs a booking date and an amount."
            )
        yield StatementItemRecord(
            record_id=row["Id"],
            external_id=values["external_id"] or row["Id"],
            booking_date=values["booking_date"],
            value_date=values["value_date"],
            amount=values["amount"],
            currency=values["currency"] or "EUR",
            counterparty_name=values["counterparty_name"] or "",
            counterparty_iban=values["counterparty_iban"] or "",
            remittance_information=values["remittance_information"] or "",
            end_to_end_id=values["end_to_end_id"] or "",
            mandate_id=values["mandate_id"] or "",
            creditor_reference=values["creditor_reference"] or "",
            bank_transaction_code=values["bank_transaction_code"] or "",
            is_reversal=bool(values["is_reversal"]),
            rejected_entry_ids=frozenset((values["rejected_entries"] or "").split()),
        )
