"""Payment orders are checked before building, and every problem is reported at once."""

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from banking.formats.money import Money
from banking.formats.payment_order import AccountHolder, Mandate, MandateAmendment, PostalAddress
from banking.formats.payment_validation import (
    PaymentOrderInvalid,
    Problem,
    find_problems,
    validate_payment_order,
)
from tests.banking.formats.orders import (
    TODAY,
    collection,
    credit_transfer_order,
    direct_debit_order,
    euros,
    payment,
)


def _fields(problems: tuple[Problem, ...]) -> list[tuple[int | None, str]]:
    return [(problem.transaction_index, problem.field) for problem in problems]


def test_a_correct_order_has_no_problems() -> None:
    assert find_problems(credit_transfer_order(), today=TODAY) == ()
    assert find_problems(direct_debit_order(), today=TODAY) == ()
    validate_payment_order(credit_transfer_order(), today=TODAY)


def test_every_problem_of_every_transaction_is_reported_at_once() -> None:
    order = credit_transfer_order(
        payment(1),
        payment(2, amount=euros("-5"), creditor=AccountHolder(name="", iban="DE00 0000")),
        payment(3, end_to_end_id="BAD_ID", remittance_information="x" * 141),
        message_id="",
        requested_execution_date=date(2024, 3, 30),
    )
    with pytest.raises(PaymentOrderInvalid) as raised:
        validate_payment_order(order, today=TODAY)

    problems = raised.value.problems
    assert _fields(problems) == [
        (None, "message_id"),
        (None, "requested_execution_date"),
        (1, "amount"),
        (1, "creditor.name"),
        (1, "creditor.iban"),
        (2, "end_to_end_id"),
        (2, "remittance_information"),
    ]
    assert problems[2].end_to_end_id == "ACME-PAY-2"
    assert "transaction 1 (ACME-PAY-2): amount must be positive" in str(raised.value)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (euros("0"), "must be positive"),
        (euros("-1.00"), "must be positive"),
        (euros("1.001"), "at most two decimals"),
        (euros("1000000000.00"), "at most 999999999.99"),
        (Money(Decimal("10.00"), "USD"), "must be in EUR"),
        (euros("NaN"), "must be positive"),
    ],
)
def test_amounts_must_be_positive_euros_with_cents_at_most(amount: Money, message: str) -> None:
    (problem,) = find_problems(credit_transfer_order(payment(1, amount=amount)), today=TODAY)
    assert problem.field == "amount"
    assert message in problem.message


def test_amounts_with_trailing_zeros_and_the_maximum_are_fine() -> None:
    order = credit_transfer_order(
        payment(1, amount=euros("1.500")), payment(2, amount=euros("999999999.99"))
    )
    assert find_problems(order, today=TODAY) == ()


@pytest.mark.parametrize(
    ("holder", "field", "message"),
    [
        (AccountHolder(name="X", iban="DE89370400440532013001"), "creditor.iban", "checksum"),
        (AccountHolder(name="X", iban="XX12"), "creditor.iban", "not a valid IBAN"),
        (
            AccountHolder(name="X", iban="NL91ABNA0417164300", bic="ABNANLXX2A"),
            "creditor.bic",
            "not a valid BIC",
        ),
        (
            AccountHolder(name="X", iban="NL91ABNA0417164300", bic="ABNAXX2A"),
            "creditor.bic",
            "country",
        ),
        (AccountHolder(name="Y" * 71, iban="NL91ABNA0417164300"), "creditor.name", "more than 70"),
        (
            AccountHolder(name="王小明", iban="NL91ABNA0417164300"),
            "creditor.name",
            "cannot be sent",
        ),
        (
            AccountHolder(
                name="X", iban="NL91ABNA0417164300", address=PostalAddress(country="Germany")
            ),
            "creditor.address.country",
            "ISO 3166",
        ),
        (
            AccountHolder(
                name="X",
                iban="NL91ABNA0417164300",
                address=PostalAddress(address_lines=("a", "b", "c")),
            ),
            "creditor.address.address_lines",
            "at most 2",
        ),
        (
            AccountHolder(
                name="X", iban="NL91ABNA0417164300", address=PostalAddress(town_name="T" * 36)
            ),
            "creditor.address.town_name",
            "more than 35",
        ),
    ],
)
def test_parties_need_valid_iban_bic_name_and_address(
    holder: AccountHolder, field: str, message: str
) -> None:
    (problem,) = find_problems(credit_transfer_order(payment(1, creditor=holder)), today=TODAY)
    assert problem.field == field
    assert message in problem.message


def test_names_are_measured_after_transliteration() -> None:
    # 35 "ß" become 70 characters: allowed. 36 become 72: too long.
    fits = AccountHolder(name="ß" * 35, iban="NL91ABNA0417164300")
    too_long = AccountHolder(name="ß" * 36, iban="NL91ABNA0417164300")
    assert find_problems(credit_transfer_order(payment(1, creditor=fits)), today=TODAY) == ()
    (problem,) = find_problems(credit_transfer_order(payment(1, creditor=too_long)), today=TODAY)
    assert "72 characters" in problem.message


def test_a_bic_is_optional() -> None:
    holder = AccountHolder(name="No BIC", iban="NL91ABNA0417164300")
    assert find_problems(credit_transfer_order(payment(1, creditor=holder)), today=TODAY) == ()


