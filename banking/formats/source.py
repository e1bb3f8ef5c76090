"""Reading a bank file from bytes, a path or a binary stream, never more than a size limit.

The readers in this package only see a :class:`LimitedReader`: it replays the first bytes
(kept aside so the format can be detected before parsing starts) and then continues with the
rest of the source, counting every byte and refusing to go past ``max_bytes``. Because the
limit is enforced while reading, a stream that never ends cannot exhaust memory or time.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from banking.formats.errors import FormatError

#: Files larger than this are refused unless the caller allows more.
DEFAULT_MAX_BYTES = 200 * 1024 * 1024

#: How much of a file is read up front to detect its format.
HEAD_SIZE = 64 * 1024

_CHUNK_SIZE = 1024 * 1024

#: Longer lines cannot be part of a line-based bank format.
MAX_LINE_LENGTH = 1024 * 1024


class FileTooLarge(FormatError):
    """The file is larger than the size limit."""


class LineTooLong(FormatError):
    """A line of a line-based file is implausibly long."""


class Readable(Protocol):
    """Anything with a binary ``read`` (an open file, a socket file, an upload)."""

    def read(self, size: int = -1, /) -> bytes: ...


#: What the parsers accept: the data itself, a path to it, or a binary stream.
Source = bytes | bytearray | memoryview | str | os.PathLike[str] | Readable | BinaryIO


class LimitedReader:
    """A binary reader that replays ``head``, then reads ``rest``, up to ``max_bytes`` in all."""

    def __init__(self, head: bytes, rest: Readable | None, *, max_bytes: int) -> None:
        self._head = head
        # An offset rather than slicing off what was read: slicing would copy the rest of
        # the head on every read, which is quadratic for a large file given as bytes.
        self._head_offset = 0
        self._rest = rest
        self._max_bytes = max_bytes
        self.bytes_read = 0

    def read(self, size: int = -1, /) -> bytes:
        """Return up to ``size`` bytes (everything left when negative); raise FileTooLarge."""
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(_CHUNK_SIZE), b""))
        if self._head_offset < len(self._head):
            data = self._head[self._head_offset : self._head_offset + size]
            self._head_offset += len(data)
        elif self._rest is not None:
            data = self._rest.read(size)
        else:
            data = b""
        self.bytes_read += len(data)
        if self.bytes_read > self._max_bytes:
            raise FileTooLarge(
                f"the file is larger than the limit of {self._max_bytes} bytes "
                f"(refused after reading {self.bytes_read} bytes)"
            )
        return data

    def iter_lines(self) -> Iterator[bytes]:
        """Yield the lines of the file without their ends (LF, CRLF or a lone CR).

        Raises :class:`LineTooLong` when a line exceeds 1 MiB: no line-based bank format
        comes close, and holding such a "line" would defeat the streaming.
        """
        pending: list[bytes] = []
        pending_size = 0
        number = 0
        while chunk := self.read(_CHUNK_SIZE):
            pieces = chunk.split(b"\n")
            # The last piece may be the start of a line that continues in the next chunk.
            tail = pieces.pop()
            if pieces:
                pieces[0] = b"".join([*pending, pieces[0]])
                pending, pending_size = [], 0
                for line in pieces:
                    number += 1
                    yield from line.removesuffix(b"\r").split(b"\r")
            pending.append(tail)
            pending_size += len(tail)
            if pending_size > MAX_LINE_LENGTH:
                raise LineTooLong(f"line {number + 1} is longer than {MAX_LINE_LENGTH} bytes")
        if pending_size:
            yield from b"".join(pending).removesuffix(b"\r").split(b"\r")


@dataclass(frozen=True, slots=True)
class OpenedSource:
    """The first bytes of a source (for detection) and a reader for the whole of it."""

    head: bytes
    reader: LimitedReader


@contextmanager
def open_source(source: Source, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[OpenedSource]:
    """Open ``source`` for reading with a size limit.

    ``bytes``-like values are the data itself; ``str`` and path-like values name a file;
    anything else must have a binary ``read``. Raises :class:`FileTooLarge` as soon as the
    limit is known to be exceeded (up front for data and files, while reading for streams)
    and ``OSError`` when a path cannot be opened.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        _check_size(len(data), max_bytes)
        yield OpenedSource(
            head=data[:HEAD_SIZE], reader=LimitedReader(data, None, max_bytes=max_bytes)
        )
        return
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        _check_size(path.stat().st_size, max_bytes)
        with path.open("rb") as stream:
            yield _open_stream(stream, max_bytes)
        return
    yield _open_stream(source, max_bytes)


def _open_stream(stream: Readable, max_bytes: int) -> OpenedSource:
    head = b""
    # Streams may return short reads (pipes, sockets): keep reading until the head is full.
    while len(head) < HEAD_SIZE:
        chunk = stream.read(HEAD_SIZE - len(head))
        if not chunk:
            break
        head += chunk
    _check_size(len(head), max_bytes)
    return OpenedSource(head=head, reader=LimitedReader(head, stream, max_bytes=max_bytes))


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise FileTooLarge(f"the file has {size} bytes, more than the limit of {max_bytes} bytes")
