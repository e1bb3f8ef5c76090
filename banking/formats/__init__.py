"""Bank file formats: statements in (camt.052/053/054, MT940/MT942), payment orders out
(pain.001, pain.008) and payment status reports in (pain.002).

A pure package: plain frozen dataclasses in and out, ``Decimal`` money with a currency,
aware date-times, the clock passed in; no Django, Celery or network client (checked by the
import contract in ``pyproject.toml``). Every error it raises on purpose is a
:class:`~banking.formats.errors.FormatError`.
"""

from banking.formats.creditor_reference import (
    create_creditor_reference,
    is_valid_creditor_reference,
)
from banking.formats.detection import DetectedFormat, UnsupportedFormat, detect_format
from banking.formats.end_to_end_id import build_end_to_end_id, parse_end_to_end_id
from banking.formats.errors import FormatError
from banking.formats.pain_reader import read_payment_order
from banking.formats.pain_writer import build_credit_transfer, build_direct_debit
from banking.formats.payment_validation import (
    PaymentOrderInvalid,
    Problem,
    find_problems,
    validate_payment_order,
)
from banking.formats.statement import ParseResult, Statement, StatementItem
from banking.formats.statement_file import iter_statement_file, parse_statement_file
from banking.formats.statement_json import statements_to_json
from banking.formats.status_report import StatusReport, parse_status_report, status_report_to_json

__all__ = [
    "DetectedFormat",
    "FormatError",
    "ParseResult",
    "PaymentOrderInvalid",
    "Problem",
    "Statement",
    "StatementItem",
    "StatusReport",
    "UnsupportedFormat",
    "build_credit_transfer",
    "build_direct_debit",
    "build_end_to_end_id",
    "create_creditor_reference",
    "detect_format",
    "find_problems",
    "is_valid_creditor_reference",
    "iter_statement_file",
    "parse_end_to_end_id",
    "parse_statement_file",
    "parse_status_report",
    "read_payment_order",
    "statements_to_json",
    "status_report_to_json",
    "validate_payment_order",
]
