"""Evaluation's pages through the front door, as Ada (admin), Ben (member) and Olu (outsider)."""

from __future__ import annotations

import io
import re
import time
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from commonground.evaluation import services
from commonground.evaluation.models import Activity, EvaluationForm, Programme, Question, Response

pytestmark = pytest.mark.django_db


def test_only_evaluators_and_admins_see_a_programme(
    programme: Programme, ada_client: Client, ben_client: Client, olu_client: Client
) -> None:
    url = programme.get_absolute_url()
    assert ada_client.get(url).status_code == 200
    refused = ben_client.get(url)
    assert refused.status_code == 403
    assert "Only evaluators and admins of Riverside Libraries" in refused.content.decode()
    assert olu_client.get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to sign in
    assert programme.title not in olu_client.get(reverse("evaluation:programmes")).content.decode()
    assert "evaluator role" in ben_client.get(reverse("evaluation:programmes")).content.decode()


def test_an_evaluator_builds_a_programme_through_the_pages(ada_client: Client) -> None:
    response = ada_client.post(
        reverse("evaluation:programme_create"),
        {"organisation": "", "title": "", "summary": ""},
    )
    assert response.status_code == 200 and "Error:" in response.content.decode()
    from commonground.accounts.models import Organisation

    riverside = Organisation.objects.get(slug="riverside")
    response = ada_client.post(
        reverse("evaluation:programme_create"),
        {"organisation": riverside.pk, "title": "Listening Libraries", "summary": "A pilot."},
    )
    programme = Programme.objects.get(title="Listening Libraries")
    assert response.status_code == 303 and response["Location"] == programme.get_absolute_url()
    ada_client.post(
        reverse("evaluation:objective_add", args=[programme.pk]),
        {"text": "Residents shape the library's plans."},
    )
    response = ada_client.post(
        reverse("evaluation:activity_add", args=[programme.pk]),
        {
            "title": "Community workshops",
            "kind": "workshop_series",
            "sessions": 3,
            "participants": 25,
            "hours_per_participant": "7.5",
            "cost": "1500",
        },
    )
    assert response.status_code == 303
    page = ada_client.get(programme.get_absolute_url()).content.decode()
    assert "Residents shape the library&#x27;s plans." in page
    # 1500 / 25 = 60.00 per participant; 1500 / (25 x 7.5) = 8.00 per participant-hour.
    assert "£60.00" in page and "£8.00" in page
    activity = Activity.objects.get(title="Community workshops")
    response = ada_client.post(
        reverse("evaluation:form_add", args=[programme.pk]),
        {"title": "Workshop feedback", "introduction": "", "activities": [activity.pk]},
    )
    form = EvaluationForm.objects.get(title="Workshop feedback")
    assert response["Location"] == form.get_absolute_url()
    ada_client.post(
        form.get_absolute_url(),
        {"text": "Did you feel listened to?", "kind": "likert", "labels": "No\nA little\nYes"},
    )
    ada_client.post(
        form.get_absolute_url(), {"text": "Anything else?", "kind": "write_in", "labels": ""}
    )
    refused = ada_client.post(
        form.get_absolute_url(), {"text": "Rate it", "kind": "likert", "labels": "Only one"}
    )
    assert "between 2 and 11 labelled points" in refused.content.decode()
    questions = list(form.questions.all())
    assert [(q.code, q.labels) for q in questions] == [
        ("listened", ["No", "A little", "Yes"]),
        ("anything-else", []),
    ]


