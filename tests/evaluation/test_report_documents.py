"""The report as documents to hand on: a PDF whose every page keeps inside its margins and
is tagged for screen readers, and a Word file read back with python-docx."""

from __future__ import annotations

import ctypes
import io
import zipfile
from decimal import Decimal
from typing import Any

import docx
import pytest
from django.test import Client
from django.urls import reverse

from commonground.evaluation import services
from commonground.evaluation.models import Activity, Programme, Response
from commonground.lib import charts
from commonground.lib.pdf import available as pdf_available
from commonground.lib.pdf import html_to_pdf
from tests.conftest import need

pytestmark = pytest.mark.django_db

pdfium = pytest.importorskip("pypdfium2", reason="pypdfium2 draws PDF pages as images")
raw = pytest.importorskip("pypdfium2.raw")

# Nine activities: more than fit across a page, so the table by activity comes in parts.
PLACES = [
    "Alderley", "Brockwell", "Carrow", "Dunmere", "Elsworth",
    "Fairholme", "Garnet", "Hollins", "Ivybridge",
]  # fmt: skip
MM = 72 / 25.4  # points in a millimetre


@pytest.fixture
def wide(programme: Programme) -> Programme:
    activities = [
        services.activity_save(
            programme=programme,
            title=f"{place} community listening workshops",
            kind=Activity.Kind.WORKSHOP_SERIES,
            participants=12,
            hours_per_participant=Decimal("4.5"),
            cost=Decimal("1234.56"),
        )
        for place in PLACES
    ]
    form = services.form_create(programme=programme, title="Six months on", activities=activities)
    questions = [
        services.question_add(form=form, text=text)
        for text in (
            "How much have you used what you learned in your own engagement work?",
            "How far have residents' views changed a service you work on?",
            "How much does your organisation support engagement work now?",
        )
    ]
    recommend = services.question_add(
        form=form, text="Would you recommend it?", labels=["No", "Not sure", "Yes"]
    )
    for a, activity in enumerate(activities):
        for r in range(5):
            services.response_submit(
                form=form,
                answers={q.pk: 1 + (a + r + i) % 4 for i, q in enumerate(questions)}
                | {recommend.pk: 1 + (a * r) % 3},
                activity=activity,
                organisation_name="Eastbrook Council",
                channel=Response.Channel.PAPER,
            )
    services.report_section_save(programme=programme, key="summary", text="A good year.")
    return programme


def overflowing_pages(pdf: bytes, *, side_mm: float, top_mm: float) -> list[int]:
    """Pages (from 1) with ink in the side or top margins: content pushed off its page box.
    The foot of the page holds the running footer, so it is not looked at."""
    found = []
    for number, page in enumerate(pdfium.PdfDocument(pdf), start=1):
        image = page.render(scale=1).to_pil().convert("L")
        width, height = image.size
        side, top = int(side_mm * MM) - 2, int(top_mm * MM) - 2
        strips = [(0, 0, side, height), (width - side, 0, width, height), (0, 0, width, top)]
        if any(image.crop(box).getextrema()[0] < 200 for box in strips):
            found.append(number)
    return found


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf))


def test_the_overflow_check_sees_a_table_pushed_off_the_page() -> None:
    need(pdf_available(), "WeasyPrint cannot load Pango (apt-get install libpango-1.0-0)")
    too_wide = (
        "<style>@page { size: A4; margin: 20mm 18mm }</style><table><tr>"
        + "<td style='white-space: nowrap'>Listening to tenants in Harbourside</td>" * 6
        + "</tr></table>"
    )
    assert overflowing_pages(html_to_pdf(too_wide, base_url="/"), side_mm=18, top_mm=20) == [1]
    fits = "<style>@page { size: A4; margin: 20mm 18mm }</style><p>Fits.</p>"
    assert overflowing_pages(html_to_pdf(fits, base_url="/"), side_mm=18, top_mm=20) == []


def test_every_page_of_the_pdf_keeps_inside_its_margins_and_no_column_is_lost(
    wide: Programme, ada_client: Client
) -> None:
    need(pdf_available(), "WeasyPrint cannot load Pango (apt-get install libpango-1.0-0)")
    pdf = ada_client.get(reverse("evaluation:report_pdf", args=[wide.pk])).content
    assert overflowing_pages(pdf, side_mm=18, top_mm=20) == []
    text = pdf_text(pdf)
    # Nine activities at four a page: three parts, every activity in one of them.
    for part in ("(part 1 of 3)", "(part 2 of 3)", "(part 3 of 3)"):
        assert f"Average by activity: Six months on {part}" in text
    between = text.split("(part 1 of 3)")[1].split("Groups of fewer than 5")[0]
    assert all(place in between for place in PLACES)
    # The cover, then the contents with the page each section starts on.
    first, second = (p.get_textpage().get_text_range() for p in list(pdfium.PdfDocument(pdf))[:2])
    assert "Evaluation report" in first and wide.title in first
    assert "Contents" in second and "Executive summary" in second and "Conclusions" in second
    assert "{" not in text and "}" not in text  # no template syntax left showing


