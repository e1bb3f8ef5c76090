"""camt.052/053/054 reading: real files against OCA's extraction, and each rule on its own."""

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from banking.formats.detection import UnsupportedFormat
from banking.formats.money import Money
from banking.formats.statement import StatementItem
from banking.formats.statement_file import parse_statement_file
from tests.banking.formats.camt_samples import SampleEntry, SampleTransaction, camt_document
from tests.banking.formats.conftest import CAMT_FIXTURES, read_golden

GOLDEN_FILES = ["camt053", "camt053-txdtls", "camt054"]


def _narration(text: str) -> dict[str, str]:
    """OCA's narration lines, "Label (Path): value", by path."""
    found = {}
    for line in text.splitlines():
        match = re.match(r"^.*?\((?P<path>[^)]+)\): ?(?P<value>.*)$", line)
        if match:
            found[match["path"]] = match["value"]
    return found


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_statements_match_the_values_oca_extracted(name: str) -> None:
    currency, account, statements = read_golden(name)
    result = parse_statement_file(CAMT_FIXTURES / f"test-{name}")

    assert result.errors == ()
    (statement,) = result.statements
    (expected,) = statements
    assert statement.account.currency == currency
    assert statement.account.iban == account
    assert statement.statement_id == expected["name"]
    if statement.balances:
        assert statement.balance("OPBD").amount.amount == Decimal(str(expected["balance_start"]))
        assert statement.balance("CLBD").amount.amount == Decimal(str(expected["balance_end_real"]))
    assert len(statement.items) == len(expected["transactions"])
    for item, theirs in zip(statement.items, expected["transactions"], strict=True):
        _assert_same_transaction(item, theirs)


def _assert_same_transaction(item: StatementItem, theirs: dict) -> None:
    narration = _narration(theirs["narration"])
    assert item.amount.amount == Decimal(str(theirs["amount"]))
    assert item.booking_date == date.fromisoformat(theirs["date"])
    assert item.counterparty is not None
    assert item.counterparty.iban == theirs["account_number"]
    assert item.counterparty.name == theirs["partner_name"]
    assert theirs["ref"] in (item.end_to_end_id, item.creditor_reference)
    assert theirs["payment_ref"] in (
        item.additional_information,
        item.remittance_information,
        item.instruction_id,
    )
    # OCA reports the entry's code; ours is the transaction's own when it has one (TxDtls
    # refine the sub-family, e.g. VCOM -> AUTT), so domain and family are what must agree.
    domain, family, _sub_family = theirs["transaction_type"].split("-")
    assert (item.bank_transaction_code.domain, item.bank_transaction_code.family) == (
        domain,
        family,
    )
    assert item.end_to_end_id == narration.get("Refs/EndToEndId")
    assert item.instruction_id == narration.get("Refs/InstrId")
    assert item.return_reason == narration.get("RtrInf/Rsn/Cd")
    assert item.is_reversal == (narration.get("RvslInd") == "true")
    if "RmtInf/Strd/CdtrRefInf/Ref" in narration:
        assert item.creditor_reference == narration["RmtInf/Strd/CdtrRefInf/Ref"]
    if "Refs/AcctSvcrRef" in narration:
        assert item.account_servicer_reference == narration["Refs/AcctSvcrRef"]


def test_statement_without_entries_keeps_its_balances_where_oca_returns_nothing() -> None:
    assert read_golden("camt053-no-ntry") == (None, None, [])
    (statement,) = parse_statement_file(CAMT_FIXTURES / "test-camt053-no-ntry").statements

    assert statement.items == ()
    assert statement.balance("OPBD").amount == Money(Decimal("1520.76"), "CHF")
    assert statement.balance("CLBD").amount == Money(Decimal("1520.76"), "CHF")


def test_postfinance_file_that_breaks_the_schema_is_read_and_balances() -> None:
    # Its Ctry "CH1"/"CH2" violates the XSD; the meaning of the file is still clear.
    (statement,) = parse_statement_file(CAMT_FIXTURES / "test-camt053-txdtls").statements

    total = sum(item.amount.amount for item in statement.items)
    assert (
        statement.balance("OPBD").amount.amount + total == statement.balance("CLBD").amount.amount
    )
    assert [item.creditor_reference_type for item in statement.items] == ["ISR", "ISR"]
    assert {item.batch.total for item in statement.items} == {Money(Decimal("3483.00"), "CHF")}
    assert {item.batch.number_of_transactions for item in statement.items} == {2}


