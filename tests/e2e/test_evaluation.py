"""Evaluate in a real browser: every page passes axe and reflows at 320px; a form is built,
answered by its public link on a phone-sized window, typed in from paper with the keyboard
only, and its results read."""

from __future__ import annotations

from typing import Any

import docx
import pytest
from playwright.sync_api import expect

from commonground.accounts.models import User
from commonground.evaluation import services
from commonground.evaluation.models import Activity, EvaluationForm, Programme, Response
from commonground.lib.pdf import available as pdf_available
from tests.conftest import PASSWORD, need
from tests.e2e.conftest import check_axe, check_reflow, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def answered(
    evaluation_form: EvaluationForm, training_day: Activity, learning_set: Activity
) -> EvaluationForm:
    """Enough answers that every table, chart and suppressed group is drawn."""
    useful, confident, differently = evaluation_form.questions.all()
    rows = [(4, 3, "More listening"), (3, 1, ""), (4, 4, "Ask first"), (2, 1, ""), (3, 3, "")]
    for activity, many in ((training_day, rows), (learning_set, rows[:2])):
        for a, b, words in many:
            services.response_submit(
                form=evaluation_form,
                answers={useful.pk: a, confident.pk: b, differently.pk: words},
                activity=activity,
                organisation_name="Harbourside Community Action",
                channel=Response.Channel.PAPER,
            )
    return evaluation_form


def _qualitative(programme: Programme, ada: User) -> dict[str, Any]:
    """An interview, an observation, codes, codings, a suggestion, a judgement and outcomes."""
    from datetime import date
    from decimal import Decimal

    from commonground.evaluation.models import Answer, Indicator, Measure
    from commonground.evaluation.texts import ANSWER, TextRef

    guide = services.guide_create(programme=programme, title="Follow-up interviews")
    question = services.guide_question_add(guide=guide, theme="Confidence", text="What now?")
    interview = services.interview_record(
        guide=guide,
        organisation_name="Northmoor Museums",
        role="Curator",
        held_on=date(2026, 3, 1),
        notes={question.pk: "I feel more confident. I ran a session alone."},
        by=ada,
    )
    services.observation_add(
        programme=programme, title="Workshop", observed_on=date(2026, 3, 2), notes="Lively."
    )
    code = services.code_add(programme=programme, name="Confidence")
    services.code_add(programme=programme, name="Hand over", parent=code)
    answer = Answer.objects.filter(response__form__programme=programme).exclude(text="").first()
    assert answer is not None
    coding = services.coding_add(ref=TextRef(ANSWER, answer.pk), code=code, quote=answer.text)
    services.suggestions_refresh(programme=programme)
    measure = services.measure_add(programme=programme, kind=Measure.Kind.HOW_MUCH, name="Days")
    services.measure_value_add(measure=measure, period="2026", value=Decimal(2))
    indicator = services.indicator_add(
        programme=programme,
        name="Volunteering",
        unit="%",
        baseline=Decimal(20),
        target=Decimal(25),
        direction=Indicator.Direction.UP,
        story="Slow recovery.",
    )
    services.indicator_value_add(indicator=indicator, period="2025", value=Decimal(21))
    services.judgement_set(
        objective=programme.objectives.get(),
        rating="largely_met",
        narrative="Mostly.",
        quotes=[coding],
        measures=[measure],
    )
    services.report_section_save(programme=programme, key="summary", text="A short summary.")
    return {"guide": guide, "interview": interview, "code": code, "answer": answer.pk}