def test_the_pdf_is_tagged_with_its_title_language_headings_tables_and_figures(
    wide: Programme, ada_client: Client
) -> None:
    need(pdf_available(), "WeasyPrint cannot load Pango (apt-get install libpango-1.0-0)")
    pdf = pdfium.PdfDocument(
        ada_client.get(reverse("evaluation:report_pdf", args=[wide.pk])).content
    )
    assert raw.FPDFCatalog_IsTagged(pdf.raw)
    assert pdf.get_metadata_dict()["Title"] == f"{wide.title}: evaluation report"
    found: list[tuple[str, str]] = []
    for page in pdf:
        tree = raw.FPDF_StructTree_GetForPage(page.raw)
        for i in range(raw.FPDF_StructTree_CountChildren(tree)):
            _structure(raw.FPDF_StructTree_GetChildAtIndex(tree, i), found)
        raw.FPDF_StructTree_Close(tree)
    assert {"H1", "H2", "H3", "Table", "TH", "TD", "Figure", "L", "LI"} <= {k for k, _ in found}
    # Every figure has words: each bar says its shares, the axis its range.
    figures = [words for kind, words in found if kind == "Figure"]
    assert len(figures) == 3 + 1 + 2  # three bars, one on the second scale, and two axes
    assert all(figures)
    assert "Would you recommend it?: No " in " ".join(figures)


def _structure(element: Any, found: list[tuple[str, str]]) -> None:
    """Each structure element's kind and text alternative, depth first."""
    kind, words = ctypes.create_string_buffer(64), ctypes.create_string_buffer(4000)
    size = raw.FPDF_StructElement_GetType(element, kind, 64)
    length = raw.FPDF_StructElement_GetAltText(element, words, 4000)
    found.append(
        (
            kind.raw[:size].decode("utf-16-le").rstrip("\x00"),
            words.raw[:length].decode("utf-16-le").rstrip("\x00"),
        )
    )
    for i in range(raw.FPDF_StructElement_CountChildren(element)):
        child = raw.FPDF_StructElement_GetChildAtIndex(element, i)
        if child:
            _structure(child, found)


def test_the_word_report_reads_back_with_headings_tables_and_described_charts(
    wide: Programme, ada_client: Client
) -> None:
    response = ada_client.get(reverse("evaluation:report_docx", args=[wide.pk]))
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert "engaging-communities-2026-report.docx" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    assert document.core_properties.title == f"{wide.title}: evaluation report"

    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]
    assert ("Title", wide.title) in headings
    for section in ("Executive summary", "Objectives and judgements", "Methods", "Findings",
                    "Costs compared", "Outcomes", "Conclusions"):  # fmt: skip
        assert ("Heading 1", section) in headings
    assert ("Heading 2", "Six months on") in headings
    assert any(p.text == "A good year." for p in document.paragraphs)

    # Tables are Word tables, with a header row that repeats on each page.
    by_activity = [
        t
        for t in document.tables
        if t.rows[0].cells[0].text == "Question"
        and len(t.columns) == 5
        and "Alderley" in t.rows[0].cells[1].text
    ]
    assert by_activity, "the first part of the table by activity"
    assert by_activity[0].rows[0]._tr.trPr.xpath("./w:tblHeader")
    cost = next(t for t in document.tables if t.rows[0].cells[0].text == "Activity")
    assert [c.text for c in cost.rows[0].cells] == [
        "Activity", "Participants", "Participant-hours", "Cost", "Per participant",
        "Per participant-hour",
    ]  # fmt: skip
    assert cost.rows[1].cells[3].text == "£1,234.56"

    # One picture per scale, each with its bars described in words.
    descriptions = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert len(descriptions) == 2
    assert all(d and "of 45 answers" in d for d in descriptions)
    assert "Yes" in descriptions[1] and "Not sure" in descriptions[1]
    # The contents is a Word field, filled in when the document is opened.
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        body = package.read("word/document.xml").decode()
        settings = package.read("word/settings.xml").decode()
    assert 'TOC \\o "1-2"' in body and "updateFields" in settings


def test_each_chart_has_one_key_an_axis_and_every_n(wide: Programme, ada_client: Client) -> None:
    from lxml import html

    form = wide.forms.get()
    for url in (
        reverse("evaluation:report", args=[wide.pk]),
        reverse("evaluation:results", args=[form.pk]),
    ):
        page = html.fromstring(ada_client.get(url).content)
        figures = page.xpath("//figure[starts-with(@data-chart, 'form-')]")
        assert len(figures) == 2, url  # one per scale
        for figure in figures:
            assert len(figure.xpath(".//*[@class='chart-key']")) == 1
            assert len(figure.xpath(".//svg[@class='axis']")) == 1
            rows = figure.xpath(".//ul[@class='chart-rows']/li")
            assert rows and all("(n\xa0=\xa045)" in row.text_content() for row in rows)
            assert all(row.xpath(".//svg[@role='img'][@aria-label]") for row in rows)


def test_a_scale_chart_labels_shares_that_have_room() -> None:
    chart = charts.scale_charts(
        [
            ("Useful?", ["No", "Partly", "Yes", "Very"], [1, 9, 40, 50]),
            ("Clear?", ["No", "Yes"], [0, 3]),
        ],
        key="f",
    )
    assert [c.key for c in chart] == ["f-1", "f-2"]
    segments = chart[0].segments(chart[0].rows[0])
    assert [s.text for s in segments] == ["", "", "40%", "50%"]
    assert sum(s.width for s in segments) == pytest.approx(100)
    assert chart[1].segments(chart[1].rows[0])[0].text == "100%"
    assert chart[0].summary(chart[0].rows[0]) == (
        "Useful?: No 1%, Partly 9%, Yes 40%, Very 50%, of 100 answers"
    )
    empty = charts.ScaleChart("e", ("No", "Yes"), (charts.ChartRow("Asked?", (0, 0)),))
    assert empty.segments(empty.rows[0]) == []
    assert "no answers yet" in empty.bar(empty.rows[0])
