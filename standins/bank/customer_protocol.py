"""The customer protocol: what the bank did with each order, downloaded as PTK (text) or HAC.

HAC is rendered as a pain.002.001.03 document (the format German banks use for it): one
``OrgnlPmtInfAndSts`` per protocol entry, the order ID as original payment information ID, the
order type and return code as proprietary reason, the text as additional information. That is
a simplified but schema-shaped version of the DK customer protocol.
"""

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from lxml import etree

PAIN_002 = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"
# pain.002 limits AddtlInf to 105 characters.
ADDITIONAL_INFO_LENGTH = 105


@dataclass(frozen=True)
class ProtocolEntry:
    """One line of the customer protocol."""

    at: datetime
    partner_id: str
    user_id: str
    order_type: str
    order_id: str | None
    code: str
    text: str

    @property
    def is_accepted(self) -> bool:
        """Whether the order went through (codes starting 00 or 01 are success or warnings)."""
        return self.code[:2] in {"00", "01"}


def record(db: sqlite3.Connection, entry: ProtocolEntry) -> None:
    """Append an entry to the partner's protocol."""
    db.execute(
        "INSERT INTO protocol_entries (at, partner_id, user_id, order_type, order_id, code, text)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            entry.at.isoformat(),
            entry.partner_id,
            entry.user_id,
            entry.order_type,
            entry.order_id,
            entry.code,
            entry.text,
        ),
    )


def entries(
    db: sqlite3.Connection, partner_id: str, start: date | None, end: date | None
) -> list[ProtocolEntry]:
    """The partner's entries, oldest first, within the inclusive date range if one is given."""
    query = "SELECT * FROM protocol_entries WHERE partner_id = ?"
    parameters: list[str] = [partner_id]
    if start is not None:
        query += " AND at >= ?"
        parameters.append(datetime.combine(start, time.min).isoformat())
    if end is not None:
        query += " AND at < ?"
        parameters.append(datetime.combine(end + timedelta(days=1), time.min).isoformat())
    rows = db.execute(query + " ORDER BY id", parameters)
    return [
        ProtocolEntry(
            at=datetime.fromisoformat(row["at"]),
            partner_id=row["partner_id"],
            user_id=row["user_id"],
            order_type=row["order_type"],
            order_id=row["order_id"],
            code=row["code"],
            text=row["text"],
        )
        for row in rows
    ]


def render_ptk(protocol: list[ProtocolEntry]) -> bytes:
    """The protocol as the classic PTK text file, one line per entry."""
    lines = [
        f"{entry.at:%d.%m.%Y %H:%M:%S} {entry.user_id:<8} {entry.order_type:<4} "
        f"{entry.order_id or '----'} {entry.code} {entry.text}"
        for entry in protocol
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{PAIN_002}}}{name}")
    if text is not None:
        element.text = text
    return element


def render_hac(protocol: list[ProtocolEntry], *, host_id: str, now: datetime) -> bytes:
    """The protocol as a pain.002.001.03 customer status report (see the module docstring)."""
    root = etree.Element(f"{{{PAIN_002}}}Document", nsmap={None: PAIN_002})
    report = _sub(root, "CstmrPmtStsRpt")
    header = _sub(report, "GrpHdr")
    _sub(header, "MsgId", f"HAC{now:%Y%m%d%H%M%S}")
    _sub(header, "CreDtTm", now.strftime("%Y-%m-%dT%H:%M:%S"))
    _sub(_sub(header, "InitgPty"), "Nm", host_id)
    group = _sub(report, "OrgnlGrpInfAndSts")
    _sub(group, "OrgnlMsgId", "EBICS-PROTOCOL")
    _sub(group, "OrgnlMsgNmId", "HAC")
    for entry in protocol:
        payment = _sub(report, "OrgnlPmtInfAndSts")
        _sub(payment, "OrgnlPmtInfId", entry.order_id or "NOTPROVIDED")
        _sub(payment, "PmtInfSts", "ACCP" if entry.is_accepted else "RJCT")
        reason = _sub(payment, "StsRsnInf")
        _sub(_sub(reason, "Orgtr"), "Nm", entry.user_id)
        _sub(_sub(reason, "Rsn"), "Prtry", f"{entry.order_type}:{entry.code}")
        _sub(
            reason,
            "AddtlInf",
            f"{entry.at:%Y-%m-%dT%H:%M:%S} {entry.text}"[:ADDITIONAL_INFO_LENGTH],
        )
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