@pytest.mark.parametrize(
    ("end_to_end_id", "message"),
    [
        ("A" * 36, "more than 35"),
        ("ACME_1", "may only use"),
        ("ÄCME-1", "may only use"),
        ("/ACME-1", "must not start or end with '/'"),
        ("ACME//1", "contain '//'"),
        ("", "is required"),
    ],
)
def test_end_to_end_ids_are_35_epc_characters_and_not_transliterated(
    end_to_end_id: str, message: str
) -> None:
    problems = find_problems(
        credit_transfer_order(payment(1, end_to_end_id=end_to_end_id)), today=TODAY
    )
    assert any(p.field == "end_to_end_id" and message in p.message for p in problems)


def test_end_to_end_ids_must_be_unique_within_the_order() -> None:
    order = credit_transfer_order(payment(1), payment(2, end_to_end_id="ACME-PAY-1"))
    (problem,) = find_problems(order, today=TODAY)
    assert problem.field == "transactions"
    assert "used twice" in problem.message


def test_remittance_is_free_text_or_a_valid_rf_reference_but_not_both() -> None:
    valid = payment(1, remittance_information=None, creditor_reference="RF18539007547034")
    invalid = payment(2, remittance_information=None, creditor_reference="RF19539007547034")
    both = payment(3, creditor_reference="RF18539007547034")
    problems = find_problems(credit_transfer_order(valid, invalid, both), today=TODAY)

    assert _fields(problems) == [(1, "creditor_reference"), (2, "remittance_information")]


def test_codes_must_be_iso_style() -> None:
    order = credit_transfer_order(payment(1, purpose_code="salary"), category_purpose="SUPPLIER")
    assert _fields(find_problems(order, today=TODAY)) == [
        (None, "category_purpose"),
        (0, "purpose_code"),
    ]


@pytest.mark.parametrize(
    "closed_day",
    [
        date(2024, 3, 30),  # Saturday
        date(2024, 3, 31),  # Sunday
        date(2025, 1, 1),  # New Year's Day
        date(2024, 3, 29),  # Good Friday
        date(2024, 4, 1),  # Easter Monday
        date(2024, 5, 1),  # Labour Day
        date(2024, 12, 25),
        date(2024, 12, 26),
    ],
)
def test_requested_date_must_be_a_target2_business_day(closed_day: date) -> None:
    today = min(closed_day - timedelta(days=3), TODAY)
    order = credit_transfer_order(requested_execution_date=closed_day)
    (problem,) = find_problems(order, today=today)
    assert problem.field == "requested_execution_date"
    assert "not a TARGET2 business day" in problem.message


def test_requested_date_must_not_be_in_the_past_but_may_be_today() -> None:
    assert find_problems(credit_transfer_order(requested_execution_date=TODAY), today=TODAY) == ()
    (problem,) = find_problems(
        credit_transfer_order(requested_execution_date=date(2024, 3, 22)), today=TODAY
    )
    assert "before the earliest possible 2024-03-25" in problem.message


@pytest.mark.parametrize("instrument", ["CORE", "B2B"])
def test_direct_debits_need_one_business_day_of_lead_time(instrument: str) -> None:
    same_day = direct_debit_order(requested_collection_date=TODAY, local_instrument=instrument)
    next_day = direct_debit_order(
        requested_collection_date=date(2024, 3, 26), local_instrument=instrument
    )
    # Friday before Easter: the next business day is the Tuesday after Easter Monday.
    before_easter = direct_debit_order(
        requested_collection_date=date(2024, 4, 1), local_instrument=instrument
    )

    assert [p.field for p in find_problems(same_day, today=TODAY)] == ["requested_collection_date"]
    assert find_problems(next_day, today=TODAY) == ()
    problems = find_problems(before_easter, today=date(2024, 3, 28))
    assert "earliest possible 2024-04-02" in problems[-1].message


def test_direct_debits_need_a_valid_creditor_id_mandate_and_sequence_type() -> None:
    order = direct_debit_order(
        collection(1, mandate=Mandate(mandate_id="M 1/", signed_on=TODAY + timedelta(days=1))),
        collection(2, sequence_type="ONCE"),
        creditor_id="DE98ZZZ09999999998",
        local_instrument="COR1",
    )
    assert _fields(find_problems(order, today=TODAY)) == [
        (None, "creditor_id"),
        (None, "local_instrument"),
        (0, "mandate.mandate_id"),
        (0, "mandate.signed_on"),
        (1, "sequence_type"),
    ]


def test_mandate_amendments_are_checked_too() -> None:
    amendment = MandateAmendment(
        original_mandate_id="OLD//1",
        original_creditor_id="DE00ZZZ1",
        original_debtor_iban="DE00123",
    )
    order = direct_debit_order(
        collection(1, mandate=Mandate(mandate_id="M1", signed_on=TODAY, amendment=amendment))
    )
    assert _fields(find_problems(order, today=TODAY)) == [
        (0, "mandate.amendment.original_mandate_id"),
        (0, "mandate.amendment.original_creditor_id"),
        (0, "mandate.amendment.original_debtor_iban"),
    ]


def test_several_sequence_types_leave_room_for_their_suffix_in_the_block_id() -> None:
    order = direct_debit_order(
        collection(1), collection(2, sequence_type="FRST"), payment_information_id="P" * 31
    )
    assert _fields(find_problems(order, today=TODAY)) == [(None, "payment_information_id")]


def test_orders_need_transactions_and_an_aware_creation_time() -> None:
    naive = datetime(2024, 3, 25, 9, 0)  # noqa: DTZ001 - the naive value under test
    order = replace(credit_transfer_order(created_at=naive), transactions=())
    assert _fields(find_problems(order, today=TODAY)) == [
        (None, "created_at"),
        (None, "transactions"),
    ]
