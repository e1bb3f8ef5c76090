"""Hostile XML is refused with a clear error before it can read files, reach the network or
exhaust memory; broken XML is reported with its position."""

import socket
import time
from collections.abc import Iterator

import pytest

from banking.formats.errors import FormatError
from banking.formats.safexml import ForbiddenDoctype, MalformedXml
from banking.formats.statement_file import parse_statement_file
from tests.banking.formats.camt_samples import SampleEntry, camt_document

CAMT = b"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
BODY = (
    b'<Document xmlns="'
    + CAMT
    + b'"><BkToCstmrStmt><GrpHdr><MsgId>&x;</MsgId></GrpHdr></BkToCstmrStmt></Document>'
)


@pytest.fixture
def listening_port() -> Iterator[socket.socket]:
    """A local port that records whether anyone connects to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.3)
    yield server
    server.close()


def _was_contacted(server: socket.socket) -> bool:
    try:
        connection, _address = server.accept()
    except TimeoutError:
        return False
    connection.close()
    return True


def test_external_file_entity_is_refused_without_reading_the_file() -> None:
    document = (
        b'<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + BODY
    )
    with pytest.raises(ForbiddenDoctype, match="DOCTYPE"):
        parse_statement_file(document)


def test_external_network_entity_is_refused_and_nothing_is_fetched(
    listening_port: socket.socket,
) -> None:
    port = listening_port.getsockname()[1]
    document = (
        f'<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/x">]>'
    ).encode() + BODY
    with pytest.raises(ForbiddenDoctype):
        parse_statement_file(document)
    assert not _was_contacted(listening_port)


def test_external_dtd_is_refused_and_nothing_is_fetched(listening_port: socket.socket) -> None:
    port = listening_port.getsockname()[1]
    document = (
        f'<?xml version="1.0"?><!DOCTYPE Document SYSTEM "http://127.0.0.1:{port}/a.dtd">'.encode()
    )
    with pytest.raises(ForbiddenDoctype):
        parse_statement_file(document + BODY.replace(b"&x;", b"M"))
    assert not _was_contacted(listening_port)


def test_billion_laughs_is_refused_at_once() -> None:
    entities = b'<!ENTITY l0 "ha">' + b"".join(
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">'.encode() for n in range(1, 10)
    )
    document = (
        b'<?xml version="1.0"?><!DOCTYPE Document ['
        + entities
        + b"]>"
        + BODY.replace(b"&x;", b"&l9;")
    )
    started = time.monotonic()
    with pytest.raises(ForbiddenDoctype):
        parse_statement_file(document)
    assert time.monotonic() - started < 1


def test_doctype_hidden_behind_a_long_comment_is_still_refused() -> None:
    padding = b"<!--" + b"x" * 70_000 + b"-->"
    document = b'<?xml version="1.0"?>' + padding + b'<!DOCTYPE Document [<!ENTITY x "y">]>' + BODY
    with pytest.raises((ForbiddenDoctype, MalformedXml)):
        parse_statement_file(document)


def test_deep_nesting_is_refused_with_its_position() -> None:
    document = (
        b'<Document xmlns="'
        + CAMT
        + b'"><BkToCstmrStmt><Stmt>'
        + b"<a>" * 100_000
        + b"</a>" * 100_000
        + b"</Stmt></BkToCstmrStmt></Document>"
    )
    with pytest.raises(MalformedXml, match=r"line 1, column \d+: .*[Ee]xcessive depth"):
        parse_statement_file(document)


def test_truncated_file_is_reported_with_line_and_column() -> None:
    document = camt_document([SampleEntry(1), SampleEntry(2)])
    with pytest.raises(MalformedXml, match=r"line \d+, column \d+"):
        parse_statement_file(document[: len(document) - 40])


def test_wrong_namespace_is_an_unsupported_format() -> None:
    from banking.formats.detection import UnsupportedFormat

    document = camt_document([]).replace(CAMT, b"urn:example:not-iso")
    with pytest.raises(UnsupportedFormat, match="urn:example:not-iso"):
        parse_statement_file(document)


def test_bytes_that_break_the_declared_encoding_are_reported_with_their_position() -> None:
    document = camt_document([]).replace(b"<Id>STMT-1</Id>", "<Id>Caf\xe9</Id>".encode("latin-1"))
    with pytest.raises(MalformedXml, match=r"line 4, column 14: Invalid bytes"):
        parse_statement_file(document)


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1"),
        lambda text: text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    ],
    ids=["declared-latin-1", "utf-16-with-bom", "utf-8-with-bom"],
)
def test_declared_encodings_and_byte_order_marks_are_honoured(encode) -> None:
    text = camt_document([]).decode().replace("<Id>STMT-1</Id>", "<Id>Café</Id>")
    (statement,) = parse_statement_file(encode(text)).statements
    assert statement.statement_id == "Café"


def test_every_refusal_is_a_format_error() -> None:
    for error in (ForbiddenDoctype, MalformedXml):
        assert issubclass(error, FormatError)


@pytest.mark.parametrize(
    "document", [b"<urn:iso:stBkToCstmrStmt/>", b"<?xml version='1.0'?><a:b:c/>"]
)
def test_a_root_name_with_an_undeclared_prefix_is_refused_as_malformed(document: bytes) -> None:
    # Found by the mutation test of statement files: lxml keeps such a name as written.
    with pytest.raises(MalformedXml, match="root element's name"):
        parse_statement_file(document)
