"""Judgements with their evidence, measures kept apart from indicators, and the report."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from commonground.accounts.models import Organisation, User
from commonground.evaluation import services
from commonground.evaluation.models import (
    Activity,
    EvaluationForm,
    Judgement,
    Measure,
    Programme,
    Response,
)
from commonground.evaluation.texts import ANSWER, TextRef
from commonground.lib.pdf import available as pdf_available
from tests.conftest import need

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidenced(
    programme: Programme, evaluation_form: EvaluationForm, training_day: Activity
) -> dict[str, Any]:
    useful, confident, differently = evaluation_form.questions.all()
    for a, b in [(4, 3), (3, 3), (4, 4), (3, 2), (4, 4)]:
        services.response_submit(
            form=evaluation_form,
            answers={useful.pk: a, confident.pk: b, differently.pk: "I can now plan a session."},
            activity=training_day,
            organisation_name="Eastbrook Council",
            channel=Response.Channel.PAPER,
        )
    code = services.code_add(programme=programme, name="Confidence")
    answer = evaluation_form.responses.first().answers.get(question=differently)  # type: ignore[union-attr]
    coding = services.coding_add(
        ref=TextRef(ANSWER, answer.pk), code=code, quote="I can now plan a session."
    )
    measure = services.measure_add(
        programme=programme, kind=Measure.Kind.BETTER_OFF, name="Plans signed off", unit="plans"
    )
    services.measure_value_add(measure=measure, period="2026", value=Decimal(4))
    return {"item": confident, "coding": coding, "measure": measure}


def test_a_judgement_links_its_evidence_and_the_page_shows_it(
    programme: Programme, evidenced: dict[str, Any], ada_client: Client
) -> None:
    objective = programme.objectives.get()
    response = ada_client.post(
        reverse("evaluation:judgement", args=[objective.pk]),
        {
            "rating": "largely_met",
            "narrative": "Most people rated their confidence highly.",
            "items": [evidenced["item"].pk],
            "quotes": [evidenced["coding"].pk],
            "measures": [evidenced["measure"].pk],
        },
    )
    assert response.status_code == 303
    judgement = Judgement.objects.get()
    assert judgement.get_rating_display() == "Largely met"
    page = ada_client.get(reverse("evaluation:judgements", args=[programme.pk])).content.decode()
    assert "Largely met" in page and "I can now plan a session." in page
    assert "average 3.20" in page  # confident: 3 3 4 2 4
    assert "Plans signed off: 2026: 4 plans" in page


def test_evidence_from_another_programme_is_refused(
    programme: Programme, evidenced: dict[str, Any], riverside: Organisation, ada: User
) -> None:
    other = services.programme_create(organisation=riverside, by=ada, title="Other")
    objective = services.objective_add(programme=other, text="Something else")
    with pytest.raises(ValidationError, match="own forms"):
        services.judgement_set(objective=objective, rating="not_met", items=[evidenced["item"]])
    with pytest.raises(ValidationError, match="Choose a rating"):
        services.judgement_set(objective=objective, rating="brilliant")


def test_measures_and_indicators_are_kept_apart(
    programme: Programme, evidenced: dict[str, Any], ada_client: Client
) -> None:
    url = reverse("evaluation:outcomes", args=[programme.pk])
    ada_client.post(
        url,
        {
            "indicator": "1",
            "name": "Adults volunteering monthly",
            "unit": "%",
            "source": "Annual survey",
            "direction": "up",
            "baseline_period": "2024",
            "baseline": "21",
            "target": "25",
            "story": "Volunteering fell in the pandemic and is recovering.",
        },
    )
    indicator = programme.indicators.get()
    for period, value in (("2024", "21"), ("2025", "22.5")):
        ada_client.post(
            reverse("evaluation:figure_add", args=["indicator", indicator.pk]),
            {"period": period, "value": value},
        )
    page = ada_client.get(url).content.decode()
    assert page.index("Programme measures") < page.index("Plans signed off")
    assert page.index("Population indicators") < page.index("Adults volunteering monthly")
    assert "not its result" in page and "The story behind the curve" in page
    assert (
        'aria-label="Adults volunteering monthly: 2024 21, 2025 22.5; baseline 21; target 25"'
        in page
    )
    bad = ada_client.post(
        reverse("evaluation:figure_add", args=["indicator", indicator.pk]),
        {"period": "", "value": "x"},
    )
    assert bad.status_code == 303 and indicator.values.count() == 2


def test_a_measures_figure_takes_the_note_its_table_has_a_column_for(
    programme: Programme, evidenced: dict[str, Any], ada_client: Client
) -> None:
    measure = evidenced["measure"]
    ada_client.post(
        reverse("evaluation:figure_add", args=["measure", measure.pk]),
        {"period": "2027", "value": "6", "note": "Two more in the spring."},
    )
    assert measure.values.last().note == "Two more in the spring."
    page = ada_client.get(reverse("evaluation:outcomes", args=[programme.pk])).content.decode()
    assert "Two more in the spring." in page
    # Each heading of the measure's table has its field in the form below it.
    table = page[page.index('aria-label="Figures for Plans signed off"') :]
    form = table[table.index('aria-label="Add a figure to Plans signed off"') :]
    headings = re.findall(r'<th scope="col">(\w+)</th>', table[: table.index("</thead>")])
    labels = re.findall(r'<label for="[^"]+">(\w+)', form[: form.index("</form>")])
    assert headings == labels == ["Period", "Figure", "Note"]


def test_the_report_page_and_its_pdf_hold_the_same_content(
    programme: Programme, evidenced: dict[str, Any], ada_client: Client
) -> None:
    services.report_section_save(programme=programme, key="summary", text="A good year.")
    services.judgement_set(
        objective=programme.objectives.get(), rating="clearly_met", quotes=[evidenced["coding"]]
    )
    page = ada_client.get(reverse("evaluation:report", args=[programme.pk])).content.decode()
    for words in ["A good year.", "Clearly met", "I can now plan a session.", "Cost by activity"]:
        assert words in page
    # Findings per activity: the learning set's none are under 5, so not shown.
    assert "Average by activity: After the course" in page and "under 5" in page
    need(pdf_available(), "WeasyPrint cannot load Pango (apt-get install libpango-1.0-0)")
    pdf = ada_client.get(reverse("evaluation:report_pdf", args=[programme.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert "engaging-communities-2026-report.pdf" in pdf["Content-Disposition"]


def test_without_pango_the_pdf_link_says_what_to_install(
    programme: Programme, ada_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from commonground.evaluation.views import outcomes
    from commonground.lib.pdf import INSTALL_HINT, PdfUnavailable

    def missing(html: str, *, base_url: str) -> bytes:
        raise PdfUnavailable(INSTALL_HINT)

    monkeypatch.setattr(outcomes, "html_to_pdf", missing)
    response = ada_client.get(reverse("evaluation:report_pdf", args=[programme.pk]), follow=True)
    assert "apt-get install libpango-1.0-0" in response.content.decode()


def test_a_report_section_is_edited_in_prose(programme: Programme, ada_client: Client) -> None:
    url = reverse("evaluation:section", args=[programme.pk, "conclusions"])
    assert ada_client.get(url).status_code == 200
    ada_client.post(url, {"text": "Keep the learning sets."})
    assert programme.report_sections.get(key="conclusions").text == "Keep the learning sets."
    assert (
        ada_client.get(reverse("evaluation:section", args=[programme.pk, "nope"])).status_code
        == 404
    )


def test_outsiders_see_no_report(programme: Programme, olu_client: Client) -> None:
    for name in ("report", "report_pdf", "judgements", "outcomes"):
        assert olu_client.get(reverse(f"evaluation:{name}", args=[programme.pk])).status_code == 404
