"""A programme's and a form's tabs appear as they become useful (issue 14), while every page
stays reachable by its address and shows its own tab."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from commonground.evaluation import selectors, services
from commonground.evaluation.models import Activity, Programme, Question, Response
from commonground.evaluation.texts import ANSWER, TextRef

pytestmark = pytest.mark.django_db


def tabs(client: Client, url: str, bar: str = "This programme") -> list[str]:
    """The tabs of the page at ``url``, the current one marked with a star."""
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    nav = page[page.index(f'<nav aria-label="{bar}"') :]
    nav = nav[: nav.index("</nav>")]
    return [
        label + ("*" if current else "")
        for current, label in re.findall(r'<a href="[^"]+"( aria-current="page")?>([^<]+)</a>', nav)
    ]


def test_a_new_programme_shows_the_tabs_it_can_use(
    programme: Programme, ada_client: Client
) -> None:
    overview = reverse("evaluation:programme", args=[programme.pk])
    assert tabs(ada_client, overview) == ["Overview*", "Interviews and observations", "Outcomes"]
    # A page whose tab is not shown yet is still there, and shows its own tab.
    report = reverse("evaluation:report", args=[programme.pk])
    assert tabs(ada_client, report) == [
        "Overview",
        "Interviews and observations",
        "Outcomes",
        "Report*",
    ]
    quotes = reverse("evaluation:quotes", args=[programme.pk])
    assert "Quotes*" in tabs(ada_client, quotes)


def test_tabs_appear_as_the_evidence_comes_in(
    programme: Programme, training_day: Activity, ada_client: Client
) -> None:
    overview = reverse("evaluation:programme", args=[programme.pk])
    form = services.form_create(
        programme=programme, title="After the day", activities=[training_day]
    )
    question = services.question_add(
        form=form, text="What will you try first?", kind=Question.Kind.WRITE_IN, code="first"
    )
    assert "Coding" not in tabs(ada_client, overview)
    submitted = services.response_submit(
        form=form,
        answers={question.pk: "A listening walk with the tenants."},
        activity=training_day,
        channel=Response.Channel.PAPER,
    )
    # Something to code, and evidence to judge and report on.
    assert tabs(ada_client, overview) == [
        "Overview*",
        "Interviews and observations",
        "Coding",
        "Codebook",
        "Judgements",
        "Outcomes",
        "Report",
    ]
    code = services.code_add(programme=programme, name="Listening")
    answer = submitted.response.answers.get()
    services.coding_add(ref=TextRef(ANSWER, answer.pk), code=code, quote="A listening walk")
    assert "Quotes" in tabs(ada_client, overview)
    assert len(tabs(ada_client, overview)) == 8


def test_interview_notes_are_something_to_code(programme: Programme) -> None:
    assert selectors.programme_progress(programme) == selectors.Progress(
        texts=False, codes=False, codings=False, evidence=False, conclusions=False
    )
    guide = services.guide_create(programme=programme, title="Follow-up")
    asked = services.guide_question_add(guide=guide, theme="Confidence", text="What now?")
    services.interview_record(
        guide=guide,
        organisation_name="Eastbrook Council",
        held_on=date(2026, 3, 1),
        notes={asked.pk: "I ran a session on my own."},
    )
    progress = selectors.programme_progress(programme)
    assert progress.texts and progress.codebook and progress.reporting
    assert not progress.codings


def test_a_form_shows_its_answer_tabs_once_it_has_a_question(
    programme: Programme, ada_client: Client
) -> None:
    form = services.form_create(programme=programme, title="Day one feedback")
    questions = reverse("evaluation:form", args=[form.pk])
    assert tabs(ada_client, questions, "This form") == ["Questions*", "Settings"]
    results = reverse("evaluation:results", args=[form.pk])
    assert tabs(ada_client, results, "This form") == ["Questions", "Results*", "Settings"]
    services.question_add(form=form, text="How welcome did you feel?")
    assert tabs(ada_client, questions, "This form") == [
        "Questions*",
        "Results",
        "Type in paper forms",
        "Import a spreadsheet",
        "Settings",
    ]
