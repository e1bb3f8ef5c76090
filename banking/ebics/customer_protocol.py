"""What the bank's customer protocol says about one order: received, refused, or nothing.

When the answer to an upload's last segment is lost (or the uploading process died waiting for
it), only the bank knows whether it kept the order. It says so in the customer protocol: HAC on
EBICS 3.0, a pain.002-shaped document with one ``OrgnlPmtInfAndSts`` per action whose
``OrgnlPmtInfId`` is the EBICS order ID; PTK on EBICS 2.5, a text file with a line per action.

HAC states its verdict in ISO codes: ``TS01`` (transfer succeeded) or a positive status such as
``ACCP`` means the bank has the order; ``TA01`` (transfer aborted), a ``DS..`` code (signature,
decryption, decompression failures) or ``RJCT`` means it does not. Banks that put the EBICS
return code in a proprietary reason (``BTU:000000``) are read by that code. PTK lines differ per
bank; a line naming the order ID with a six-digit EBICS return code is read by that code.

When nothing names the order, or the lines are ambiguous, :func:`trace_order` answers None:
the caller must not guess, because guessing wrong either loses a payment or sends it twice.
"""

import re
from dataclasses import dataclass

from lxml import etree

from banking.ebics import xmlsig

# A return code of 00xxxx is success, 01xxxx success with a warning; everything else refuses.
_SUCCESS_PREFIXES = ("00", "01")
_RECEIVED_STATUSES = {"ACCP", "ACTC", "ACSP", "ACSC", "ACWC", "PART", "PDNG", "RCVD"}
_RECEIVED_REASONS = {"TS01"}
_REFUSED_REASONS = {"TA01"}
_EBICS_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


@dataclass(frozen=True)
class OrderTrace:
    """The protocol's verdict on one order, with the code and text it was read from."""

    received: bool
    code: str
    text: str


def trace_order(protocol: bytes, order_id: str) -> OrderTrace | None:
    """The verdict of ``protocol`` (HAC XML or PTK text) on ``order_id``, or None if unsure.

    A refusal after a success (a later signature check failing, say) counts: the last line
    naming the order decides, as the bank's last word on it.
    """
    if not order_id or not protocol.strip():
        return None
    if protocol.lstrip().startswith(b"<"):
        verdicts = _hac_verdicts(protocol, order_id)
    else:
        verdicts = _ptk_verdicts(protocol, order_id)
    return verdicts[-1] if verdicts else None


def _hac_verdicts(protocol: bytes, order_id: str) -> list[OrderTrace]:
    try:
        root = xmlsig.parse_document(protocol)
    except xmlsig.MalformedDocument:
        return []
    verdicts = []
    for entry in root.iter("{*}OrgnlPmtInfAndSts"):
        if _text(entry, "OrgnlPmtInfId") != order_id:
            continue
        status = _text(entry, "PmtInfSts")
        reasons = [
            (_text(reason, "Rsn/Cd"), _text(reason, "Rsn/Prtry"), _text(reason, "AddtlInf"))
            for reason in entry.iterfind("{*}StsRsnInf")
        ]
        verdict = _hac_verdict(status, reasons)
        if verdict is not None:
            verdicts.append(verdict)
    return verdicts


def _hac_verdict(status: str, reasons: list[tuple[str, str, str]]) -> OrderTrace | None:
    text = " ".join(info for _, _, info in reasons if info)
    for code, proprietary, _ in reasons:
        ebics_code = _EBICS_CODE.search(proprietary)
        if ebics_code:
            found = ebics_code.group(1)
            return OrderTrace(found.startswith(_SUCCESS_PREFIXES), found, text)
        if code in _RECEIVED_REASONS:
            return OrderTrace(True, code, text)
        if code in _REFUSED_REASONS or code.startswith("DS"):
            return OrderTrace(False, code, text)
    if status == "RJCT":
        return OrderTrace(False, status, text)
    if status in _RECEIVED_STATUSES:
        return OrderTrace(True, status, text)
    return None


def _ptk_verdicts(protocol: bytes, order_id: str) -> list[OrderTrace]:
    verdicts = []
    for line in protocol.decode("utf-8", errors="replace").splitlines():
        words = line.split()
        if order_id not in words:
            continue
        # The code is looked for after the order ID, so a date or time cannot pass for one.
        after = " ".join(words[words.index(order_id) + 1 :])
        code = _EBICS_CODE.search(after)
        if code:
            verdicts.append(
                OrderTrace(code.group(1).startswith(_SUCCESS_PREFIXES), code.group(1), line.strip())
            )
    return verdicts


def _text(element: etree._Element, path: str) -> str:
    found = element.find("/".join(f"{{*}}{step}" for step in path.split("/")))
    return (found.text or "").strip() if found is not None else ""