def test_batch_booking_becomes_one_item_per_transaction_with_the_batch_reference_and_total() -> (
    None
):
    entry = SampleEntry(
        Decimal("30.00"),
        reference="NTRY-9",
        batch_reference="PMTINF-42",
        transactions=[
            SampleTransaction(Decimal("10.00"), end_to_end_id="A"),
            SampleTransaction(Decimal("20.00"), end_to_end_id="B"),
        ],
    )
    (statement,) = parse_statement_file(camt_document([entry])).statements

    assert [item.amount.amount for item in statement.items] == [Decimal("10.00"), Decimal("20.00")]
    assert [item.end_to_end_id for item in statement.items] == ["A", "B"]
    for item in statement.items:
        assert item.batch is not None
        assert item.batch.reference == "PMTINF-42"
        assert item.batch.entry_reference == "NTRY-9"
        assert item.batch.number_of_transactions == 2
        assert item.batch.total == Money(Decimal("30.00"), "EUR")


def test_entry_without_details_stays_one_item_without_batch() -> None:
    (statement,) = parse_statement_file(
        camt_document([SampleEntry(Decimal("5.00"), credit=False)])
    ).statements

    (item,) = statement.items
    assert item.amount == Money(Decimal("-5.00"), "EUR")
    assert item.batch is None
    assert item.account_servicer_reference == "ASR-1"


@pytest.mark.parametrize(
    ("credit", "reversal", "expected"),
    [
        (True, False, Decimal("12.50")),
        (False, False, Decimal("-12.50")),
        # ISO: CRDT with RvslInd undoes an original debit (e.g. a returned direct debit):
        # the money comes back in.
        (True, True, Decimal("12.50")),
        # DBIT with RvslInd undoes an original credit (a returned incoming payment): money out.
        (False, True, Decimal("-12.50")),
    ],
)
def test_sign_follows_the_credit_debit_indicator_and_reversal_only_marks_the_item(
    credit: bool, reversal: bool, expected: Decimal
) -> None:
    entry = SampleEntry(Decimal("12.50"), credit=credit, reversal=reversal)
    (item,) = parse_statement_file(camt_document([entry])).statements[0].items

    assert item.amount.amount == expected
    assert item.is_reversal is reversal


def test_reversal_names_the_party_of_the_original_payment_as_counterparty() -> None:
    # A returned incoming payment (DBIT + reversal): the original debtor paid us.
    entry = SampleEntry(
        Decimal("7.00"),
        credit=False,
        reversal=True,
        transactions=[SampleTransaction(Decimal("7.00"), credit=True, name="Original Payer")],
    )
    (item,) = parse_statement_file(camt_document([entry])).statements[0].items

    assert item.counterparty is not None
    assert item.counterparty.name == "Original Payer"


@pytest.mark.parametrize("version", [2, 3, 4, 6, 7, 8, 10, 12, 13])
def test_every_version_banks_send_gives_the_same_item(version: int) -> None:
    entry = SampleEntry(
        Decimal("42.00"),
        transactions=[SampleTransaction(Decimal("42.00"), creditor_reference="RF18539007547034")],
    )
    (statement,) = parse_statement_file(camt_document([entry], version=version)).statements

    (item,) = statement.items
    assert statement.version == f"camt.053.001.{version:02d}"
    assert statement.account.bic == "COBADEFFXXX"
    assert item.amount == Money(Decimal("42.00"), "EUR")
    assert item.counterparty is not None
    assert item.counterparty.name == "Alice Example"
    assert item.counterparty.iban == "DE02120300000000202051"
    assert item.counterparty.bic == "BYLADEM1001"
    assert item.creditor_reference == "RF18539007547034"
    assert item.creditor_reference_type == "RF"
    assert item.status == "BOOK"


@pytest.mark.parametrize("namespace_version", ["01", "14"])
def test_versions_outside_the_supported_range_are_a_clear_error(namespace_version: str) -> None:
    document = camt_document([]).replace(
        b"camt.053.001.08", f"camt.053.001.{namespace_version}".encode()
    )
    with pytest.raises(UnsupportedFormat, match=rf"camt\.053\.001\.{namespace_version}"):
        parse_statement_file(document)


def test_an_unknown_message_type_is_a_clear_error() -> None:
    document = camt_document([]).replace(b"camt.053.001.08", b"camt.060.001.05")
    with pytest.raises(UnsupportedFormat, match=r"camt\.060"):
        parse_statement_file(document)


