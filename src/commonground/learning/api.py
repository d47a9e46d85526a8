"""API endpoints for Learn: courses and chapters (anyone), a person's own answers and
their journal as a file, and research aggregates (researchers).

Answers are read and written only by their author, with a personal token or a signed-in
browser; nobody else, site admins included, reads them here.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from commonground import access
from commonground.access import allow
from commonground.accounts.selectors import signed_in_user
from commonground.learning import exports, research, rules, selectors, services
from commonground.learning.models import Chapter, Course, Reflection
from commonground.lib.pdf import PdfUnavailable
from commonground.lib.views import download

router = Router(tags=["Learn"])


class ChapterBrief(Schema):
    slug: str
    title: str
    summary: str
    reading_minutes: int
    url: str


class CourseOut(Schema):
    slug: str
    title: str
    summary: str
    version: int
    licence: str
    authors: list[str]
    language: str
    chapters: list[ChapterBrief]


class QuestionOut(Schema):
    id: str = Field(description="The question's stable id, kept when its wording changes.")
    kind: str = Field(description="`text`, `scale`, `single` or `multiple`.")
    prompt: str
    help: str
    options: list[str] = Field(description="A scale's points (lowest first), or the choices.")
    version: int = Field(description="The version of the wording, from 1.")


class Piece(Schema):
    kind: str = Field(description="`html` (sanitised text of the chapter) or `question`.")
    html: str = ""
    question: str = Field(default="", description="The id of the question asked here.")


class ChapterOut(ChapterBrief):
    course: str
    themes: list[str]
    pieces: list[Piece]
    questions: list[QuestionOut]


class AnswerOut(Schema):
    id: int
    course: str
    chapter: str
    question: str
    question_version: int
    text: str
    chosen: list[str]
    revision: int = Field(description="Send this back as `based_on` to change the answer.")
    started_at: datetime
    saved_at: datetime


class AnswerIn(Schema):
    course: str
    question: str = Field(description="The question's id.")
    text: str = ""
    chosen: list[str] = Field(default=[], description="For scale and choice questions.")
    answer: int | None = Field(None, description="Change this answer of yours, not add one.")
    based_on: int | None = Field(
        None, description="The revision you last read; a later one means 409, not overwritten."
    )


class ConflictOut(Schema):
    message: str
    current: AnswerOut


def _chapter_brief(request: HttpRequest, chapter: Chapter) -> ChapterBrief:
    return ChapterBrief(
        slug=chapter.slug,
        title=chapter.title,
        summary=chapter.summary,
        reading_minutes=chapter.reading_minutes,
        url=request.build_absolute_uri(chapter.get_absolute_url()),
    )


def _course_out(request: HttpRequest, course: Course) -> CourseOut:
    return CourseOut(
        slug=course.slug,
        title=course.title,
        summary=course.summary,
        version=course.version,
        licence=course.licence,
        authors=course.authors,
        language=course.language,
        chapters=[_chapter_brief(request, c) for c in selectors.chapters_of(course)],
    )


def _answer_out(reflection: Reflection) -> AnswerOut:
    question = reflection.question
    return AnswerOut(
        id=reflection.pk,
        course=question.course.slug,
        chapter=question.chapter.slug,
        question=question.key,
        question_version=reflection.question_version,
        text=reflection.text,
        chosen=reflection.chosen,
        revision=reflection.revision,
        started_at=reflection.started_at,
        saved_at=reflection.saved_at,
    )


@router.get("/learn/courses", response=list[CourseOut], auth=None, summary="Every course")
@allow(access.ANYONE)
def courses_list(request: HttpRequest) -> list[CourseOut]:
    return [_course_out(request, c) for c in selectors.courses()]


@router.get(
    "/learn/courses/{slug}/chapters/{chapter}",
    response=ChapterOut,
    auth=None,
    summary="A chapter with its questions",
)
@allow(access.ANYONE)
def chapter_detail(request: HttpRequest, slug: str, chapter: str) -> ChapterOut:
    found = selectors.get_chapter(selectors.get_course(slug), chapter)
    questions = found.questions.filter(retired=False)
    return ChapterOut(
        **_chapter_brief(request, found).dict(),
        course=found.course.slug,
        themes=found.themes,
        pieces=[
            Piece(kind=kind, html=body, question="")
            if kind == "html"
            else Piece(kind=kind, html="", question=body)
            for kind, body in found.pieces
        ],
        questions=[
            QuestionOut(
                id=q.key,
                kind=q.kind,
                prompt=q.prompt,
                help=q.help,
                options=q.options,
                version=q.version,
            )  # fmt: skip
            for q in questions
        ],
    )


@router.get("/learn/answers", response=list[AnswerOut], summary="Your own answers")
@allow(access.SIGNED_IN)
def answers_list(request: HttpRequest) -> list[AnswerOut]:
    """Everything you wrote, by course and chapter: your journal."""
    return [_answer_out(r) for r in selectors.journal(signed_in_user(request))]


@router.get(
    "/learn/journal.{fmt}",
    summary="Your journal as a file",
    openapi_extra={
        "responses": {
            200: {
                "description": "Everything you wrote, each answer under the question's words "
                "and version: md, csv, json, pdf or docx.",
                "content": {kind: {} for kind in exports.FORMATS.values()},
            }
        }
    },
)
@allow(access.SIGNED_IN)
def journal_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The same files as the journal page's downloads. Only your own answers are in it."""
    if fmt not in exports.FORMATS:
        raise HttpError(404, f"No such format: use one of {', '.join(exports.FORMATS)}.")
    try:
        data, name = exports.journal(
            signed_in_user(request), fmt, base_url=request.build_absolute_uri("/")
        )
    except PdfUnavailable as exc:
        raise HttpError(503, f"The PDF could not be made here. {exc}.") from exc
    return download(data, content_type=exports.FORMATS[fmt], filename=name)


