"""Bank files are read from bytes, paths or streams, and never beyond the size limit."""

import io
import tracemalloc
from pathlib import Path

import pytest

from banking.formats.source import FileTooLarge, LimitedReader, LineTooLong, open_source
from banking.formats.statement_file import iter_statement_file, parse_statement_file
from tests.banking.formats.camt_samples import SampleEntry, camt_document

ENTRY = (
    b'<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
    b"<BookgDt><Dt>2024-01-02</Dt></BookgDt></Ntry>\n"
)


class EndlessStatement:
    """A stream that pretends to be a statement of any size without holding it."""

    def __init__(self) -> None:
        self.bytes_served = 0
        self._header = camt_document([]).split(b"</Stmt>")[0]
        self._header_size = len(self._header)

    def read(self, size: int = -1) -> bytes:
        size = 65536 if size is None or size < 0 else size
        if self._header:
            chunk, self._header = self._header[:size], self._header[size:]
        else:
            # Continue the endless run of entries exactly where the last read stopped.
            offset = (self.bytes_served - self._header_size) % len(ENTRY)
            chunk = (ENTRY * (size // len(ENTRY) + 2))[offset : offset + size]
        self.bytes_served += len(chunk)
        return chunk


class TrickleStream(io.RawIOBase):
    """A stream that returns at most a few bytes per read, like a slow socket."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = 7 if size is None or size < 0 else min(size, 7)
        chunk, self._data = self._data[:size], self._data[size:]
        return chunk


def test_a_stream_larger_than_the_limit_is_refused_while_reading_with_flat_memory() -> None:
    endless = EndlessStatement()
    tracemalloc.start()
    with pytest.raises(FileTooLarge, match="limit of 5000000 bytes"):
        for _event in iter_statement_file(endless, max_bytes=5_000_000):
            pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert endless.bytes_served <= 5_000_000 + 2 * 65536
    assert peak < 20_000_000


def test_data_and_files_larger_than_the_limit_are_refused_before_parsing(tmp_path: Path) -> None:
    data = camt_document([SampleEntry(1)] * 50)
    path = tmp_path / "statement.xml"
    path.write_bytes(data)

    with pytest.raises(FileTooLarge):
        parse_statement_file(data, max_bytes=1000)
    with pytest.raises(FileTooLarge):
        parse_statement_file(path, max_bytes=1000)
    with pytest.raises(FileTooLarge):
        parse_statement_file(str(path), max_bytes=1000)


def test_bytes_paths_and_short_reading_streams_give_the_same_result(tmp_path: Path) -> None:
    data = camt_document([SampleEntry(1), SampleEntry(2)])
    path = tmp_path / "statement.xml"
    path.write_bytes(data)

    results = [
        parse_statement_file(data),
        parse_statement_file(path),
        parse_statement_file(io.BytesIO(data)),
        parse_statement_file(TrickleStream(data)),
    ]
    assert all(result == results[0] for result in results)
    assert len(results[0].statements[0].items) == 2


def test_lines_end_at_lf_crlf_or_a_lone_cr_even_across_chunks() -> None:
    reader = LimitedReader(b"a\r\nb\rc\nd", None, max_bytes=100)
    assert list(reader.iter_lines()) == [b"a", b"b", b"c", b"d"]


def test_the_head_is_replayed_before_the_rest_of_the_stream() -> None:
    with open_source(io.BytesIO(b"x" * 70_000 + b"END")) as opened:
        assert len(opened.head) == 65536
        assert opened.reader.read().endswith(b"END")
        assert opened.reader.bytes_read == 70_003


def test_long_lines_are_joined_across_chunks_and_implausible_ones_refused() -> None:
    reader = LimitedReader(b"x" * 3_000_000 + b"\nshort\r\nend", None, max_bytes=10_000_000)
    with pytest.raises(LineTooLong, match="line 1"):
        list(reader.iter_lines())
    reader = LimitedReader(b"y" * 900_000 + b"\nshort\r\nend", None, max_bytes=10_000_000)
    assert [len(line) for line in reader.iter_lines()] == [900_000, 5, 3]


def test_a_huge_file_without_line_breaks_is_refused_quickly() -> None:
    with pytest.raises(LineTooLong):
        parse_statement_file(b":20:X\n" + b"A" * 5_000_000)