@pytest.mark.parametrize("message", ["camt.052", "camt.054"])
def test_reports_and_notifications_are_read_like_statements(message: str) -> None:
    entry = SampleEntry(Decimal("1.00"), transactions=[SampleTransaction(Decimal("1.00"))])
    (statement,) = parse_statement_file(camt_document([entry], message=message)).statements

    assert statement.message_type == message
    assert statement.statement_id == "STMT-1"
    assert len(statement.items) == 1


def test_not_provided_end_to_end_ids_are_absent() -> None:
    entry = SampleEntry(
        Decimal("1.00"),
        transactions=[SampleTransaction(Decimal("1.00"), end_to_end_id="NOTPROVIDED")],
    )
    (item,) = parse_statement_file(camt_document([entry])).statements[0].items
    assert item.end_to_end_id is None


@pytest.mark.parametrize(
    ("raw_amount", "raw_indicator", "message"),
    [
        ("12,50", None, "not a non-negative decimal"),
        ("-3.00", None, "not a non-negative decimal"),
        ("", None, "not a non-negative decimal"),
        ("3.00", "CRED", "not CRDT or DBIT"),
    ],
)
def test_a_bad_entry_is_reported_with_line_and_path_while_the_good_ones_are_kept(
    raw_amount: str, raw_indicator: str | None, message: str
) -> None:
    entries = [
        SampleEntry(Decimal("1.00"), reference="GOOD-1"),
        SampleEntry(
            Decimal("3.00"), reference="BAD", raw_amount=raw_amount, raw_indicator=raw_indicator
        ),
        SampleEntry(Decimal("2.00"), reference="GOOD-2"),
    ]
    result = parse_statement_file(camt_document(entries))

    assert [item.amount.amount for item in result.statements[0].items] == [
        Decimal("1.00"),
        Decimal("2.00"),
    ]
    (error,) = result.errors
    assert error.statement_id == "STMT-1"
    assert error.entry == "#2 (BAD)"
    assert error.line == 8  # the line where the bad <Ntry> starts
    assert "Stmt[1]/Ntry[2]" in error.message
    assert message in error.message


def test_an_entry_without_currency_or_indicator_is_reported_not_guessed() -> None:
    document = camt_document([SampleEntry(Decimal("1.00"))])
    no_currency = document.replace(b'<Amt Ccy="EUR">1.00</Amt>', b"<Amt>1.00</Amt>")
    no_indicator = document.replace(b"<CdtDbtInd>CRDT</CdtDbtInd><Sts>", b"<Sts>")

    assert "currency" in parse_statement_file(no_currency).errors[0].message
    assert "CdtDbtInd" in parse_statement_file(no_indicator).errors[0].message


def test_a_batch_whose_transactions_lack_amounts_cannot_be_split_and_is_reported() -> None:
    entry = SampleEntry(
        Decimal("3.00"),
        transactions=[SampleTransaction(Decimal("1.00")), SampleTransaction(Decimal("2.00"))],
    )
    document = re.sub(
        rb'<Amt Ccy="EUR">[12]\.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>', b"", camt_document([entry])
    )
    result = parse_statement_file(document)

    assert result.statements[0].items == ()
    assert "cannot be split" in result.errors[0].message


