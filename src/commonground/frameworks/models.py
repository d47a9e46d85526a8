"""Frameworks' data: each published version of a framework as loaded from its file, and
the self-assessment rounds in which people rate its statements.

A version is never changed once stored. Its statements carry a ``lineage``: the key of
the first statement in a line of replacements, so a statement reworded in version 2
(``replaces: [old-id]``) is compared with its ancestor across rounds.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from commonground.accounts.models import Organisation


class Framework(models.Model):
    """A framework over all its versions, known by the id in its files."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("frameworks:framework", args=[self.slug])


class FrameworkVersion(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    licence = models.CharField(max_length=200)
    attribution = models.TextField(max_length=2000)
    language = models.CharField(max_length=20)
    summary = models.TextField(max_length=2000, blank=True)
    # The scale: [{"value": 1, "label": "Not yet", "description": "…"}, …], rising.
    points = models.JSONField(default=list)
    dont_know = models.BooleanField(default=True)
    # The file exactly as it was loaded, for download.
    source = models.TextField()
    loaded_at = models.DateTimeField(default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["framework", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "version"], name="frameworks_one_version")
        ]

    def __str__(self) -> str:
        return f"{self.title}, version {self.version}"

    @property
    def values(self) -> list[int]:
        return [p["value"] for p in self.points]

    def label(self, value: int | None) -> str:
        for point in self.points:
            if point["value"] == value:
                return str(point["label"])
        return "Don't know" if value is None else str(value)


class Dimension(models.Model):
    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="dimensions"
    )
    key = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=2000, blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["version", "position"]

    def __str__(self) -> str:
        return self.title


class Statement(models.Model):
    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="statements"
    )
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="statements")
    key = models.SlugField(max_length=80)
    # The key of the statement this one descends from in the first version it appeared:
    # the same across versions for a statement kept or replaced.
    lineage = models.SlugField(max_length=80)
    text = models.TextField(max_length=500)
    prompts = models.JSONField(default=list)
    learn = models.JSONField(default=list)  # ["course/chapter", …]
    themes = models.JSONField(default=list)  # Hub theme slugs
    replaces = models.JSONField(default=list)  # keys in the version before
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="frameworks_one_statement")
        ]

    def __str__(self) -> str:
        return self.text


class Round(models.Model):
    """One self-assessment: an organisation (a partnership is one, with members from
    several) rates a framework's statements. Ratings stay hidden until revealed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    anonymous = models.BooleanField(
        default=True, help_text="Show ratings without who gave them (the default)."
    )
    closes_at = models.DateTimeField(null=True, blank=True)
    revealed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # In a live workshop, raters join from their phones with this short code (or its QR).
    code = models.CharField(max_length=8, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "version"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("frameworks:round", args=[self.pk])

    @property
    def is_open(self) -> bool:
        if self.closed_at is not None:
            return False
        return self.closes_at is None or self.closes_at > timezone.now()


def _token() -> str:
    return secrets.token_urlsafe(24)


class Rater(models.Model):
    """Someone rating in a round: a member signed in, or a partner without an account who
    rates by the personal link ``token`` makes."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="raters")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    name = models.CharField(max_length=200, blank=True)
    # For breakdowns (shown only for groups of five or more): a role and an organisation.
    role = models.CharField(max_length=100, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    token = models.CharField(max_length=64, unique=True, default=_token)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person"],
                condition=models.Q(person__isnull=False),
                name="frameworks_one_rater_per_person",
            )
        ]

    def __str__(self) -> str:
        return self.name or str(self.person or "A rater")


class Rating(models.Model):
    """One rater's rating of one statement: a value on the scale or "don't know", with
    evidence notes (which may come before a rating). Changeable until the round closes."""

    rater = models.ForeignKey(Rater, on_delete=models.CASCADE, related_name="ratings")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    dont_know = models.BooleanField(default=False)
    evidence = models.TextField(max_length=4000, blank=True)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rater", "statement"], name="frameworks_one_rating")
        ]

    def __str__(self) -> str:
        return f"{self.statement.key}: {self.value}"

    @property
    def rated(self) -> bool:
        return self.value is not None or self.dont_know


class Agreed(models.Model):
    """The rating a round's facilitator records as agreed, with its reason, beside the
    spread of everyone's ratings."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="agreed")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.TextField(max_length=4000, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "statement"], name="frameworks_one_agreed")
        ]

    def __str__(self) -> str:
        return f"{self.statement.key}: agreed {self.value}"


class Action(models.Model):
    """One action of an organisation's work plan on a framework: drafted from a weak or
    contested statement's prompts, kept and edited by the facilitator, followed in updates.
    It serves statements by their lineage, so it stays linked across versions."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        UNDER_WAY = "under_way", "Under way"
        DONE = "done", "Done"
        STOPPED = "stopped", "Stopped"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="actions")
    round = models.ForeignKey(
        Round, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    title = models.CharField(max_length=300)
    success = models.TextField("what success looks like", max_length=2000, blank=True)
    owner = models.CharField(max_length=200, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    lineages = models.JSONField(default=list)  # the statements it serves, by lineage
    activity = models.ForeignKey(
        "evaluation.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The Evaluate activity this action became, so its evidence follows it.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["organisation", "framework"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("frameworks:action", args=[self.pk])


class ActionUpdate(models.Model):
    """A line in an action's log: what happened, and its status from then on."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(max_length=4000, blank=True)
    status = models.CharField(max_length=20, choices=Action.Status.choices)
    written_at = models.DateTimeField(default=timezone.now)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["action", "written_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action}: {self.get_status_display()}"


class Team(models.Model):
    """A team, service or activity of an organisation, placed on the coverage map by the
    dimensions it works on and the communities it engages, and at which level."""

    class Kind(models.TextChoices):
        TEAM = "team", "Team"
        SERVICE = "service", "Service"
        ACTIVITY = "activity", "Activity"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TEAM)
    activity = models.ForeignKey(
        "evaluation.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="An Evaluate activity this stands for.",
    )
    # The dimensions it works on, by framework: {"empowerment-dimensions": ["confident", …]}.
    dimensions = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation", "name"]

    def __str__(self) -> str:
        return self.name


class Engagement(models.Model):
    """A community a team engages: at which level of engagement now, and which is the aim
    (levels as the engagement-levels framework's scale: inform, consult, involve,
    collaborate, empower)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="engagements")
    community = models.CharField(max_length=200)
    level_now = models.PositiveSmallIntegerField()
    level_aim = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["community", "team"]

    def __str__(self) -> str:
        return f"{self.team}: {self.community}"
