"""pain.001 and pain.008 files are built schema-valid, with the right sums, and read back as
the orders they came from."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from banking.formats.epc_text import to_epc_text
from banking.formats.pain_reader import InvalidPaymentFile, read_payment_order
from banking.formats.pain_writer import build_credit_transfer, build_direct_debit, schema_for
from banking.formats.payment_order import (
    AccountHolder,
    CreditTransferOrder,
    DirectDebitOrder,
    Mandate,
    MandateAmendment,
    PostalAddress,
    derive_message_id,
)
from banking.formats.payment_validation import PaymentOrderInvalid
from tests.banking.formats.orders import (
    MEMBER,
    TODAY,
    collection,
    credit_transfer_order,
    direct_debit_order,
    euros,
    payment,
)

CREDIT_TRANSFER_VERSIONS = ["pain.001.001.09", "pain.001.001.03"]
DIRECT_DEBIT_VERSIONS = ["pain.008.001.08", "pain.008.001.02"]


def _xpath(document: bytes, path: str) -> list[str]:
    root = etree.fromstring(document)
    namespace = root.nsmap[None]
    return [str(value) for value in root.xpath(path, namespaces={"p": namespace})]


@pytest.mark.parametrize("version", CREDIT_TRANSFER_VERSIONS)
def test_credit_transfers_are_schema_valid_with_counts_and_control_sums(version: str) -> None:
    order = credit_transfer_order(
        payment(1, amount=euros("10.10")), payment(2, amount=euros("0.05")), version=version
    )
    document = build_credit_transfer(order, today=TODAY)

    assert schema_for(version).validate(etree.fromstring(document))
    assert _xpath(document, "//p:GrpHdr/p:NbOfTxs/text()") == ["2"]
    assert _xpath(document, "//p:GrpHdr/p:CtrlSum/text()") == ["10.15"]
    assert _xpath(document, "//p:PmtInf/p:CtrlSum/text()") == ["10.15"]
    assert _xpath(document, "//p:InstdAmt/@Ccy") == ["EUR", "EUR"]
    assert _xpath(document, "//p:CreDtTm/text()") == ["2024-03-25T09:30:00+00:00"]


@pytest.mark.parametrize("version", DIRECT_DEBIT_VERSIONS)
def test_direct_debits_are_schema_valid_with_a_block_per_sequence_type(version: str) -> None:
    order = direct_debit_order(
        collection(1, sequence_type="FRST"),
        collection(2),
        collection(3, amount=euros("0.99")),
        local_instrument="B2B",
        version=version,
    )
    document = build_direct_debit(order, today=TODAY)

    assert schema_for(version).validate(etree.fromstring(document))
    assert _xpath(document, "//p:PmtInfId/text()") == ["ACME-PMT-2-FRST", "ACME-PMT-2-RCUR"]
    assert _xpath(document, "//p:PmtInf/p:NbOfTxs/text()") == ["1", "2"]
    assert _xpath(document, "//p:PmtInf/p:CtrlSum/text()") == ["25.00", "25.99"]
    assert _xpath(document, "//p:GrpHdr/p:CtrlSum/text()") == ["50.99"]
    assert _xpath(document, "//p:LclInstrm/p:Cd/text()") == ["B2B", "B2B"]
    assert _xpath(document, "//p:CdtrSchmeId//p:Othr/p:Id/text()") == ["DE98ZZZ09999999999"] * 2


def test_a_single_sequence_type_keeps_the_payment_information_id_as_given() -> None:
    document = build_direct_debit(direct_debit_order(), today=TODAY)
    assert _xpath(document, "//p:PmtInfId/text()") == ["ACME-PMT-2"]


@pytest.mark.parametrize("version", CREDIT_TRANSFER_VERSIONS)
def test_structured_remittance_purpose_ultimate_parties_and_addresses_are_written(
    version: str,
) -> None:
    creditor = AccountHolder(
        name="Bäckerei Müller",
        iban="DE02120300000000202051",
        address=PostalAddress(
            country="DE", post_code="80331", town_name="München", address_lines=("Marienplatz 1",)
        ),
    )
    order = credit_transfer_order(
        payment(
            1,
            creditor=creditor,
            remittance_information=None,
            creditor_reference="RF18 5390 0754 7034",
            purpose_code="SUPP",
            ultimate_debtor="Acme Holding",
            ultimate_creditor="Müller Gruppe",
            instruction_id="INSTR-1",
        ),
        category_purpose="SUPP",
        version=version,
    )
    document = build_credit_transfer(order, today=TODAY)

    assert _xpath(document, "//p:CdtrRefInf/p:Ref/text()") == ["RF18539007547034"]
    assert _xpath(document, "//p:CdtrRefInf/p:Tp/p:CdOrPrtry/p:Cd/text()") == ["SCOR"]
    assert _xpath(document, "//p:Purp/p:Cd/text()") == ["SUPP"]
    assert _xpath(document, "//p:CtgyPurp/p:Cd/text()") == ["SUPP"]
    assert _xpath(document, "//p:UltmtDbtr/p:Nm/text()") == ["Acme Holding"]
    assert _xpath(document, "//p:UltmtCdtr/p:Nm/text()") == ["Mueller Gruppe"]
    assert _xpath(document, "//p:Cdtr/p:Nm/text()") == ["Baeckerei Mueller"]
    assert _xpath(document, "//p:Cdtr/p:PstlAdr/p:TwnNm/text()") == ["Muenchen"]
    assert _xpath(document, "//p:InstrId/text()") == ["INSTR-1"]
    # Without a BIC the creditor agent is left out (IBAN-only SEPA payment).
    assert _xpath(document, "//p:CdtTrfTxInf/p:CdtrAgt") == []


@pytest.mark.parametrize("version", DIRECT_DEBIT_VERSIONS)
def test_mandate_amendments_are_written_with_smnda_for_a_new_debtor_bank(version: str) -> None:
    amendment = MandateAmendment(
        original_mandate_id="OLD-MANDATE",
        original_creditor_id="NL22ZZZ524885430000",
        original_creditor_name="Old Name B.V.",
        original_debtor_iban="NL91ABNA0417164300",
        debtor_agent_changed=True,
    )
    order = direct_debit_order(
        collection(
            1,
            sequence_type="FRST",
            mandate=Mandate(mandate_id="M-1", signed_on=date(2024, 1, 2), amendment=amendment),
        ),
        version=version,
    )
    document = build_direct_debit(order, today=TODAY)

    assert _xpath(document, "//p:AmdmntInd/text()") == ["true"]
    assert _xpath(document, "//p:OrgnlMndtId/text()") == ["OLD-MANDATE"]
    assert _xpath(document, "//p:OrgnlCdtrSchmeId/p:Nm/text()") == ["Old Name B.V."]
    assert _xpath(document, "//p:OrgnlDbtrAcct//p:IBAN/text()") == ["NL91ABNA0417164300"]
    assert _xpath(document, "//p:OrgnlDbtrAgt//p:Id/text()") == ["SMNDA"]
    # A debtor without a BIC: the schema wants an agent, SEPA says NOTPROVIDED.
    assert _xpath(document, "//p:DbtrAgt//p:Othr/p:Id/text()") == ["NOTPROVIDED"]


def test_building_the_same_order_twice_gives_the_same_bytes() -> None:
    order = credit_transfer_order()
    assert build_credit_transfer(order, today=TODAY) == build_credit_transfer(order, today=TODAY)


def test_an_invalid_order_is_refused_before_anything_is_built() -> None:
    with pytest.raises(PaymentOrderInvalid):
        build_credit_transfer(credit_transfer_order(payment(1, amount=euros("0"))), today=TODAY)
    with pytest.raises(PaymentOrderInvalid):
        build_direct_debit(direct_debit_order(requested_collection_date=TODAY), today=TODAY)


def test_derived_message_ids_are_stable_short_and_distinct() -> None:
    first = derive_message_id("ACME", "a0B5g00000AbCdE:2024-03-25")
    assert first == derive_message_id("ACME", "a0B5g00000AbCdE:2024-03-25")
    assert first != derive_message_id("ACME", "a0B5g00000AbCdE:2024-03-26")
    assert len(first) <= 35
    assert first.startswith("ACME-")


def test_the_reader_refuses_files_whose_control_sum_does_not_add_up() -> None:
    document = build_credit_transfer(credit_transfer_order(), today=TODAY)
    tampered = document.replace(b"<CtrlSum>200.00</CtrlSum>", b"<CtrlSum>200.01</CtrlSum>", 1)
    with pytest.raises(InvalidPaymentFile, match="CtrlSum"):
        read_payment_order(tampered)


# -- round trip ------------------------------------------------------------------------

epc_words = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    min_size=1,
    max_size=12,
)
free_text = (
    st.lists(epc_words, min_size=1, max_size=5).map(" ".join).filter(lambda text: len(text) <= 70)
)
any_text = st.text(alphabet="abcÄÖÜäöüßéèçñ -.,'+?:()/", min_size=1, max_size=30).filter(str.strip)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2).map(
    euros
)
ibans = st.sampled_from(
    [
        "DE02120300000000202051",
        "NL91ABNA0417164300",
        "FR1420041010050500013M02606",
        "AT611904300234573201",
    ]
)
bics = st.sampled_from([None, "BYLADEM1001", "ABNANL2A"])


@st.composite
def credit_transfer_orders(draw: st.DrawFn) -> CreditTransferOrder:
    count = draw(st.integers(1, 6))
    transactions = []
    for number in range(count):
        use_reference = draw(st.booleans())
        transactions.append(
            payment(
                number,
                amount=draw(amounts),
                creditor=AccountHolder(
                    name=draw(st.one_of(free_text, any_text)), iban=draw(ibans), bic=draw(bics)
                ),
                remittance_information=None
                if use_reference
                else draw(st.one_of(free_text, any_text)),
                creditor_reference="RF18539007547034" if use_reference else None,
                ultimate_creditor=draw(st.one_of(st.none(), free_text)),
            )
        )
    return credit_transfer_order(
        *transactions, version=draw(st.sampled_from(CREDIT_TRANSFER_VERSIONS))
    )


@st.composite
def direct_debit_orders(draw: st.DrawFn) -> DirectDebitOrder:
    count = draw(st.integers(1, 6))
    transactions = [
        collection(
            number,
            amount=draw(amounts),
            debtor=AccountHolder(name=draw(free_text), iban=draw(ibans), bic=draw(bics)),
            sequence_type=draw(st.sampled_from(["FRST", "RCUR", "OOFF", "FNAL"])),
        )
        for number in range(count)
    ]
    return direct_debit_order(
        *transactions,
        version=draw(st.sampled_from(DIRECT_DEBIT_VERSIONS)),
        local_instrument=draw(st.sampled_from(["CORE", "B2B"])),
    )


def _as_sent(holder: AccountHolder) -> AccountHolder:
    return replace(holder, name=to_epc_text(holder.name))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(credit_transfer_orders())
def test_credit_transfers_read_back_as_the_same_transactions(order: CreditTransferOrder) -> None:
    read = read_payment_order(build_credit_transfer(order, today=TODAY))

    assert isinstance(read, CreditTransferOrder)
    expected = tuple(
        replace(
            transaction,
            creditor=_as_sent(transaction.creditor),
            remittance_information=to_epc_text(transaction.remittance_information)
            if transaction.remittance_information
            else None,
        )
        for transaction in order.transactions
    )
    assert read.transactions == expected
    assert replace(read, transactions=()) == replace(
        order, debtor=_as_sent(order.debtor), transactions=()
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(direct_debit_orders())
def test_direct_debits_read_back_as_the_same_transactions(order: DirectDebitOrder) -> None:
    read = read_payment_order(build_direct_debit(order, today=TODAY))

    assert isinstance(read, DirectDebitOrder)
    # Collections are grouped by sequence type, so compare them by end-to-end ID.
    by_id = {transaction.end_to_end_id: transaction for transaction in read.transactions}
    assert by_id == {transaction.end_to_end_id: transaction for transaction in order.transactions}
    assert read.local_instrument == order.local_instrument
    assert read.creditor_id == order.creditor_id
    assert read.payment_information_id == order.payment_information_id


def test_large_orders_build_and_validate() -> None:
    transactions = tuple(payment(number, creditor=MEMBER) for number in range(2000))
    document = build_credit_transfer(credit_transfer_order(*transactions), today=TODAY)
    assert _xpath(document, "//p:GrpHdr/p:CtrlSum/text()") == ["200000.00"]
