"""Small builders for matching tests: a statement item or an open item with sensible defaults.

The accounts are personas: Müller Bautechnik (a German customer who pays by transfer), Dupont
et Fils (a French customer), and Van den Berg Logistiek (a Dutch supplier we pay).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from settlement.matching import OpenItem, StatementItem

BOOKED_ON = date(2024, 3, 12)
MUELLER_IBAN = "DE89370400440532013000"
DUPONT_IBAN = "FR1420041010050500013M02606"
VAN_DEN_BERG_IBAN = "NL91ABNA0417164300"


def statement(item_id: str = "S-1", amount: str = "100.00", **fields: Any) -> StatementItem:
    """A statement item booked on BOOKED_ON in EUR unless told otherwise."""
    values: dict[str, Any] = {"currency": "EUR", "booking_date": BOOKED_ON}
    values.update(fields)
    return StatementItem(id=item_id, amount=Decimal(amount), **values)


def mueller_invoice(item_id: str, amount: str, number: str, **fields: Any) -> OpenItem:
    """An open receivable of Müller Bautechnik GmbH."""
    values: dict[str, Any] = {
        "currency": "EUR",
        "document_number": number,
        "document_date": date(2024, 2, 20),
        "due_date": date(2024, 3, 10),
        "account_id": "ACC-MUELLER",
        "account_name": "Müller Bautechnik GmbH",
        "account_number": "K100234",
        "account_ibans": (MUELLER_IBAN,),
    }
    values.update(fields)
    return OpenItem(id=item_id, open_amount=Decimal(amount), **values)


def dupont_invoice(item_id: str, amount: str, number: str, **fields: Any) -> OpenItem:
    """An open receivable of Dupont et Fils SARL."""
    values: dict[str, Any] = {
        "currency": "EUR",
        "document_number": number,
        "document_date": date(2024, 2, 18),
        "due_date": date(2024, 3, 8),
        "account_id": "ACC-DUPONT",
        "account_name": "Dupont et Fils SARL",
        "account_number": "K100777",
        "account_ibans": (DUPONT_IBAN,),
    }
    values.update(fields)
    return OpenItem(id=item_id, open_amount=Decimal(amount), **values)


def van_den_berg_bill(item_id: str, amount: str, number: str, **fields: Any) -> OpenItem:
    """An open payable (negative) to our supplier Van den Berg Logistiek B.V."""
    values: dict[str, Any] = {
        "currency": "EUR",
        "document_number": number,
        "document_date": date(2024, 2, 15),
        "due_date": date(2024, 3, 11),
        "account_id": "ACC-VDBERG",
        "account_name": "Van den Berg Logistiek B.V.",
        "account_number": "L200100",
        "account_ibans": (VAN_DEN_BERG_IBAN,),
    }
    values.update(fields)
    return OpenItem(id=item_id, open_amount=-Decimal(amount), **values)
