"""The local bank's ledger: accounts, bookings, statements (camt.052/053/054, MT940), uploads
(pain.001, pain.008) with their pain.002 status reports, and demo data.

A development stand-in; production code never imports it. See README.md in this folder.
"""

from standins.bank.ledger.errors import LedgerError, LedgerRejected
from standins.bank.ledger.ledger import Ledger, UnknownStatementKind
from standins.bank.ledger.records import AccountInfo, Document

__all__ = [
    "AccountInfo",
    "Document",
    "Ledger",
    "LedgerError",
    "LedgerRejected",
    "UnknownStatementKind",
]