def test_transaction_details_carry_references_parties_returns_and_charges() -> None:
    extra = (
        "<RtrInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>Account</AddtlInf><AddtlInf>closed</AddtlInf></RtrInf>"
        "<AddtlTxInf>Return of payment</AddtlTxInf>"
    )
    transaction = SampleTransaction(Decimal("9.99"), credit=False, name="Bob Creditor", extra=extra)
    entry = SampleEntry(Decimal("9.99"), credit=False, transactions=[transaction])
    document = (
        camt_document([entry])
        .replace(
            b"<Refs><EndToEndId>",
            b"<Refs><InstrId>INSTR-1</InstrId><MndtId>MANDATE-1</MndtId><TxId>TX-1</TxId>"
            b"<UETR>3f2504e0-4f89-41d3-9a0c-0305e82c3301</UETR><EndToEndId>",
        )
        .replace(
            b"</Cdtr>",
            b"<Id><PrvtId><Othr><Id>DE98ZZZ09999999999</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id></Cdtr>"
            b"<UltmtCdtr><Pty><Nm>Ultimate Bob</Nm></Pty></UltmtCdtr>",
        )
        .replace(
            b"<RltdPties>",
            b'<AmtDtls><InstdAmt><Amt Ccy="USD">11.00</Amt>'
            b"<CcyXchg><SrcCcy>USD</SrcCcy><TrgtCcy>EUR</TrgtCcy>"
            b"<XchgRate>0.9082</XchgRate></CcyXchg></InstdAmt></AmtDtls>"
            b'<Chrgs><TtlChrgsAndTaxAmt Ccy="EUR">0.50</TtlChrgsAndTaxAmt>'
            b'<Rcrd><Amt Ccy="EUR">0.50</Amt>'
            b"<ChrgInclInd>true</ChrgInclInd></Rcrd></Chrgs><RltdPties>",
        )
    )
    (item,) = parse_statement_file(document).statements[0].items

    assert item.instruction_id == "INSTR-1"
    assert item.mandate_id == "MANDATE-1"
    assert item.transaction_id == "TX-1"
    assert item.uetr == "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
    assert item.creditor_id == "DE98ZZZ09999999999"
    assert item.counterparty is not None
    assert item.counterparty.name == "Bob Creditor"
    assert item.ultimate_counterparty is not None
    assert item.ultimate_counterparty.name == "Ultimate Bob"
    assert item.return_reason == "AC04"
    assert item.return_information == "Account closed"
    assert item.additional_information == "Return of payment"
    assert item.original_amount == Money(Decimal("11.00"), "USD")
    assert item.exchange_rate == Decimal("0.9082")
    assert item.charges is not None
    assert item.charges.amount == Money(Decimal("0.50"), "EUR")
    assert item.charges.is_included is True


def test_unstructured_remittance_lines_are_joined_with_a_space() -> None:
    transaction = SampleTransaction(Decimal("1.00"), remittance=["Invoice 1", "and  2"])
    entry = SampleEntry(Decimal("1.00"), transactions=[transaction])
    (item,) = parse_statement_file(camt_document([entry])).statements[0].items
    assert item.remittance_information == "Invoice 1 and 2"


def test_statement_header_gives_account_sequence_numbers_period_and_aware_creation_time() -> None:
    (statement,) = parse_statement_file(
        camt_document([], created_at="2024-01-02T10:00:00"),
        assume_timezone=ZoneInfo("Europe/Berlin"),
    ).statements

    assert statement.account.iban == "DE89370400440532013000"
    assert statement.account.currency == "EUR"
    assert statement.sequence_number == "7"
    assert statement.legal_sequence_number == "3"
    assert statement.message_id == "MSG-1"
    assert statement.created_at == datetime(2024, 1, 2, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert statement.period is not None
    assert statement.period.from_at == datetime(2024, 1, 2, tzinfo=ZoneInfo("Europe/Berlin"))


def test_creation_times_with_an_offset_keep_it() -> None:
    (statement,) = parse_statement_file(camt_document([])).statements
    assert statement.created_at == datetime(2024, 1, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    assert statement.created_at.astimezone(UTC).hour == 9


def test_pending_and_information_entries_keep_their_status() -> None:
    entries = [
        SampleEntry(Decimal("1.00"), status="PDNG"),
        SampleEntry(Decimal("2.00"), status="INFO"),
    ]
    items = parse_statement_file(camt_document(entries, version=4)).statements[0].items
    assert [item.status for item in items] == ["PDNG", "INFO"]


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(amounts, st.booleans(), st.lists(amounts, min_size=0, max_size=4)),
        min_size=0,
        max_size=12,
    ),
    st.sampled_from([2, 4, 8, 13]),
)
def test_generated_statements_parse_back_to_the_same_totals(
    generated: list[tuple[Decimal, bool, list[Decimal]]], version: int
) -> None:
    entries = []
    for amount, credit, parts in generated:
        transactions = [SampleTransaction(part, credit=credit) for part in parts]
        total = sum(parts, Decimal(0)) if parts else amount
        entries.append(SampleEntry(total, credit=credit, transactions=transactions))
    result = parse_statement_file(camt_document(entries, version=version))

    (statement,) = result.statements
    assert result.errors == ()
    expected_items = sum(max(1, len(parts)) for _amount, _credit, parts in generated)
    assert len(statement.items) == expected_items
    total = sum((item.amount.amount for item in statement.items), Decimal(0))
    assert (
        statement.balance("OPBD").amount.amount + total == statement.balance("CLBD").amount.amount
    )
