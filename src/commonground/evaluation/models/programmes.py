"""Programmes, the objectives they are judged against, and the activities they run."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils import timezone

from commonground.accounts.models import Organisation, User


class Programme(models.Model):
    """A programme of engagement work that an organisation evaluates."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="programmes"
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(
        blank=True, max_length=4000, help_text="What the programme is for, in a few lines."
    )
    starts_on = models.DateField("start date", null=True, blank=True)
    ends_on = models.DateField("end date", null=True, blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evaluation:programme", args=[self.pk])


class Objective(models.Model):
    """An intended outcome the programme is judged against."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField("objective", max_length=1000)

    class Meta:
        ordering = ["programme", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class Activity(models.Model):
    """Something the programme did: a training day, a learning set, a workshop series..."""

    class Kind(models.TextChoices):
        TRAINING_DAY = "training_day", "Training day"
        LEARNING_SET = "learning_set", "Action learning set"
        WORKSHOP_SERIES = "workshop_series", "Workshop series"
        CASE_STUDY = "case_study", "Case study"
        PLAN_SUPPORT = "plan_support", "Support for engagement plans"
        OTHER = "other", "Other"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TRAINING_DAY)
    description = models.TextField(blank=True, max_length=4000)
    starts_on = models.DateField("first date", null=True, blank=True)
    ends_on = models.DateField("last date", null=True, blank=True)
    sessions = models.PositiveIntegerField(default=1, help_text="How many times the group met.")
    venue = models.CharField(
        max_length=200, blank=True, help_text="Where it took place; leave empty if online only."
    )
    online = models.BooleanField("held online", default=False)
    participants = models.PositiveIntegerField(
        default=0, help_text="How many people took part. Response rates are worked out from this."
    )
    hours_per_participant = models.DecimalField(
        "contact hours per participant",
        max_digits=7,
        decimal_places=2,
        default=Decimal(0),
        help_text="Time each participant spent in sessions, in hours, over the whole activity.",
    )
    # A series of meetings in Groups whose registers give the participants, sessions and
    # contact hours, so they are not typed twice (Evaluate reads Groups, never the
    # other way round).
    series = models.ForeignKey(
        "groups.Series",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="meetings in Groups",
    )
    cost = models.DecimalField(
        "cost (£)",
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        help_text="Everything it cost: facilitation, venue, materials, staff time.",
    )

    class Meta:
        ordering = ["programme", "starts_on", "title"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.title

    @property
    def participant_hours(self) -> Decimal:
        return self.participants * self.hours_per_participant

    @property
    def cost_per_participant(self) -> Decimal | None:
        return self.cost / self.participants if self.participants else None

    @property
    def cost_per_participant_hour(self) -> Decimal | None:
        hours = self.participant_hours
        return self.cost / hours if hours else None
