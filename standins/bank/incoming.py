"""Reading incoming EBICS requests: which message, which version, and the fields the bank needs.

Elements are matched by local name, as banks must accept any namespace prefix.
"""

import base64
import binascii
from dataclasses import dataclass

from lxml import etree

from standins.bank.errors import technical

INVALID_XML = "091010"
VERSIONS = {"urn:org:ebics:H004": "H004", "urn:org:ebics:H005": "H005"}


def local(element: etree._Element) -> str:
    """The element's name without namespace."""
    return str(etree.QName(element).localname)


def child(element: etree._Element | None, *path: str) -> etree._Element | None:
    """The first descendant along ``path`` of local names, or None."""
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if isinstance(c.tag, str) and local(c) == name), None)
    return element


def text(element: etree._Element | None, *path: str) -> str | None:
    """The stripped text at ``path``, or None when the element or its text is missing."""
    found = child(element, *path)
    if found is None or found.text is None:
        return None
    return str(found.text).strip()


def b64decode(value: str | None, what: str) -> bytes:
    """Decode base64 from a request (raises ``EbicsFault`` 091010 when missing or malformed)."""
    if not value:
        raise technical(INVALID_XML, f"{what} missing")
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except binascii.Error as error:
        raise technical(INVALID_XML, f"{what} is not base64") from error


@dataclass(frozen=True)
class Request:
    """What the bank reads from any H004/H005 request before dispatching it."""

    root: etree._Element
    message: str
    version: str
    host_id: str | None
    partner_id: str | None
    user_id: str | None
    order_type: str | None
    phase: str | None
    transaction_id: str | None
    segment_number: int | None
    is_last_segment: bool
    nonce: str | None
    timestamp: str | None

    @property
    def static(self) -> etree._Element | None:
        """header/static."""
        return child(self.root, "header", "static")

    @property
    def order_details(self) -> etree._Element | None:
        """header/static/OrderDetails."""
        return child(self.root, "header", "static", "OrderDetails")

    @property
    def body(self) -> etree._Element | None:
        """The request body."""
        return child(self.root, "body")


def read_request(root: etree._Element) -> Request:
    """Read an ebicsRequest, ebicsUnsecuredRequest or ebicsNoPubKeyDigestsRequest.

    Raises ``EbicsFault`` 091010 when the namespace is not H004/H005 or a number is malformed.
    """
    version = VERSIONS.get(etree.QName(root).namespace or "")
    if version is None:
        raise technical(INVALID_XML, "not an H004 or H005 document")
    static = child(root, "header", "static")
    mutable = child(root, "header", "mutable")
    segment = child(mutable, "SegmentNumber")
    try:
        segment_number = int(segment.text) if segment is not None and segment.text else None
    except ValueError as error:
        raise technical(INVALID_XML, "SegmentNumber is not a number") from error
    return Request(
        root=root,
        message=local(root),
        version=version,
        host_id=text(static, "HostID"),
        partner_id=text(static, "PartnerID"),
        user_id=text(static, "UserID"),
        order_type=text(static, "OrderDetails", "AdminOrderType")
        or text(static, "OrderDetails", "OrderType"),
        phase=text(mutable, "TransactionPhase"),
        transaction_id=text(static, "TransactionID"),
        segment_number=segment_number,
        is_last_segment=segment is not None and segment.get("lastSegment") == "true",
        nonce=text(static, "Nonce"),
        timestamp=text(static, "Timestamp"),
    )
