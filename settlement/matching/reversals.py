"""Returns and reversals: money that comes back is not a new payment.

A returned direct debit or a recalled transfer appears as a second statement item with the
opposite sign. It is recognised by the bank's flag, by its bank transaction code (ISO 20022
sub-family RRTN, UPDD, ... or the German GVC 109/159) or by the words banks put in front of
the text, and it is paired with the payment it returns: same end-to-end ID, or else the same
amount from the same IBAN or mandate, booked no later.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from settlement.matching.model import StatementItem

RETURN_SUBFAMILY_CODES = frozenset({"RRTN", "RPCR", "UPDD", "PRDD", "ARET", "AREV", "RVSL"})
RETURN_GVC_CODES = frozenset({"109", "159", "059"})
RETURN_TEXT_PREFIXES = (
    "RUECKLASTSCHRIFT",
    "RÜCKLASTSCHRIFT",
    "RETOURE",
    "RUECKUEBERWEISUNG",
    "RÜCKÜBERWEISUNG",
    "RETURN OF",
    "RETURNED",
    "REVERSAL",
    "STORNO LASTSCHRIFT",
    "REJET",
    "STORNERING",
)


def is_return(item: StatementItem) -> bool:
    """Tell whether a statement item returns or reverses an earlier payment."""
    if item.is_reversal:
        return True
    code = item.bank_transaction_code.strip().upper()
    if code:
        parts = [part for part in code.replace("/", "-").split("-") if part]
        if parts and (parts[-1] in RETURN_SUBFAMILY_CODES or code in RETURN_GVC_CODES):
            return True
        if code.startswith(("NRTI", "NRET")):
            return True
    text = item.remittance_information.lstrip().upper()
    return text.startswith(RETURN_TEXT_PREFIXES)


@dataclass(frozen=True, slots=True)
class ReturnPair:
    """A return (position in the statement items) and the payment it returns, when present."""

    statement_position: int
    original_position: int | None
    detail: str


def pair_returns(
    items: Sequence[StatementItem], units: Sequence[int], *, fee_allowance: Callable[[str], int]
) -> list[ReturnPair]:
    """Find the returns among `items` and the payments they give back.

    `units` are the items' signed amounts in minor units. A return may exceed its original by
    up to `fee_allowance(currency)` minor units (the returning bank's charge). Each payment
    is paired at most once, with the latest earlier payment that fits.
    """
    by_end_to_end: dict[str, list[int]] = {}
    by_amount: dict[tuple[str, int], list[int]] = {}
    returns: list[int] = []
    for position, item in enumerate(items):
        if is_return(item):
            returns.append(position)
            continue
        end_to_end_id = item.end_to_end_id.strip()
        if end_to_end_id and end_to_end_id.upper() != "NOTPROVIDED":
            by_end_to_end.setdefault(end_to_end_id, []).append(position)
        by_amount.setdefault((item.currency, abs(units[position])), []).append(position)
    taken: set[int] = set()
    pairs: list[ReturnPair] = []
    for position in returns:
        returned = items[position]
        original = None
        detail = "return or reversal; the original payment is not in this run"

        def fits(
            candidate: int, *, returned: StatementItem = returned, position: int = position
        ) -> bool:
            other = items[candidate]
            excess = abs(units[position]) - abs(units[candidate])
            return (
                candidate not in taken
                and other.currency == returned.currency
                and units[candidate] * units[position] < 0
                and other.booking_date <= returned.booking_date
                and 0 <= excess <= fee_allowance(returned.currency)
            )

        end_to_end_id = returned.end_to_end_id.strip()
        matches = (
            [c for c in by_end_to_end.get(end_to_end_id, ()) if fits(c)] if end_to_end_id else []
        )
        if matches:
            original = max(matches, key=lambda c: (items[c].booking_date, c))
            detail = (
                f"returns the payment {items[original].id} "
                f"with the same end-to-end ID {end_to_end_id}"
            )
        else:
            iban = returned.counterparty_iban.replace(" ", "").upper()
            mandate = returned.mandate_id.strip().upper()
            same = [
                c
                for c in by_amount.get((returned.currency, abs(units[position])), ())
                if fits(c)
                and (
                    (iban and items[c].counterparty_iban.replace(" ", "").upper() == iban)
                    or (mandate and items[c].mandate_id.strip().upper() == mandate)
                )
            ]
            if same:
                original = max(same, key=lambda c: (items[c].booking_date, c))
                detail = (
                    f"returns the payment {items[original].id} "
                    "of the same amount from the same payer"
                )
        if original is not None:
            taken.add(original)
        pairs.append(ReturnPair(position, original, detail))
    return pairs
