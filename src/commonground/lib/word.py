"""An HTML document of our own making as an editable Word document (DOCX).

The evaluation report is written once, as the HTML its page and its PDF are drawn from;
this walks that HTML and writes the same content with Word's own pieces: headings in
Word's heading styles (so its navigation pane and contents work), lists, quotes, real
tables with repeating header rows, and charts as pictures with their text alternative.
It reads only the small set of elements our templates use; anything else is read for
its text.

Conventions the templates follow:
- ``header.report-head`` becomes the cover page, ``nav.report-contents`` a contents
  field that Word fills in when the document opens;
- ``figure[data-chart]`` is replaced by the picture given for that key, with the
  figure's caption;
- elements with the class ``visually-hidden`` or ``no-print`` are left out.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

import docx
from docx.document import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from lxml import html as lxml_html
from lxml.html import HtmlElement

HEADINGS = {"h2": 1, "h3": 2, "h4": 3, "h5": 4, "h6": 4}
BLOCKS = {
    "p", "ul", "ol", "table", "blockquote", "figure", "div", "section", "header", "nav",
    "article", "details", "h1", *HEADINGS,
}  # fmt: skip
SKIPPED = {"script", "style", "svg", "button", "form", "input", "select", "textarea"}
PICTURE_WIDTH = Cm(16)


def html_to_docx(html: str, *, pictures: Mapping[str, tuple[bytes, str]]) -> bytes:
    """``html`` as DOCX bytes; ``pictures`` maps a chart's key to its PNG and alt text."""
    root = lxml_html.document_fromstring(html)
    document = docx.Document()
    _setup(document, root)
    body = root.find("body")
    if body is not None:
        _Writer(document, pictures).blocks(body)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _setup(document: Document, root: HtmlElement) -> None:
    title = root.findtext(".//title") or ""
    author = root.xpath("string(//meta[@name='author']/@content)")
    document.core_properties.title = _squash(title)
    document.core_properties.author = _squash(str(author))
    document.core_properties.language = root.get("lang", "en-GB")
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.left_margin = section.right_margin = Cm(2)
    # Ask Word to fill in the contents (and any other field) when the file is opened.
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    document.settings.element.append(update)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _classes(element: HtmlElement) -> set[str]:
    return set((element.get("class") or "").split())


def _hidden(element: HtmlElement) -> bool:
    return bool(_classes(element) & {"visually-hidden", "no-print"}) or element.tag in SKIPPED


