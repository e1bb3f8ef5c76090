"""pain.002 status reports link each status and reason back to the payments we sent."""

import json
from datetime import date
from decimal import Decimal

import pytest

from banking.formats.detection import UnsupportedFormat
from banking.formats.money import Money
from banking.formats.safexml import ForbiddenDoctype, MalformedXml
from banking.formats.source import FileTooLarge
from banking.formats.status_reasons import REASON_TEXTS, describe_reason, describe_status
from banking.formats.status_report import (
    iter_transaction_statuses,
    parse_status_report,
    status_report_to_json,
)
from tests.banking.formats.camt_samples import camt_document


def _report(version: str = "03", *, group_status: str = "PART") -> bytes:
    # Version .03 writes ReqdExctnDt as a date and names parties directly; .10 wraps both.
    requested = (
        "<ReqdExctnDt>2024-03-26</ReqdExctnDt>"
        if version == "03"
        else "<ReqdExctnDt><Dt>2024-03-26</Dt></ReqdExctnDt>"
    )
    uetr = "<OrgnlUETR>3f2504e0-4f89-41d3-9a0c-0305e82c3301</OrgnlUETR>" if version != "03" else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.{version}">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>STATUS-1</MsgId><CreDtTm>2024-03-26T07:00:00+01:00</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>ACME-MSG-1</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
      <OrgnlCreDtTm>2024-03-25T09:30:00Z</OrgnlCreDtTm>
      <GrpSts>{group_status}</GrpSts>
      <StsRsnInf>
        <Rsn><Cd>NARR</Cd></Rsn><AddtlInf>Some payments</AddtlInf><AddtlInf>were rejected</AddtlInf>
      </StsRsnInf>
    </OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>ACME-PMT-1</OrgnlPmtInfId>
      <PmtInfSts>PART</PmtInfSts>
      <TxInfAndSts>
        <StsId>S-1</StsId><OrgnlInstrId>INSTR-1</OrgnlInstrId><OrgnlEndToEndId>ACME-PAY-1</OrgnlEndToEndId>{uetr}
        <TxSts>RJCT</TxSts>
        <StsRsnInf>
          <Orgtr><Nm>Acme Bank</Nm></Orgtr><Rsn><Cd>AC04</Cd></Rsn>
          <AddtlInf>Konto aufgeloest</AddtlInf>
        </StsRsnInf>
        <OrgnlTxRef><Amt><InstdAmt Ccy="EUR">100.00</InstdAmt></Amt>{requested}</OrgnlTxRef>
      </TxInfAndSts>
      <TxInfAndSts>
        <OrgnlEndToEndId>ACME-PAY-2</OrgnlEndToEndId>
        <StsRsnInf><Rsn><Prtry>X99</Prtry></Rsn></StsRsnInf>
      </TxInfAndSts>
      <TxInfAndSts><TxSts>RJCT</TxSts></TxInfAndSts>
    </OrgnlPmtInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>ACME-PMT-2</OrgnlPmtInfId>
      <PmtInfSts>ACCP</PmtInfSts>
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
""".encode()


@pytest.mark.parametrize("version", ["03", "10"])
def test_group_block_and_transaction_statuses_link_back_to_the_original_ids(version: str) -> None:
    report = parse_status_report(_report(version))

    assert report.version == f"pain.002.001.{version}"
    assert report.message_id == "STATUS-1"
    assert report.original_message_id == "ACME-MSG-1"
    assert report.original_message_type == "pain.001.001.09"
    assert report.group_status == "PART"
    assert [block.original_payment_information_id for block in report.payment_informations] == [
        "ACME-PMT-1",
        "ACME-PMT-2",
    ]
    rejected, unspecified = report.payment_informations[0].transactions
    assert rejected.original_end_to_end_id == "ACME-PAY-1"
    assert rejected.original_instruction_id == "INSTR-1"
    assert rejected.status == "RJCT"
    assert rejected.amount == Money(Decimal("100.00"), "EUR")
    assert rejected.requested_date == date(2024, 3, 26)
    (reason,) = rejected.reasons
    assert reason.code == "AC04"
    assert reason.description == "The account has been closed."
    assert reason.additional_information == "Konto aufgeloest"
    assert reason.originator == "Acme Bank"
    assert unspecified.reasons[0].proprietary == "X99"
    if version == "10":
        assert rejected.original_uetr == "3f2504e0-4f89-41d3-9a0c-0305e82c3301"


def test_a_transaction_without_a_status_takes_its_blocks_then_the_groups() -> None:
    report = parse_status_report(_report())
    assert report.effective_statuses() == {"ACME-PAY-1": "RJCT", "ACME-PAY-2": "PART"}
    assert [
        (block, status.original_end_to_end_id)
        for block, status in iter_transaction_statuses(report)
    ] == [
        ("ACME-PMT-1", "ACME-PAY-1"),
        ("ACME-PMT-1", "ACME-PAY-2"),
    ]


def test_a_status_that_names_no_original_payment_is_reported_and_the_others_kept() -> None:
    report = parse_status_report(_report())
    (error,) = report.errors
    assert error.entry == "#3"
    assert error.line is not None
    assert "cannot be linked" in error.message
    assert len(report.payment_informations[0].transactions) == 2


def test_group_reasons_join_their_additional_information() -> None:
    (reason,) = parse_status_report(_report()).group_reasons
    assert reason.code == "NARR"
    assert reason.additional_information == "Some payments were rejected"


def test_the_json_rendering_has_readable_texts_and_plain_values() -> None:
    rendered = status_report_to_json(parse_status_report(_report("10")))

    assert rendered["group_status_text"] == describe_status("PART")
    transaction = rendered["payment_informations"][0]["transactions"][0]
    assert transaction["amount"] == "100.00"
    assert transaction["status_text"] == "Rejected."
    assert transaction["reasons"][0]["description"] == "The account has been closed."
    assert json.loads(json.dumps(rendered)) == rendered


@pytest.mark.parametrize(
    "code",
    [
        "AC01",
        "AC04",
        "AC06",
        "AG01",
        "AM04",
        "AM05",
        "BE05",
        "MD01",
        "MD07",
        "MS02",
        "MS03",
        "RC01",
        "RR01",
        "RR02",
        "RR03",
        "RR04",
        "FF01",
        "DT01",
    ],
)
def test_common_reason_codes_have_readable_english(code: str) -> None:
    text = describe_reason(code)
    assert text is not None
    assert text.endswith(".")
    assert describe_reason(code.lower()) == text


def test_unknown_codes_have_no_text_rather_than_a_wrong_one() -> None:
    assert describe_reason("ZZ99") is None
    assert describe_status(None) is None
    assert len(REASON_TEXTS) >= 40


def test_status_reports_follow_the_same_safety_rules_as_statements() -> None:
    with pytest.raises(ForbiddenDoctype):
        parse_status_report(
            b'<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY x "y">]>' + _report()[39:]
        )
    with pytest.raises(MalformedXml):
        parse_status_report(_report()[:-60])
    with pytest.raises(FileTooLarge):
        parse_status_report(_report(), max_bytes=100)
    with pytest.raises(UnsupportedFormat, match=r"not a pain\.002"):
        parse_status_report(camt_document([]))
    with pytest.raises(UnsupportedFormat, match=r"pain\.002\.001\.02"):
        parse_status_report(_report().replace(b"pain.002.001.03", b"pain.002.001.02"))
