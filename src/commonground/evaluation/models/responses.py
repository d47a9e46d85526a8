"""Evaluation forms, their questions, the responses to them, their tallies and imports."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone

from commonground.accounts.models import User
from commonground.evaluation.models.programmes import Activity, Programme

# The scale most of the field's forms use (points 1-4, lowest first).
COMMON_SCALE = ["Not at all", "Slightly", "Very", "Extremely"]


class EvaluationForm(models.Model):
    """A questionnaire for the people who took part in one or more activities."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="forms")
    title = models.CharField(max_length=200)
    introduction = models.TextField(
        blank=True, max_length=2000, help_text="Shown to people above the questions."
    )
    activities = models.ManyToManyField(Activity, related_name="forms", blank=True)
    # The secret part of the public link; a new one can be made to retire an old link.
    public_key = models.CharField(max_length=32, unique=True, editable=False)
    accepting = models.BooleanField(
        "open for answers",
        default=True,
        help_text="Untick to stop the public link taking answers.",
    )
    closes_at = models.DateTimeField(
        "closes at",
        null=True,
        blank=True,
        help_text="After this the public link takes no more answers. Leave empty to keep it open.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["programme", "created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evaluation:form", args=[self.pk])

    def public_path(self) -> str:
        return reverse("evaluation:respond", args=[self.public_key])

    @property
    def is_open(self) -> bool:
        return self.accepting and (self.closes_at is None or self.closes_at > timezone.now())


class Question(models.Model):
    """A Likert item with labelled points, or a question answered in the person's own words."""

    class Kind(models.TextChoices):
        LIKERT = "likert", "Rated on a scale"
        WRITE_IN = "write_in", "Answered in their own words"

    form = models.ForeignKey(EvaluationForm, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LIKERT)
    text = models.CharField("question", max_length=500)
    # The column heading that stands for this question in spreadsheets (imports, exports).
    code = models.SlugField(max_length=60)
    # A Likert item's point labels, lowest first: point 1 is labels[0].
    labels = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)

    class Meta:
        ordering = ["form", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["form", "code"], name="one_code_per_form_question")
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_likert(self) -> bool:
        return self.kind == self.Kind.LIKERT

    @property
    def points(self) -> int:
        return len(self.labels)


class Response(models.Model):
    """One person's filled-in form, from the public link, a paper copy, or a spreadsheet."""

    class Channel(models.TextChoices):
        WEB = "web", "Public link"
        PAPER = "paper", "Typed in from paper"
        IMPORT = "import", "Imported from a spreadsheet"
        API = "api", "Sent through the API"

    # Indexed by (form, lowest_points), which leads with it.
    form = models.ForeignKey(
        EvaluationForm, on_delete=models.CASCADE, related_name="responses", db_index=False
    )
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    organisation_name = models.CharField(
        "your organisation",
        max_length=200,
        blank=True,
        help_text="Quotes are credited to organisations, never to people.",
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    submitted_at = models.DateTimeField(default=timezone.now)
    # The public form carries a one-off key: sending the same page twice stores it once.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    entered_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # For an imported response, its import and row: a row is stored at most once.
    import_batch = models.ForeignKey(
        "ResponseImport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responses",
        db_index=False,  # the unique (import_batch, source_row) leads with it
    )
    source_row = models.PositiveIntegerField(null=True, blank=True)
    # How many items this person rated at the lowest point (kept by the services).
    lowest_points = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["form", "submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["import_batch", "source_row"], name="one_response_per_imported_row"
            )
        ]
        indexes = [
            models.Index(fields=["form", "lowest_points"], name="evaluation_response_lowest")
        ]

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.form}"


class Answer(models.Model):
    # No index of their own: the unique (response, question) and the tally index (question,
    # value) lead with them, and an import writes every index of a million answers.
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    value = models.PositiveSmallIntegerField(null=True, blank=True)  # a Likert point, 1..k
    text = models.TextField(blank=True, max_length=10_000)  # a write-in

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_each")
        ]
        # Item statistics count answers per question and point straight from this index.
        indexes = [models.Index(fields=["question", "value"], name="evaluation_answer_tally")]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"


class Tally(models.Model):
    """How many answers one point of one item has, from the people of one activity.

    Kept by every service that stores or removes answers, in the same
    transaction, so an item's statistics read a few rows however many
    responses it has (``services.form_recount`` rebuilds them from the answers).
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="tallies")
    activity_key = models.PositiveIntegerField(default=0)  # the activity's id; 0 for none
    value = models.PositiveSmallIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["question", "activity_key", "value"], name="one_tally_per_point"
            )
        ]

    def __str__(self) -> str:
        return f"{self.count} at point {self.value} of question {self.question_id}"


class ResponseImport(models.Model):
    """A spreadsheet of responses on its way in: uploaded, columns matched, checked, imported.

    The file itself is kept in the database (not on one machine's disk), so any
    app server can check and import it; it is dropped once the import is done
    or cancelled, keeping its fingerprint to recognise the same file again.
    """

    class State(models.TextChoices):
        UPLOADED = "uploaded", "Columns to match"
        CHECKED = "checked", "Checked, waiting to be imported"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        CANCELLED = "cancelled", "Cancelled"

    form = models.ForeignKey(EvaluationForm, on_delete=models.CASCADE, related_name="imports")
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    content = models.BinaryField(blank=True, editable=False)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.UPLOADED)
    note = models.CharField(max_length=300, blank=True)
    header = models.JSONField(default=list)
    mapping = models.JSONField(default=list)
    rows_total = models.PositiveIntegerField(default=0)
    rows_good = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rows_empty = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    # The first problems, as [row, column, message], for the page; the rejects file has all.
    problems = models.JSONField(default=list)
    only_valid = models.BooleanField(default=False)  # accepted as "only the valid rows"
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(null=True, blank=True)
    # Rows stored so far: the progress of an import running in the background.
    rows_imported = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.file_name} into {self.form}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:import", args=[self.pk])
