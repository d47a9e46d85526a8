"""Read a spreadsheet of responses (CSV or XLSX) and check every cell: pure, no ORM.

The steps an import takes, each a function here:

1. :func:`read` turns the file's bytes into a header and rows of text, finding
   the encoding (UTF-8, else Windows-1252, as Excel saves CSV) and the
   delimiter (comma, semicolon, tab or bar), or says plainly why it cannot.
2. :func:`propose` matches columns to questions by heading: a question's
   spreadsheet heading, then its words; "activity" and "organisation" columns
   too. The person can change every match before checking.
3. :func:`check` reads every row against the questions it is matched to and
   lists each problem by row and column in plain words, keeping the good rows
   apart from the rejected ones. Rows with nothing in them are skipped.

Row numbers are those a spreadsheet program shows: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.utils.text import slugify

MAX_COLUMNS = 500
# Mapping targets besides questions.
ACTIVITY = "activity"
ORGANISATION = "organisation"
IGNORE = ""
DELIMITERS = ",;\t|"


class TableError(Exception):
    """The file cannot be read as a table; ``str()`` says why and what to do."""


@dataclass(frozen=True)
class Spec:
    """What a column can be matched to: a question (as plain data) or an extra field."""

    key: str  # "q<id>", ACTIVITY or ORGANISATION
    heading: str  # the question's spreadsheet heading, or the extra's name
    text: str  # the question's words, for matching and for messages
    points: int = 0  # a Likert item's number of points; 0 for words
    labels: tuple[str, ...] = ()
    required: bool = False


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    note: str = ""  # how the file was read, when that is worth saying


@dataclass
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class Checked:
    """The outcome of checking: good rows ready to store, and every problem found."""

    good: list[tuple[int, dict[str, object]]] = field(default_factory=list)  # (row, values)
    rejected: list[int] = field(default_factory=list)  # row numbers
    problems: list[Problem] = field(default_factory=list)
    empty: int = 0  # rows with nothing in them, skipped

    @property
    def total(self) -> int:
        return len(self.good) + len(self.rejected)


# -- reading ---------------------------------------------------------------------------


def read(data: bytes, filename: str) -> Table:
    """The header and rows of a CSV or XLSX file; raises ``TableError`` in plain words."""
    if not data.strip():
        raise TableError("The file is empty.")
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TableError(
            "This is an old Excel file (.xls). Save it as .xlsx or CSV in Excel and try again."
        )
    return _read_csv(data)


def _read_csv(data: bytes) -> Table:
    note = ""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the Windows code page, not UTF-8.
        text = data.decode("cp1252", errors="replace")
        note = "The file was not UTF-8, so it was read as Windows-1252 (as Excel saves CSV)."
    if "\x00" in text[:1000]:
        raise TableError(
            "The file looks like UTF-16 or a binary file, not CSV. Save it as "
            "'CSV UTF-8' and try again."
        )
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in DELIMITERS}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        raise TableError(
            "The first row has only one column. A CSV file needs a heading for each column, "
            "separated by commas (or semicolons or tabs)."
        )
    if delimiter != ",":
        named = {";": "semicolons", "\t": "tabs", "|": "bars"}[delimiter]
        note = (note + " " if note else "") + f"Columns were separated by {named}."
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [[cell.strip() for cell in row] for row in reader]
    except csv.Error as exc:
        raise TableError(f"The CSV file is broken near row {reader.line_num}: {exc}.") from exc
    return _table(rows, note)


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableError(
            "The file is not a spreadsheet Common Ground can open. Save it again as .xlsx or CSV."
        ) from exc
    try:
        sheet = book.worksheets[0]
        rows = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    note = "Read the first sheet." if len(book.sheetnames) > 1 else ""
    return _table(rows, note)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(rows: list[list[str]], note: str) -> Table:
    while rows and not any(rows[0]):
        rows.pop(0)
    if not rows:
        raise TableError("The file has no rows.")
    header = rows[0]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise TableError(f"The file has {len(header)} columns; at most {MAX_COLUMNS} are read.")
    if not any(header):
        raise TableError("The first row should hold the column headings, and it is empty.")
    seen: set[str] = set()
    for place, heading in enumerate(header):
        if not heading:
            header[place] = f"column {place + 1}"
        if header[place].lower() in seen:
            raise TableError(f"Two columns are headed '{header[place]}'. Give each its own.")
        seen.add(header[place].lower())
    return Table(header=header, rows=rows[1:], note=note)


# -- matching columns ------------------------------------------------------------------


def _key(text: str) -> str:
    return slugify(text).replace("-", "")


def propose(header: Sequence[str], specs: Sequence[Spec]) -> list[str]:
    """For each column, the key of the spec it most likely holds, or ``IGNORE``."""
    by_key: dict[str, str] = {}
    for spec in specs:
        by_key.setdefault(_key(spec.heading), spec.key)
    for spec in specs:
        by_key.setdefault(_key(spec.text), spec.key)
    for word in ("activity", "session", "course"):
        by_key.setdefault(word, ACTIVITY)
    for word in ("organisation", "organization", "org", "employer", "organisationname"):
        by_key.setdefault(word, ORGANISATION)
    proposal: list[str] = []
    used: set[str] = set()
    for heading in header:
        key = by_key.get(_key(heading), IGNORE)
        if key in used:
            key = IGNORE
        used.add(key)
        proposal.append(key)
    return proposal


# -- checking --------------------------------------------------------------------------


def check(
    table: Table,
    mapping: Sequence[str],
    specs: Sequence[Spec],
    *,
    activities: dict[str, int] | None = None,
) -> Checked:
    """Check every row; ``mapping`` gives each column's spec key (or ``IGNORE``).

    ``activities`` maps activity names (lower case) to ids, for an activity
    column. A good row's values map question keys to a point (int) or words,
    and ``ACTIVITY`` / ``ORGANISATION`` to an id / a name.
    """
    by_key = {spec.key: spec for spec in specs}
    columns = [
        (place, table.header[place], by_key[key])
        for place, key in enumerate(mapping)
        if key and key in by_key and place < len(table.header)
    ]
    checked = Checked()
    mapped = {spec.key for _, _, spec in columns}
    missing = [s for s in specs if s.required and s.key not in mapped]
    if missing:
        # Every row would fail: say it once, about the file.
        checked.problems.append(
            Problem(1, "", f"no column holds the required question '{missing[0].text}'")
        )
        checked.rejected = [n for n, row in _numbered(table.rows) if any(row)]
        return checked
    for number, row in _numbered(table.rows):
        if not any(row):
            checked.empty += 1
            continue
        values: dict[str, object] = {}
        problems: list[Problem] = []
        for place, heading, spec in columns:
            cell = row[place] if place < len(row) else ""
            outcome = _cell(spec, cell, activities or {})
            if isinstance(outcome, Problem):
                problems.append(Problem(number, heading, outcome.message))
            elif outcome is not None:
                values[spec.key] = outcome
        if not problems and not any(key.startswith("q") for key in values):
            problems.append(Problem(number, "", "no answer to any question"))
        if problems:
            checked.rejected.append(number)
            checked.problems.extend(problems)
        else:
            checked.good.append((number, values))
    return checked


def _numbered(rows: list[list[str]]) -> Iterator[tuple[int, list[str]]]:
    return ((place + 2, row) for place, row in enumerate(rows))  # the header is row 1


_NUMBER = re.compile(r"^\s*(\d+)(?:\.0+)?\s*$")


def _cell(spec: Spec, cell: str, activities: dict[str, int]) -> object:
    if spec.key == ACTIVITY:
        if not cell:
            return None
        found = activities.get(cell.lower())
        if found is None:
            return Problem(0, "", f"'{_short(cell)}' is not one of this form's activities")
        return found
    if spec.key == ORGANISATION:
        return cell[:200] or None
    if not cell:
        return Problem(0, "", "an answer is required") if spec.required else None
    if spec.points:
        match = _NUMBER.match(cell)
        point = int(match.group(1)) if match else _label_point(spec, cell)
        if point is None or not 1 <= point <= spec.points:
            return Problem(0, "", f"'{_short(cell)}' is not on the 1-{spec.points} scale")
        return point
    return cell[:10_000]


def _label_point(spec: Spec, cell: str) -> int | None:
    """A point written as its label ("Very"), as some survey tools export."""
    wanted = cell.strip().lower()
    for place, label in enumerate(spec.labels):
        if label.lower() == wanted:
            return place + 1
    return None


def _short(text: str) -> str:
    return text if len(text) <= 30 else text[:29] + "…"
