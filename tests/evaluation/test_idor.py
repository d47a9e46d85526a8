"""Ids that arrive in a body, a query string or a form field, not in the URL path.

The persona matrix in ``tests/test_access.py`` tries each route with the objects
in its path. Here Olu, an evaluator of his own organisation's programme, sends
the ids of Riverside's objects where his own are expected: every one must be
refused (or ignored), and nothing of Riverside's may be linked, changed or shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonground.accounts import services as accounts
from commonground.accounts.models import Organisation, User
from commonground.evaluation import refiqda, services
from commonground.evaluation.models import (
    Activity,
    Code,
    Coding,
    EvaluationForm,
    Interview,
    InterviewGuide,
    Judgement,
    Measure,
    Objective,
    Observation,
    Programme,
    Question,
    Response,
)
from commonground.evaluation.services.coding import text_guid
from commonground.evaluation.texts import ANSWER, TextRef

pytestmark = pytest.mark.django_db

SECRET = "Only Riverside's evaluators may read this sentence."


@dataclass
class Side:
    """One organisation's programme with one of each thing an id can name."""

    programme: Programme
    objective: Objective
    activity: Activity
    form: EvaluationForm
    likert: Question
    written: Question
    answer_id: int
    code: Code
    coding: Coding
    measure: Measure
    guide: InterviewGuide


def _side(organisation: Organisation, by: User, words: str) -> Side:
    programme = services.programme_create(organisation=organisation, by=by, title="P")
    objective = services.objective_add(programme=programme, text="An objective")
    activity = services.activity_save(
        programme=programme, title="A day", kind=Activity.Kind.TRAINING_DAY, participants=5
    )
    other = services.activity_save(
        programme=programme, title="A set", kind=Activity.Kind.LEARNING_SET, participants=5
    )
    form = services.form_create(programme=programme, title="F", activities=[activity, other])
    likert = services.question_add(form=form, text="Useful?", code="useful")
    written = services.question_add(form=form, text="Why?", kind=Question.Kind.WRITE_IN, code="why")
    submitted = services.response_submit(
        form=form, answers={likert.pk: 4, written.pk: words}, organisation_name="Eastbrook"
    )
    answer_id = submitted.response.answers.get(question=written).pk
    code = services.code_add(programme=programme, name="Confidence")
    coding = services.coding_add(ref=TextRef(ANSWER, answer_id), code=code, quote=words)
    measure = services.measure_add(
        programme=programme, kind=Measure.Kind.BETTER_OFF, name="Plans", unit="plans"
    )
    guide = services.guide_create(programme=programme, title="Guide")
    services.guide_question_add(guide=guide, theme="Confidence", text="How do you feel?")
    return Side(
        programme,
        objective,
        activity,
        form,
        likert,
        written,
        answer_id,
        code,
        coding,
        measure,
        guide,
    )


@pytest.fixture
def theirs(riverside: Organisation, ada: User) -> Side:
    return _side(riverside, ada, SECRET)


@pytest.fixture
def mine(elsewhere: Organisation, olu: User) -> Side:
    return _side(elsewhere, olu, "Olu's own words, free to code.")


def _api(olu: User) -> tuple[Client, dict[str, str]]:
    _token, raw = accounts.api_token_create(user=olu, name="probe")
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _send(olu: User, method: str, path: str, body: Any = None) -> Any:
    client, auth = _api(olu)
    return getattr(client, method)(
        f"/api/v1/evaluation{path}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        **auth,
    )


# -- the API -----------------------------------------------------------------------------


def test_api_coding_takes_no_code_text_or_objective_of_another_programme(
    mine: Side, theirs: Side, olu: User
) -> None:
    path = f"/programmes/{mine.programme.pk}/codings"
    good = {"kind": "answer", "text_id": mine.answer_id, "code": mine.code.pk, "quote": "Olu's"}
    assert _send(olu, "post", path, {**good, "code": theirs.code.pk}).status_code == 422
    assert _send(olu, "post", path, {**good, "text_id": theirs.answer_id}).status_code == 404
    made = _send(olu, "post", path, {**good, "objectives": [theirs.objective.pk]})
    assert made.status_code == 201 and made.json()["objectives"] == []
    assert list(theirs.objective.codings.all()) == []
    assert Coding.objects.filter(code__programme=theirs.programme).count() == 1


