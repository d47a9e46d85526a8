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

import functools
import io
import posixpath
import re
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
from commonground.lib.text import whole_number

# Sanity caps on a workbook's structure, far above what Excel writes: its own limits are
# 64,000 cell formats and 16,384 columns; a workbook is a few dozen parts.
MAX_MEMBERS = 10_000
MAX_STYLES = 64_000
MAX_RELATIONSHIPS = 10_000
MAX_SHARED_STRINGS = 4_000_000  # 16 MB of offsets at most
EXCEL_COLUMNS = 16_384


class XlsxError(Exception):
    """Not a workbook that can be read; ``str()`` says why (for logs: callers say it
    plainly to people)."""


@dataclass
class FirstSheet:
    sheets: int  # how many sheets the workbook has (only the first is read)
    cells: Iterator[tuple[int, int, str]] = field(repr=False)


def first_sheet(data: bytes, *, max_unzipped: int) -> FirstSheet:
    """The first sheet of the workbook in ``data``: its cells as (row, column, text), both
    counted from 1, in the sheet's order, only those with something in them; and after
    each row's cells, (row, 0, "") for the row itself, so that empty rows count too.

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
    for element in _ended(archive, main):
        name = _name(element)
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
    for element in _ended(archive, rels):
        if _name(element) == "Relationship":
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


def _ended(archive: zipfile.ZipFile, part: str) -> Iterator[etree._Element]:
    """Each element of ``part`` as it ends (with its attributes, text and children), then
    dropped. Ends alone: a start event for every element would double the work of a part
    that can hold millions."""
    member = _open(archive, part)
    with member:
        for _, element in safexml.iterparse(member):
            yield element


def _open(archive: zipfile.ZipFile, part: str) -> io.RawIOBase:
    try:
        return safezip.open_member(archive, part)
    except KeyError as exc:
        raise XlsxError(f"the workbook has no {part}") from exc


def _name(element: etree._Element) -> str:
    """The tag without its namespace (transitional and strict OOXML differ only there)."""
    tag = element.tag
    return tag[tag.rfind("}") + 1 :] if isinstance(tag, str) else ""


def _in_reading_guide(text: etree._Element) -> bool:
    """Whether a <t> belongs to an <rPh>: a pronunciation guide, not part of the text."""
    parent = text.getparent()
    return parent is not None and _name(parent) == "rPh"


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
    for element in _ended(archive, part):
        name = _name(element)
        if name == "t" and not _in_reading_guide(element):
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
    styles = 0
    for element in _ended(archive, part):
        name = _name(element)
        if name == "numFmt" and len(custom) < MAX_STYLES:
            custom[element.get("numFmtId", "")] = element.get("formatCode", "")
        elif name == "xf":
            styles += 1
            if styles > 2 * MAX_STYLES:  # cell styles, and the named styles they build on
                raise XlsxError("the workbook has too many cell styles")
            parent = element.getparent()
            if parent is not None and _name(parent) == "cellXfs":
                formats.append(element.get("numFmtId", "0"))
    dates: set[int] = set()
    durations: set[int] = set()
    for index, number in enumerate(formats):
        code = custom.get(number)
        if code is None:
            format_id = whole_number(number)
            code = builtin_format_code(format_id) if format_id is not None else None
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
    # The one loop that meets every element of a sheet (millions, in a big one): kept to
    # one generator, with tags looked up rather than taken apart each time.
    names = _Names()
    row = 0  # the last row that ended
    column = 0  # the last cell's column in the row being read
    value: str | None = None
    inline: list[str] = []
    member = _open(archive, part)
    try:
        with member:
            for _, element in safexml.iterparse(member):
                name = names[element.tag]
                if name == "v":
                    value = element.text
                elif name == "c":
                    where_row, where_column = _reference(element.get("r"))
                    column = where_column or column + 1
                    if column > EXCEL_COLUMNS:
                        raise XlsxError("a cell lies beyond the last column Excel has")
                    kind = element.get("t", "n")
                    text = _text(kind, element.get("s"), value, inline, reading)
                    value = None
                    inline.clear()
                    if text:
                        yield where_row or _row_of(element, row), column, text
                elif name == "t":
                    if not _in_reading_guide(element):
                        inline.append(element.text or "")
                elif name == "row":
                    row = _number(element.get("r"), row + 1)
                    column = 0
                    # Every row, cells or none, so that the caller can count rows as they pass.
                    yield row, 0, ""
    except (safexml.XmlError, safezip.ZipError) as exc:
        raise XlsxError(str(exc)) from exc
    finally:
        archive.close()


class _Names(dict[object, str]):
    """Tags to their names without the namespace, worked out once each (a part has few)."""

    def __missing__(self, tag: object) -> str:
        name = tag[tag.rfind("}") + 1 :] if isinstance(tag, str) else ""
        if len(self) < 100:  # a part full of made-up tags gets no bigger a table
            self[tag] = name
        return name


def _row_of(cell: etree._Element, last: int) -> int:
    """The row of a cell whose reference does not say: its row's number, or the next."""
    parent = cell.getparent()
    return _number(parent.get("r") if parent is not None else None, last + 1)


_REFERENCE = re.compile(r"([A-Z]{0,3})([0-9]{0,7})")


def _reference(reference: str | None) -> tuple[int, int]:
    """'AB12' -> (12, 28): the row and column a cell reference names (0 where it does not)."""
    found = _REFERENCE.match(reference or "")
    if found is None:
        return 0, 0
    letters, digits = found.groups()
    return (int(digits) if digits else 0), _column(letters)


@functools.lru_cache(maxsize=EXCEL_COLUMNS)
def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _number(raw: str | None, default: int) -> int:
    number = whole_number(raw)
    return default if number is None else number


def _text(
    kind: str, style: str | None, value: str | None, inline: list[str], reading: _Reading
) -> str:
    """A cell's value as text, as openpyxl gave it: whole numbers without '.0', dates
    as ``str(datetime)``."""
    if kind == "inlineStr":
        return "".join(inline).strip()
    if value is None:
        return ""
    if kind == "s":
        index = whole_number(value)
        return reading.strings[index].strip() if index is not None else ""
    if kind == "b":
        return str(value.strip() in ("1", "true"))
    if kind == "d":
        try:
            return str(from_ISO8601(value.strip()))
        except ValueError:
            return value.strip()
    if kind != "n":  # str (a formula's text) or e (an error such as #N/A)
        return value.strip()
    number: float
    try:
        number = int(value)
    except ValueError:
        try:
            number = float(value)
        except ValueError:
            return value.strip()
    index = whole_number(style) or 0
    if index in reading.dates:
        try:
            moment = from_excel(number, reading.epoch, timedelta=index in reading.durations)
        except (OverflowError, ValueError):
            return value.strip()
        return str(moment)
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)
