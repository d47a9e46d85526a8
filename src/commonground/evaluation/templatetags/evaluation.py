"""Filters for evaluation figures (shares as percentages, means to two places), and the
tab bars of a programme and of a form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse

from commonground.evaluation import selectors
from commonground.evaluation.models import EvaluationForm, Programme

register = template.Library()


@register.filter
def percent(share: float | None, places: int = 0) -> str:
    """A share (0-1) as a percentage, ``0.5926`` -> ``"59%"``; a dash when there is none."""
    if share is None:
        return "–"
    return f"{share * 100:.{int(places)}f}%"


@register.filter
def figure(value: float | None, places: int = 2) -> str:
    """A mean, median or bound to ``places`` decimal places; a dash when there is none."""
    if value is None:
        return "–"
    return f"{value:.{int(places)}f}"


@register.filter
def get_item(mapping: dict[str, object], key: str) -> object:
    """``mapping[key]``, or an empty string: for the report's sections by name."""
    return mapping.get(key, "")


# -- tab bars --------------------------------------------------------------------------
# A tab appears once its page has something to show or do (issue 14): someone who has
# not made a form yet meets three tabs, not eight. Every page stays reachable by its
# address, and the tab of the page being shown is always there.


@dataclass(frozen=True)
class Tab:
    label: str
    url: str
    current: bool


# Each programme tab: its label, its page, the pages it stands for, and the part of the
# programme's progress that makes it useful (None: always).
PROGRAMME_TABS = (
    ("Overview", "programme", {"programme"}, None),
    (
        "Interviews and observations",
        "interviews",
        {"interviews", "guide", "interview", "interview_add", "observation_add"},
        None,
    ),
    ("Coding", "texts", {"texts", "text"}, "texts"),
    ("Codebook", "codebook", {"codebook", "code_edit"}, "codebook"),
    ("Quotes", "quotes", {"quotes"}, "codings"),
    ("Judgements", "judgements", {"judgements", "judgement"}, "reporting"),
    ("Outcomes", "outcomes", {"outcomes"}, None),
    ("Report", "report", {"report", "section"}, "reporting"),
)

# Each form tab, and whether it waits for the form's first question.
FORM_TABS = (
    ("Questions", "form", {"form"}, False),
    ("Results", "results", {"results"}, True),
    ("Type in paper forms", "enter", {"enter"}, True),
    ("Import a spreadsheet", "import_start", {"import_start", "import"}, True),
    ("Settings", "form_edit", {"form_edit"}, False),
)


def _page(context: dict[str, Any]) -> str:
    match = getattr(context.get("request"), "resolver_match", None)
    return match.url_name if match is not None else ""


@register.simple_tag(takes_context=True)
def programme_tabs(context: dict[str, Any], programme: Programme) -> list[Tab]:
    """The programme's tabs that are useful so far, and the current page's."""
    page = _page(context)
    progress = selectors.programme_progress(programme)
    return [
        Tab(label, reverse(f"evaluation:{name}", args=[programme.pk]), page in pages)
        for label, name, pages, needs in PROGRAMME_TABS
        if needs is None or page in pages or getattr(progress, needs)
    ]


@register.simple_tag(takes_context=True)
def form_tabs(context: dict[str, Any], form: EvaluationForm) -> list[Tab]:
    """The form's tabs: results and the ways to add answers once it has a question."""
    page = _page(context)
    ready = form.questions.exists()
    return [
        Tab(label, reverse(f"evaluation:{name}", args=[form.pk]), page in pages)
        for label, name, pages, needs_questions in FORM_TABS
        if ready or not needs_questions or page in pages
    ]