def _token(client: Client, form: EvaluationForm) -> str:
    """The signed token the public form's page carries, as a browser would send it back."""
    page = client.get(form.public_path()).content.decode()
    found = re.search(r'name="submission" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _answer(client: Client, form: EvaluationForm, data: dict[str, Any]) -> Any:
    """Fill in the public form as a respondent: open its page, then send it."""
    return client.post(form.public_path(), {"submission": _token(client, form), **data})


def test_the_public_link_needs_no_sign_in_and_counts_a_double_submit_once(
    evaluation_form: EvaluationForm, training_day: Activity
) -> None:
    client = Client()
    page = client.get(evaluation_form.public_path())
    assert page.status_code == 200
    assert "How useful was the day?" in page.content.decode()
    useful, confident, differently = evaluation_form.questions.all()
    data = {
        "submission": _token(client, evaluation_form),
        "activity": training_day.pk,
        f"q{useful.pk}": "4",
        f"q{confident.pk}": "3",
        f"q{differently.pk}": "Talk to the tenants' forum first.",
        "organisation_name": "Eastbrook Council",
    }
    first = client.post(evaluation_form.public_path(), data)
    assert first.status_code == 303
    assert first["Location"].endswith("/thanks/")
    again = client.post(evaluation_form.public_path(), data)
    assert again.status_code == 303
    assert evaluation_form.responses.count() == 1
    stored = evaluation_form.responses.get()
    assert stored.activity == training_day and stored.channel == Response.Channel.WEB
    assert {a.question.code: (a.value, a.text) for a in stored.answers.all()} == {
        "useful": (4, ""),
        "confident": (3, ""),
        "differently": (None, "Talk to the tenants' forum first."),
    }


def test_a_point_off_the_scale_is_refused_in_plain_words(
    evaluation_form: EvaluationForm,
) -> None:
    useful = evaluation_form.questions.get(code="useful")
    response = _answer(Client(), evaluation_form, {f"q{useful.pk}": "5"})
    assert response.status_code == 422
    assert "&#x27;5&#x27; is not on the 1-4 scale." in response.content.decode()
    assert not evaluation_form.responses.exists()


@pytest.mark.parametrize("point", ["\u00b2", "\u0663", "9" * 5000])
def test_a_point_in_odd_digits_is_refused_not_a_server_error(
    evaluation_form: EvaluationForm, point: str
) -> None:
    useful = evaluation_form.questions.get(code="useful")
    response = _answer(Client(), evaluation_form, {f"q{useful.pk}": point})
    assert response.status_code == 422
    assert "is not on the 1-4 scale." in response.content.decode()
    assert not evaluation_form.responses.exists()


def test_a_closed_form_takes_no_answers(evaluation_form: EvaluationForm) -> None:
    evaluation_form.accepting = False
    evaluation_form.save()
    useful = evaluation_form.questions.get(code="useful")
    response = Client().post(evaluation_form.public_path(), {f"q{useful.pk}": "3"})
    assert "This form has closed" in response.content.decode()
    assert not evaluation_form.responses.exists()


def test_an_unknown_link_says_so(db: None) -> None:
    response = Client().get("/respond/not-a-real-key/")
    assert response.status_code == 404


def test_paper_forms_are_typed_in_one_after_another(
    evaluation_form: EvaluationForm, ada_client: Client, ben_client: Client
) -> None:
    url = reverse("evaluation:enter", args=[evaluation_form.pk])
    useful, confident, _ = evaluation_form.questions.all()
    for points in [("4", "3"), ("2", "")]:
        response = ada_client.post(url, {f"q{useful.pk}": points[0], f"q{confident.pk}": points[1]})
        assert response.status_code == 303 and response["Location"] == url
    assert evaluation_form.responses.filter(channel=Response.Channel.PAPER).count() == 2
    assert ben_client.post(url, {f"q{useful.pk}": "1"}).status_code == 403
    assert evaluation_form.responses.count() == 2


def _fill(form: EvaluationForm, activity: Activity, rows: list[tuple[int, int]]) -> None:
    useful, confident, _ = form.questions.all()
    for a, b in rows:
        services.response_submit(
            form=form,
            answers={useful.pk: a, confident.pk: b},
            channel=Response.Channel.PAPER,
            activity=activity,
        )


def test_results_show_the_figures_with_a_fixed_number_of_queries(
    evaluation_form: EvaluationForm,
    training_day: Activity,
    learning_set: Activity,
    ada_client: Client,
    django_assert_max_num_queries: Any,
) -> None:
    _fill(evaluation_form, training_day, [(4, 3), (3, 3), (4, 1), (2, 1), (3, 4)])
    url = reverse("evaluation:results", args=[evaluation_form.pk])
    with django_assert_max_num_queries(20) as few:
        page = ada_client.get(url).content.decode()
    _fill(evaluation_form, learning_set, [(4, 4)] * 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        ada_client.get(url)
    page = ada_client.get(url).content.decode()
    # 35 forms from 60 + 48 participants.
    assert "35 forms returned from 108 participants: a response rate of 32%" in page
    assert "Fewer than 5 answers" not in page
    assert "2 respondents used the lowest point" in page
    assert "<svg" in page and 'role="img"' in page


def test_exports_neutralise_spreadsheet_formulas(
    evaluation_form: EvaluationForm, training_day: Activity, ada_client: Client
) -> None:
    useful, _, differently = evaluation_form.questions.all()
    services.response_submit(
        form=evaluation_form,
        answers={useful.pk: 4, differently.pk: '=HYPERLINK("http://evil.example","x")'},
        organisation_name="@SUM(A1)",
    )
    body = ada_client.get(reverse("evaluation:responses_table", args=[evaluation_form.pk, "csv"]))
    text = body.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    stats = ada_client.get(reverse("evaluation:statistics_table", args=[evaluation_form.pk, "csv"]))
    assert stats.content.decode("utf-8-sig").splitlines()[1].startswith("How useful was the day?")
    # The same tables as Excel workbooks: formulas stay text there too.
    from openpyxl import load_workbook

    workbook = ada_client.get(
        reverse("evaluation:responses_table", args=[evaluation_form.pk, "xlsx"])
    )
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    cells = {c.value: c.data_type for row in sheet.iter_rows() for c in row}
    assert cells['=HYPERLINK("http://evil.example","x")'] == "s"
    assert cells["@SUM(A1)"] == "s"
    figures = ada_client.get(
        reverse("evaluation:statistics_table", args=[evaluation_form.pk, "xlsx"])
    )
    stats_sheet = load_workbook(io.BytesIO(figures.content)).active
    assert stats_sheet is not None
    assert stats_sheet["C2"].value == 1  # valid N of the first item
    bad = ada_client.get(reverse("evaluation:responses_table", args=[evaluation_form.pk, "ods"]))
    assert bad.status_code == 404


def test_a_question_with_answers_cannot_be_removed(
    evaluation_form: EvaluationForm, training_day: Activity, ada_client: Client
) -> None:
    _fill(evaluation_form, training_day, [(4, 4)])
    useful = evaluation_form.questions.get(code="useful")
    ada_client.post(reverse("evaluation:question_remove", args=[useful.pk]))
    assert Question.objects.filter(pk=useful.pk).exists()


def _tallies(form: EvaluationForm) -> tuple[list[tuple[int, int, int, int]], list[int]]:
    from commonground.evaluation.models import Tally

    rows = sorted(
        Tally.objects.filter(question__form=form, count__gt=0).values_list(
            "question_id", "activity_key", "value", "count"
        )
    )
    return rows, sorted(form.responses.values_list("lowest_points", flat=True))


def test_tallies_kept_by_every_write_equal_a_recount(
    evaluation_form: EvaluationForm, training_day: Activity, learning_set: Activity, ada: Any
) -> None:
    _fill(evaluation_form, training_day, [(4, 3), (1, 1), (2, 1)])
    _fill(evaluation_form, learning_set, [(1, 4), (3, 3)])
    services.response_submit(
        form=evaluation_form, answers={evaluation_form.questions.first().pk: 1}
    )  # type: ignore[union-attr]
    batch = services.import_upload(
        form=evaluation_form,
        by=ada,
        file_name="more.csv",
        data=b"useful,confident,activity\n1,1,Learning set A\n4,2,\n",
    )
    services.import_check(batch=batch, mapping=batch.mapping)
    services.import_accept(batch=batch, only_valid=False, by=ada)
    services.response_delete(response=evaluation_form.responses.order_by("pk")[1])
    services.activity_remove(activity=training_day)
    kept = _tallies(evaluation_form)
    services.form_recount(form=evaluation_form)
    assert _tallies(evaluation_form) == kept
    figures = [item.figures.counts for item in selectors_results(evaluation_form)]
    # After the delete: useful 4 2 1 3 1 1 4; confident 3 1 4 3 1 2 (one left it blank).
    assert figures == [(3, 1, 1, 2), (2, 1, 2, 1)]


def selectors_results(form: EvaluationForm) -> list[Any]:
    from commonground.evaluation import selectors

    return selectors.form_results(form).items


def test_your_data_holds_your_evaluation_work_and_erasure_keeps_the_evidence(
    evaluation_form: EvaluationForm, training_day: Activity, ada: Any, ada_client: Client, ben: Any
) -> None:
    import zipfile

    from commonground.accounts import services as accounts

    useful = evaluation_form.questions.get(code="useful")
    services.response_submit(
        form=evaluation_form, answers={useful.pk: 3}, channel=Response.Channel.PAPER, by=ada
    )
    download = ada_client.post(reverse("accounts:your_data_download"))
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    typed = archive.read("evaluation/forms_typed_in.csv").decode("utf-8-sig")
    assert "After the course" in typed
    assert "Engaging Communities 2026" in archive.read("evaluation/programmes_set_up.csv").decode(
        "utf-8-sig"
    )
    # Ben stays on as an admin, so the organisation and its evaluation stay too.
    ben.memberships.update(roles={"admin"})
    accounts.account_delete(user=ada)
    assert evaluation_form.responses.get().entered_by is None
    assert Programme.objects.get().created_by is None


def test_a_signed_in_respondent_is_not_recorded(
    evaluation_form: EvaluationForm, ben_client: Client
) -> None:
    useful = evaluation_form.questions.get(code="useful")
    response = _answer(ben_client, evaluation_form, {f"q{useful.pk}": "2"})
    assert response.status_code == 303
    assert evaluation_form.responses.get().entered_by is None


@pytest.mark.parametrize(
    "token",
    ["", "k" * 5000, "my-own-key", "1.made-up:aaaaaa:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"],
)
def test_a_made_up_key_stores_nothing_and_keeps_the_answers(
    evaluation_form: EvaluationForm, token: str
) -> None:
    useful = evaluation_form.questions.get(code="useful")
    differently = evaluation_form.questions.get(code="differently")
    data = {"submission": token, f"q{useful.pk}": "2", f"q{differently.pk}": "Kept words"}
    response = Client().post(evaluation_form.public_path(), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "could not check that this page came from this form" in page
    assert "Kept words" in page and 'value="2" checked' in page
    assert not evaluation_form.responses.exists()
    # The page it gives back carries a good token: sending it again works.
    fresh = re.search(r'name="submission" value="([^"]+)"', page)
    assert fresh is not None and fresh.group(1) != token
    again = Client().post(evaluation_form.public_path(), {**data, "submission": fresh.group(1)})
    assert again.status_code == 303
    assert evaluation_form.responses.count() == 1


def test_a_key_for_one_form_does_not_work_on_another(
    evaluation_form: EvaluationForm, programme: Programme
) -> None:
    other = services.form_create(programme=programme, title="Another form")
    services.question_add(form=other, text="Was it good?")
    useful = evaluation_form.questions.get(code="useful")
    foreign = _token(Client(), other)
    response = Client().post(
        evaluation_form.public_path(), {"submission": foreign, f"q{useful.pk}": "2"}
    )
    assert response.status_code == 422
    assert not evaluation_form.responses.exists()


def test_a_page_left_open_too_long_is_sent_again_with_its_answers(
    evaluation_form: EvaluationForm,
) -> None:
    from django.core import signing

    from commonground.evaluation.services.responses import _SUBMISSION_SALT

    class Ago(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - 8 * 86400)

    old = Ago(salt=_SUBMISSION_SALT).sign(f"{evaluation_form.pk}.abcdefgh")
    useful = evaluation_form.questions.get(code="useful")
    response = Client().post(
        evaluation_form.public_path(), {"submission": old, f"q{useful.pk}": "4"}
    )
    assert response.status_code == 422
    assert "opened too long ago" in response.content.decode()
    assert not evaluation_form.responses.exists()


@override_settings(EVALUATION_RESPOND_RATE="3/m")
def test_one_connection_can_send_a_form_only_so_often(
    evaluation_form: EvaluationForm, caplog: pytest.LogCaptureFixture
) -> None:
    useful = evaluation_form.questions.get(code="useful")
    client = Client()
    codes = [_answer(client, evaluation_form, {f"q{useful.pk}": "3"}).status_code for _ in range(4)]
    assert codes == [303, 303, 303, 429]
    assert evaluation_form.responses.count() == 3
    refused = _answer(client, evaluation_form, {f"q{useful.pk}": "1"})
    assert "from your connection" in refused.content.decode()
    assert 'value="1" checked' in refused.content.decode()
    assert "Too many requests: POST /respond/" in caplog.text
    # Another connection is not held up.
    elsewhere = Client(REMOTE_ADDR="192.0.2.9")
    assert _answer(elsewhere, evaluation_form, {f"q{useful.pk}": "3"}).status_code == 303


@override_settings(EVALUATION_RESPOND_RATE="2/m")
def test_an_ipv6_network_counts_as_one_connection(evaluation_form: EvaluationForm) -> None:
    # One household or office holds a whole /64 and could pick a new address each time.
    useful = evaluation_form.questions.get(code="useful")
    codes = [
        _answer(
            Client(REMOTE_ADDR=f"2001:db8:1:2::{n}"), evaluation_form, {f"q{useful.pk}": "3"}
        ).status_code
        for n in (1, 2, 3)
    ]
    assert codes == [303, 303, 429]
    other = Client(REMOTE_ADDR="2001:db8:1:3::1")
    assert _answer(other, evaluation_form, {f"q{useful.pk}": "3"}).status_code == 303
