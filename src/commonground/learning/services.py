"""Learn's writes: loading a course from its files, and saving what a person writes."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commonground.accounts.models import Organisation, User
from commonground.learning.content import CourseSpec, QuestionSpec
from commonground.learning.models import (
    Chapter,
    Cohort,
    Consent,
    ConsentEvent,
    ConsentState,
    Course,
    Progress,
    Question,
    QuestionVersion,
    Reflection,
    ResearchExport,
    Revision,
    Share,
)

__all__ = [
    "Conflict",
    "Loaded",
    "chapter_finish",
    "cohort_start",
    "consent_set",
    "research_export",
    "share_create",
    "share_withdraw",
    "chapter_visit",
    "course_load",
    "reflection_save",
]

MAX_TEXT = 20_000


# -- loading ---------------------------------------------------------------------------


@dataclass
class Loaded:
    """What a load changed, for the console and the upload page."""

    course: Course
    created: bool
    chapters: int = 0
    questions_added: list[str] = field(default_factory=list)
    questions_reworded: list[str] = field(default_factory=list)
    questions_retired: list[str] = field(default_factory=list)
    chapters_retired: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        done = "Loaded" if self.created else "Reloaded"
        parts = [f"{done} '{self.course.title}' (version {self.course.version}): "
                 f"{self.chapters} chapters"]  # fmt: skip
        for words, keys in (
            ("new questions", self.questions_added),
            ("questions reworded", self.questions_reworded),
            ("questions no longer in the files", self.questions_retired),
            ("chapters no longer in the files", self.chapters_retired),
        ):
            if keys and not (self.created and words == "new questions"):
                parts.append(f"{len(keys)} {words} ({', '.join(keys)})")
        return "; ".join(parts) + "."


@transaction.atomic
def course_load(spec: CourseSpec) -> Loaded:
    """Store ``spec``, a course already read and checked, as new or over its last load.
    Answers are never touched: a question whose wording changed gets a new version (the
    answers keep the version they were written against); a question or chapter that is
    gone from the files is retired, not deleted."""
    course, created = Course.objects.select_for_update().get_or_create(
        slug=spec.slug,
        defaults={"title": spec.title, "summary": spec.summary, "licence": spec.licence},
    )
    for name in ("title", "summary", "version", "licence", "language", "research"):
        setattr(course, name, getattr(spec, name))
    course.authors = list(spec.authors)
    course.loaded_at = timezone.now()
    course.save()
    loaded = Loaded(course, created, chapters=len(spec.chapters))

    chapters = {c.slug: c for c in course.chapters.all()}
    questions = {q.key: q for q in course.questions.all()}
    kept_chapters: set[str] = set()
    kept_questions: set[str] = set()
    for position, chapter_spec in enumerate(spec.chapters, start=1):
        chapter = chapters.get(chapter_spec.slug) or Chapter(course=course, slug=chapter_spec.slug)
        chapter.position = position
        chapter.title = chapter_spec.title
        chapter.summary = chapter_spec.summary
        chapter.reading_minutes = chapter_spec.reading_minutes
        chapter.themes = list(chapter_spec.themes)
        chapter.pieces = [list(piece) for piece in chapter_spec.pieces]
        chapter.retired = False
        chapter.save()
        kept_chapters.add(chapter.slug)
        for number, question_spec in enumerate(chapter_spec.questions, start=1):
            _question_load(
                course, chapter, number, question_spec, questions.get(question_spec.key), loaded
            )
            kept_questions.add(question_spec.key)
    for slug, chapter in chapters.items():
        if slug not in kept_chapters and not chapter.retired:
            chapter.retired = True
            chapter.save(update_fields=["retired"])
            loaded.chapters_retired.append(slug)
    for key, question in questions.items():
        if key not in kept_questions and not question.retired:
            question.retired = True
            question.save(update_fields=["retired"])
            loaded.questions_retired.append(key)
    return loaded


def _question_load(
    course: Course,
    chapter: Chapter,
    position: int,
    spec: QuestionSpec,
    question: Question | None,
    loaded: Loaded,
) -> None:
    wording = {
        "kind": spec.kind,
        "prompt": spec.prompt,
        "help": spec.help,
        "options": list(spec.options),
    }
    if question is None:
        question = Question.objects.create(
            course=course, chapter=chapter, key=spec.key, position=position, **wording
        )
        loaded.questions_added.append(spec.key)
    else:
        changed = any(getattr(question, name) != value for name, value in wording.items())
        if changed:
            question.version += 1
            loaded.questions_reworded.append(spec.key)
        for name, value in wording.items():
            setattr(question, name, value)
        question.chapter = chapter
        question.position = position
        question.retired = False
        question.save()
        if not changed:
            return
    QuestionVersion.objects.create(
        question=question, version=question.version, course_version=course.version, **wording
    )


# -- answering -------------------------------------------------------------------------


class Conflict(Exception):
    """The reflection was saved elsewhere (another tab) since this one last read it."""

    def __init__(self, current: Reflection) -> None:
        super().__init__("This answer was changed in another tab or window.")
        self.current = current


def _checked(question: Question, text: str, chosen: Sequence[str]) -> tuple[str, list[str]]:
    text = text.replace("\r\n", "\n")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"An answer can be up to {MAX_TEXT:,} characters long.")
    picked = [c for c in question.options if c in set(chosen)]  # in the question's order
    if len(picked) != len(set(chosen)):
        raise ValidationError("Choose from the answers offered.")
    if question.kind in (Question.Kind.SCALE, Question.Kind.SINGLE) and len(picked) > 1:
        raise ValidationError("Choose one answer.")
    if question.kind == Question.Kind.TEXT and picked:
        raise ValidationError("This question takes words, not choices.")
    return text, picked


@transaction.atomic
def reflection_save(
    *,
    person: User,
    question: Question,
    text: str = "",
    chosen: Sequence[str] = (),
    reflection: Reflection | None = None,
    based_on: int | None = None,
    now: datetime | None = None,
) -> Reflection:
    """Save ``person``'s words (or choices) for ``question``: a new reflection, or a new
    revision of ``reflection`` if it is still at revision ``based_on`` (the one the
    page was showing); otherwise ``Conflict``. Saving the same words again keeps the
    revision as it is. A fixed number of queries, however many revisions there are."""
    text, picked = _checked(question, text, chosen)
    now = now or timezone.now()
    if reflection is None:
        reflection = Reflection.objects.create(
            person=person,
            question=question,
            text=text,
            chosen=picked,
            question_version=question.version,
            started_at=now,
            saved_at=now,
        )
    else:
        reflection = Reflection.objects.select_for_update().get(pk=reflection.pk)
        if reflection.person_id != person.pk or reflection.question_id != question.pk:
            raise ValidationError("That answer is not yours to change.")
        if based_on is not None and based_on != reflection.revision:
            raise Conflict(reflection)
        if reflection.text == text and reflection.chosen == picked:
            return reflection
        reflection.revision += 1
        reflection.text, reflection.chosen = text, picked
        reflection.question_version = question.version
        reflection.saved_at = now
        reflection.save(
            update_fields=["revision", "text", "chosen", "question_version", "saved_at"]
        )
    Revision.objects.create(
        reflection=reflection,
        number=reflection.revision,
        text=text,
        chosen=picked,
        question_version=question.version,
        saved_at=now,
    )
    # Where the person is, in one statement whether or not they had been here before.
    Progress.objects.bulk_create(
        [
            Progress(
                person=person,
                chapter_id=question.chapter_id,
                started_at=now,
                visited_at=now,
                last_question=question.key,
            )
        ],
        update_conflicts=True,
        unique_fields=["person", "chapter"],
        update_fields=["visited_at", "last_question"],
    )
    return reflection


def chapter_visit(*, person: User, chapter: Chapter) -> Progress:
    now = timezone.now()
    progress, _ = Progress.objects.update_or_create(
        person=person,
        chapter=chapter,
        defaults={"visited_at": now},
        create_defaults={"started_at": now, "visited_at": now},
    )
    return progress


def chapter_finish(*, person: User, chapter: Chapter, finished: bool = True) -> Progress:
    progress = chapter_visit(person=person, chapter=chapter)
    progress.finished_at = timezone.now() if finished else None
    progress.save(update_fields=["finished_at"])
    return progress


# -- sharing ---------------------------------------------------------------------------


def share_create(
    *,
    owner: User,
    reflection: Reflection | None = None,
    chapter: Chapter | None = None,
    note: str = "",
) -> Share:
    """A new link to one of ``owner``'s reflections, or to their answers to ``chapter``."""
    if (reflection is None) == (chapter is None):
        raise ValidationError("Share one answer, or your answers to one chapter.")
    if reflection is not None and reflection.person_id != owner.pk:
        raise ValidationError("Only your own answers can be shared.")
    return Share.objects.create(
        owner=owner,
        reflection=reflection,
        chapter=chapter,
        token=secrets.token_urlsafe(24),
        note=note.strip()[:100],
    )


