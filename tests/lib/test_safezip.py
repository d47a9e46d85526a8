"""Zip archives from strangers: members counted from the end record before ``zipfile`` reads
the directory, declared sizes added up before anything is unpacked."""

from __future__ import annotations

import io
import zipfile

import pytest

from commonground.lib import safezip
from tests.evaluation import hostile


def test_members_are_counted_before_the_directory_is_read() -> None:
    many = hostile.zipped({f"{n}.txt": b"" for n in range(101)})
    with pytest.raises(safezip.ZipError, match="more than 100 files"):
        safezip.open_archive(many, max_members=100, max_unzipped=10**6)
    assert len(safezip.open_archive(many, max_members=101, max_unzipped=10**6).infolist()) == 101


def test_a_directory_bigger_than_its_count_says_is_refused() -> None:
    # The end record claims one entry; the directory it points to is 3 KB.
    data = bytearray(hostile.zipped({"a" * 200 + str(n): b"" for n in range(12)}))
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = (1).to_bytes(2, "little") * 2
    with pytest.raises(safezip.ZipError, match="more than 1 files"):
        safezip.open_archive(bytes(data), max_members=1, max_unzipped=10**6)


def test_declared_sizes_are_added_up_before_unpacking() -> None:
    bomb = hostile.zipped({"a.txt": b"a" * 600_000, "b.txt": b"b" * 600_000})
    assert len(bomb) < 10_000
    with pytest.raises(safezip.TooBig) as refused:
        safezip.open_archive(bomb, max_members=10, max_unzipped=1_000_000)
    assert str(refused.value) == "it unpacks to 1.2 MB; at most 1.0 MB is read"


def test_only_stored_and_deflated_members_are_read() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_LZMA) as archive:
        archive.writestr("a.txt", b"text")
    with pytest.raises(safezip.ZipError, match="packed in a way"):
        safezip.open_archive(buffer.getvalue(), max_members=10, max_unzipped=10**6)


@pytest.mark.parametrize("data", [b"", b"PK\x05\x06", b"not a zip at all" * 10])
def test_what_is_not_a_zip_says_so(data: bytes) -> None:
    with pytest.raises(safezip.ZipError):
        safezip.open_archive(data, max_members=10, max_unzipped=10**6)
