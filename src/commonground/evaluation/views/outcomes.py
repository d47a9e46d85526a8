"""Pages for what a programme concludes: judgements per objective, programme measures and
population indicators, and the evaluation report as a web page and a PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from commonground.access import allow
from commonground.accounts.selectors import signed_in_user
from commonground.evaluation import rules, selectors, services, stats
from commonground.evaluation.forms import (
    FigureForm,
    IndicatorForm,
    JudgementForm,
    MeasureForm,
    SectionForm,
)
from commonground.evaluation.models import Measure, Objective, Programme, ReportSection
from commonground.evaluation.views.responses import form_charts
from commonground.lib import chart_images, charts
from commonground.lib.pdf import PdfUnavailable, html_to_pdf
from commonground.lib.views import download, see_other
from commonground.lib.word import html_to_docx


@allow(rules.EVALUATE, on=Programme)
def judgements(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.get_programme_for_user(user=request.user, pk=pk)
    return render(
        request,
        "evaluation/judgements.html",
        {"programme": programme, "judged": selectors.judgements(programme)},
    )


@allow(rules.EVALUATE, on=Objective)
def judgement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    objective = selectors.get_objective_for_user(user=request.user, pk=pk)
    programme = objective.programme
    current = getattr(objective, "judgement", None)
    initial: dict[str, Any] = {}
    if current is not None:
        initial = {
            "rating": current.rating,
            "narrative": current.narrative,
            "items": current.items.all(),
            "quotes": current.quotes.all(),
            "measures": current.measures.all(),
        }
    form = JudgementForm(request.POST or None, objective=objective, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.judgement_set(
                objective=objective, by=signed_in_user(request), **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Judgement saved.")
            return see_other(reverse("evaluation:judgements", args=[programme.pk]))
    return render(
        request,
        "evaluation/judgement_form.html",
        {"programme": programme, "objective": objective, "form": form},
    )


# -- outcomes --------------------------------------------------------------------------


@allow(rules.EVALUATE, on=Programme)
def outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    """Programme measures and, kept apart, population indicators."""
    programme = selectors.get_programme_for_user(user=request.user, pk=pk)
    measure_form = MeasureForm(request.POST if "measure" in request.POST else None)
    indicator_form = IndicatorForm(request.POST if "indicator" in request.POST else None)
    if request.method == "POST":
        try:
            if "measure" in request.POST and measure_form.is_valid():
                services.measure_add(programme=programme, **measure_form.cleaned_data)
                messages.success(request, "Measure added. Add its figures period by period.")
                return see_other(reverse("evaluation:outcomes", args=[pk]) + "#measures")
            if "indicator" in request.POST and indicator_form.is_valid():
                services.indicator_add(programme=programme, **indicator_form.cleaned_data)
                messages.success(request, "Indicator added. Add its figures period by period.")
                return see_other(reverse("evaluation:outcomes", args=[pk]) + "#indicators")
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
    return render(
        request,
        "evaluation/outcomes.html",
        {
            "programme": programme,
            "measures": selectors.measures_by_kind(programme),
            "indicators": _charted(selectors.indicators(programme)),
            "measure_form": measure_form,
            "indicator_form": indicator_form,
        },
    )


def _charted(found: list[Any]) -> list[tuple[Any, list[Any], charts.Trend]]:
    return [
        (
            indicator,
            values,
            charts.Trend(
                indicator.name,
                tuple(v.period for v in values),
                tuple(float(v.value) for v in values),
                baseline=float(indicator.baseline) if indicator.baseline is not None else None,
                target=float(indicator.target) if indicator.target is not None else None,
            ),
        )
        for indicator, values in found
    ]


@require_POST
@allow(rules.EVALUATE, on=Measure)
def figure_add(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Add one period's figure to a measure or an indicator."""
    if kind == "measure":
        measure = selectors.get_measure_for_user(user=request.user, pk=pk)
        programme, anchor = measure.programme, "#measures"
    elif kind == "indicator":
        indicator = selectors.get_indicator_for_user(user=request.user, pk=pk)
        programme, anchor = indicator.programme, "#indicators"
    else:
        raise Http404("No such kind of figure.")
    form = FigureForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the period and a number for the figure.")
    else:
        try:
            period, value = form.cleaned_data["period"], form.cleaned_data["value"]
            if kind == "measure":
                note = form.cleaned_data["note"]
                services.measure_value_add(measure=measure, period=period, value=value, note=note)
            else:
                services.indicator_value_add(indicator=indicator, period=period, value=value)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, "Figure added.")
    return see_other(reverse("evaluation:outcomes", args=[programme.pk]) + anchor)


# -- the report ------------------------------------------------------------------------


