"""Unpacking what a bank sends in one download: a ZIP of statement files, or a single file.

German banks put each camt statement of an EBICS download into one ZIP; MT940 arrives as plain
text. A ZIP is a place for hostile input (bombs, odd member names, nesting), so members are
counted, their declared and real sizes capped, and nested archives refused.
"""

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from banking.formats.errors import FormatError
from banking.formats.source import DEFAULT_MAX_BYTES

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
MAX_MEMBERS = 10_000
_CHUNK = 1024 * 1024


class UnreadableContainer(FormatError):
    """The download is a ZIP that cannot be read safely."""


@dataclass(frozen=True)
class ContainedFile:
    name: str
    content: bytes


def is_zip(data: bytes) -> bool:
    return data.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC))


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    # The declared size can lie; count what decompression really produces.
    parts = []
    produced = 0
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            produced += len(chunk)
            if produced > budget:
                raise UnreadableContainer("The download unpacks to more than the allowed size.")
            parts.append(chunk)
    return b"".join(parts)


def unpack_download(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_members: int = MAX_MEMBERS
) -> Iterator[ContainedFile]:
    """Yield the files of a download in archive order; a non-ZIP download is one file.

    Raises UnreadableContainer for a corrupt archive, too many members, nested archives,
    encrypted members or more than ``max_bytes`` unpacked in total.
    """
    if not is_zip(data):
        yield ContainedFile(name="download", content=data)
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, ValueError) as error:
        raise UnreadableContainer(f"The download is a damaged ZIP archive: {error}") from error
    if len(members) > max_members:
        raise UnreadableContainer(f"The download holds more than {max_members} files.")
    budget = max_bytes
    with archive:
        for info in members:
            if info.flag_bits & 0x1:
                raise UnreadableContainer("The download holds an encrypted file.")
            if info.file_size > budget:
                raise UnreadableContainer("The download unpacks to more than the allowed size.")
            try:
                content = _read_member(archive, info, budget)
            except (zipfile.BadZipFile, EOFError, ValueError) as error:
                raise UnreadableContainer(
                    f"{info.filename}: damaged inside the archive: {error}"
                ) from error
            if is_zip(content):
                raise UnreadableContainer(f"{info.filename}: archives inside archives are refused.")
            budget -= len(content)
            yield ContainedFile(name=info.filename, content=content)
