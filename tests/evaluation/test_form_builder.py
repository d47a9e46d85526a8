"""Building a form without traps (issue 14): a link that opens only with questions, questions
edited and reordered, short column headings, one-choice lists chosen already, and a calm
page for respondents."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from commonground.evaluation import services
from commonground.evaluation.models import Activity, EvaluationForm, Programme, Question, Response
from commonground.evaluation.services.responses import short_code

pytestmark = pytest.mark.django_db


# -- the public link opens with the first question ------------------------------------


def test_a_form_without_questions_is_not_open_yet(programme: Programme, ada_client: Client) -> None:
    form = services.form_create(programme=programme, title="Day one feedback")
    page = Client().get(form.public_path())
    assert page.status_code == 200
    text = page.content.decode()
    assert "not open yet" in text
    assert "Send my answers" not in text and "Your organisation" not in text
    sent = Client().post(form.public_path(), {"organisation_name": "Eastbrook"})
    assert sent.status_code == 200 and not Response.objects.filter(form=form).exists()
    builder = ada_client.get(form.get_absolute_url()).content.decode()
    assert "The link is not live yet" in builder

    services.question_add(form=form, text="How welcome did you feel?")
    assert "Send my answers" in Client().get(form.public_path()).content.decode()
    assert "not live yet" not in ada_client.get(form.get_absolute_url()).content.decode()


# -- short headings -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("How confident do you feel helping someone spot a scam email?", "confident-spot-scam"),
        ("How useful was the day?", "useful-day"),
        ("Anything else?", "anything-else"),
        ("How was it?", "how-was-it"),  # nothing but little words: keep them
        ("Ünïcode accents café?", "unicode-accents-cafe"),
        ("x" * 80, "x" * 40),  # one long word is the only thing cut
    ],
)
def test_a_heading_is_a_few_whole_significant_words(text: str, code: str) -> None:
    assert short_code(text) == code


def test_headings_stay_unique_within_a_form(programme: Programme) -> None:
    form = services.form_create(programme=programme, title="Scams")
    text = "How confident do you feel helping someone spot a scam email?"
    codes = [services.question_add(form=form, text=text).code for _ in range(3)]
    assert codes == ["confident-spot-scam", "confident-spot-scam-email", "confident-spot-scam-2"]
    other = services.form_create(programme=programme, title="Other")
    assert services.question_add(form=other, text=text).code == "confident-spot-scam"


# -- editing a question -----------------------------------------------------------------


def _answer(form: EvaluationForm, activity: Activity) -> None:
    useful, confident, differently = form.questions.all()
    services.response_submit(
        form=form,
        answers={useful.pk: 4, confident.pk: 1, differently.pk: "Listen more."},
        channel=Response.Channel.PAPER,
        activity=activity,
    )


def test_an_unanswered_question_can_change_anything(evaluation_form: EvaluationForm) -> None:
    useful = evaluation_form.questions.get(code="useful")
    services.question_update(
        question=useful,
        text="  How useful was the training day? ",
        kind=Question.Kind.LIKERT,
        labels=["No use", "Some use", "Useful"],
        code="",
        required=True,
    )
    useful.refresh_from_db()
    assert useful.text == "How useful was the training day?"
    assert useful.labels == ["No use", "Some use", "Useful"]
    assert useful.code == "useful"  # an empty heading keeps the one it had
    assert useful.required
    services.question_update(
        question=useful, text=useful.text, kind=Question.Kind.WRITE_IN, code="day-use"
    )
    useful.refresh_from_db()
    assert (useful.kind, useful.labels, useful.code) == ("write_in", [], "day-use")


def test_an_answered_question_keeps_what_its_answers_mean(
    evaluation_form: EvaluationForm, training_day: Activity
) -> None:
    _answer(evaluation_form, training_day)
    useful = evaluation_form.questions.get(code="useful")
    with pytest.raises(ValidationError, match="its scale keeps 4 points"):
        services.question_update(
            question=useful, text=useful.text, kind="likert", labels=["No", "Some", "Yes"]
        )
    with pytest.raises(ValidationError, match="cannot change between rated and answered"):
        services.question_update(question=useful, text=useful.text, kind="write_in")
    with pytest.raises(ValidationError, match="Another question on this form has the heading"):
        services.question_update(question=useful, text=useful.text, kind="likert", code="confident")
    # Rewording the question and its labels keeps the answers' meaning.
    services.question_update(
        question=useful,
        text="How useful was the training day?",
        kind="likert",
        labels=["Useless", "A little useful", "Useful", "Very useful"],
    )
    useful.refresh_from_db()
    assert useful.labels[0] == "Useless" and useful.answers.get().value == 4


def test_the_edit_page_saves_and_explains_a_refusal(
    evaluation_form: EvaluationForm, training_day: Activity, ada_client: Client
) -> None:
    _answer(evaluation_form, training_day)
    useful = evaluation_form.questions.get(code="useful")
    url = reverse("evaluation:question_edit", args=[useful.pk])
    page = ada_client.get(url).content.decode()
    assert "This question has 1 answer." in page and "How useful was the day?" in page
    refused = ada_client.post(
        url, {"text": "How useful?", "kind": "likert", "labels": "No\nYes", "code": "useful"}
    )
    assert refused.status_code == 200
    assert "its scale keeps 4 points" in refused.content.decode()
    saved = ada_client.post(
        url,
        {
            "text": "How useful was it?",
            "kind": "likert",
            "labels": "Not at all\nSlightly\nVery\nExtremely",
            "code": "useful",
            "required": "on",
        },
    )
    assert saved.status_code == 303
    assert saved["Location"] == f"{evaluation_form.get_absolute_url()}#question-{useful.pk}"
    useful.refresh_from_db()
    assert useful.text == "How useful was it?" and useful.required


def test_an_outsider_cannot_edit_or_move_a_question(
    evaluation_form: EvaluationForm, olu_client: Client, ben_client: Client
) -> None:
    useful = evaluation_form.questions.get(code="useful")
    for client, status in ((olu_client, 404), (ben_client, 403)):
        edit = reverse("evaluation:question_edit", args=[useful.pk])
        assert client.post(edit, {"text": "Hacked", "kind": "likert"}).status_code == status
        move = reverse("evaluation:question_move", args=[useful.pk])
        assert client.post(move, {"direction": "down"}).status_code == status
    useful.refresh_from_db()
    assert useful.text == "How useful was the day?" and useful.position == 1


# -- reordering ---------------------------------------------------------------------------


def _codes(form: EvaluationForm) -> list[str]:
    return list(form.questions.values_list("code", flat=True))


def test_questions_move_up_and_down_by_plain_posts(
    evaluation_form: EvaluationForm, ada_client: Client
) -> None:
    differently = evaluation_form.questions.get(code="differently")
    move = reverse("evaluation:question_move", args=[differently.pk])
    moved = ada_client.post(move, {"direction": "up"})
    assert moved.status_code == 303
    assert moved["Location"].endswith(f"#question-{differently.pk}")
    assert _codes(evaluation_form) == ["useful", "differently", "confident"]
    ada_client.post(move, {"direction": "up"})
    assert _codes(evaluation_form) == ["differently", "useful", "confident"]
    refused = ada_client.post(move, {"direction": "up"}, follow=True)
    assert "already first" in refused.content.decode()
    ada_client.post(move, {"direction": "down"})
    assert _codes(evaluation_form) == ["useful", "differently", "confident"]
    # The public form asks them in the new order.
    page = Client().get(evaluation_form.public_path()).content.decode()
    assert page.index("What will you do differently?") < page.index("How confident")
    assert ada_client.get(move).status_code == 405


def test_moving_numbers_questions_that_shared_a_place(evaluation_form: EvaluationForm) -> None:
    evaluation_form.questions.update(position=0)  # forms from before positions were kept
    last = evaluation_form.questions.get(code="differently")
    with pytest.raises(ValidationError, match="already last"):
        services.question_move(question=last, up=False)
    services.question_move(question=last, up=True)
    assert _codes(evaluation_form) == ["useful", "differently", "confident"]
    assert list(evaluation_form.questions.values_list("position", flat=True)) == [1, 2, 3]


def test_the_builder_offers_edit_and_moves_that_make_sense(
    evaluation_form: EvaluationForm, ada_client: Client
) -> None:
    page = ada_client.get(evaluation_form.get_absolute_url()).content.decode()
    assert page.count(">Edit<") == 3
    assert page.count("Move up<") == 2 and page.count("Move down<") == 2
    assert "data-copy-source" in page and 'readonly value="http' in page


# -- one choice, chosen already ---------------------------------------------------------------


def test_a_new_programme_starts_at_the_only_organisation(ada_client: Client) -> None:
    from commonground.accounts.models import Organisation

    riverside = Organisation.objects.get(slug="riverside")
    page = ada_client.get(reverse("evaluation:programme_create")).content.decode()
    assert "---------" not in page
    assert f'<option value="{riverside.pk}" selected>' in page


def test_a_list_with_several_choices_still_asks(ada_client: Client, ada: object) -> None:
    from commonground.accounts.models import Membership, Organisation, Role

    other = Organisation.objects.create(name="Harbourside", slug="harbourside")
    Membership.objects.create(user=ada, organisation=other, roles=[Role.ADMIN])
    page = ada_client.get(reverse("evaluation:programme_create")).content.decode()
    assert '<option value="" selected>---------</option>' in page


# -- the respondent's page ----------------------------------------------------------------------


def test_the_public_form_has_a_calm_layout(evaluation_form: EvaluationForm) -> None:
    page = Client().get(evaluation_form.public_path()).content.decode()
    assert 'aria-label="Main"' not in page and "Sign in" not in page
    assert "Skip to main content" in page and '<main id="main"' in page
    assert "<header" in page and "<footer" in page


def _token(client: Client, form: EvaluationForm) -> str:
    found = re.search(r'name="submission" value="([^"]+)"', client.get(form.public_path()).text)
    assert found
    return found.group(1)


def test_the_error_summary_names_each_question_in_quotes(programme: Programme) -> None:
    form = services.form_create(programme=programme, title="Scams")
    question = services.question_add(
        form=form, text="How confident do you feel spotting a scam email?", required=True
    )
    services.question_add(form=form, text="Anything else?", kind="write_in")
    client = Client()
    page = client.post(form.public_path(), {"submission": _token(client, form)}).content.decode()
    assert "Answer \u201cHow confident do you feel spotting a scam email?\u201d</a>" in page
    assert "scam email?: Answer" not in page
    sent = {"submission": _token(client, form), f"q{question.pk}": "9"}
    page = client.post(form.public_path(), sent).content.decode()
    assert "\u201cHow confident do you feel spotting a scam email?\u201d: &#x27;9&#x27;" in page
