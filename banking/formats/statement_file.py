"""Reading any supported statement file: camt.052/053/054 or MT940/MT942, detected by content."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, tzinfo

from banking.formats.camt import iter_camt
from banking.formats.detection import CAMT_MESSAGES, MT_MESSAGES, UnsupportedFormat, detect_format
from banking.formats.mt940 import iter_mt94x
from banking.formats.source import DEFAULT_MAX_BYTES, Source, open_source
from banking.formats.statement import EntryError, ParseResult, Statement, StatementItem
from banking.formats.statement_stream import ItemRead, StatementEvent, StatementRead


def iter_statement_file(
    source: Source,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    assume_timezone: tzinfo = UTC,
    encoding: str | None = None,
) -> Iterator[StatementEvent]:
    """Stream the items, entry errors and statements of a statement file, in file order.

    ``source`` is the data (bytes), a path (str or path-like) or a binary stream. Memory
    stays flat whatever the file size, as long as the caller does not keep every event.
    Naive date-times in the file are taken to be in ``assume_timezone``; ``encoding``
    forces the text encoding of MT940/MT942 files (XML declares its own).

    Raises ``UnsupportedFormat`` for other formats or versions, ``FileTooLarge`` beyond
    ``max_bytes``, ``ForbiddenDoctype`` and ``MalformedXml`` (with line and column) for
    hostile or broken XML, all subclasses of ``FormatError``; such errors can arrive after
    some events have been yielded, and then the whole file must be considered unread.
    """
    with open_source(source, max_bytes=max_bytes) as opened:
        detected = detect_format(opened.head)
        if detected.message_type in CAMT_MESSAGES:
            yield from iter_camt(opened.reader, detected, assume_timezone=assume_timezone)
        elif detected.message_type in MT_MESSAGES:
            yield from iter_mt94x(
                opened.reader.iter_lines(), assume_timezone=assume_timezone, encoding=encoding
            )
        else:
            raise UnsupportedFormat(
                f"{detected.version or detected.message_type} is not a statement"
            )


def parse_statement_file(
    source: Source,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    assume_timezone: tzinfo = UTC,
    encoding: str | None = None,
) -> ParseResult:
    """Read a whole statement file: its statements with their items, and the bad entries.

    A bad entry does not lose the good ones: it is listed in ``errors`` (statement,
    entry, line, message) and left out of its statement. Arguments and exceptions are as
    for :func:`iter_statement_file`; a file-level error raises and returns nothing.
    """
    statements: list[Statement] = []
    errors: list[EntryError] = []
    items: list[StatementItem] = []
    for event in iter_statement_file(
        source, max_bytes=max_bytes, assume_timezone=assume_timezone, encoding=encoding
    ):
        if isinstance(event, ItemRead):
            items.append(event.item)
        elif isinstance(event, StatementRead):
            statements.append(replace(event.statement, items=tuple(items)))
            items = []
        else:
            errors.append(event)
    return ParseResult(statements=tuple(statements), errors=tuple(errors))
