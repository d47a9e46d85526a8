"""Learn's data: courses loaded from files, and what each person writes in them.

Courses, chapters and questions are copies of the course files (``content.py``), kept
so that answers can point at them; a question's wordings are kept as versions, and every
answer records the version it was written against. A person's reflections are theirs
alone (see ``rules.py``), and every saved revision of one is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Course(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=1000)
    version = models.PositiveIntegerField(default=1)
    licence = models.CharField(max_length=100)
    authors = models.JSONField(default=list)
    language = models.CharField(max_length=20, default="en-GB")
    research = models.BooleanField(default=False, help_text="Open to research, with consent.")
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:course", args=[self.slug])


class Chapter(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="chapters")
    slug = models.SlugField(max_length=80)
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=1000)
    reading_minutes = models.PositiveIntegerField(default=5)
    themes = models.JSONField(default=list)
    # The chapter in order: ["html", sanitised HTML] and ["question", its key] pieces.
    pieces = models.JSONField(default=list)
    # A chapter dropped from its course's files is kept (answers point at its questions).
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="learning_one_chapter_slug")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:chapter", args=[self.course.slug, self.slug])


class Question(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", "Free text"
        SCALE = "scale", "A scale"
        SINGLE = "single", "One choice"
        MULTIPLE = "multiple", "Several choices"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=80)
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    prompt = models.TextField(max_length=500)
    help = models.TextField(max_length=500, blank=True)
    options = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["chapter__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "key"], name="learning_one_question_key")
        ]

    def __str__(self) -> str:
        return self.prompt

    @property
    def anchor(self) -> str:
        return f"q-{self.key}"


class QuestionVersion(models.Model):
    """A question's wording as it stood from one load of its course to the next."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Question.Kind.choices)
    prompt = models.TextField(max_length=500)
    help = models.TextField(max_length=500, blank=True)
    options = models.JSONField(default=list)
    course_version = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["question", "version"]
        constraints = [
            models.UniqueConstraint(fields=["question", "version"], name="learning_one_version")
        ]

    def __str__(self) -> str:
        return f"{self.question.key} version {self.version}"


class Reflection(models.Model):
    """One answer a person writes to a question; they may write another beside it later.
    Its latest words are kept here for reading, and every saved revision in Revision."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="reflections")
    text = models.TextField(blank=True, max_length=20_000)
    chosen = models.JSONField(default=list)  # the labels of the points or choices picked
    question_version = models.PositiveIntegerField()
    revision = models.PositiveIntegerField(default=1)  # the number of the latest revision
    started_at = models.DateTimeField(default=timezone.now)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-saved_at"]
        indexes = [
            models.Index(fields=["person", "question"], name="learning_reflection_person"),
            # Research counts who answered, by question, from this index alone.
            models.Index(fields=["question", "person"], name="learning_reflection_question"),
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.question.key}"


class Revision(models.Model):
    """A reflection as it was saved once. Never changed; removed only with its person."""

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True, max_length=20_000)
    chosen = models.JSONField(default=list)
    question_version = models.PositiveIntegerField()
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reflection", "number"]
        constraints = [
            models.UniqueConstraint(fields=["reflection", "number"], name="learning_one_revision")
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of {self.reflection_id}"


class Progress(models.Model):
    """How far a person has gone in a chapter, and where they were last."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_progress"
    )
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="progress")
    started_at = models.DateTimeField(default=timezone.now)
    visited_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_question = models.SlugField(max_length=80, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "chapter"], name="learning_one_progress")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.chapter_id}"


class Share(models.Model):
    """A link by which a person lets others (a facilitator, their set) read one reflection,
    or their answers to a chapter, until they withdraw it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_shares"
    )
    reflection = models.ForeignKey(
        Reflection, on_delete=models.CASCADE, null=True, blank=True, related_name="shares"
    )
    chapter = models.ForeignKey(
        Chapter, on_delete=models.CASCADE, null=True, blank=True, related_name="shares"
    )
    token = models.CharField(max_length=64, unique=True)
    note = models.CharField(max_length=100, blank=True, help_text="Who it is for.")
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reflection__isnull=False) ^ models.Q(chapter__isnull=False),
                name="learning_share_one_thing",
            )
        ]

    def __str__(self) -> str:
        return f"Share {self.pk} by {self.owner_id}"

    def get_absolute_url(self) -> str:
        return reverse("learning:shared", args=[self.token])

    @property
    def live(self) -> bool:
        return self.withdrawn_at is None


class Consent(models.TextChoices):
    NOTHING = "nothing", "Nothing: leave my answers out of research"
    COUNTS = "counts", "Counts only: my choices may be counted with everyone else's"
    EXCERPTS = "excerpts", "Counts, and short anonymised excerpts of what I wrote"


class ConsentEvent(models.Model):
    """One choice a learner made about research use of their answers to one course. Never
    changed: the latest per person and course is the one in force, from that moment."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_consents"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="consents")
    level = models.CharField(max_length=10, choices=Consent.choices)
    text_version = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["course", "person", "at"], name="learning_consent_at")]
        permissions = [("research", "Read research aggregates and consented excerpts")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.level} for {self.course_id}"


class ConsentState(models.Model):
    """The consent in force for a person and a course: the latest ConsentEvent, kept as a
    row of its own so that research counts filter on one indexed table."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=10, choices=Consent.choices)
    event = models.ForeignKey(ConsentEvent, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "person"], name="learning_one_state")
        ]
        indexes = [models.Index(fields=["course", "level"], name="learning_state_level")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.level} for {self.course_id}"


class ResearchExport(models.Model):
    """A record of every research download: who, when, what, how many rows."""

    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="exports")
    query = models.JSONField(default=dict)
    rows = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Export of {self.course_id} at {self.at:%Y-%m-%d %H:%M}"


class Cohort(models.Model):
    """A course run with the members of an organisation: its facilitators see who has
    started and finished each chapter, never what anyone wrote."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="cohorts")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="learning_cohorts"
    )
    name = models.CharField(max_length=120)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("learning:cohort", args=[self.pk])
