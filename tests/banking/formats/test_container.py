import io
import zipfile

import pytest

from banking.formats.container import UnreadableContainer, unpack_download


def _zip(files: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_plain_download_is_one_file():
    (only,) = unpack_download(b":20:STARTUMS\r\n")
    assert only.content == b":20:STARTUMS\r\n"


def test_a_zip_yields_its_files_in_archive_order():
    data = _zip({"b.xml": b"<b/>", "a.xml": b"<a/>"})
    assert [(f.name, f.content) for f in unpack_download(data)] == [
        ("b.xml", b"<b/>"),
        ("a.xml", b"<a/>"),
    ]


def test_an_empty_zip_yields_nothing():
    assert list(unpack_download(_zip({}))) == []


def test_a_zip_bomb_is_refused_by_what_it_really_unpacks_to():
    data = _zip({"bomb.xml": b"\0" * 5_000_000})
    with pytest.raises(UnreadableContainer, match="allowed size"):
        list(unpack_download(data, max_bytes=1_000_000))


def test_the_size_limit_counts_all_files_together():
    data = _zip({"one.xml": b"x" * 600, "two.xml": b"y" * 600})
    with pytest.raises(UnreadableContainer, match="allowed size"):
        list(unpack_download(data, max_bytes=1000))


def test_archives_inside_archives_are_refused():
    data = _zip({"inner.zip": _zip({"a.xml": b"<a/>"})})
    with pytest.raises(UnreadableContainer, match="inside archives"):
        list(unpack_download(data))


def test_too_many_files_are_refused():
    data = _zip({f"{number}.xml": b"<a/>" for number in range(5)})
    with pytest.raises(UnreadableContainer, match="more than 3 files"):
        list(unpack_download(data, max_members=3))


def test_a_damaged_archive_gets_a_clear_error():
    data = _zip({"a.xml": b"<a>" * 1000})
    with pytest.raises(UnreadableContainer, match="damaged"):
        list(unpack_download(data[:60] + b"\0" * 40 + data[100:]))
