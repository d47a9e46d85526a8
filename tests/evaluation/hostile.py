"""Hostile uploads, built the same way every time: spreadsheets of responses and REFI-QDA
projects made to cost a server memory, time or a crash.

The small ones are kept as files in ``data/hostile/`` (``README.md`` there says what each
tries); ``uv run python -m tests.evaluation.hostile`` writes them again. The big ones (a few
megabytes of CSV, zip bombs that unpack to 150-200 MB) are made by the tests when they
run, compressing as they go, so none is held whole in memory while it is made.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from itertools import repeat
from pathlib import Path

from openpyxl import Workbook

HOSTILE = Path(__file__).parent / "data" / "hostile"
STAMP = (2026, 1, 1, 0, 0, 0)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PROJECT = "urn:QDA-XML:project:1.0"
# The classic "billion laughs": ten entities, each ten of the one before, a gigabyte in all.
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{n} "{(f"&lol{n - 1};") * 10}">' for n in range(1, 10))
    + "]>"
)

Content = bytes | Iterable[bytes]


def zipped(members: dict[str, Content]) -> bytes:
    """A zip archive (deflated, dated 2026-01-01) of ``members``, each given whole or in
    pieces; pieces are compressed as they come."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            info = zipfile.ZipInfo(name, date_time=STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as member:
                for piece in [content] if isinstance(content, bytes) else content:
                    member.write(piece)
    return buffer.getvalue()


