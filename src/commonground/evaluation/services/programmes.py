"""Writes for programmes, their objectives, and their activities."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from commonground.accounts.models import Organisation, User
from commonground.evaluation.models import Activity, Objective, Programme, Tally
from commonground.evaluation.selectors import next_position
from commonground.evaluation.services.responses import TALLY_ADD, TALLY_COLUMNS
from commonground.groups import selectors as group_selectors
from commonground.groups.models import Series

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
    if activity.series_id is not None:  # these come from the registers
        values = {k: v for k, v in values.items() if k not in REGISTER_FIELDS}
    for name, value in values.items():
        setattr(activity, name, value.strip() if isinstance(value, str) else value)
    activity.save()
    return activity


REGISTER_FIELDS = ("participants", "sessions", "hours_per_participant", "starts_on", "ends_on")


def activity_register_link(*, activity: Activity, series: Series | None) -> Activity:
    """Take the activity's participants, sessions and contact hours from the registers of
    a series of meetings in Groups (``None`` stops, keeping the last figures)."""
    activity.series = series
    activity.save(update_fields=["series"])
    return activity_register_sync(activity=activity) if series is not None else activity


def activity_register_sync(*, activity: Activity) -> Activity:
    """Bring the figures up to date from the registers: the people who came at least
    once, the meetings held with a register, and their mean contact hours."""
    if activity.series_id is None:
        return activity
    figures = group_selectors.series_figures(activity.series_id)
    held = group_selectors.series_held(activity.series_id)
    activity.participants = figures.participants
    activity.sessions = figures.sessions
    activity.hours_per_participant = (
        (Decimal(str(figures.contact_hours)) / figures.participants).quantize(Decimal("0.01"))
        if figures.participants
        else Decimal(0)
    )
    activity.starts_on = held[0] if held else activity.starts_on
    activity.ends_on = held[-1] if held else activity.ends_on
    activity.save(update_fields=list(REGISTER_FIELDS))
    return activity


def registers_sync() -> int:
    """The periodic job: every activity linked to a series, up to date."""
    linked = Activity.objects.filter(series__isnull=False)
    for activity in linked:
        activity_register_sync(activity=activity)
    return len(linked)


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