# The PDF's page holds the row headings and this many activities' columns at most; wider
# tables are split into parts, each repeating the row headings, so no column is lost.
PDF_COLUMNS = 4

CONTENTS = (
    ("summary", "Executive summary"),
    ("objectives", "Objectives and judgements"),
    ("methods", "Methods"),
    ("findings", "Findings"),
    ("costs", "Costs compared"),
    ("outcomes", "Outcomes"),
    ("conclusions", "Conclusions"),
)


def _report_context(programme: Any, *, printed: bool = False) -> dict[str, Any]:
    """What the report's templates show; ``printed`` draws it for paper (the PDF and the
    Word file), with wide tables split into parts and charts as tagged pictures."""
    columns = PDF_COLUMNS if printed else None
    found = selectors.report(programme)
    return {
        "programme": programme,
        "report": found,
        "contents": CONTENTS,
        "section_names": dict(ReportSection.Key.choices),
        "form_charts": [
            (
                result,
                form_charts(result.form, result.items, printed=printed),
                _by_activity(result, columns),
            )
            for result in found.results
        ],
        "indicator_charts": _charted(found.indicators),
        "made_on": timezone.localdate(),
        "printed": printed,
        "min_for_range": stats.MIN_FOR_RANGE,
    }


def _by_activity(
    result: selectors.FormResults, columns: int | None
) -> list[tuple[list[str], list[tuple[Any, list[Any]]]]]:
    """The means-by-activity table as one or more parts of at most ``columns`` activities."""
    names = result.activity_names
    if len(names) < 2:
        return []
    size = columns or len(names)
    return [
        (
            names[start : start + size],
            [(item, item.by_activity[start : start + size]) for item in result.items],
        )
        for start in range(0, len(names), size)
    ]


@allow(rules.EVALUATE, on=Programme)
def report(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.get_programme_for_user(user=request.user, pk=pk)
    return render(request, "evaluation/report.html", _report_context(programme))


@allow(rules.EVALUATE, on=Programme)
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same report as a PDF, drawn by WeasyPrint from the same templates."""
    programme = selectors.get_programme_for_user(user=request.user, pk=pk)
    try:
        pdf = report_pdf_bytes(programme, base_url=request.build_absolute_uri("/"))
    except PdfUnavailable as exc:
        messages.error(request, f"The PDF could not be made here. {exc}.")
        return see_other(reverse("evaluation:report", args=[pk]))
    return download(
        pdf, content_type="application/pdf", filename=f"{_file_name(programme)}-report.pdf"
    )


@allow(rules.EVALUATE, on=Programme)
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The same report as an editable Word document."""
    programme = selectors.get_programme_for_user(user=request.user, pk=pk)
    return download(
        report_docx_bytes(programme),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename=f"{_file_name(programme)}-report.docx",
    )


def _report_html(programme: Programme) -> tuple[str, dict[str, Any]]:
    context = _report_context(programme, printed=True)
    return render_to_string("evaluation/report_pdf.html", context), context


def report_pdf_bytes(programme: Programme, *, base_url: str = "/") -> bytes:
    """The report as a tagged PDF: its print templates, drawn by WeasyPrint."""
    html, _ = _report_html(programme)
    return html_to_pdf(html, base_url=base_url)


def report_docx_bytes(programme: Programme) -> bytes:
    """The report as DOCX, written from the PDF's HTML with each chart as a picture."""
    html, context = _report_html(programme)
    pictures = {
        chart.key: (chart_images.scale_chart_png(chart), chart.description)
        for _, scale_charts, _ in context["form_charts"]
        for chart in scale_charts
    } | {
        f"indicator-{indicator.pk}": (chart_images.trend_png(trend), trend.summary)
        for indicator, _, trend in context["indicator_charts"]
    }
    return html_to_docx(html, pictures=pictures)


def _file_name(programme: Programme) -> str:
    return slugify(programme.title)[:60] or "evaluation"


@allow(rules.EVALUATE, on=Programme)
def section_edit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    programme = selectors.get_programme_for_user(user=request.user, pk=pk)
    if key not in ReportSection.Key.values:
        raise Http404("No such section.")
    current = programme.report_sections.filter(key=key).first()
    form = SectionForm(request.POST or None, initial={"text": current.text if current else ""})
    if request.method == "POST" and form.is_valid():
        services.report_section_save(programme=programme, key=key, text=form.cleaned_data["text"])
        messages.success(request, "Section saved.")
        return see_other(reverse("evaluation:report", args=[pk]) + f"#{key}")
    return render(
        request,
        "evaluation/section_form.html",
        {
            "programme": programme,
            "form": form,
            "section": ReportSection.Key(key).label,
        },
    )