def workbook(sheet: Content, *, strings: Content | None = None) -> bytes:
    """The smallest .xlsx Excel and openpyxl open: one sheet, shared strings if given."""
    shared = strings is not None
    types = (
        f'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{SHEET_TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" '
        f'ContentType="{SHEET_TYPE}.worksheet+xml"/>'
        + (
            f'<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{SHEET_TYPE}.sharedStrings+xml"/>'
            if shared
            else ""
        )
        + "</Types>"
    )
    links = (
        f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
        f'Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
        + (
            f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
            if shared
            else ""
        )
        + "</Relationships>"
    )
    members: dict[str, Content] = {
        "[Content_Types].xml": types.encode(),
        "_rels/.rels": (
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
            '<sheet name="Responses" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": links.encode(),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if strings is not None:
        members["xl/sharedStrings.xml"] = strings
    return zipped(members)


def plain_workbook(*rows: list[object]) -> bytes:
    """A harmless workbook as openpyxl writes one, for comparison."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(rows: str, *, before: str = "", dimension: str = "") -> bytes:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{before}<worksheet xmlns="{MAIN}">'
        f"{declared}<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def _inline(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADINGS = f'<row r="1">{_inline("A1", "useful")}{_inline("B1", "aims")}</row>'


def far_cell_xlsx() -> bytes:
    """Declares the whole sheet (A1:XFD1048576) and has one cell in its last row."""
    far = '<row r="1048576"><c r="A1048576"><v>4</v></c></row>'
    return workbook(_sheet(HEADINGS + far, dimension="A1:XFD1048576"))


def odd_digits_xlsx() -> bytes:
    """Row, style and string numbers written in superscript digits ("²"), which Python's
    ``isdigit`` takes for digits and ``int`` refuses."""
    row = '<row r="²"><c r="A²" s="²" t="s"><v>²</v></c><c r="B2"><v>3</v></c></row>'
    return workbook(_sheet(HEADINGS + row))


def laughs_xlsx() -> bytes:
    """A billion laughs in the sheet: entities that expand to a gigabyte."""
    row = f'<row r="2">{_inline("A2", "&lol9;")}</row>'
    return workbook(_sheet(HEADINGS + row, before=LAUGHS))


def damaged_xlsx() -> bytes:
    """A workbook whose sheet's compressed bytes are broken part-way."""
    data = bytearray(workbook(_sheet("<row><c><v>1</v></c></row>" * 5000)))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 10 : start + 30] = b"\xff" * 20
    return bytes(data)


def strings_bomb_xlsx(megabytes: int = 150) -> bytes:
    """Shared strings that unpack to ``megabytes`` MB from some 150 KB: 1 MB strings."""
    text = b"a" * 1_000_000
    strings = _chunked(
        [f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode()],
        repeat(b"<si><t>" + text + b"</t></si>", megabytes),
        [b"</sst>"],
    )
    rows = HEADINGS + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return workbook(_sheet(rows), strings=strings)


def sheet_bomb_xlsx(megabytes: int = 150) -> bytes:
    """A sheet that unpacks to ``megabytes`` MB from some 150 KB: rows of 1,000 characters."""
    head, tail = _sheet("<<ROWS>>").split(b"<<ROWS>>")
    row = f"<row>{_inline('', 'a' * 1000)}</row>".replace(' r=""', "").encode()
    count = megabytes * 1_000_000 // len(row)
    return workbook(_chunked([head, HEADINGS.encode()], repeat(row, count), [tail]))


def _chunked(*parts: Iterable[bytes]) -> Iterator[bytes]:
    """The pieces of ``parts`` gathered into pieces of about a megabyte, to compress quickly."""
    gathered = bytearray()
    for part in parts:
        for piece in part:
            gathered += piece
            if len(gathered) >= 1 << 20:
                yield bytes(gathered)
                gathered.clear()
    yield bytes(gathered)


def many_cells_csv() -> bytes:
    """6 MB of two-letter cells: 100 columns x 20,000 rows, none of them a good answer. The
    whole table as lists of strings cost some 30 times the file."""
    header = "useful,aims,levels,confident,cross-sector,relevant,organised,use,most-useful,"
    header += ",".join(f"note {n}" for n in range(10, 101)) + "\n"
    return (header + ("no," * 99 + "no\n") * 20_000).encode()


def enormous_cell_csv() -> bytes:
    """One quoted cell of 8 MB, spread over 80,000 lines."""
    return b'useful,most-useful\n4,"' + (b"a" * 99 + b"\n") * 80_000 + b'"\n'


def enormous_line_csv() -> bytes:
    """A second row of four million commas: four million empty cells."""
    return b"useful,aims\n" + b"," * 4_000_000 + b"\n"


def too_many_columns_csv() -> bytes:
    """600 headed columns, then 4,000 rows of them (7 MB)."""
    header = ",".join(f"column {n}" for n in range(1, 601)) + "\n"
    return (header + ("no," * 599 + "no\n") * 4_000).encode()


def project(sources: str, *, before: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{before}<Project xmlns="{PROJECT}" '
        f'name="Hostile"><Sources>{sources}</Sources></Project>'
    ).encode()


def _sources(count: int, path: str | None = None) -> str:
    return "".join(
        f'<TextSource guid="00000000-0000-4000-8000-{n:012d}" name="Text {n}" '
        f'plainTextPath="internal://{path or f"text-{n}.txt"}">'
        f'<PlainTextSelection guid="00000000-0000-4000-9000-{n:012d}" startPosition="0" '
        'endPosition="4"><Coding guid="c"><CodeRef targetGUID="x"/></Coding>'
        "</PlainTextSelection></TextSource>"
        for n in range(count)
    )


def big_member_qdpx() -> bytes:
    """One 50 MB text (51 KB zipped) that 60 sources each name."""
    return zipped(
        {
            "project.qde": project(_sources(60, "big.txt")),
            "sources/big.txt": repeat(b"a" * 1_000_000, 50),
        }
    )


def shared_member_qdpx() -> bytes:
    """One text of 1 MB, as long as a text file may be, that 500 sources each name."""
    return zipped(
        {
            "project.qde": project(_sources(500, "shared.txt")),
            "sources/shared.txt": b"a" * 1_000_000,
        }
    )


def bomb_qdpx(texts: int = 20) -> bytes:
    """``texts`` texts of 10 MB each (200 MB unpacked from some 200 KB)."""
    members: dict[str, Content] = {"project.qde": project(_sources(texts))}
    for n in range(texts):
        members[f"sources/text-{n}.txt"] = repeat(b"a" * 1_000_000, 10)
    return zipped(members)


def laughs_qdpx() -> bytes:
    """A billion laughs in project.qde."""
    return zipped({"project.qde": project("", before=LAUGHS).replace(b'"Hostile"', b'"&lol9;"')})


KEPT = {
    "far-cell.xlsx": far_cell_xlsx,
    "billion-laughs.xlsx": laughs_xlsx,
    "big-member.qdpx": big_member_qdpx,
    "shared-member.qdpx": shared_member_qdpx,
    "billion-laughs.qdpx": laughs_qdpx,
}


def kept(name: str) -> bytes:
    return (HOSTILE / name).read_bytes()


if __name__ == "__main__":
    for name, make in KEPT.items():
        (HOSTILE / name).write_bytes(make())
        print(f"{name}: {(HOSTILE / name).stat().st_size:,} bytes")