@router.post(
    "/learn/answers",
    response={200: AnswerOut, 201: AnswerOut, 409: ConflictOut},
    summary="Write or change an answer of yours",
)
@allow(access.SIGNED_IN)
def answer_save(request: HttpRequest, data: AnswerIn) -> Status[AnswerOut | ConflictOut]:
    person = signed_in_user(request)
    course = selectors.get_course(data.course)
    question = course.questions.filter(key=data.question, retired=False).first()
    if question is None:
        raise HttpError(404, "No such question in this course.")
    reflection = (
        selectors.get_reflection_for_user(user=person, pk=data.answer)
        if data.answer is not None
        else None
    )
    try:
        saved = services.reflection_save(
            person=person,
            question=question,
            text=data.text,
            chosen=data.chosen,
            reflection=reflection,
            based_on=data.based_on,
        )
    except services.Conflict as conflict:
        return Status(
            409, ConflictOut(message=str(conflict), current=_answer_out(conflict.current))
        )
    except ValidationError as exc:
        raise HttpError(400, exc.messages[0]) from exc
    return Status(201 if reflection is None else 200, _answer_out(saved))


class CountOut(Schema):
    answer: str
    count: int | None = Field(description="Empty where the group is too small to show.")
    shown: str = Field(description="The count, or 'fewer than 10'.")


class GroupOut(Schema):
    group: str = Field(description="A kind of organisation, with 10 or more people.")
    people: int
    counts: list[CountOut]


class ResearchQuestionOut(Schema):
    question: str
    prompt: str
    kind: str
    version: int
    answered: int | None = Field(description="Empty below 10.")
    counts: list[CountOut]
    groups: list[GroupOut]
    excerpts: list[str]


def _counts(options: list[str], cells: list[research.Cell]) -> list[CountOut]:
    return [
        CountOut(answer=o, count=None if c.hidden else c.count, shown=str(c))
        for o, c in zip(options, cells, strict=True)
    ]


@router.get(
    "/learn/research/{slug}",
    response=list[ResearchQuestionOut],
    summary="Research aggregates for a course (researchers)",
)
@allow(rules.RESEARCH)
def research_aggregates(request: HttpRequest, slug: str) -> list[ResearchQuestionOut]:
    """Per question, from learners whose consent is in force: counts (groups under 10
    hidden) and anonymised excerpts, as the research page shows them. Not logged as an
    export; the zip download on the page is."""
    course = selectors.get_research_course(slug)
    return [
        ResearchQuestionOut(
            question=b.question.key,
            prompt=b.question.prompt,
            kind=b.question.kind,
            version=b.question.version,
            answered=b.answered if b.answered >= research.MIN_GROUP else None,
            counts=_counts(b.options, b.overall) if b.answered >= research.MIN_GROUP else [],
            groups=[
                GroupOut(group=kind, people=people, counts=_counts(b.options, cells))
                for kind, people, cells in b.groups
            ],
            excerpts=b.excerpts,
        )
        for b in research.aggregates(course)
    ]
