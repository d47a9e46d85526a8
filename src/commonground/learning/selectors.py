"""Learn's reads: courses, a chapter as a person meets it, their progress and journal."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from commonground import access
from commonground.access import AnyUser
from commonground.accounts.models import Organisation, User
from commonground.accounts.rules import OWN
from commonground.hub.models import Item
from commonground.hub.selectors import with_sources
from commonground.learning import rules
from commonground.learning.models import (
    Chapter,
    Cohort,
    Course,
    Progress,
    Question,
    QuestionVersion,
    Reflection,
    Share,
)

FURTHER_READING = 5


def courses() -> QuerySet[Course]:
    return Course.objects.annotate(
        chapter_count=Count("chapters", filter=Q(chapters__retired=False))
    ).filter(chapter_count__gt=0)


def get_course(slug: str) -> Course:
    found = courses().filter(slug=slug).first()
    if found is None:
        raise Http404("No such course.")
    return found


def get_chapter(course: Course, slug: str) -> Chapter:
    found = course.chapters.filter(slug=slug, retired=False).first()
    if found is None:
        raise Http404("No such chapter.")
    return found


def chapters_of(course: Course) -> list[Chapter]:
    return list(
        course.chapters.filter(retired=False).annotate(
            question_count=Count("questions", filter=Q(questions__retired=False))
        )
    )


@dataclass
class ChapterProgress:
    chapter: Chapter
    progress: Progress | None
    answered: int

    @property
    def state(self) -> str:
        if self.progress is None:
            return "Not started"
        return "Finished" if self.progress.finished_at else "Started"


def course_progress(course: Course, person: AnyUser) -> list[ChapterProgress]:
    """Each chapter of ``course`` with how far ``person`` has gone in it."""
    chapters = chapters_of(course)
    if not isinstance(person, User):
        return [ChapterProgress(c, None, 0) for c in chapters]
    progress = {
        p.chapter_id: p for p in Progress.objects.filter(person=person, chapter__course=course)
    }
    answered = dict(
        Reflection.objects.filter(person=person, question__course=course)
        .values_list("question__chapter")
        .annotate(n=Count("question", distinct=True))
    )
    return [ChapterProgress(c, progress.get(c.pk), answered.get(c.pk, 0)) for c in chapters]


def resume(person: AnyUser, course: Course | None = None) -> Progress | None:
    """Where ``person`` left off: the chapter they were in last, unfinished first."""
    if not isinstance(person, User):
        return None
    found = Progress.objects.filter(person=person, chapter__retired=False).select_related(
        "chapter__course"
    )
    if course is not None:
        found = found.filter(chapter__course=course)
    # Unfinished (no finished_at) first on every database: PostgreSQL sorts nulls last.
    return found.order_by(F("finished_at").asc(nulls_first=True), "-visited_at").first()


@dataclass
class Asked:
    """A question of a chapter with what the person has written to it, newest first."""

    question: Question
    reflections: list[Reflection] = field(default_factory=list)

    @property
    def current(self) -> Reflection | None:
        return self.reflections[0] if self.reflections else None

    @property
    def earlier(self) -> list[Reflection]:
        return self.reflections[1:]


def chapter_pieces(chapter: Chapter, person: AnyUser) -> list[tuple[str, object]]:
    """The chapter in order: ("html", text) and ("question", Asked) pieces."""
    questions = {q.key: Asked(q) for q in chapter.questions.filter(retired=False)}
    if isinstance(person, User) and questions:
        mine = Reflection.objects.filter(
            person=person, question__in=[a.question for a in questions.values()]
        ).order_by("-started_at", "-pk")
        by_pk = {entry.question.pk: entry for entry in questions.values()}
        for reflection in mine:
            by_pk[reflection.question_id].reflections.append(reflection)
    pieces: list[tuple[str, object]] = []
    for kind, body in chapter.pieces:
        if kind == "question":
            if body in questions:
                pieces.append(("question", questions[body]))
        else:
            pieces.append(("html", body))
    return pieces


def neighbours(chapter: Chapter) -> tuple[Chapter | None, Chapter | None]:
    around = chapter.course.chapters.filter(retired=False)
    before = around.filter(position__lt=chapter.position).order_by("-position").first()
    after = around.filter(position__gt=chapter.position).order_by("position").first()
    return before, after


def further_reading(chapter: Chapter) -> list[Item]:
    """Resources in the Hub on the chapter's themes, newest first."""
    if not chapter.themes:
        return []
    items = (
        Item.objects.filter(itemtheme__theme__slug__in=chapter.themes)
        .distinct()
        .order_by("-published_at", "-id")
    )
    return with_sources(items[:FURTHER_READING])


