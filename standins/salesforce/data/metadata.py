"""Reading the Ledgerlink package's SFDX source, the single source of truth for objects and access.

The files are the repository's own, but the parser is hardened all the same (no entities, no
network), so that a stray DOCTYPE in a metadata file cannot make the stand-in read other files.
"""

from pathlib import Path

from lxml import etree

METADATA_DIR = Path(__file__).resolve().parents[3] / "salesforce" / "force-app" / "main" / "default"
_NAMESPACE = "http://soap.sforce.com/2006/04/metadata"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


class MetadataError(Exception):
    """A metadata file is missing, malformed or uses something the stand-in cannot model."""


def read(path: Path) -> etree._Element:
    """The root element of one metadata file."""
    try:
        return etree.parse(str(path), _PARSER).getroot()
    except (OSError, etree.XMLSyntaxError) as error:
        raise MetadataError(f"{path}: {error}") from error


def children(element: etree._Element, tag: str) -> list[etree._Element]:
    """The direct children named ``tag`` (in the metadata namespace)."""
    return list(element.iterfind(f"{{{_NAMESPACE}}}{tag}"))


def child(element: etree._Element, tag: str) -> etree._Element | None:
    return element.find(f"{{{_NAMESPACE}}}{tag}")


def text(element: etree._Element, tag: str, default: str = "") -> str:
    """The stripped text of the child ``tag``, or ``default`` when there is none."""
    found = child(element, tag)
    if found is None or found.text is None:
        return default
    return found.text.strip()


def flag(element: etree._Element, tag: str, default: bool = False) -> bool:
    """A ``true``/``false`` child as a boolean."""
    value = text(element, tag)
    return default if not value else value.lower() == "true"


def number(element: etree._Element, tag: str, default: int = 0) -> int:
    value = text(element, tag)
    try:
        return int(value) if value else default
    except ValueError as error:
        raise MetadataError(f"<{tag}> should be a whole number, not {value!r}") from error
