"""Read the first sheet of an Excel workbook (.xlsx) cell by cell, in bounded memory.

Why not openpyxl's reader (openpyxl still writes our workbooks, and lends its
date-format rules here): even in read-only mode it cannot be bounded. It pads
every row out to the sheet's declared dimension (a 1.6 KB file declaring
``A1:XFD1048576`` grew past 2 GB); it builds a whole row's cells before
yielding the row (one row of two million ``<c/>``, 9 KB zipped, cost 613 MB);
the standard library parser it uses keeps every element it does not know, and
every row it has cleared, in its tree; and a DTD entity in a part ends in an
exception no caller expects. Here each part is parsed as a stream by
``lib/safexml`` (no DTD, elements dropped as soon as they are read), the
archive is sized up by ``lib/safezip`` before anything is unpacked, the
declared dimension is never read, and cells come out one at a time, so the
caller decides how many rows, columns and characters to take.

Only what a table of responses needs is read: the first sheet's cell values
(cached results for formulas), shared and inline strings, and which styles
are dates. Pure: no Django.
"""

from __future__ import annotations

import posixpath
import zipfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree
from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

from commonground.lib import safexml, safezip

# Sanity caps on a workbook's structure, far above what Excel writes: its own limits are
# 64,000 cell formats and 16,384 columns; a workbook is a few dozen parts.
MAX_MEMBERS = 10_000
MAX_STYLES = 64_000
MAX_RELATIONSHIPS = 10_000
MAX_SHARED_STRINGS = 4_000_000  # 16 MB of offsets at most


class XlsxError(Exception):
    """Not a workbook that can be read; ``str()`` says why (for logs: callers say it
    plainly to people)."""


@dataclass
class FirstSheet:
    sheets: int  # how many sheets the workbook has (only the first is read)
    cells: Iterator[tuple[int, int, str]] = field(repr=False)


def first_sheet(data: bytes, *, max_unzipped: int) -> FirstSheet:
    """The first sheet of the workbook in ``data``: its cells as (row, column, text), both
    counted from 1, in the sheet's order, only those with something in them.

    Raises ``safezip.TooBig`` if the parts declare more than ``max_unzipped`` bytes, and
    ``XlsxError`` if the file is not a workbook; reading the cells can raise ``XlsxError``
    too, where a part turns out to be damaged.
    """
    try:
        archive = safezip.open_archive(data, max_members=MAX_MEMBERS, max_unzipped=max_unzipped)
    except safezip.TooBig:
        raise
    except safezip.ZipError as exc:
        raise XlsxError(str(exc)) from exc
    try:
        book = _book(archive)
        strings = _shared_strings(archive, book.strings) if book.strings else _Strings()
        dates, durations = _date_styles(archive, book.styles) if book.styles else (set(), set())
    except (safexml.XmlError, safezip.ZipError) as exc:
        archive.close()
        raise XlsxError(str(exc)) from exc
    except BaseException:
        archive.close()
        raise
    epoch = CALENDAR_MAC_1904 if book.mac else CALENDAR_WINDOWS_1900
    reading = _Reading(strings, dates, durations, epoch)
    return FirstSheet(sheets=book.sheets, cells=_cells(archive, book.sheet, reading))


# -- the workbook's parts --------------------------------------------------------------


@dataclass
class _Book:
    sheet: str  # the first sheet's part
    sheets: int
    strings: str | None
    styles: str | None
    mac: bool  # dates counted from 1904, as old Mac Excel did


def _book(archive: zipfile.ZipFile) -> _Book:
    main = _target(_relationships(archive, ""), "officeDocument") or "xl/workbook.xml"
    first = ""
    sheets = 0
    mac = False
    for event, element in _events(archive, main):
        if event != "start":
            continue
        name = etree.QName(element).localname
        if name == "workbookPr":
            mac = element.get("date1904", "").lower() in ("1", "true")
        elif name == "sheet":
            sheets += 1
            if not first:
                # r:id, in the transitional or the strict namespace
                first = next(
                    (str(v) for k, v in element.attrib.items() if str(k).endswith("}id")), ""
                )
    if not sheets:
        raise XlsxError("the workbook has no sheets")
    links = _relationships(archive, main)
    sheet = links.get(first, ("", ""))[1]
    if not sheet:
        raise XlsxError("the first sheet is missing")
    return _Book(
        sheet=sheet,
        sheets=sheets,
        strings=_target(links, "sharedStrings"),
        styles=_target(links, "styles"),
        mac=mac,
    )


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type, the target part's name in the archive)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if safezip.member_size(archive, rels) is None:
        return {}
    found: dict[str, tuple[str, str]] = {}
    for event, element in _events(archive, rels):
        if event == "start" and etree.QName(element).localname == "Relationship":
            if len(found) >= MAX_RELATIONSHIPS:
                raise XlsxError("the workbook links too many parts")
            target = element.get("Target", "")
            if element.get("TargetMode") == "External":
                continue
            # Targets are relative to the part's folder, or absolute from the archive's root.
            path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            found[element.get("Id", "")] = (element.get("Type", ""), posixpath.normpath(path))
    return found


def _target(links: dict[str, tuple[str, str]], kind: str) -> str | None:
    return next((path for type_, path in links.values() if type_.endswith("/" + kind)), None)


