"""Open a zip archive from a stranger (an .xlsx workbook, a .qdpx project) without trusting it.

Everything that can cost memory is sized up before anything is unpacked:

- the number of members and the size of the central directory, read from the
  end-of-directory record before ``zipfile`` turns every entry into an object
  (50 MB of empty members would otherwise cost some 400 MB of them);
- the sizes the members declare, added up against a cap. ``zipfile`` never
  yields more than a member's declared size (a member that unpacks to more
  fails its CRC check), so the declared total bounds the whole unpacking, and a
  "zip bomb" (a few kilobytes that declare gigabytes) is refused unopened;
- only stored and deflated members, unencrypted: the other methods bring
  decompressors that can ask for far more memory (LZMA's dictionary).

Pure: bytes in, plain exceptions out; each says why in words a caller can show.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import IO

from commonground.lib.text import size_words

# The end-of-central-directory record and, for archives past zip's 16/32-bit fields, the
# zip64 locator just before it (APPNOTE.TXT, sections 4.3.14-4.3.16).
_END = struct.Struct("<4s4H2LH")
_END_SIGNATURE = b"PK\x05\x06"
_LOCATOR = struct.Struct("<4sLQL")
_LOCATOR_SIGNATURE = b"PK\x06\x07"
_END64 = struct.Struct("<4sQ2H2L4Q")
_END64_SIGNATURE = b"PK\x06\x06"
# A directory entry is 46 bytes plus its name, extra field and comment; 1 KB each is generous.
_DIRECTORY_BYTES_PER_MEMBER = 1024
_READABLE = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}


# What zipfile lets through for a damaged archive or member, besides its own BadZipFile.
_DAMAGED = (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, struct.error)


class ZipError(Exception):
    """Not a zip archive that can be read safely; ``str()`` says why."""


class TooBig(ZipError):
    """The members declare more than may be unpacked."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"it unpacks to {size_words(size)}; at most {size_words(limit)} is read")
        self.size = size
        self.limit = limit


def open_archive(data: bytes, *, max_members: int, max_unzipped: int) -> zipfile.ZipFile:
    """``data`` as a zip archive whose members are at most ``max_members`` and together
    declare at most ``max_unzipped`` bytes. Raises ``TooBig`` or ``ZipError``."""
    entries, directory = _directory(data)
    if entries > max_members or directory > max_members * _DIRECTORY_BYTES_PER_MEMBER:
        raise ZipError(f"it holds more than {max_members:,} files")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _DAMAGED as exc:
        raise ZipError("it is not a zip archive that can be read") from exc
    members = archive.infolist()
    total = sum(info.file_size for info in members)
    if total > max_unzipped:
        archive.close()
        raise TooBig(total, max_unzipped)
    for info in members:
        if info.flag_bits & 0x1:
            archive.close()
            raise ZipError(f"{info.filename} is encrypted")
        if info.compress_type not in _READABLE:
            archive.close()
            raise ZipError(f"{info.filename} is packed in a way that is not read here")
    return archive


def _directory(data: bytes) -> tuple[int, int]:
    """The number of entries and the size of the central directory, as the archive's end
    record declares them (``zipfile`` reads as many bytes of directory as the record says)."""
    # The record is the last thing in the file, followed only by a comment of up to 64 KB.
    at = data.rfind(_END_SIGNATURE, max(0, len(data) - _END.size - 0xFFFF))
    if at < 0 or at + _END.size > len(data):
        raise ZipError("it is not a zip archive")
    fields = _END.unpack_from(data, at)
    entries, size = fields[4], fields[5]
    if entries == 0xFFFF or size == 0xFFFFFFFF:
        locator = at - _LOCATOR.size
        if locator < 0 or data[locator : locator + 4] != _LOCATOR_SIGNATURE:
            raise ZipError("it is not a zip archive")
        offset = _LOCATOR.unpack_from(data, locator)[2]
        if offset + _END64.size > len(data) or data[offset : offset + 4] != _END64_SIGNATURE:
            raise ZipError("it is not a zip archive")
        record = _END64.unpack_from(data, offset)
        entries, size = record[7], record[8]
    return entries, size


def member_size(archive: zipfile.ZipFile, name: str) -> int | None:
    """The size ``name`` declares, or None if the archive has no such member."""
    try:
        return archive.getinfo(name).file_size
    except KeyError:
        return None


def open_member(archive: zipfile.ZipFile, name: str) -> io.RawIOBase:
    """A stream of one member's bytes (at most its declared size). Raises ``KeyError`` if
    there is no such member; a damaged member raises ``ZipError`` as it is read."""
    info = archive.getinfo(name)
    try:
        return _Member(archive.open(info), name)
    except _DAMAGED as exc:
        raise ZipError(f"{name} is damaged") from exc


def read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """One member's bytes (its declared size, checked by ``open_archive``)."""
    with open_member(archive, name) as member:
        return member.read()


class _Member(io.RawIOBase):
    """A member being unpacked, whose every failure is a ``ZipError`` (``zipfile`` lets
    ``zlib.error`` and others through for a damaged member)."""

    def __init__(self, inner: IO[bytes], name: str) -> None:
        super().__init__()
        self._inner = inner
        self._name = name

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        try:
            return self._inner.read(-1 if size is None else size)
        except _DAMAGED as exc:
            raise ZipError(f"{self._name} is damaged") from exc

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()
