from datetime import date

import pytest

from settlement.matching.reversals import is_return, pair_returns
from tests.settlement.matching.builders import statement


@pytest.mark.parametrize(
    "fields",
    [
        {"is_reversal": True},
        {"bank_transaction_code": "PMNT-RDDT-UPDD"},
        {"bank_transaction_code": "PMNT/ICDT/RRTN"},
        {"bank_transaction_code": "109"},
        {"remittance_information": "RUECKLASTSCHRIFT MD06 RE-2024-1"},
        {"remittance_information": "  Retoure AC04"},
    ],
)
def test_returns_are_recognised_by_flag_code_or_bank_wording(fields):
    assert is_return(statement(amount="-10.00", **fields))


def test_an_ordinary_payment_is_not_a_return():
    assert not is_return(
        statement(amount="10.00", remittance_information="Rechnung 4711 Retoure folgt")
    )


def test_a_return_is_paired_with_the_payment_of_the_same_end_to_end_id():
    items = [
        statement("S-1", amount="89.90", end_to_end_id="E2E-7", booking_date=date(2024, 3, 1)),
        statement("S-2", amount="89.90", end_to_end_id="E2E-8", booking_date=date(2024, 3, 1)),
        statement("S-3", amount="-92.90", end_to_end_id="E2E-7", is_reversal=True),
    ]
    [pair] = pair_returns(items, [8990, 8990, -9290], fee_allowance=lambda currency: 500)
    assert (pair.statement_position, pair.original_position) == (2, 0)


def test_without_an_id_a_return_pairs_by_amount_and_payer():
    items = [
        statement(
            "S-1",
            amount="50.00",
            counterparty_iban="DE89370400440532013000",
            booking_date=date(2024, 3, 1),
        ),
        statement(
            "S-2",
            amount="-50.00",
            counterparty_iban="DE89 3704 0044 0532 0130 00",
            is_reversal=True,
        ),
    ]
    [pair] = pair_returns(items, [5000, -5000], fee_allowance=lambda currency: 0)
    assert pair.original_position == 0


def test_a_return_never_pairs_with_a_later_payment():
    items = [
        statement(
            "S-1",
            amount="-50.00",
            end_to_end_id="E2E-1",
            is_reversal=True,
            booking_date=date(2024, 3, 1),
        ),
        statement("S-2", amount="50.00", end_to_end_id="E2E-1", booking_date=date(2024, 3, 5)),
    ]
    [pair] = pair_returns(items, [-5000, 5000], fee_allowance=lambda currency: 0)
    assert pair.original_position is None