def _events(archive: zipfile.ZipFile, part: str) -> Iterator[tuple[str, etree._Element]]:
    try:
        member = safezip.open_member(archive, part)
    except KeyError as exc:
        raise XlsxError(f"the workbook has no {part}") from exc
    with member:
        yield from safexml.iterparse(member)


class _Strings:
    """The shared strings, packed: their UTF-8 one after another and where each starts.
    A list of Python strings would cost 50 bytes and more for each, however short."""

    def __init__(self) -> None:
        self._text = bytearray()
        self._starts = array("I", [0])

    def add(self, text: str) -> None:
        if len(self._starts) > MAX_SHARED_STRINGS:
            raise XlsxError("the workbook has too many different texts")
        self._text += text.encode("utf-8", "surrogatepass")
        self._starts.append(len(self._text))

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self._starts) - 1:
            return ""
        piece = self._text[self._starts[index] : self._starts[index + 1]]
        return piece.decode("utf-8", "surrogatepass")


def _shared_strings(archive: zipfile.ZipFile, part: str) -> _Strings:
    strings = _Strings()
    pieces: list[str] = []
    phonetic = 0  # inside <rPh>: a reading guide, not part of the text
    for event, element in _events(archive, part):
        name = etree.QName(element).localname
        if name == "rPh":
            phonetic += 1 if event == "start" else -1
        elif event != "end":
            continue
        elif name == "t" and not phonetic:
            pieces.append(element.text or "")
        elif name == "si":
            strings.add("".join(pieces))
            pieces.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile, part: str) -> tuple[set[int], set[int]]:
    """The cell styles (indexes into ``cellXfs``) that show a number as a date, or as a
    length of time."""
    custom: dict[str, str] = {}
    formats: list[str] = []
    inside = ""
    for event, element in _events(archive, part):
        name = etree.QName(element).localname
        if name in ("numFmts", "cellXfs"):
            inside = name if event == "start" else ""
        elif event != "start":
            continue
        elif name == "numFmt" and inside == "numFmts" and len(custom) < MAX_STYLES:
            custom[element.get("numFmtId", "")] = element.get("formatCode", "")
        elif name == "xf" and inside == "cellXfs":
            if len(formats) >= MAX_STYLES:
                raise XlsxError("the workbook has too many cell styles")
            formats.append(element.get("numFmtId", "0"))
    dates: set[int] = set()
    durations: set[int] = set()
    for index, number in enumerate(formats):
        code = custom.get(number)
        if code is None:
            code = builtin_format_code(int(number)) if number.isdigit() else None
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return dates, durations


# -- the sheet -------------------------------------------------------------------------


@dataclass
class _Reading:
    strings: _Strings
    dates: set[int]
    durations: set[int]
    epoch: datetime  # day 0 of the workbook's dates: 1899-12-30, or 1904-01-01 (old Macs)


def _cells(
    archive: zipfile.ZipFile, part: str, reading: _Reading
) -> Iterator[tuple[int, int, str]]:
    row = column = 0
    kind = style = ""
    value: str | None = None
    inline: list[str] = []
    phonetic = 0
    try:
        for event, element in _events(archive, part):
            name = etree.QName(element).localname
            if event == "start":
                if name == "row":
                    row = _number(element.get("r"), row + 1)
                    column = 0
                elif name == "c":
                    where = element.get("r")
                    column = (_column(where) if where else 0) or column + 1
                    kind = element.get("t", "n")
                    style = element.get("s", "")
                    value = None
                    inline.clear()
                elif name == "rPh":
                    phonetic += 1
                continue
            if name == "v":
                value = element.text or ""
            elif name == "t" and not phonetic:
                inline.append(element.text or "")
            elif name == "rPh":
                phonetic -= 1
            elif name == "c":
                text = _text(kind, style, value, inline, reading)
                if text:
                    yield row, column, text
    except (safexml.XmlError, safezip.ZipError) as exc:
        raise XlsxError(str(exc)) from exc
    finally:
        archive.close()


def _number(raw: str | None, default: int) -> int:
    if raw and raw.isdigit():
        return int(raw)
    return default


def _column(reference: str) -> int:
    """'AB12' -> 28."""
    number = 0
    for letter in reference:
        if not "A" <= letter <= "Z":
            break
        number = number * 26 + ord(letter) - 64
    return number


def _text(kind: str, style: str, value: str | None, inline: list[str], reading: _Reading) -> str:
    """A cell's value as text, as openpyxl gave it: whole numbers without '.0', dates
    as ``str(datetime)``."""
    if kind == "inlineStr":
        return "".join(inline).strip()
    if value is None:
        return ""
    if kind == "s":
        return reading.strings[int(value)].strip() if value.isdigit() else ""
    if kind == "b":
        return str(value.strip() in ("1", "true"))
    if kind == "d":
        try:
            return str(from_ISO8601(value.strip()))
        except ValueError:
            return value.strip()
    if kind != "n":  # str (a formula's text) or e (an error such as #N/A)
        return value.strip()
    try:
        number: float = float(value) if any(c in value for c in ".eE") else int(value)
    except ValueError:
        return value.strip()
    index = int(style) if style.isdigit() else 0
    if index in reading.dates:
        try:
            moment = from_excel(number, reading.epoch, timedelta=index in reading.durations)
        except (OverflowError, ValueError):
            return value.strip()
        return str(moment)
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)
