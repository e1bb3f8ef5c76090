"""Reading an order's fate from the bank's customer protocol (HAC and PTK)."""

from datetime import UTC, datetime

import pytest

from banking.ebics.customer_protocol import OrderTrace, trace_order
from standins.bank.customer_protocol import ProtocolEntry, render_hac, render_ptk

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _entry(order_id: str | None, code: str, order_type: str = "BTU") -> ProtocolEntry:
    return ProtocolEntry(
        at=NOW,
        partner_id="ACME",
        user_id="ALICE",
        order_type=order_type,
        order_id=order_id,
        code=code,
        text="Order accepted" if code == "000000" else "Order rejected by the bank",
    )


def _dk_hac(*actions: tuple[str, str, str]) -> bytes:
    """A HAC the way German banks write it: ISO reason codes, order ID as OrgnlPmtInfId."""
    blocks = "".join(
        f"""<OrgnlPmtInfAndSts><OrgnlPmtInfId>{order_id}</OrgnlPmtInfId>
        <PmtInfSts>{status}</PmtInfSts><StsRsnInf><Orgtr><Nm>ALICE</Nm></Orgtr>
        <Rsn><Cd>{reason}</Cd></Rsn><AddtlInf>Time Stamp=2026-11-20T09:30:00</AddtlInf>
        </StsRsnInf></OrgnlPmtInfAndSts>"""
        for order_id, status, reason in actions
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
    <Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>
    <GrpHdr><MsgId>HAC1</MsgId><CreDtTm>2026-11-20T09:31:00</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>EBICS</OrgnlMsgId><OrgnlMsgNmId>HAC</OrgnlMsgNmId>
    </OrgnlGrpInfAndSts>{blocks}</CstmrPmtStsRpt></Document>""".encode()


def test_the_local_banks_hac_says_an_accepted_order_was_received() -> None:
    hac = render_hac([_entry("A0B1", "000000"), _entry("A0B2", "090003")], host_id="H", now=NOW)
    assert trace_order(hac, "A0B1") == OrderTrace(
        True, "000000", "2026-11-20T09:30:00 Order accepted"
    )
    refused = trace_order(hac, "A0B2")
    assert refused is not None
    assert not refused.received
    assert refused.code == "090003"


def test_an_order_the_protocol_does_not_name_is_unknown() -> None:
    hac = render_hac(
        [_entry("A0B1", "000000"), _entry(None, "000000", "HTD")], host_id="H", now=NOW
    )
    assert trace_order(hac, "A0B9") is None
    assert trace_order(hac, "") is None
    assert trace_order(b"", "A0B1") is None


@pytest.mark.parametrize(
    ("status", "reason", "received"),
    [
        ("ACCP", "TS01", True),
        ("RJCT", "TA01", False),
        ("RJCT", "DS0C", False),
        ("ACCP", "XX99", True),
        ("RJCT", "XX99", False),
    ],
)
def test_a_dk_hac_is_read_by_its_iso_codes(status: str, reason: str, received: bool) -> None:
    trace = trace_order(_dk_hac(("N0X1", status, reason)), "N0X1")
    assert trace is not None
    assert trace.received is received


def test_the_last_word_on_an_order_decides() -> None:
    hac = _dk_hac(("N0X1", "ACCP", "TS01"), ("N0X1", "RJCT", "DS0C"))
    trace = trace_order(hac, "N0X1")
    assert trace is not None
    assert not trace.received
    assert trace.code == "DS0C"


def test_a_hac_with_no_usable_verdict_is_unknown() -> None:
    assert trace_order(_dk_hac(("N0X1", "", "")), "N0X1") is None


def test_a_malformed_or_hostile_hac_is_unknown() -> None:
    assert trace_order(b"<Document><OrgnlPmtInfAndSts>", "A0B1") is None
    bomb = b"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "A0B1">]>
    <Document><OrgnlPmtInfAndSts><OrgnlPmtInfId>&a;</OrgnlPmtInfId>
    <PmtInfSts>ACCP</PmtInfSts></OrgnlPmtInfAndSts></Document>"""
    assert trace_order(bomb, "A0B1") is None


def test_ptk_lines_are_read_by_the_code_after_the_order_id() -> None:
    ptk = render_ptk([_entry("A0B1", "000000"), _entry("A0B2", "091116"), _entry(None, "000000")])
    accepted = trace_order(ptk, "A0B1")
    assert accepted is not None
    assert accepted.received
    assert accepted.code == "000000"
    refused = trace_order(ptk, "A0B2")
    assert refused is not None
    assert not refused.received
    assert trace_order(ptk, "A0B3") is None


def test_a_ptk_line_without_a_code_is_unknown() -> None:
    assert trace_order(b"20.11.2026 09:30:00 ALICE CCT A0B1 angenommen\r\n", "A0B1") is None