def test_api_judgement_links_no_evidence_of_another_programme(
    mine: Side, theirs: Side, olu: User
) -> None:
    path = f"/objectives/{mine.objective.pk}/judgement"
    for field, foreign in [
        ("items", theirs.likert.pk),
        ("quotes", theirs.coding.pk),
        ("measures", theirs.measure.pk),
    ]:
        sent = _send(olu, "put", path, {"rating": "not_met", field: [foreign]})
        assert sent.status_code == 422, field
    assert not Judgement.objects.exists()
    # Nor an objective of theirs in the path.
    sent = _send(olu, "put", f"/objectives/{theirs.objective.pk}/judgement", {"rating": "not_met"})
    assert sent.status_code == 404


def test_api_response_and_form_take_no_activity_or_question_of_another_programme(
    mine: Side, theirs: Side, olu: User
) -> None:
    path = f"/forms/{mine.form.pk}/responses"
    answers = {"useful": 3}
    sent = _send(olu, "post", path, {"answers": answers, "activity": theirs.activity.pk})
    assert sent.status_code == 422
    sent = _send(olu, "post", path, {"answers": {str(theirs.likert.pk): 3}})
    assert sent.status_code == 422
    assert not Response.objects.filter(activity=theirs.activity).exists()
    assert theirs.form.responses.count() == 1
    made = _send(
        olu,
        "post",
        f"/programmes/{mine.programme.pk}/forms",
        {"title": "Mixed", "activities": [theirs.activity.pk]},
    )
    assert made.status_code == 422
    assert not theirs.activity.forms.exclude(pk=theirs.form.pk).exists()


def test_api_code_parent_and_quote_filters_stay_in_the_programme(
    mine: Side, theirs: Side, olu: User
) -> None:
    sent = _send(
        olu,
        "post",
        f"/programmes/{mine.programme.pk}/codes",
        {"name": "Under theirs", "parent": theirs.code.pk},
    )
    assert sent.status_code == 422
    assert not theirs.code.children.exists()
    for query in (f"code={theirs.code.pk}", f"objective={theirs.objective.pk}", ""):
        shown = _send(olu, "get", f"/programmes/{mine.programme.pk}/quotes?{query}")
        assert shown.status_code == 200
        assert SECRET not in shown.content.decode()


# -- the pages ---------------------------------------------------------------------------


def test_coding_page_takes_no_code_or_objective_of_another_programme(
    mine: Side, theirs: Side, olu_client: Client
) -> None:
    url = reverse("evaluation:text", args=[mine.programme.pk, ANSWER, mine.answer_id])
    sent = olu_client.post(url, {"code": theirs.code.pk, "quote": "Olu's"})
    assert sent.status_code == 422
    sent = olu_client.post(
        url, {"code": mine.code.pk, "quote": "Olu's", "objectives": [theirs.objective.pk]}
    )
    assert sent.status_code == 422
    assert not Coding.objects.filter(answer_id=mine.answer_id).exclude(quote__contains="free")
    assert list(theirs.objective.codings.all()) == []
    # Their text under his programme's id is not there to code.
    url = reverse("evaluation:text", args=[mine.programme.pk, ANSWER, theirs.answer_id])
    assert olu_client.get(url).status_code == 404


def test_judgement_page_links_no_evidence_of_another_programme(
    mine: Side, theirs: Side, olu_client: Client
) -> None:
    url = reverse("evaluation:judgement", args=[mine.objective.pk])
    for field, foreign in [
        ("items", theirs.likert.pk),
        ("quotes", theirs.coding.pk),
        ("measures", theirs.measure.pk),
    ]:
        sent = olu_client.post(url, {"rating": "not_met", field: [foreign]})
        assert sent.status_code == 200, field  # the form again, with the choice refused
        assert SECRET not in sent.content.decode()
    assert not Judgement.objects.exists()
    own = {"rating": "not_met", "items": [mine.likert.pk], "quotes": [mine.coding.pk]}
    assert olu_client.post(url, own).status_code == 303  # his own evidence is taken