def visit(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response.status < 500, url
    check_axe(page)
    check_reflow(page)


@pytest.mark.parametrize("width", [1280, 320])
def test_evaluation_pages(
    page: Any, live_server: Any, answered: EvaluationForm, ada: User, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    base = live_server.url
    form = answered
    programme = form.programme
    activity = form.activities.first()
    assert activity is not None
    batch = services.import_upload(
        form=form,
        by=ada,
        file_name="answers.csv",
        data=b"useful,confident,differently\n4,3,ok\n5,2,\n,,\n3,3,=SUM(1)\n",
    )
    services.import_check(batch=batch, mapping=batch.mapping)
    qualitative = _qualitative(programme, ada)
    visit(page, base + form.public_path())
    sign_in(page, base, "ada@example.org", PASSWORD)
    for path in [
        "/evaluate/",
        "/evaluate/new/",
        f"/evaluate/programmes/{programme.pk}/",
        f"/evaluate/programmes/{programme.pk}/edit/",
        f"/evaluate/programmes/{programme.pk}/activities/add/",
        f"/evaluate/activities/{activity.pk}/edit/",
        f"/evaluate/programmes/{programme.pk}/forms/add/",
        f"/evaluate/forms/{form.pk}/",
        f"/evaluate/forms/{form.pk}/results/",
        f"/evaluate/forms/{form.pk}/enter/",
        f"/evaluate/forms/{form.pk}/settings/",
        f"/evaluate/forms/{form.pk}/import/",
        f"/evaluate/imports/{batch.pk}/",
        f"/evaluate/programmes/{programme.pk}/interviews/",
        f"/evaluate/guides/{qualitative['guide'].pk}/",
        f"/evaluate/guides/{qualitative['guide'].pk}/interviews/add/",
        f"/evaluate/interviews/{qualitative['interview'].pk}/",
        f"/evaluate/notes/{qualitative['interview'].notes.get().pk}/edit/",
        f"/evaluate/programmes/{programme.pk}/observations/add/",
        f"/evaluate/programmes/{programme.pk}/codebook/",
        f"/evaluate/codes/{qualitative['code'].pk}/",
        f"/evaluate/programmes/{programme.pk}/coding/",
        f"/evaluate/programmes/{programme.pk}/coding/answer/{qualitative['answer']}/",
        f"/evaluate/programmes/{programme.pk}/quotes/",
        f"/evaluate/programmes/{programme.pk}/judgements/",
        f"/evaluate/objectives/{programme.objectives.get().pk}/judgement/",
        f"/evaluate/programmes/{programme.pk}/outcomes/",
        f"/evaluate/programmes/{programme.pk}/report/",
        f"/evaluate/programmes/{programme.pk}/report/summary/",
    ]:
        visit(page, base + path)


def test_empty_and_error_states(page: Any, live_server: Any, programme: Programme) -> None:
    base = live_server.url
    form = services.form_create(programme=programme, title="Empty form")
    services.question_add(form=form, text="How useful was it?", required=True)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(base + form.public_path())
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    check_axe(page)
    sign_in(page, base, "ada@example.org", PASSWORD)
    for path in [f"/evaluate/forms/{form.pk}/results/", f"/evaluate/forms/{form.pk}/enter/"]:
        visit(page, base + path)
    page.goto(f"{base}/evaluate/forms/{form.pk}/")
    page.get_by_role("button", name="Add question").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    check_axe(page)


def test_answer_by_phone_then_type_in_paper_forms(
    page: Any, live_server: Any, evaluation_form: EvaluationForm
) -> None:
    base = live_server.url
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(base + evaluation_form.public_path())
    page.get_by_label("Which activity did you take part in?").select_option(
        label="Introduction to engagement"
    )
    page.get_by_role("group", name="How useful was the day?").get_by_label("Extremely").check()
    page.get_by_role("group", name="How confident do you feel now?").get_by_label("Very").check()
    page.get_by_label("What will you do differently?").fill("Start with the tenants' forum.")
    page.get_by_label("Your organisation").fill("Eastbrook Council")
    posts: list[Any] = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    check_axe(page)
    # The same page sent again (a flaky connection, a resend): counted once.
    again = page.request.post(
        posts[0].url,
        data=posts[0].post_data,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        max_redirects=0,
    )
    assert again.status == 303
    assert evaluation_form.responses.count() == 1

    # Paper forms with the keyboard alone: type, Tab, type, Enter; the next form is ready.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, "ada@example.org", PASSWORD)
    page.goto(f"{base}/evaluate/forms/{evaluation_form.pk}/enter/")
    for first, second in (("3", "2"), ("4", "4")):
        expect(page.get_by_label("1. How useful was the day?")).to_be_focused()
        page.keyboard.type(first)
        page.keyboard.press("Tab")
        page.keyboard.type(second)
        page.keyboard.press("Enter")
        expect(page.get_by_text("Form saved as response")).to_be_visible()
    assert evaluation_form.responses.filter(channel=Response.Channel.PAPER).count() == 2
    page.goto(f"{base}/evaluate/forms/{evaluation_form.pk}/results/")
    expect(page.get_by_text("3 forms returned from 108 participants")).to_be_visible()


def test_code_a_quote_judge_and_read_the_report(
    page: Any, live_server: Any, answered: EvaluationForm
) -> None:
    base = live_server.url
    programme = answered.programme
    sign_in(page, base, "ada@example.org", PASSWORD)
    page.goto(f"{base}/evaluate/programmes/{programme.pk}/codebook/")
    page.get_by_role("textbox", name="Code").fill("Cross-sector learning")
    page.get_by_role("button", name="Add code").click()
    page.goto(f"{base}/evaluate/programmes/{programme.pk}/coding/")
    page.get_by_role("link", name="What will you do differently?").first.click()
    passage = page.locator("#coded-text").inner_text()
    page.get_by_role("combobox", name="Code").select_option(label="Cross-sector learning")
    page.get_by_label("Words to code").fill(passage.split()[0])
    page.get_by_label("Staff feel more confident to engage.").check()
    page.get_by_role("button", name="Code the passage").click()
    expect(page.get_by_text("Passage coded as Cross-sector learning.")).to_be_visible()
    expect(page.locator("#coded-text mark")).to_have_count(1)
    check_axe(page)

    page.goto(f"{base}/evaluate/programmes/{programme.pk}/judgements/")
    page.get_by_role("link", name="Judge this objective").click()
    page.get_by_label("Partly met").check()
    page.get_by_label("Narrative").fill("Confidence rose; commitment is fragile.")
    page.get_by_label("How confident do you feel now? (After the course)").check()
    page.get_by_role("button", name="Save judgement").click()
    expect(page.get_by_text("Partly met", exact=True)).to_be_visible()
    check_axe(page)

    page.goto(f"{base}/evaluate/programmes/{programme.pk}/report/")
    expect(page.get_by_role("heading", name="Objectives and judgements")).to_be_visible()
    expect(page.get_by_text("Confidence rose; commitment is fragile.")).to_be_visible()
    need(pdf_available(), "WeasyPrint cannot load Pango (apt-get install libpango-1.0-0)")
    check_axe(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as Word (DOCX)").click()
    assert download.value.suggested_filename.endswith("-report.docx")
    document = docx.Document(download.value.path())
    assert "Confidence rose; commitment is fragile." in [p.text for p in document.paragraphs]


def test_build_a_form_and_answer_it_on_a_phone(
    browser: Any, page: Any, live_server: Any, programme: Programme, training_day: Activity
) -> None:
    base = live_server.url
    sign_in(page, base, "ada@example.org", PASSWORD)
    page.goto(f"{base}/evaluate/programmes/{programme.pk}/")
    page.get_by_role("link", name="Make a form").click()
    page.get_by_label("Title").fill("Day one feedback")
    page.get_by_label("Introduction to engagement").check()
    page.get_by_role("button", name="Save form").click()
    expect(page.get_by_text("Form made. Now add its questions.")).to_be_visible()
    page.get_by_label("Question", exact=True).fill("How welcome did you feel?")
    page.get_by_role("button", name="Add question").click()
    page.get_by_label("Question", exact=True).fill("What would you change?")
    page.get_by_label("Answered in their own words").check()
    page.get_by_role("button", name="Add question").click()
    expect(page.get_by_text("What would you change?")).to_be_visible()
    check_axe(page)
    link = page.locator("#public-link").input_value()

    phone = browser.new_context(viewport={"width": 360, "height": 720}).new_page()
    phone.goto(link)
    phone.get_by_label("Extremely").check()
    phone.get_by_label("What would you change?").fill("Longer lunch.")
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    check_reflow(phone)
    phone.context.close()

    page.get_by_role("link", name="Results").click()
    expect(page.get_by_text("1 form returned from 60 participants")).to_be_visible()
    expect(page.get_by_text("Longer lunch.")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 320])
def test_a_form_opens_with_its_questions_and_reads_calmly_on_a_phone(
    browser: Any, live_server: Any, programme: Programme, width: int
) -> None:
    base = live_server.url
    context = browser.new_context(viewport={"width": width, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    page.set_default_timeout(10_000)
    form = services.form_create(programme=programme, title="Spotting scams")
    # Before its first question the link is not live, and says so.
    page.goto(base + form.public_path())
    expect(page.get_by_role("heading", name="Spotting scams")).to_be_visible()
    expect(page.get_by_text("This form is not open yet")).to_be_visible()
    expect(page.get_by_role("button", name="Send my answers")).to_have_count(0)
    check_axe(page)
    check_reflow(page)

    sign_in(page, base, "ada@example.org", PASSWORD)
    page.goto(f"{base}/evaluate/forms/{form.pk}/")
    expect(page.get_by_text("The link is not live yet")).to_be_visible()
    check_axe(page)
    check_reflow(page)
    page.get_by_label("Question", exact=True).fill(
        "How confident do you feel helping someone spot a scam email?"
    )
    page.get_by_label("People must answer it").check()
    page.get_by_role("button", name="Add question").click()
    page.get_by_label("Question", exact=True).fill("What would you tell a neighbour?")
    page.get_by_label("Answered in their own words").check()
    page.get_by_role("button", name="Add question").click()
    expect(page.locator("code", has_text="confident-spot-scam")).to_be_visible()
    # Move the written question first, then edit the rated one.
    page.get_by_role("button", name="Move up question 2").click()
    expect(page.get_by_text("Question moved up.")).to_be_visible()
    assert page.locator(".question-list__text").first.inner_text().startswith("What would")
    page.get_by_role("link", name="Edit question 2").click()
    page.get_by_label("Question", exact=True).fill("How confident are you at spotting a scam?")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_text("Question saved.")).to_be_visible()
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("status").filter(has_text="Link")).to_be_visible()
    check_axe(page)
    check_reflow(page)
    link = page.locator("#public-link").input_value()

    respondent = browser.new_context(viewport={"width": width, "height": 800}).new_page()
    respondent.goto(link)
    expect(respondent.get_by_role("navigation", name="Main")).to_have_count(0)
    respondent.get_by_role("button", name="Send my answers").click()
    summary = respondent.locator("[data-error-summary]")
    expect(summary).to_contain_text("Answer \u201cHow confident are you at spotting a scam?\u201d")
    check_axe(respondent)
    check_reflow(respondent)
    respondent.get_by_label("Very").check()
    respondent.get_by_role("button", name="Send my answers").click()
    expect(respondent.get_by_role("heading", name="Thank you")).to_be_visible()
    check_axe(respondent)
    respondent.context.close()
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_measures_fields_sit_under_its_columns(
    page: Any, live_server: Any, programme: Programme, width: int
) -> None:
    from decimal import Decimal

    from commonground.evaluation.models import Measure

    measure = services.measure_add(
        programme=programme, kind=Measure.Kind.HOW_MUCH, name="Sessions run", unit="sessions"
    )
    services.measure_value_add(measure=measure, period="2025", value=Decimal(12))
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    visit(page, f"{live_server.url}/evaluate/programmes/{programme.pk}/outcomes/")
    table = page.get_by_role("region", name="Figures for Sessions run")
    form = page.get_by_role("form", name="Add a figure to Sessions run")
    fields = [form.get_by_label(name) for name in ("Period", "Figure", "Note")]
    boxes = [field.bounding_box() for field in fields]
    if width > 640:
        # Side by side, each field starts where its column's heading starts.
        for name, box in zip(("Period", "Figure", "Note"), boxes, strict=True):
            heading = table.get_by_role("columnheader", name=name).bounding_box()
            assert abs(box["x"] - (heading["x"] + 8)) <= 1, (name, box, heading)
        button = form.get_by_role("button").bounding_box()
        assert abs(button["y"] + button["height"] - boxes[0]["y"] - boxes[0]["height"]) <= 1
    else:
        # On a phone, one under another, each as wide as the others.
        assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
        assert len({round(box["x"]) for box in boxes}) == 1
    fields[0].fill("2026")
    fields[1].fill("14")
    fields[2].fill("Two added for carers.")
    form.get_by_role("button").click()
    expect(page.get_by_text("Figure added.")).to_be_visible()
    expect(table.get_by_role("cell", name="Two added for carers.")).to_be_visible()
