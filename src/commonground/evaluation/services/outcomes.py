"""Writes for what a programme concludes: judgements with their evidence, programme measures,
population indicators, and the report's own words."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commonground.accounts.models import User
from commonground.evaluation.models import (
    Coding,
    Indicator,
    IndicatorValue,
    Judgement,
    Measure,
    MeasureValue,
    Objective,
    Programme,
    Question,
    ReportSection,
)
from commonground.evaluation.selectors import next_position


def judgement_set(
    *,
    objective: Objective,
    rating: str,
    narrative: str = "",
    items: Iterable[Question] = (),
    quotes: Iterable[Coding] = (),
    measures: Iterable[Measure] = (),
    by: User | None = None,
) -> Judgement:
    """Rate how far ``objective`` was met, say why, and link the evidence behind it.

    Evidence must come from the objective's own programme: its forms' items,
    its coded passages and its measures.
    """
    if rating not in Judgement.Rating.values:
        raise ValidationError(
            "Choose a rating: clearly met, largely met, partly met, not met, or too early to say."
        )
    programme_id = objective.programme_id
    items, quotes, measures = list(items), list(quotes), list(measures)
    if any(q.form.programme_id != programme_id for q in items):
        raise ValidationError("Link items from this programme's own forms.")
    if any(c.code.programme_id != programme_id for c in quotes):
        raise ValidationError("Link passages coded in this programme.")
    if any(m.programme_id != programme_id for m in measures):
        raise ValidationError("Link this programme's own measures.")
    with transaction.atomic():
        judgement, _ = Judgement.objects.update_or_create(
            objective=objective,
            defaults={
                "rating": rating,
                "narrative": narrative.strip(),
                "updated_by": by,
                "updated_at": timezone.now(),
            },
        )
        judgement.items.set(items)
        judgement.quotes.set(quotes)
        judgement.measures.set(measures)
    return judgement


def measure_add(*, programme: Programme, kind: str, name: str, unit: str = "") -> Measure:
    """A programme measure: how much was done, how well, or whether anyone is better off."""
    if kind not in Measure.Kind.values:
        raise ValidationError("Say which question the measure answers.")
    if not name.strip():
        raise ValidationError("Name the measure.")
    return Measure.objects.create(
        programme=programme, kind=kind, name=name.strip(), unit=unit.strip()
    )


def measure_value_add(
    *, measure: Measure, period: str, value: Decimal, note: str = ""
) -> MeasureValue:
    if not period.strip():
        raise ValidationError("Say which period the figure is for.")
    return MeasureValue.objects.create(
        measure=measure,
        period=period.strip(),
        value=value,
        note=note.strip(),
        position=next_position(measure.values),
    )


def indicator_add(
    *,
    programme: Programme,
    name: str,
    direction: str = Indicator.Direction.UP,
    unit: str = "",
    source: str = "",
    baseline_period: str = "",
    baseline: Decimal | None = None,
    target: Decimal | None = None,
    story: str = "",
) -> Indicator:
    """A population indicator: a whole-population trend, kept apart from what the programme
    can account for."""
    if not name.strip():
        raise ValidationError("Name the indicator.")
    if direction not in Indicator.Direction.values:
        raise ValidationError("Say whether higher or lower is better.")
    return Indicator.objects.create(
        programme=programme,
        name=name.strip(),
        direction=direction,
        unit=unit.strip(),
        source=source.strip(),
        baseline_period=baseline_period.strip(),
        baseline=baseline,
        target=target,
        story=story.strip(),
    )


def indicator_value_add(*, indicator: Indicator, period: str, value: Decimal) -> IndicatorValue:
    if not period.strip():
        raise ValidationError("Say which period the figure is for.")
    return IndicatorValue.objects.create(
        indicator=indicator,
        period=period.strip(),
        value=value,
        position=next_position(indicator.values),
    )


def report_section_save(*, programme: Programme, key: str, text: str) -> ReportSection:
    """The evaluator's words for one section of the report."""
    if key not in ReportSection.Key.values:
        raise ValidationError("No such section of the report.")
    section, _ = ReportSection.objects.update_or_create(
        programme=programme, key=key, defaults={"text": text.strip(), "updated_at": timezone.now()}
    )
    return section