def share_withdraw(*, share: Share) -> Share:
    """The link stops working at once, for everyone who has it."""
    if share.withdrawn_at is None:
        share.withdrawn_at = timezone.now()
        share.save(update_fields=["withdrawn_at"])
    return share


# -- research --------------------------------------------------------------------------


def consent_set(*, person: User, course: Course, level: str) -> ConsentEvent:
    """Record ``person``'s choice about research use of their answers to ``course``, as a
    new event (the old ones stay, as the record of what was agreed when)."""
    from commonground.learning.research import CONSENT_VERSION

    if not course.research:
        raise ValidationError("This course is not open to research.")
    if level not in Consent.values:
        raise ValidationError("Choose one of the answers offered.")
    with transaction.atomic():
        event = ConsentEvent.objects.create(
            person=person, course=course, level=level, text_version=CONSENT_VERSION
        )
        ConsentState.objects.update_or_create(
            person=person, course=course, defaults={"level": level, "event": event}
        )
    return event


def research_export(*, researcher: User, course: Course) -> tuple[bytes, int]:
    """The course's research aggregates and excerpts as a zip of CSV files with a data
    package description, logged with who asked, when, and how many rows went out."""
    import io
    import json
    import zipfile

    from commonground.learning.research import CONSENT_VERSION, MIN_GROUP, aggregates
    from commonground.lib.tabular import csv_bytes

    counts: list[list[object]] = []
    excerpts: list[list[object]] = []
    for b in aggregates(course, excerpts=None):
        for option, cell in zip(b.options, b.overall, strict=True):
            counts.append([b.question.key, b.question.prompt, "everyone", option, str(cell)])
        for kind, _, cells in b.groups:
            for option, cell in zip(b.options, cells, strict=True):
                counts.append([b.question.key, b.question.prompt, kind, option, str(cell)])
        excerpts.extend([b.question.key, b.question.prompt, text] for text in b.excerpts)
    package = {
        "name": f"common-ground-{course.slug}-research",
        "title": f"{course.title}: answers from learners who consented",
        "description": (
            f"Counts of each point or choice, by kind of organisation, from learners whose "
            f"consent (text version {CONSENT_VERSION}) was in force when this was made; "
            f"groups of fewer than {MIN_GROUP} are not shown. Excerpts are anonymised and "
            "in no particular order."
        ),
        "created": timezone.now().isoformat(),
        "resources": [
            {
                "name": "counts",
                "path": "counts.csv",
                "schema": {"fields": [
                    {"name": "question_id", "type": "string"},
                    {"name": "question", "type": "string"},
                    {"name": "group", "type": "string"},
                    {"name": "answer", "type": "string"},
                    {"name": "count", "type": "string",
                     "description": f"A whole number, or 'fewer than {MIN_GROUP}'."},
                ]},
            },
            {
                "name": "excerpts",
                "path": "excerpts.csv",
                "schema": {"fields": [
                    {"name": "question_id", "type": "string"},
                    {"name": "question", "type": "string"},
                    {"name": "excerpt", "type": "string"},
                ]},
            },
        ],
    }  # fmt: skip
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "counts.csv", csv_bytes(["question_id", "question", "group", "answer", "count"], counts)
        )
        archive.writestr(
            "excerpts.csv", csv_bytes(["question_id", "question", "excerpt"], excerpts)
        )
        archive.writestr("datapackage.json", json.dumps(package, indent=2, ensure_ascii=False))
    rows = len(counts) + len(excerpts)
    ResearchExport.objects.create(
        researcher=researcher,
        course=course,
        query={"course": course.slug, "kind": "all"},
        rows=rows,
    )
    return out.getvalue(), rows


# -- cohorts ---------------------------------------------------------------------------


def cohort_start(
    *, course: Course, organisation: Organisation, by: User | None, name: str = ""
) -> Cohort:
    """Run ``course`` with ``organisation``'s members (the caller checked ``by`` may)."""
    name = name.strip()[:120] or f"{organisation.name}: {course.title}"
    return Cohort.objects.create(course=course, organisation=organisation, name=name, started_by=by)
