"""A programme of Riverside Libraries (Ada's organisation) with two activities and a form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from commonground.accounts.models import Organisation, User
from commonground.evaluation import services
from commonground.evaluation.models import Activity, EvaluationForm, Programme, Question


@pytest.fixture
def programme(riverside: Organisation, ada: User) -> Programme:
    made = services.programme_create(
        organisation=riverside,
        by=ada,
        title="Engaging Communities 2026",
        summary="Training and learning sets for staff new to engagement.",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    services.objective_add(programme=made, text="Staff feel more confident to engage.")
    return made


@pytest.fixture
def training_day(programme: Programme) -> Activity:
    return services.activity_save(
        programme=programme,
        title="Introduction to engagement",
        kind=Activity.Kind.TRAINING_DAY,
        participants=60,
        hours_per_participant=Decimal("6"),
        cost=Decimal("3000"),
    )


@pytest.fixture
def learning_set(programme: Programme) -> Activity:
    return services.activity_save(
        programme=programme,
        title="Learning set A",
        kind=Activity.Kind.LEARNING_SET,
        participants=48,
        hours_per_participant=Decimal("18"),
        sessions=6,
        cost=Decimal("5184"),
    )


@pytest.fixture
def evaluation_form(
    programme: Programme, training_day: Activity, learning_set: Activity
) -> EvaluationForm:
    form = services.form_create(
        programme=programme, title="After the course", activities=[training_day, learning_set]
    )
    services.question_add(form=form, text="How useful was the day?", code="useful")
    services.question_add(form=form, text="How confident do you feel now?", code="confident")
    services.question_add(
        form=form,
        text="What will you do differently?",
        kind=Question.Kind.WRITE_IN,
        code="differently",
    )
    return form
