"""Site administrators run the site, not the evaluation: the admin shows nothing of the
evidence (the public form promises answers are seen only by the programme's evaluators),
and what it may change of programmes and forms goes through the services."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from django.test import Client

from commonground.accounts.models import User
from commonground.evaluation import services
from commonground.evaluation.models import (
    Activity,
    EvaluationForm,
    Programme,
    Question,
    Response,
)
from commonground.evaluation.texts import ANSWER, TextRef

pytestmark = pytest.mark.django_db

# Words that appear only in the evidence, one per kind of private text.
SECRETS = {
    "answer": "Morwenna",
    "coded quote": "Morwenna",
    "interview note": "Pendragon",
    "interviewee's role": "Quartermaster",
    "observation": "Thistledown",
    "import file": "Ravenscar",
}


@pytest.fixture
def root(db: None) -> User:
    return User.objects.create_superuser(email="root@example.org", password="x", name="Root")


@pytest.fixture
def root_client(client: Client, root: User) -> Client:
    client.force_login(root)
    return client


@pytest.fixture
def evidence(
    evaluation_form: EvaluationForm, programme: Programme, training_day: Activity, ada: User
) -> Response:
    """One of each private thing, each holding one of the ``SECRETS``."""
    differently = evaluation_form.questions.get(code="differently")
    submitted = services.response_submit(
        form=evaluation_form,
        answers={differently.pk: "Morwenna from the day centre asked me to call her."},
        activity=training_day,
        organisation_name="Eastbrook Council",
    )
    answer = submitted.response.answers.get()
    code = services.code_add(programme=programme, name="Confidence")
    services.coding_add(ref=TextRef(ANSWER, answer.pk), code=code, quote="Morwenna", by=ada)
    guide = services.guide_create(programme=programme, title="Six months on")
    asked = services.guide_question_add(guide=guide, theme="Confidence", text="What changed?")
    services.interview_record(
        guide=guide,
        organisation_name="Valleys Housing",
        role="Quartermaster",
        held_on=date(2026, 6, 1),
        notes={asked.pk: "Pendragon estate residents now come to the meetings."},
        by=ada,
    )
    services.observation_add(
        programme=programme,
        title="Thistledown session",
        observed_on=date(2026, 5, 1),
        notes="Thistledown group, quiet at first.",
        by=ada,
    )
    services.import_upload(
        form=evaluation_form,
        by=ada,
        file_name="Ravenscar-returns.csv",
        data=b"useful,confident,differently\n3,4,Ravenscar\n",
    )
    return submitted.response


def admin_links(page: str) -> set[str]:
    found = set()
    for href in re.findall(r'href="(/admin/[^"]*)"', page):
        path = html.unescape(href).split("?")[0]
        # /admin/r/ leaves the admin for the object's own page on the site.
        if not path.startswith(("/admin/r/", "/admin/logout/")):
            found.add(path)
    return found


def test_no_admin_page_shows_the_evidence(
    root_client: Client, evidence: Response, programme: Programme
) -> None:
    """Every page the admin links to, from its index down, and a search of every list."""
    seen: dict[str, str] = {}
    todo = {"/admin/"}
    while todo and len(seen) < 500:
        url = todo.pop()
        response = root_client.get(url)
        seen[url] = response.content.decode() if response.status_code == 200 else ""
        todo |= admin_links(seen[url]) - set(seen)
        if url.count("/") == 4 and seen[url]:  # a list: search it for each secret
            for secret in set(SECRETS.values()):
                found = root_client.get(url, {"q": secret}).content.decode()
                # The search box and its links say what was searched for; the rest must not.
                for echo in (f'value="{secret}"', f"q={secret}", f"q%3D{secret}"):
                    found = found.replace(echo, "")
                seen[f"{url}?q={secret}"] = found
    assert f"/admin/evaluation/programme/{programme.pk}/change/" in seen
    assert f"/admin/evaluation/evaluationform/{evidence.form_id}/change/" in seen
    for url, page in seen.items():
        for kind, secret in SECRETS.items():
            assert secret not in page, f"{url} shows the {kind}"


def test_deleting_what_holds_evidence_is_not_offered(
    root_client: Client, evidence: Response, programme: Programme
) -> None:
    # The confirmation page would list every coding and interview that went with it.
    for url in (
        f"/admin/evaluation/programme/{programme.pk}/delete/",
        f"/admin/evaluation/evaluationform/{evidence.form_id}/delete/",
        f"/admin/accounts/organisation/{programme.organisation_id}/delete/",
    ):
        assert root_client.get(url).status_code == 403, url


def question_row(index: int, question: Question | None, **values: str) -> dict[str, str]:
    prefix = f"questions-{index}-"
    row = {
        "id": str(question.pk) if question else "",
        "form": str(question.form_id) if question else "",
        "position": str(question.position) if question else "9",
        "kind": question.kind if question else Question.Kind.WRITE_IN,
        "text": question.text if question else "Anything else?",
        "code": question.code if question else "else",
        "labels": "[]",
        **values,
    }
    return {prefix + name: value for name, value in row.items()}


def test_questions_are_neither_added_nor_removed_around_the_services(
    root_client: Client, evidence: Response, training_day: Activity
) -> None:
    form = evidence.form
    questions = list(form.questions.order_by("position"))
    data = {
        "programme": str(form.programme_id),
        "title": "After the course (2026)",
        "introduction": "",
        "activities": [str(training_day.pk)],
        "accepting": "on",
        "closes_at_0": "",
        "closes_at_1": "",
        "created_at_0": "2026-01-01",
        "created_at_1": "09:00:00",
        "questions-TOTAL_FORMS": str(len(questions) + 1),
        "questions-INITIAL_FORMS": str(len(questions)),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for index, question in enumerate(questions):
        data |= question_row(index, question)
    # Remove the answered question (question_remove refuses) and add one at the end.
    answered = form.questions.get(code="differently")
    data |= question_row(questions.index(answered), answered, DELETE="on")
    data |= question_row(len(questions), None)

    response = root_client.post(f"/admin/evaluation/evaluationform/{form.pk}/change/", data)
    assert response.status_code == 302
    assert list(form.questions.order_by("position")) == questions
    assert answered.answers.count() == 1
    form.refresh_from_db()
    # The form's own details went through form_update.
    assert form.title == "After the course (2026)"
    assert list(form.activities.all()) == [training_day]


def test_a_programme_change_the_service_refuses_is_shown_not_stored(
    root_client: Client, programme: Programme
) -> None:
    response = root_client.post(
        f"/admin/evaluation/programme/{programme.pk}/change/",
        {
            "title": "Engaging Communities 2026",
            "organisation": str(programme.organisation_id),
            "summary": "",
            "starts_on": "2026-12-31",
            "ends_on": "2026-01-01",
            "created_at_0": "2026-01-01",
            "created_at_1": "09:00:00",
            "objectives-TOTAL_FORMS": "0",
            "objectives-INITIAL_FORMS": "0",
            "activities-TOTAL_FORMS": "0",
            "activities-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    programme.refresh_from_db()
    assert programme.starts_on == date(2026, 1, 1)
