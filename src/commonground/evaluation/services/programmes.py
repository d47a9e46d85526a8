"""Writes for programmes, objectives, activities, forms and questions."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Manager, Max, QuerySet
from django.utils.text import slugify

from commonground.accounts.models import Organisation, User
from commonground.evaluation.models import (
    COMMON_SCALE,
    Activity,
    EvaluationForm,
    Objective,
    Programme,
    Question,
    Tally,
)
from commonground.evaluation.services.responses import TALLY_ADD, TALLY_COLUMNS

MAX_POINTS = 11
ACTIVITY_FIELDS = (
    "title",
    "kind",
    "description",
    "starts_on",
    "ends_on",
    "sessions",
    "venue",
    "online",
    "participants",
    "hours_per_participant",
    "cost",
)


def next_position(rows: QuerySet[Any] | Manager[Any]) -> int:
    """The place after the last of ``rows`` (objectives, questions, figures): 1 for the first."""
    return (rows.aggregate(last=Max("position"))["last"] or 0) + 1


def _dates_in_order(starts: date | None, ends: date | None) -> None:
    if starts and ends and ends < starts:
        raise ValidationError("The end date is before the start date.")


# -- programmes and objectives ---------------------------------------------------------


def programme_create(
    *,
    organisation: Organisation,
    by: User | None,
    title: str,
    summary: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Programme:
    """A new programme owned by ``organisation``."""
    _dates_in_order(starts_on, ends_on)
    return Programme.objects.create(
        organisation=organisation,
        created_by=by,
        title=title.strip(),
        summary=summary.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )


def programme_update(*, programme: Programme, **changes: Any) -> Programme:
    """Change a programme's title, summary or dates."""
    allowed = {"title", "summary", "starts_on", "ends_on"}
    for name, value in changes.items():
        if name not in allowed:
            raise TypeError(f"programme_update() cannot change {name}")
        setattr(programme, name, value.strip() if isinstance(value, str) else value)
    _dates_in_order(programme.starts_on, programme.ends_on)
    programme.save(update_fields=list(changes))
    return programme


def objective_add(*, programme: Programme, text: str) -> Objective:
    """Add an intended outcome at the end of the programme's list."""
    text = text.strip()
    if not text:
        raise ValidationError("Write the objective: the outcome the programme intends.")
    return Objective.objects.create(
        programme=programme, text=text, position=next_position(programme.objectives)
    )


def objective_remove(*, objective: Objective) -> None:
    objective.delete()


# -- activities ------------------------------------------------------------------------


def activity_save(
    *, programme: Programme, activity: Activity | None = None, **values: Any
) -> Activity:
    """Add an activity to ``programme``, or change ``activity``; ``values`` are its fields."""
    unknown = set(values) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"activity_save() got unknown fields {sorted(unknown)}")
    _dates_in_order(values.get("starts_on"), values.get("ends_on"))
    for name in ("cost", "hours_per_participant"):
        if name in values and values[name] is not None and Decimal(values[name]) < 0:
            raise ValidationError("Costs and hours cannot be negative.")
    if activity is None:
        activity = Activity(programme=programme)
    for name, value in values.items():
        setattr(activity, name, value.strip() if isinstance(value, str) else value)
    activity.save()
    return activity


def activity_remove(*, activity: Activity) -> None:
    """Remove an activity; its forms stay, and responses lose only the link to it (their
    answers then count as from no particular activity)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO evaluation_tally {TALLY_COLUMNS} "  # noqa: S608 - fixed SQL
                "SELECT question_id, 0, value, count FROM evaluation_tally "
                f"WHERE activity_key = %s {TALLY_ADD}",
                [activity.pk],
            )
        Tally.objects.filter(activity_key=activity.pk).delete()
        activity.delete()


# -- forms and questions ---------------------------------------------------------------


def form_create(
    *,
    programme: Programme,
    title: str,
    introduction: str = "",
    activities: Iterable[Activity] = (),
    closes_at: datetime | None = None,
) -> EvaluationForm:
    """A new form with a public link, open for answers, for some of the programme's activities."""
    chosen = list(activities)
    _own_activities(programme, chosen)
    form = EvaluationForm.objects.create(
        programme=programme,
        title=title.strip(),
        introduction=introduction.strip(),
        public_key=secrets.token_urlsafe(18),
        closes_at=closes_at,
    )
    form.activities.set(chosen)
    return form


def form_update(
    *,
    form: EvaluationForm,
    title: str,
    introduction: str,
    activities: Iterable[Activity],
    accepting: bool,
    closes_at: datetime | None,
) -> EvaluationForm:
    chosen = list(activities)
    _own_activities(form.programme, chosen)
    form.title = title.strip()
    form.introduction = introduction.strip()
    form.accepting = accepting
    form.closes_at = closes_at
    form.save(update_fields=["title", "introduction", "accepting", "closes_at"])
    form.activities.set(chosen)
    return form


def form_new_link(*, form: EvaluationForm) -> EvaluationForm:
    """Retire the form's public link and make a new one (for a link that went too far)."""
    form.public_key = secrets.token_urlsafe(18)
    form.save(update_fields=["public_key"])
    return form


def _own_activities(programme: Programme, activities: list[Activity]) -> None:
    if any(a.programme_id != programme.pk for a in activities):
        raise ValidationError("A form can only be for activities of its own programme.")


def question_add(
    *,
    form: EvaluationForm,
    text: str,
    kind: str = Question.Kind.LIKERT,
    labels: list[str] | None = None,
    code: str = "",
    required: bool = False,
) -> Question:
    """Add a question at the end of ``form``. A Likert item gets ``labels`` (lowest point
    first), or the common four-point scale; ``code`` is its spreadsheet column heading."""
    text = text.strip()
    if not text:
        raise ValidationError("Write the question.")
    if kind not in Question.Kind.values:
        raise ValidationError("Choose whether the question is rated or answered in words.")
    if kind == Question.Kind.LIKERT:
        labels = [label.strip() for label in (labels or COMMON_SCALE) if label.strip()]
        if not 2 <= len(labels) <= MAX_POINTS:
            raise ValidationError(
                f"A scale needs between 2 and {MAX_POINTS} labelled points, one per line."
            )
        if len({label.lower() for label in labels}) < len(labels):
            raise ValidationError("Each point of the scale needs its own label.")
    else:
        labels = []
    explicit = bool(code.strip())
    code = slugify(code or text)[:50].strip("-") or "question"
    taken = set(form.questions.values_list("code", flat=True))
    if code in taken:
        if explicit:
            raise ValidationError(f"Another question on this form has the heading {code}.")
        base, number = code, 2
        while f"{base}-{number}" in taken:
            number += 1
        code = f"{base}-{number}"
    return Question.objects.create(
        form=form,
        text=text,
        kind=kind,
        labels=labels,
        code=code,
        required=required,
        position=next_position(form.questions),
    )


def question_remove(*, question: Question) -> None:
    """Remove a question, refusing while it has answers (they would be lost)."""
    if question.answers.exists():
        raise ValidationError(
            "This question has answers, so it cannot be removed. Make a new form instead."
        )
    question.delete()
