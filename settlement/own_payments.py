"""What the bank booked for payments Ledgerlink sent: collected, or returned and reversed.

Payments Ledgerlink sends (payment runs) wait in Salesforce as Pending under their end-to-end ID.
When a statement books that end-to-end ID, the Payment is Collected. When a statement books a
return or reversal of it (an R-transaction: a direct debit returned by the debtor's bank, a
transfer sent back), the Payment is Reversed with the bank's reason, its Entry Items are set to
zero (kept, so Salesforce shows what happened) and the entries reopen with their open amounts
recomputed. Each reversal is one all-or-none call, and every value is computed from what
Salesforce holds, so applying the same statements twice changes nothing the second time.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from banking.formats.statement import BOOKED, Statement
from portal.models import Tenant
from portal.salesforce.client import SalesforceClient
from portal.salesforce.mapping import ObjectMapping
from portal.salesforce.services import mapping_for

# SOQL's IN list is kept short; Salesforce limits the query's length.
_CHUNK = 200
# The placeholder banks use when the payer gave no end-to-end ID.
_NOT_PROVIDED = "NOTPROVIDED"
_REVERSIBLE = ("Pending", "Collected", "Final")


@dataclass(frozen=True)
class OwnPayments:
    collected: int
    reversed: int


def _soql_string(value: str) -> str:
    # SOQL string literals escape backslashes and quotes; the value comes from the bank.
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _bookings(statements: Iterable[Statement]) -> tuple[set[str], dict[str, str]]:
    """End-to-end IDs booked as paid, and those booked as returned (with the bank's reason)."""
    paid: set[str] = set()
    returned: dict[str, str] = {}
    for statement in statements:
        for item in statement.items:
            e2e = (item.end_to_end_id or "").strip()
            if not e2e or e2e.upper() == _NOT_PROVIDED or item.status != BOOKED:
                continue
            if item.is_reversal or item.return_reason:
                returned[e2e] = (item.return_reason or item.return_information or "Returned")[:255]
            else:
                paid.add(e2e)
    return paid - returned.keys(), returned


def _payments(
    client: SalesforceClient, mapping: ObjectMapping, e2e_ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    field = mapping.api_field("end_to_end_id")
    status = mapping.api_field("status")
    for chunk in _chunks(e2e_ids):
        quoted = ", ".join(_soql_string(value) for value in chunk)
        soql = (
            f"SELECT Id, {field}, {status} FROM {mapping.object_name} "  # noqa: S608
            f"WHERE {field} IN ({quoted})"
        )
        for row in client.query(soql):
            found[row[field]] = {"id": row["Id"], "status": row[status]}
    return found


def apply_bookings(
    *, client: SalesforceClient, tenant: Tenant, statements: Sequence[Statement]
) -> OwnPayments:
    """Move Ledgerlink's own Payments as the bank booked them; returns how many moved.

    Payments of others (no matching end-to-end ID) are left to matching. Raises the client's
    SalesforceError when Salesforce refuses; reversals done before stay done.
    """
    paid, returned = _bookings(statements)
    if not paid and not returned:
        return OwnPayments(collected=0, reversed=0)
    payment_mapping = mapping_for(tenant, "payment")
    payments = _payments(client, payment_mapping, sorted(paid | returned.keys()))
    status = payment_mapping.api_field("status")
    collect = [
        {"Id": payments[e2e]["id"], status: "Collected"}
        for e2e in sorted(paid)
        if e2e in payments and payments[e2e]["status"] == "Pending"
    ]
    if collect:
        client.update(payment_mapping.object_name, collect)
    reversed_count = 0
    for e2e, reason in sorted(returned.items()):
        payment = payments.get(e2e)
        if payment is not None and payment["status"] in _REVERSIBLE:
            _reverse(client, tenant, payment["id"], reason)
            reversed_count += 1
    _link_statement_items(client, tenant, {e2e: p["id"] for e2e, p in payments.items()})
    return OwnPayments(collected=len(collect), reversed=reversed_count)


def _link_statement_items(
    client: SalesforceClient, tenant: Tenant, payment_ids: dict[str, str]
) -> None:
    """The bank's bookings of our own payments are matched already: out of the review."""
    if not payment_ids:
        return
    mapping = mapping_for(tenant, "bank_statement_item")
    e2e, status = mapping.api_field("end_to_end_id"), mapping.api_field("match_status")
    waiting: list[dict[str, Any]] = []
    for chunk in _chunks(sorted(payment_ids)):
        quoted = ", ".join(_soql_string(value) for value in chunk)
        waiting.extend(
            client.query(
                f"SELECT Id, {e2e} FROM {mapping.object_name} "  # noqa: S608
                f"WHERE {e2e} IN ({quoted}) AND {status} IN ('Unmatched', 'Suggested')"
            )
        )
    if waiting:
        client.update(
            mapping.object_name,
            [
                {
                    "Id": row["Id"],
                    status: "Matched",
                    mapping.api_field("payment"): payment_ids[row[e2e]],
                }
                for row in waiting
            ],
        )


def _reverse(client: SalesforceClient, tenant: Tenant, payment_id: str, reason: str) -> None:
    payment_mapping = mapping_for(tenant, "payment")
    link_mapping = mapping_for(tenant, "entry_item")
    entry_mapping = mapping_for(tenant, "entry")
    link_entry, link_amount = link_mapping.api_field("entry"), link_mapping.api_field("amount")
    links = list(
        client.query(
            f"SELECT Id, {link_entry}, {link_amount} FROM {link_mapping.object_name} "  # noqa: S608
            f"WHERE {link_mapping.api_field('payment')} = {_soql_string(payment_id)}"
        )
    )
    entry_ids = sorted({row[link_entry] for row in links if row[link_entry]})
    subrequests: list[dict[str, object]] = [
        {
            "method": "PATCH",
            "url": f"sobjects/{payment_mapping.object_name}/{payment_id}",
            "referenceId": "payment",
            "body": {
                payment_mapping.api_field("status"): "Reversed",
                payment_mapping.api_field("return_reason"): reason,
            },
        }
    ]
    for number, row in enumerate(links):
        subrequests.append(
            {
                "method": "PATCH",
                "url": f"sobjects/{link_mapping.object_name}/{row['Id']}",
                "referenceId": f"link{number}",
                "body": {link_amount: "0"},
            }
        )
    for number, (entry_id, open_amount) in enumerate(
        _reopened(client, entry_mapping, link_mapping, entry_ids, payment_id).items()
    ):
        subrequests.append(
            {
                "method": "PATCH",
                "url": f"sobjects/{entry_mapping.object_name}/{entry_id}",
                "referenceId": f"entry{number}",
                "body": {
                    entry_mapping.api_field("open_amount"): str(open_amount),
                    entry_mapping.api_field("status"): "Balanced" if open_amount <= 0 else "Open",
                },
            }
        )
    client.composite(subrequests)


def _reopened(
    client: SalesforceClient,
    entry_mapping: ObjectMapping,
    link_mapping: ObjectMapping,
    entry_ids: Sequence[str],
    payment_id: str,
) -> dict[str, Decimal]:
    """Each entry's open amount without this payment: its amount minus the other payments."""
    if not entry_ids:
        return {}
    quoted = ", ".join(_soql_string(entry_id) for entry_id in entry_ids)
    amount = entry_mapping.api_field("amount")
    entries = {
        row["Id"]: Decimal(str(row[amount] or 0))
        for row in client.query(
            f"SELECT Id, {amount} FROM {entry_mapping.object_name} "  # noqa: S608
            f"WHERE Id IN ({quoted})"
        )
    }
    others: dict[str, Decimal] = {}
    link_entry, link_amount = link_mapping.api_field("entry"), link_mapping.api_field("amount")
    for row in client.query(
        f"SELECT {link_entry}, {link_amount} FROM {link_mapping.object_name} "  # noqa: S608
        f"WHERE {link_entry} IN ({quoted}) "
        f"AND {link_mapping.api_field('payment')} != {_soql_string(payment_id)}"
    ):
        entry_id = row[link_entry]
        others[entry_id] = others.get(entry_id, Decimal(0)) + Decimal(str(row[link_amount] or 0))
    return {
        entry_id: total - others.get(entry_id, Decimal(0)) for entry_id, total in entries.items()
    }