class _Writer:
    def __init__(self, document: Document, pictures: Mapping[str, tuple[bytes, str]]) -> None:
        self.document = document
        self.pictures = pictures

    # -- blocks ---------------------------------------------------------------------------

    def blocks(self, parent: HtmlElement) -> None:
        """Every child of ``parent``; loose text between blocks becomes a paragraph."""
        if parent.text and parent.text.strip():
            self.document.add_paragraph(_squash(parent.text))
        for child in parent:
            if not isinstance(child.tag, str) or _hidden(child):
                pass
            else:
                self.block(child)
            if child.tail and child.tail.strip():
                self.document.add_paragraph(_squash(child.tail))

    def block(self, element: HtmlElement) -> None:
        tag, classes = element.tag, _classes(element)
        if tag == "header" and "report-head" in classes:
            self.cover(element)
        elif tag == "nav" and "report-contents" in classes:
            self.contents(element)
        elif tag == "h1":
            self.inline(self.document.add_paragraph(style="Title"), element)
        elif tag in HEADINGS:
            self.inline(self.document.add_heading(level=HEADINGS[tag]), element)
        elif tag == "p":
            paragraph = self.document.add_paragraph()
            self.inline(paragraph, element)
            if "meta" in classes:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
        elif tag in ("ul", "ol"):
            self.items(element, "List Number" if tag == "ol" else "List Bullet")
        elif tag == "blockquote":
            self.inline(self.document.add_paragraph(style="Quote"), element)
        elif tag == "table":
            self.table(element)
        elif tag == "figure" and element.get("data-chart") in self.pictures:
            self.picture(element)
        elif tag == "summary":
            paragraph = self.document.add_paragraph()
            self.inline(paragraph, element)
            for run in paragraph.runs:
                run.bold = True
        elif self._has_blocks(element):
            self.blocks(element)
        else:
            self.inline(self.document.add_paragraph(), element)

    def cover(self, element: HtmlElement) -> None:
        for _ in range(6):
            self.document.add_paragraph()
        self.blocks(element)
        self.page_break()

    def contents(self, element: HtmlElement) -> None:
        heading = element.find(".//h2")
        self.document.add_heading(_squash(heading.text_content()) if heading is not None else "", 1)
        # Word fills the field in with page numbers when the file opens; until then (and in
        # programs that leave fields alone) it shows the sections' names.
        names = [_squash(item.text_content()) for item in element.iter("li")]
        paragraph = self.document.add_paragraph()
        self._field(paragraph, 'TOC \\o "1-2" \\h \\z \\u', names)
        self.page_break()

    def page_break(self) -> None:
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def items(self, element: HtmlElement, style: str) -> None:
        for item in element:
            if not isinstance(item.tag, str) or item.tag != "li" or _hidden(item):
                continue
            if self._has_blocks(item):
                self.blocks(item)
            else:
                self.inline(self.document.add_paragraph(style=style), item)

    def table(self, element: HtmlElement) -> None:
        caption = element.find("caption")
        if caption is not None and not _hidden(caption):
            self.inline(self.document.add_paragraph(style="Caption"), caption)
        rows = [
            (row, row.getparent().tag == "thead")
            for row in element.iter("tr")
            if row.getparent() is not None
        ]
        if not rows:
            return
        width = max(len([c for c in row if c.tag in ("th", "td")]) for row, _ in rows)
        table = self.document.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        _full_width(table)
        for row, header in rows:
            cells = table.add_row().cells
            _row_marks(table.rows[-1], header=header)
            for cell, source in zip(cells, [c for c in row if c.tag in ("th", "td")], strict=False):
                self.cell(cell, source, bold=header or source.tag == "th")

    def cell(self, cell: _Cell, source: HtmlElement, *, bold: bool) -> None:
        paragraph = cell.paragraphs[0]
        self.inline(paragraph, source)
        for run in paragraph.runs:
            run.font.size = Pt(9)
            run.bold = run.bold or bold

    def picture(self, element: HtmlElement) -> None:
        png, alt = self.pictures[element.get("data-chart", "")]
        caption = element.find("figcaption")
        if caption is not None:
            self.inline(self.document.add_paragraph(style="Caption"), caption)
        run = self.document.add_paragraph().add_run()
        shape = run.add_picture(io.BytesIO(png), width=PICTURE_WIDTH)
        shape._inline.docPr.set("descr", alt)  # the picture's text alternative

    # -- inline ---------------------------------------------------------------------------

    def inline(self, paragraph: Paragraph, element: HtmlElement) -> None:
        """``element``'s text into ``paragraph``, bold and italic kept, spaces tidied."""
        self._runs(paragraph, element, bold=False, italic=False)
        if paragraph.runs:
            first, last = paragraph.runs[0], paragraph.runs[-1]
            first.text = first.text.lstrip()
            last.text = last.text.rstrip()

    def _runs(
        self, paragraph: Paragraph, element: HtmlElement, *, bold: bool, italic: bool
    ) -> None:
        bold = bold or element.tag in ("strong", "b", "th")
        italic = italic or element.tag in ("em", "i", "blockquote")
        self._text(paragraph, element.text, bold=bold, italic=italic)
        for child in element:
            if isinstance(child.tag, str) and not _hidden(child):
                if child.tag == "br":
                    paragraph.add_run().add_break()
                else:
                    self._runs(paragraph, child, bold=bold, italic=italic)
            self._text(paragraph, child.tail, bold=bold, italic=italic)

    @staticmethod
    def _text(paragraph: Paragraph, text: str | None, *, bold: bool, italic: bool) -> None:
        if not text:
            return
        squashed = re.sub(r"\s+", " ", text)
        if paragraph.runs and paragraph.runs[-1].text.endswith(" "):
            squashed = squashed.lstrip()
        if squashed:
            run = paragraph.add_run(squashed)
            run.bold = bold or None
            run.italic = italic or None

    @staticmethod
    def _has_blocks(element: HtmlElement) -> bool:
        return any(isinstance(c.tag, str) and c.tag in BLOCKS for c in element)

    @staticmethod
    def _field(paragraph: Paragraph, instruction: str, lines: list[str]) -> None:
        """A Word field (such as the contents) that Word works out itself, showing
        ``lines`` until it does."""

        def mark(kind: str) -> None:
            node = OxmlElement("w:fldChar")
            node.set(qn("w:fldCharType"), kind)
            paragraph.add_run()._r.append(node)

        mark("begin")
        code = OxmlElement("w:instrText")
        code.set(qn("xml:space"), "preserve")
        code.text = instruction
        paragraph.add_run()._r.append(code)
        mark("separate")
        for number, line in enumerate(lines):
            run = paragraph.add_run(line)
            if number < len(lines) - 1:
                run.add_break()
        mark("end")


def _row_marks(row: object, *, header: bool) -> None:
    """Keep a table row on one page; a header row Word also repeats on each page."""
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    for tag in ("w:cantSplit", "w:tblHeader") if header else ("w:cantSplit",):
        marker = OxmlElement(tag)
        marker.set(qn("w:val"), "true")
        properties.append(marker)


def _full_width(table: object) -> None:
    """The table as wide as the text, its columns shared out by their content."""
    properties = table._tbl.tblPr  # type: ignore[attr-defined]
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), "5000")
    width.set(qn("w:type"), "pct")
    for old in properties.findall(qn("w:tblW")):
        properties.remove(old)
    properties.append(width)
