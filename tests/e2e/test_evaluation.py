"""Evaluate in a real browser: every page passes axe and reflows at 320px; a form is built,
answered by its public link on a phone-sized window, typed in from paper with the keyboard
only, and its results read."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from commonground.accounts.models import User
from commonground.evaluation import services
from commonground.evaluation.models import Activity, EvaluationForm, Programme, Response
from tests.conftest import PASSWORD
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
