"""Telling bank file formats apart from their first bytes.

ISO 20022 XML is recognised by the namespace of its ``Document`` root
(``urn:iso:std:iso:20022:tech:xsd:camt.053.001.08`` and so on); SWIFT MT940/MT942 by its
field tags at the start of a line (``:20:``, ``:25:``, ``:61:``, ...).
"""

import re
from dataclasses import dataclass

from banking.formats.errors import FormatError
from banking.formats.safexml import find_root


class UnsupportedFormat(FormatError):
    """The file is not a format, message type or version this package reads."""


CAMT_MESSAGES = ("camt.052", "camt.053", "camt.054")
MT_MESSAGES = ("MT940", "MT942")

#: The message versions this package reads or writes, by message type.
SUPPORTED_VERSIONS: dict[str, range] = {
    "camt.052": range(2, 14),
    "camt.053": range(2, 14),
    "camt.054": range(2, 14),
    "pain.002": range(3, 15),
    "pain.001": range(3, 12),
    "pain.008": range(2, 11),
}

_ISO_NAMESPACE = re.compile(
    r"^urn:iso:std:iso:20022:tech:xsd:(?P<message>[a-z]{4}\.\d{3})\.(?P<variant>\d{3})"
    r"\.(?P<version>\d{2})$"
)
_MT_TAG = re.compile(rb"^:(?:20|21|25|28C?|60[FM]|61|62[FM]|64|65|86|34F|13D?|90[DC]):", re.M)
_MT942_HINT = re.compile(rb"^(?::34F:|:13D:|:90[DC]:)|\{2:[IO]942", re.M)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True, slots=True)
class DetectedFormat:
    """What a file is: ``message_type`` such as ``camt.053`` or ``MT940``, and its version.

    ``version`` is the full ISO message identifier (``camt.053.001.08``) for XML and None
    for SWIFT MT messages; ``namespace`` is the XML namespace, if any.
    """

    message_type: str
    version: str | None = None
    namespace: str | None = None


def detect_format(data: bytes) -> DetectedFormat:
    """Detect the format of a bank file from its content (its first 64 KiB suffice).

    Raises :class:`UnsupportedFormat` for anything that is neither ISO 20022 XML of a
    supported message type and version nor SWIFT MT940/MT942, and the XML safety errors
    (``ForbiddenDoctype``, ``MalformedXml``) for hostile or broken XML.
    """
    stripped = data
    for bom in _BOMS:
        stripped = stripped.removeprefix(bom)
    stripped = stripped.lstrip(b" \t\r\n\x00")
    if stripped.startswith(b"<") or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _detect_xml(data)
    if _MT_TAG.search(data):
        is_mt942 = _MT942_HINT.search(data) is not None and b":60F:" not in data
        return DetectedFormat(message_type="MT942" if is_mt942 else "MT940")
    raise UnsupportedFormat(
        "unknown file format: neither ISO 20022 XML nor SWIFT MT940/MT942 field tags found"
    )


def _detect_xml(data: bytes) -> DetectedFormat:
    root = find_root(data)
    if root.namespace is None:
        raise UnsupportedFormat(
            f"XML root element <{root.name}> has no ISO 20022 namespace; "
            "expected e.g. urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
        )
    match = _ISO_NAMESPACE.match(root.namespace)
    if match is None or root.name != "Document":
        raise UnsupportedFormat(
            f"XML root <{root.name}> in namespace {root.namespace!r} is not an ISO 20022 "
            "message this package reads"
        )
    message_type = match["message"]
    version_number = int(match["version"])
    versions = SUPPORTED_VERSIONS.get(message_type)
    identifier = f"{message_type}.{match['variant']}.{match['version']}"
    if versions is None or match["variant"] != "001":
        raise UnsupportedFormat(f"{identifier} is not a message type this package reads")
    if version_number not in versions:
        raise UnsupportedFormat(
            f"{identifier} is not a supported version of {message_type} "
            f"(supported: .001.{versions.start:02d} to .001.{versions.stop - 1:02d})"
        )
    return DetectedFormat(message_type=message_type, version=identifier, namespace=root.namespace)
