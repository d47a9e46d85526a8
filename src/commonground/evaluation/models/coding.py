"""Qualitative evidence and its coding: interview guides and interviews, observation notes,
the codebook, codings on exact spans of text, and suggested codings.

Three kinds of text can be coded: a write-in answer (``Answer.text``), the notes
for one question of an interview (``InterviewNote.notes``), and an observation
(``Observation.notes``). A coding holds character offsets into that text and a
copy of the words, so a quote reads the same wherever it is shown. Text that
has codings cannot be edited (the offsets would no longer point at the words).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonground.accounts.models import User
from commonground.evaluation.models.programmes import Activity, Objective, Programme
from commonground.evaluation.models.responses import Answer


class InterviewGuide(models.Model):
    """The one set of questions every interview of a programme follows, grouped by theme,
    so that answers compare across interviews."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="interview_guides"
    )
    title = models.CharField(max_length=200)
    introduction = models.TextField(
        blank=True, max_length=4000, help_text="What the interviewer says first."
    )

    class Meta:
        ordering = ["programme", "title"]

    def __str__(self) -> str:
        return self.title


class GuideQuestion(models.Model):
    guide = models.ForeignKey(InterviewGuide, on_delete=models.CASCADE, related_name="questions")
    theme = models.CharField(
        max_length=100, help_text="The theme the question belongs to, e.g. 'Confidence'."
    )
    text = models.CharField("question", max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["guide", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class Interview(models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        TELEPHONE = "telephone", "Telephone"
        VIDEO = "video", "Video call"

    guide = models.ForeignKey(InterviewGuide, on_delete=models.CASCADE, related_name="interviews")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="interviews"
    )
    organisation_name = models.CharField(
        "interviewee's organisation",
        max_length=200,
        help_text="Quotes are credited to the organisation, never to the person.",
    )
    role = models.CharField("interviewee's role", max_length=200, blank=True)
    held_on = models.DateField("date")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.TELEPHONE)
    interviewer = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["guide", "held_on", "pk"]

    def __str__(self) -> str:
        return f"Interview with {self.role or 'someone'} at {self.organisation_name}"


class InterviewNote(models.Model):
    """What was said in answer to one question of the guide."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="notes")
    question = models.ForeignKey(GuideQuestion, on_delete=models.CASCADE, related_name="notes")
    notes = models.TextField(blank=True, max_length=20_000)

    class Meta:
        ordering = ["interview", "question__position", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "question"], name="one_note_per_question")
        ]

    def __str__(self) -> str:
        return f"Notes on {self.question_id} in interview {self.interview_id}"


class Observation(models.Model):
    """Notes an evaluator took while watching an activity."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="observations")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="observations"
    )
    title = models.CharField(max_length=200)
    observed_on = models.DateField("date")
    notes = models.TextField(max_length=50_000)
    observer = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["programme", "observed_on", "pk"]

    def __str__(self) -> str:
        return self.title


class Code(models.Model):
    """A code in the programme's codebook; codes nest (a parent and its subcodes)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="codes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(
        "memo",
        blank=True,
        max_length=4000,
        help_text="What the code means and when to use it.",
    )
    # Stable across exports and imports (REFI-QDA identifies codes by GUID).
    guid = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["programme", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "guid"], name="one_code_per_guid"),
        ]

    def __str__(self) -> str:
        return self.name


class CodedText(models.Model):
    """Where a coding or a suggestion points: exactly one of the three kinds of text."""

    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.CASCADE)
    interview_note = models.ForeignKey(
        InterviewNote, null=True, blank=True, on_delete=models.CASCADE
    )
    observation = models.ForeignKey(Observation, null=True, blank=True, on_delete=models.CASCADE)
    start = models.PositiveIntegerField()  # character offsets into the text, end excluded
    end = models.PositiveIntegerField()
    quote = models.TextField()  # the words between start and end, as coded

    class Meta:
        abstract = True

    @staticmethod
    def one_source(name: str) -> models.CheckConstraint:
        has = [
            Q(answer__isnull=False, interview_note__isnull=True, observation__isnull=True),
            Q(answer__isnull=True, interview_note__isnull=False, observation__isnull=True),
            Q(answer__isnull=True, interview_note__isnull=True, observation__isnull=False),
        ]
        return models.CheckConstraint(
            condition=(has[0] | has[1] | has[2]) & Q(start__lt=models.F("end")), name=name
        )


class Coding(CodedText):
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="codings")
    memo = models.TextField(blank=True, max_length=4000)
    objectives = models.ManyToManyField(
        Objective,
        blank=True,
        related_name="codings",
        help_text="The objectives this passage is evidence for.",
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    guid = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [CodedText.one_source("coding_has_one_text_and_a_span")]

    def __str__(self) -> str:
        return f"{self.code}: {self.quote[:40]}"


class Suggestion(CodedText):
    """A code the server proposes for a passage nobody has coded, to accept or reject."""

    class State(models.TextChoices):
        OPEN = "open", "Waiting"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="suggestions")
    score = models.FloatField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [CodedText.one_source("suggestion_has_one_text_and_a_span")]

    def __str__(self) -> str:
        return f"Suggest {self.code} for {self.quote[:40]}"
