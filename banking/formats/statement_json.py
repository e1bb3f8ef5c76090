"""The fixed JSON rendering of parsed statements that other tools rely on.

Dates and date-times are ISO 8601 strings, decimals are strings (never floats), absent
values are ``null``. Keys are always present, in this shape::

    {"statements": [{"message_type", "statement_id",
                     "account": {"iban", "other_id", "currency", "bic"},
                     "sequence_number", "legal_sequence_number", "created_at",
                     "period": {"from", "to"},
                     "balances": [{"type", "amount", "currency", "date"}],
                     "items": [{"amount", "currency", "booking_date", ...}]}],
     "errors": [{"statement_id", "entry", "line", "message"}]}

``charges`` is ``null`` or ``{"amount", "currency", "included"}`` (``included`` may be
``null`` when the bank does not say); ``batch_total`` is the signed entry total.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from banking.formats.money import Money
from banking.formats.statement import EntryError, ParseResult, Party, Statement, StatementItem

JsonDict = dict[str, Any]


def statements_to_json(result: ParseResult) -> JsonDict:
    """Render a :class:`~banking.formats.statement.ParseResult` in the fixed JSON shape."""
    return {
        "statements": [_statement(statement) for statement in result.statements],
        "errors": [_error(error) for error in result.errors],
    }


def _statement(statement: Statement) -> JsonDict:
    account = statement.account
    period = statement.period
    return {
        "message_type": statement.message_type,
        "statement_id": statement.statement_id,
        "account": {
            "iban": account.iban,
            "other_id": account.other_id,
            "currency": account.currency,
            "bic": account.bic,
        },
        "sequence_number": statement.sequence_number,
        "legal_sequence_number": statement.legal_sequence_number,
        "created_at": _moment(statement.created_at),
        "period": {
            "from": _moment(period.from_at) if period else None,
            "to": _moment(period.to_at) if period else None,
        },
        "balances": [
            {
                "type": balance.type,
                "amount": _decimal(balance.amount.amount),
                "currency": balance.amount.currency,
                "date": _moment(balance.date),
            }
            for balance in statement.balances
        ],
        "items": [_item(item) for item in statement.items],
    }


def _item(item: StatementItem) -> JsonDict:
    code = item.bank_transaction_code
    counterparty = item.counterparty or Party()
    charges = item.charges
    return {
        "amount": _decimal(item.amount.amount),
        "currency": item.amount.currency,
        "booking_date": _moment(item.booking_date),
        "value_date": _moment(item.value_date),
        "status": item.status,
        "account_servicer_reference": item.account_servicer_reference,
        "end_to_end_id": item.end_to_end_id,
        "transaction_id": item.transaction_id,
        "instruction_id": item.instruction_id,
        "mandate_id": item.mandate_id,
        "creditor_id": item.creditor_id,
        "uetr": item.uetr,
        "counterparty_name": counterparty.name,
        "counterparty_iban": counterparty.iban,
        "counterparty_bic": counterparty.bic,
        "ultimate_counterparty_name": item.ultimate_counterparty.name
        if item.ultimate_counterparty
        else None,
        "remittance_information": item.remittance_information,
        "creditor_reference": item.creditor_reference,
        "creditor_reference_type": item.creditor_reference_type,
        "referred_document_numbers": list(item.referred_document_numbers),
        "bank_transaction_code": {
            "domain": code.domain,
            "family": code.family,
            "sub_family": code.sub_family,
            "proprietary": code.proprietary,
            "issuer": code.issuer,
        },
        "is_reversal": item.is_reversal,
        "return_reason": item.return_reason,
        "return_information": item.return_information,
        "charges": (
            {
                "amount": _decimal(charges.amount.amount),
                "currency": charges.amount.currency,
                "included": charges.is_included,
            }
            if charges
            else None
        ),
        "batch_reference": item.batch.reference if item.batch else None,
        "batch_total": _decimal(item.batch.total.amount) if item.batch else None,
        "original_amount": _money_amount(item.original_amount),
        "original_currency": item.original_amount.currency if item.original_amount else None,
        "exchange_rate": _decimal(item.exchange_rate) if item.exchange_rate is not None else None,
    }


def _error(error: EntryError) -> JsonDict:
    return {
        "statement_id": error.statement_id,
        "entry": error.entry,
        "line": error.line,
        "message": error.message,
    }


def _decimal(value: Decimal) -> str:
    # Plain notation: Decimal("1E+2") must not reach a bank tool as "1E+2".
    return f"{value:f}"


def _money_amount(money: Money | None) -> str | None:
    return _decimal(money.amount) if money is not None else None


def _moment(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
