"""Incremental XML reading that refuses DTDs, entities, network access and huge trees.

Bank files come from outside; the XML parser must never fetch anything, expand entities or
build unbounded structures. libxml2 (through lxml) is configured accordingly, any DOCTYPE is
refused outright (which also stops "billion laughs" and external entities before any
expansion could happen), nesting is capped by libxml2's default depth limit (256) because
``huge_tree`` stays off, and every syntax error is reported with its line and column.
"""

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree

from banking.formats.errors import FormatError
from banking.formats.source import Readable


class MalformedXml(FormatError):
    """The file is not well-formed XML (or not in the encoding it declares)."""


class ForbiddenDoctype(FormatError):
    """The file declares a DOCTYPE; DTDs and entities are refused."""


# A DOCTYPE in ASCII-compatible encodings and in UTF-16 (either byte order).
_DOCTYPE_MARKERS = (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))

_ERROR_POSITION = re.compile(r", line \d+, column \d+$")


@dataclass(frozen=True, slots=True)
class RootElement:
    """The namespace and local name of a document's root element."""

    namespace: str | None
    name: str
    line: int | None


def _parser_options() -> dict[str, bool]:
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "huge_tree": False,
        "remove_comments": True,
        "remove_pis": True,
        # Fewer nodes to walk: bank XML has no mixed content, so blank text carries nothing.
        "remove_blank_text": True,
    }


def find_root(head: bytes) -> RootElement:
    """Return the root element found in the first bytes of a document.

    Raises :class:`ForbiddenDoctype` when a DOCTYPE is declared and :class:`MalformedXml`
    when no root element can be read.
    """
    refuse_doctype(head)
    try:
        for _event, element in etree.iterparse(
            io.BytesIO(head), events=("start",), **_parser_options()
        ):
            _check_no_doctype(element)
            try:
                qname = etree.QName(element)
            except ValueError as error:
                # The parser keeps a name with an undeclared prefix ("a:b:c") as it is written.
                raise MalformedXml(f"the root element's name is not valid XML: {error}") from error
            return RootElement(
                namespace=qname.namespace, name=qname.localname, line=element.sourceline
            )
    except etree.XMLSyntaxError as error:
        raise MalformedXml(describe_syntax_error(error)) from error
    raise MalformedXml("the file contains no XML element")


def refuse_doctype(data: bytes) -> None:
    """Raise :class:`ForbiddenDoctype` if ``data`` contains a DOCTYPE declaration."""
    if any(marker in data for marker in _DOCTYPE_MARKERS):
        raise ForbiddenDoctype(
            "the file declares a DOCTYPE; DTDs and entities are refused in bank files"
        )


def iter_elements(
    reader: Readable, *, tags: Iterable[str], events: tuple[str, ...] = ("start", "end")
) -> Iterator[tuple[str, etree._Element]]:
    """Parse ``reader`` incrementally, yielding ``(event, element)`` for the given tags.

    The caller is expected to clear elements it has finished with. Raises
    :class:`MalformedXml` (with line and column) on syntax and encoding errors and
    :class:`ForbiddenDoctype` if a DOCTYPE turns up; errors raised by ``reader`` itself
    (such as a size limit) pass through unchanged.
    """
    context = etree.iterparse(reader, events=events, tag=list(tags), **_parser_options())
    checked = False
    try:
        for event, element in context:
            if not checked:
                _check_no_doctype(element)
                checked = True
            yield event, element
    except etree.XMLSyntaxError as error:
        raise MalformedXml(describe_syntax_error(error)) from error
    if not checked and context.root is not None:
        _check_no_doctype(context.root)


def describe_syntax_error(error: etree.XMLSyntaxError) -> str:
    """Describe a libxml2 error as "line L, column C: message"."""
    line, column = error.position if error.position else (None, None)
    message = _ERROR_POSITION.sub("", str(error.msg or error))
    if line is None:
        return f"not well-formed XML: {message}"
    return f"not well-formed XML at line {line}, column {column}: {message}"


def _check_no_doctype(element: etree._Element) -> None:
    docinfo = element.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.system_url:
        raise ForbiddenDoctype(
            "the file declares a DOCTYPE; DTDs and entities are refused in bank files"
        )
