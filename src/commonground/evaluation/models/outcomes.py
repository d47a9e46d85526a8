"""What a programme concludes: a judgement per objective with its evidence, programme measures
kept apart from population indicators, and the report's own words.

Programme measures are what the programme can account for, for the people it
worked with (how much did we do, how well did we do it, is anyone better
off). Population indicators are whole-population trends that many things
drive; they have a baseline, a target, a direction that is good, and a note
on the story behind the curve, and are never presented as the programme's
result.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone

from commonground.accounts.models import User
from commonground.evaluation.models.coding import Coding
from commonground.evaluation.models.programmes import Objective, Programme
from commonground.evaluation.models.responses import Question


class Measure(models.Model):
    class Kind(models.TextChoices):
        HOW_MUCH = "how_much", "How much did we do?"
        HOW_WELL = "how_well", "How well did we do it?"
        BETTER_OFF = "better_off", "Is anyone better off?"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=200)
    unit = models.CharField(
        max_length=40, blank=True, help_text="What the figures count, e.g. 'people' or '%'."
    )

    class Meta:
        ordering = ["programme", "kind", "name"]

    def __str__(self) -> str:
        return self.name


def amount(value: Decimal, unit: str = "") -> str:
    """A figure with its unit as a reader meets it: ``"12 meetings"``, ``"59%"``,
    ``"2,700 people"``; decimals only where the figure has them (``"7.50 hours"``)."""
    number = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    if not unit:
        return number
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


class MeasureValue(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values")
    period = models.CharField(max_length=40, help_text="e.g. '2025 Q2' or 'Year 1'.")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["measure", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.measure}: {self.display}"

    @property
    def display(self) -> str:
        """The period and the figure with its unit: ``"2025: 12 meetings"``. Reads the
        measure, so list pages prefetch the values from their measures (Django then knows
        each value's measure without a query)."""
        return f"{self.period}: {amount(self.value, self.measure.unit)}"


class Indicator(models.Model):
    class Direction(models.TextChoices):
        UP = "up", "Higher is better"
        DOWN = "down", "Lower is better"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=300, blank=True, help_text="Where the figures come from.")
    direction = models.CharField(
        "direction of good", max_length=4, choices=Direction.choices, default=Direction.UP
    )
    baseline_period = models.CharField(max_length=40, blank=True)
    baseline = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    story = models.TextField(
        "the story behind the curve",
        blank=True,
        max_length=4000,
        help_text="What drives this trend, of which the programme is at most one part.",
    )

    class Meta:
        ordering = ["programme", "name"]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period = models.CharField(max_length=40)
    value = models.DecimalField(max_digits=14, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["indicator", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} in {self.period}"


class Judgement(models.Model):
    """How far an objective was met, why, and the evidence behind it."""

    class Rating(models.TextChoices):
        CLEARLY_MET = "clearly_met", "Clearly met"
        LARGELY_MET = "largely_met", "Largely met"
        PARTLY_MET = "partly_met", "Partly met"
        NOT_MET = "not_met", "Not met"
        TOO_EARLY = "too_early", "Too early to say"

    objective = models.OneToOneField(Objective, on_delete=models.CASCADE, related_name="judgement")
    rating = models.CharField(max_length=12, choices=Rating.choices)
    narrative = models.TextField(
        blank=True,
        max_length=8000,
        help_text="Why this rating: what the evidence shows, and what it does not.",
    )
    items = models.ManyToManyField(Question, blank=True, related_name="judgements")
    quotes = models.ManyToManyField(Coding, blank=True, related_name="judgements")
    measures = models.ManyToManyField(Measure, blank=True, related_name="judgements")
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.get_rating_display()}: {self.objective}"


class ReportSection(models.Model):
    """The evaluator's own words for one section of the report, around the generated tables."""

    class Key(models.TextChoices):
        SUMMARY = "summary", "Summary"
        METHODS = "methods", "Methods"
        FINDINGS = "findings", "Findings"
        COSTS = "costs", "Costs compared"
        OUTCOMES = "outcomes", "Outcomes"
        CONCLUSIONS = "conclusions", "Conclusions"

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="report_sections"
    )
    key = models.CharField(max_length=12, choices=Key.choices)
    text = models.TextField(blank=True, max_length=20_000)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "key"], name="one_section_each")
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()} of {self.programme}"