def get_reflection_for_user(*, user: AnyUser, pk: int) -> Reflection:
    return access.get(user, Reflection.objects.select_related("question"), OWN, pk=pk)


def journal(
    person: User, *, query: str = "", course: str = "", order: str = "course"
) -> QuerySet[Reflection]:
    """Everything ``person`` wrote, by course and chapter (or newest first)."""
    found = Reflection.objects.filter(person=person).select_related("question__chapter__course")
    if query:
        found = found.filter(Q(text__icontains=query) | Q(question__prompt__icontains=query))
    if course:
        found = found.filter(question__course__slug=course)
    if order == "date":
        return found.order_by("-saved_at", "-pk")
    return found.order_by(
        "question__course__title", "question__chapter__position", "question__position",
        "started_at",
    )  # fmt: skip


def earlier_wording(entries: list[Reflection]) -> dict[tuple[int, int], str]:
    """The words of each question as it stood when an answer among ``entries`` was written,
    where it has been reworded since: ``{(question pk, version): prompt}``, in one query."""
    pairs = {
        (r.question_id, r.question_version)
        for r in entries
        if r.question_version != r.question.version
    }
    if not pairs:
        return {}
    stale = Q()
    for question, version in pairs:
        stale |= Q(question_id=question, version=version)
    rows = QuestionVersion.objects.filter(stale).values_list("question_id", "version", "prompt")
    return {(question, version): prompt for question, version, prompt in rows}


def journal_courses(person: User) -> list[Course]:
    return list(Course.objects.filter(questions__reflections__person=person).distinct())


def shares_of(person: User) -> QuerySet[Share]:
    return Share.objects.filter(owner=person).select_related(
        "reflection__question__chapter__course", "chapter__course"
    )


def get_share_for_user(*, user: AnyUser, pk: int) -> Share:
    return access.get(user, Share.objects.all(), OWN, pk=pk)


def shared(token: str) -> tuple[Share, list[Reflection]]:
    """What a live link shows: the reflection, or the owner's answers to the chapter (as
    they are now). A withdrawn or unknown link is not found."""
    share = (
        Share.objects.filter(token=token, withdrawn_at__isnull=True)
        .select_related("owner", "chapter__course", "reflection__question__chapter__course")
        .first()
    )
    if share is None:
        raise Http404("This link has been withdrawn, or never existed.")
    if share.reflection is not None:
        return share, [share.reflection]
    entries = (
        Reflection.objects.filter(person=share.owner, question__chapter=share.chapter)
        .select_related("question")
        .order_by("question__position", "started_at")
    )
    return share, list(entries)


def research_courses() -> QuerySet[Course]:
    return courses().filter(research=True)


def get_research_course(slug: str) -> Course:
    found = research_courses().filter(slug=slug).first()
    if found is None:
        raise Http404("No course open to research has that address.")
    return found


def get_cohort_for_user(*, user: AnyUser, pk: int) -> Cohort:
    return access.get(
        user, Cohort.objects.select_related("course", "organisation"), rules.FACILITATE, pk=pk
    )


def cohorts_for_user(user: AnyUser, course: Course) -> QuerySet[Cohort]:
    return access.visible(user, course.cohorts.select_related("organisation"), rules.FACILITATE)


def facilitated_organisations(user: AnyUser) -> QuerySet[Organisation]:
    return access.scopes_where(user, rules.FACILITATE, Organisation)


@dataclass
class CohortRow:
    person: User
    states: list[str]  # per chapter: "Not started", "Started" or "Finished"

    @property
    def finished(self) -> int:
        return self.states.count("Finished")


def cohort_progress(cohort: Cohort) -> tuple[list[Chapter], list[CohortRow]]:
    """Each member of the cohort's organisation, and how far they are in each chapter of
    its course: two queries, and nothing of what anyone wrote."""
    chapters = list(cohort.course.chapters.filter(retired=False))
    people = list(
        User.objects.filter(memberships__organisation=cohort.organisation).order_by("name")
    )
    seen = {
        (p.person_id, p.chapter_id): p
        for p in Progress.objects.filter(person__in=people, chapter__in=chapters)
    }
    rows = []
    for person in people:
        states = []
        for chapter in chapters:
            progress = seen.get((person.pk, chapter.pk))
            states.append(
                "Not started"
                if progress is None
                else "Finished"
                if progress.finished_at
                else "Started"
            )
        rows.append(CohortRow(person, states))
    return chapters, rows


def my_cohorts(person: AnyUser, course: Course) -> QuerySet[Cohort]:
    """The cohorts of ``course`` whose facilitators see ``person``'s progress."""
    if not isinstance(person, User):
        return Cohort.objects.none()
    return course.cohorts.filter(organisation__memberships__user=person).select_related(
        "organisation"
    )