def test_activity_fields_take_only_the_programmes_own(
    mine: Side, theirs: Side, olu_client: Client
) -> None:
    sent = olu_client.post(
        reverse("evaluation:interview_add", args=[mine.guide.pk]),
        {
            "organisation_name": "Eastbrook",
            "held_on": "2026-03-01",
            "mode": Interview.Mode.TELEPHONE,
            "activity": theirs.activity.pk,
        },
    )
    assert sent.status_code == 200 and not Interview.objects.exists()
    sent = olu_client.post(
        reverse("evaluation:interview_add", args=[mine.guide.pk]),
        {
            "organisation_name": "Eastbrook",
            "held_on": "2026-03-01",
            "mode": Interview.Mode.TELEPHONE,
            "activity": mine.activity.pk,
        },
    )
    assert sent.status_code == 303  # his own activity is taken
    sent = olu_client.post(
        reverse("evaluation:observation_add", args=[mine.programme.pk]),
        {
            "title": "Watched",
            "observed_on": "2026-03-01",
            "notes": "Notes",
            "activity": theirs.activity.pk,
        },
    )
    assert sent.status_code == 200 and not Observation.objects.exists()
    sent = olu_client.post(
        reverse("evaluation:form_add", args=[mine.programme.pk]),
        {"title": "Mixed", "activities": [theirs.activity.pk]},
    )
    assert sent.status_code == 200
    sent = olu_client.post(
        reverse("evaluation:form_edit", args=[mine.form.pk]),
        {"title": "F", "accepting": "on", "activities": [theirs.activity.pk]},
    )
    assert sent.status_code == 200
    assert list(theirs.activity.forms.all()) == [theirs.form]
    sent = olu_client.post(
        reverse("evaluation:enter", args=[mine.form.pk]),
        {f"q{mine.likert.pk}": "3", "activity": str(theirs.activity.pk)},
    )
    assert sent.status_code == 422
    assert not Response.objects.filter(activity=theirs.activity).exists()
    sent = olu_client.post(
        reverse("evaluation:enter", args=[mine.form.pk]),
        {f"q{mine.likert.pk}": "3", "activity": str(mine.activity.pk)},
    )
    assert sent.status_code == 303  # his own activity is taken


def test_codebook_takes_no_parent_of_another_programme(
    mine: Side, theirs: Side, olu_client: Client
) -> None:
    sent = olu_client.post(
        reverse("evaluation:codebook", args=[mine.programme.pk]),
        {"name": "Under theirs", "parent": theirs.code.pk},
    )
    assert sent.status_code == 200
    own = {"name": "Under his", "parent": mine.code.pk}
    assert (
        olu_client.post(reverse("evaluation:codebook", args=[mine.programme.pk]), own).status_code
        == 303
    )
    sent = olu_client.post(
        reverse("evaluation:code_edit", args=[mine.code.pk]),
        {"name": "Moved", "parent": theirs.code.pk},
    )
    assert sent.status_code == 200
    assert not theirs.code.children.exists()
    mine.code.refresh_from_db()
    assert mine.code.parent_id is None


def test_quote_bank_filters_show_nothing_of_another_programme(
    mine: Side, theirs: Side, olu_client: Client
) -> None:
    url = reverse("evaluation:quotes", args=[mine.programme.pk])
    for query in (f"code={theirs.code.pk}", f"objective={theirs.objective.pk}"):
        shown = olu_client.get(f"{url}?{query}")
        assert shown.status_code == 200 and SECRET not in shown.content.decode()


def test_a_qdpx_naming_another_programmes_text_codes_nothing_there(
    mine: Side, theirs: Side, olu_client: Client
) -> None:
    stolen = refiqda.ProjectData(
        name="Crafted",
        codes=[refiqda.CodeData(str(theirs.code.guid), "Confidence", "")],
        sources=[
            refiqda.SourceData(
                guid=text_guid(TextRef(ANSWER, theirs.answer_id)),
                name="Theirs",
                text=SECRET,
                selections=[
                    refiqda.SelectionData(
                        guid=str(theirs.coding.guid),
                        start=0,
                        end=len("Only"),
                        code_guid=str(theirs.code.guid),
                        memo="",
                    )
                ],
            )
        ],
    )
    data = refiqda.project_zip(stolen, origin="Probe", made=timezone.now())
    sent = olu_client.post(
        reverse("evaluation:project_import", args=[mine.programme.pk]),
        {"file": SimpleUploadedFile("p.qdpx", data)},
    )
    assert sent.status_code == 303
    assert Coding.objects.filter(code__programme=theirs.programme).count() == 1
    assert not Coding.objects.filter(answer_id=theirs.answer_id).exclude(pk=theirs.coding.pk)
    assert Code.objects.filter(programme=theirs.programme).count() == 1
