"""Reads for evaluation, and fetching its objects for a person.

Who may see what is the rule in ``rules.py``, applied through the one access
layer (``commonground/access.py``); the helpers here say which object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models
from django.db.models import Count, Exists, Manager, Max, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse

from commonground import access
from commonground.accounts.models import Membership, Organisation
from commonground.accounts.selectors import AnyUser
from commonground.evaluation import rules, stats
from commonground.evaluation.models import (
    Activity,
    Answer,
    Code,
    Coding,
    EvaluationForm,
    GuideQuestion,
    Indicator,
    IndicatorValue,
    Interview,
    InterviewGuide,
    InterviewNote,
    Judgement,
    Measure,
    Objective,
    Observation,
    Programme,
    Question,
    ReportSection,
    Response,
    ResponseImport,
    Suggestion,
    Tally,
)
from commonground.evaluation.tables import ACTIVITY, ORGANISATION, Spec
from commonground.evaluation.texts import ANSWER, NOTE, OBSERVATION, TextRef, ref_of

M = TypeVar("M", bound=models.Model)


def can_evaluate(user: AnyUser, organisation: Organisation) -> bool:
    return access.may(user, rules.EVALUATE, organisation)


def _owned(user: AnyUser, queryset: QuerySet[M], pk: int, missing: str) -> M:
    """The row ``pk`` of ``queryset`` if ``user`` may evaluate the programme it belongs to."""
    return access.get(user, queryset, rules.EVALUATE, missing=missing, pk=pk)


def get_programme_for_user(*, user: AnyUser, pk: int) -> Programme:
    return _owned(user, Programme.objects.all(), pk, "No such programme.")


def get_activity_for_user(*, user: AnyUser, pk: int) -> Activity:
    return _owned(user, Activity.objects.all(), pk, "No such activity.")


def get_form_for_user(*, user: AnyUser, pk: int) -> EvaluationForm:
    return _owned(user, EvaluationForm.objects.all(), pk, "No such form.")


def get_question_for_user(*, user: AnyUser, pk: int) -> Question:
    return _owned(user, Question.objects.all(), pk, "No such question.")


def get_form_for_respondent(*, key: str) -> EvaluationForm:
    """The form behind a public link; anyone holding the link may answer it."""
    form = (
        EvaluationForm.objects.select_related("programme__organisation")
        .prefetch_related("questions", "activities")
        .filter(public_key=key)
        .first()
        if key
        else None
    )
    if form is None:
        raise Http404("This form link is not valid. Check you copied all of it.")
    return form


def evaluating_organisations(user: AnyUser) -> QuerySet[Organisation]:
    """Organisations whose programmes ``user`` may see and add to."""
    return access.scopes_where(user, rules.EVALUATE, Organisation)


def programmes_for_user(user: AnyUser) -> QuerySet[Programme]:
    return (
        access.visible(user, Programme.objects.all(), rules.EVALUATE)
        .select_related("organisation")
        .annotate(activity_count=Count("activities", distinct=True))
        .order_by("organisation__name", "-created_at")
    )


def is_member_elsewhere(user: AnyUser) -> bool:
    """Whether ``user`` belongs to an organisation but evaluates for none (for the empty page)."""
    return user.is_authenticated and Membership.objects.filter(user_id=user.pk).exists()


def next_position(rows: QuerySet[Any] | Manager[Any]) -> int:
    """The place after the last of ``rows`` (objectives, questions, figures): 1 for the first."""
    return (rows.aggregate(last=Max("position"))["last"] or 0) + 1


def programme_forms(programme: Programme) -> QuerySet[EvaluationForm]:
    return (
        programme.forms.prefetch_related("activities")
        .annotate(
            response_count=Count("responses", distinct=True),
            question_count=Count("questions", distinct=True),
        )
        .order_by("created_at")
    )


def form_questions(form: EvaluationForm) -> list[Question]:
    return list(form.questions.order_by("position", "pk"))


@dataclass(frozen=True)
class Progress:
    """What a programme has so far: the tabs that would lead to empty pages wait for it."""

    texts: bool  # written answers, interview notes or observation notes: something to code
    codes: bool
    codings: bool
    evidence: bool  # responses, interviews, observations, measures or indicators
    conclusions: bool  # a judgement, or a section of the report written

    @property
    def codebook(self) -> bool:
        return self.texts or self.codes

    @property
    def reporting(self) -> bool:
        return self.evidence or self.conclusions


def programme_progress(programme: Programme) -> Progress:
    """How far ``programme`` has got, in one query."""
    mine = OuterRef("pk")
    # Each check as its own name: an annotation may not take a relation's ("measures").
    checks = {
        "has_answers": Answer.objects.filter(
            question__form__programme=mine, question__kind=Question.Kind.WRITE_IN
        ).exclude(text=""),
        "has_notes": InterviewNote.objects.filter(interview__guide__programme=mine).exclude(
            notes=""
        ),
        "has_observations": Observation.objects.filter(programme=mine),
        "has_codes": Code.objects.filter(programme=mine),
        "has_codings": Coding.objects.filter(code__programme=mine),
        "has_responses": Response.objects.filter(form__programme=mine),
        "has_interviews": Interview.objects.filter(guide__programme=mine),
        "has_measures": Measure.objects.filter(programme=mine),
        "has_indicators": Indicator.objects.filter(programme=mine),
        "has_judgements": Judgement.objects.filter(objective__programme=mine),
        "has_sections": ReportSection.objects.filter(programme=mine).exclude(text=""),
    }
    found = (
        Programme.objects.filter(pk=programme.pk)
        .values(**{name: Exists(rows) for name, rows in checks.items()})
        .get()
    )
    has = {name.removeprefix("has_"): bool(value) for name, value in found.items()}
    return Progress(
        texts=has["answers"] or has["notes"] or has["observations"],
        codes=has["codes"],
        codings=has["codings"],
        evidence=any(
            has[k] for k in ("responses", "interviews", "observations", "measures", "indicators")
        ),
        conclusions=has["judgements"] or has["sections"],
    )


# -- costs -----------------------------------------------------------------------------


@dataclass
class CostLine:
    """Costs for one activity, or summed for one kind of activity."""

    name: str
    activities: int
    participants: int
    participant_hours: Decimal
    cost: Decimal

    @property
    def per_participant(self) -> Decimal | None:
        return self.cost / self.participants if self.participants else None

    @property
    def per_participant_hour(self) -> Decimal | None:
        return self.cost / self.participant_hours if self.participant_hours else None


def costs(activities: list[Activity]) -> tuple[list[CostLine], list[CostLine], CostLine]:
    """Cost per participant and per participant-hour: by activity, by kind, and in all."""
    by_activity = [
        CostLine(a.title, 1, a.participants, a.participant_hours, a.cost) for a in activities
    ]
    kinds: dict[str, CostLine] = {}
    for activity in activities:
        line = kinds.setdefault(
            activity.kind,
            CostLine(activity.get_kind_display(), 0, 0, Decimal(0), Decimal(0)),
        )
        line.activities += 1
        line.participants += activity.participants
        line.participant_hours += activity.participant_hours
        line.cost += activity.cost
    total = CostLine(
        "All activities",
        len(activities),
        sum(a.participants for a in activities),
        sum((a.participant_hours for a in activities), Decimal(0)),
        sum((a.cost for a in activities), Decimal(0)),
    )
    return by_activity, sorted(kinds.values(), key=lambda line: line.name), total


# -- results ---------------------------------------------------------------------------


@dataclass
class ItemResult:
    question: Question
    figures: stats.ItemStats
    # By activity: its name and figures, None where fewer than MIN_GROUP answered.
    by_activity: list[tuple[str, stats.ItemStats | None]] = field(default_factory=list)

    def points(self) -> list[tuple[int, str, int, float | None]]:
        """Each point: its number, label, answers and share of answers."""
        return [
            (i + 1, label, count, share)
            for i, (label, count, share) in enumerate(
                zip(self.question.labels, self.figures.counts, self.figures.shares, strict=True)
            )
        ]


@dataclass
class FormResults:
    form: EvaluationForm
    responses: int
    participants: int
    activity_names: list[str]
    items: list[ItemResult]
    # Respondents who used the lowest point, by the number of items they used it on.
    lowest_use: dict[int, int]
    write_ins: list[tuple[Question, list[tuple[Response, str]]]]

    @property
    def response_rate(self) -> float | None:
        return stats.response_rate(self.responses, self.participants)

    @property
    def lowest_users(self) -> int:
        return sum(self.lowest_use.values())


def form_results(form: EvaluationForm, *, write_ins: bool = True) -> FormResults:
    """Every figure for ``form``, read from its tallies: a fixed number of small queries
    however many responses it has."""
    questions = form_questions(form)
    likert = [q for q in questions if q.is_likert]
    activities = list(form.activities.order_by("starts_on", "title"))
    tallies: dict[int, list[int]] = {q.pk: [0] * q.points for q in likert}
    grouped: dict[tuple[int, int], list[int]] = {}
    rows = Tally.objects.filter(question__in=likert, count__gt=0).values_list(
        "question_id", "activity_key", "value", "count"
    )
    for question_id, activity_key, value, n in rows:
        counts = tallies[question_id]
        if 1 <= value <= len(counts):
            counts[value - 1] += n
            group = grouped.setdefault((question_id, activity_key), [0] * len(counts))
            group[value - 1] += n
    items = []
    for question in likert:
        result = ItemResult(question, stats.item_stats(tallies[question.pk]))
        if len(activities) > 1:
            compared = stats.compare(
                {
                    a.title: grouped.get((question.pk, a.pk), [0] * question.points)
                    for a in activities
                }
            )
            result.by_activity = list(compared.items())
        items.append(result)
    lowest_use = dict(
        form.responses.filter(lowest_points__gt=0)
        .values_list("lowest_points")
        .annotate(n=Count("id"))
        .order_by("lowest_points")
    )
    written: list[tuple[Question, list[tuple[Response, str]]]] = []
    if write_ins:
        open_questions = [q for q in questions if not q.is_likert]
        answers = (
            Answer.objects.filter(question__in=open_questions)
            .exclude(text="")
            .select_related("response__activity")
            .order_by("response__submitted_at", "pk")
        )
        by_question: dict[int, list[tuple[Response, str]]] = {q.pk: [] for q in open_questions}
        for answer in answers:
            by_question[answer.question_id].append((answer.response, answer.text))
        written = [(q, by_question[q.pk]) for q in open_questions]
    return FormResults(
        form=form,
        responses=form.responses.count(),
        participants=sum(a.participants for a in activities),
        activity_names=[a.title for a in activities],
        items=items,
        lowest_use=lowest_use,
        write_ins=written,
    )


def form_responses(form: EvaluationForm) -> QuerySet[Response]:
    """Every response with its answers, for the spreadsheet export."""
    return (
        form.responses.select_related("activity")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.only("response_id", "question_id", "value", "text"),
            )
        )
        .order_by("submitted_at", "pk")
    )


def import_specs(form: EvaluationForm) -> list[Spec]:
    """What a column of ``form``'s spreadsheet can hold: each question, its activity, the
    respondent's organisation."""
    specs = [
        Spec(
            key=f"q{q.pk}",
            heading=q.code,
            text=q.text,
            points=q.points if q.is_likert else 0,
            labels=tuple(q.labels),
            required=q.required,
        )
        for q in form.questions.order_by("position", "pk")
    ]
    if form.activities.count() > 1:
        specs.append(Spec(key=ACTIVITY, heading="activity", text="Activity"))
    specs.append(Spec(key=ORGANISATION, heading="organisation", text="Organisation"))
    return specs


def get_import_for_user(*, user: AnyUser, pk: int) -> ResponseImport:
    return _owned(
        user,
        ResponseImport.objects.defer("content"),
        pk,
        "No such import.",
    )


# -- coding ----------------------------------------------------------------------------


@dataclass
class TextUnit:
    """One codable text with where it came from (never a person's name) and its codings."""

    ref: TextRef
    text: str
    label: str  # the question it answers, or the observation's title
    source: str  # "Form: ...", "Interview", "Observation"
    organisation: str
    activity: str
    codings: list[Coding] = field(default_factory=list)

    def url(self, programme: Programme) -> str:
        return reverse("evaluation:text", args=[programme.pk, self.ref.kind, self.ref.pk])

    def segments(self) -> list[tuple[str, list[str]]]:
        """The text cut at every coding's edges: each piece with the codes covering it."""
        edges = sorted(
            {0, len(self.text)} | {c.start for c in self.codings} | {c.end for c in self.codings}
        )
        pieces = []
        for start, end in zip(edges, edges[1:], strict=False):
            names = [c.code.name for c in self.codings if c.start <= start and c.end >= end]
            pieces.append((self.text[start:end], names))
        return pieces


def programme_texts(programme: Programme, *, only: TextRef | None = None) -> list[TextUnit]:
    """Every codable text of ``programme`` (or just ``only``) with its codings: a fixed
    number of queries."""

    def wanted(kind: str) -> dict[str, int]:
        # None of this kind when one text of another kind is asked for.
        return {} if only is None else {"pk": only.pk if only.kind == kind else 0}

    units: list[TextUnit] = []
    answers = (
        Answer.objects.filter(
            response__form__programme=programme, question__kind="write_in", **wanted(ANSWER)
        )
        .exclude(text="")
        .select_related("question__form", "response__activity")
        .order_by("question__form_id", "question__position", "response__submitted_at", "pk")
    )
    for answer in answers:
        units.append(
            TextUnit(
                ref=TextRef(ANSWER, answer.pk),
                text=answer.text,
                label=answer.question.text,
                source=f"Form: {answer.question.form.title}",
                organisation=answer.response.organisation_name,
                activity=answer.response.activity.title if answer.response.activity else "",
            )
        )
    notes = (
        InterviewNote.objects.filter(interview__guide__programme=programme, **wanted(NOTE))
        .exclude(notes="")
        .select_related("question", "interview__activity")
        .order_by("interview__held_on", "interview_id", "question__position")
    )
    for note in notes:
        interview = note.interview
        units.append(
            TextUnit(
                ref=TextRef(NOTE, note.pk),
                text=note.notes,
                label=f"{note.question.theme}: {note.question.text}",
                source=f"Interview, {interview.held_on:%d %B %Y}",
                organisation=interview.organisation_name,
                activity=interview.activity.title if interview.activity else "",
            )
        )
    for observation in programme.observations.filter(**wanted(OBSERVATION)).select_related(
        "activity"
    ):
        units.append(
            TextUnit(
                ref=TextRef(OBSERVATION, observation.pk),
                text=observation.notes,
                label=observation.title,
                source=f"Observation, {observation.observed_on:%d %B %Y}",
                organisation="",
                activity=observation.activity.title if observation.activity else "",
            )
        )
    codings = Coding.objects.filter(code__programme=programme).select_related("code")
    if only is not None:
        codings = codings.filter(**only.fields())
    by_ref: dict[TextRef, list[Coding]] = {}
    for coding in codings:
        by_ref.setdefault(ref_of(coding), []).append(coding)
    for unit in units:
        unit.codings = sorted(by_ref.get(unit.ref, []), key=lambda c: (c.start, c.end))
    return units


def programme_text(programme: Programme, *, kind: str, pk: int) -> TextUnit:
    """One codable text of ``programme`` (whose access the caller has checked); 404 if the
    programme has no such text."""
    unit = next(iter(programme_texts(programme, only=TextRef(kind, pk))), None)
    if unit is None:
        raise Http404("No such text in this programme.")
    return unit


def code_family(code_id: int) -> set[int]:
    """The code ``code_id`` and all its subcodes, however deep."""
    ids, frontier = {code_id}, {code_id}
    while frontier:
        frontier = set(Code.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids |= frontier
    return ids


def codebook(programme: Programme) -> list[tuple[Code, int, int]]:
    """The codes in tree order: each with its depth and how many passages it codes."""
    codes = list(programme.codes.annotate(uses=Count("codings")).order_by("name"))
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    ordered: list[tuple[Code, int, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for code in children.get(parent, []):
            ordered.append((code, depth, code.uses))  # type: ignore[attr-defined]
            walk(code.pk, depth + 1)

    walk(None, 0)
    return ordered


@dataclass
class Quote:
    coding: Coding
    unit: TextUnit


def quote_bank(
    programme: Programme,
    *,
    code: int | None = None,
    objective: int | None = None,
    activity: str = "",
    organisation: str = "",
    texts: list[TextUnit] | None = None,
) -> list[Quote]:
    """Coded passages with where they came from, filtered; a code includes its subcodes.
    ``texts`` are the programme's texts when the caller has them already."""
    units = {u.ref: u for u in (texts if texts is not None else programme_texts(programme))}
    codings = (
        Coding.objects.filter(code__programme=programme)
        .select_related("code")
        .prefetch_related("objectives")
        .order_by("code__name", "created_at")
    )
    if code:
        codings = codings.filter(code_id__in=code_family(code))
    if objective:
        codings = codings.filter(objectives__id=objective)
    quotes = []
    for coding in codings:
        unit = units.get(ref_of(coding))
        if unit is None:
            continue
        if activity and unit.activity != activity:
            continue
        if organisation and unit.organisation != organisation:
            continue
        quotes.append(Quote(coding, unit))
    return quotes


def get_code_for_user(*, user: AnyUser, pk: int) -> Code:
    return _owned(user, Code.objects.all(), pk, "No such code.")


def get_coding_for_user(*, user: AnyUser, pk: int) -> Coding:
    return _owned(user, Coding.objects.all(), pk, "No such coding.")


def get_suggestion_for_user(*, user: AnyUser, pk: int) -> Suggestion:
    return _owned(user, Suggestion.objects.all(), pk, "No such suggestion.")


def get_guide_for_user(*, user: AnyUser, pk: int) -> InterviewGuide:
    return _owned(
        user,
        InterviewGuide.objects.all(),
        pk,
        "No such interview guide.",
    )


def get_note_for_user(*, user: AnyUser, pk: int) -> InterviewNote:
    return _owned(
        user,
        InterviewNote.objects.select_related("question", "interview"),
        pk,
        "No such notes.",
    )


def get_observation_for_user(*, user: AnyUser, pk: int) -> Observation:
    return _owned(user, Observation.objects.all(), pk, "No such observation.")


def get_interview_for_user(*, user: AnyUser, pk: int) -> Interview:
    return _owned(
        user,
        Interview.objects.select_related("activity"),
        pk,
        "No such interview.",
    )


def interview_notes_by_theme(interview: Interview) -> list[tuple[str, list[InterviewNote]]]:
    themes: dict[str, list[InterviewNote]] = {}
    for note in interview.notes.select_related("question").order_by("question__position"):
        themes.setdefault(note.question.theme, []).append(note)
    return list(themes.items())


def guide_answers_by_theme(
    guide: InterviewGuide,
) -> list[tuple[str, list[tuple[GuideQuestion, list[InterviewNote]]]]]:
    """Each theme's questions with every interview's notes: interviews compared by theme."""
    notes: dict[int, list[InterviewNote]] = {}
    for note in (
        InterviewNote.objects.filter(interview__guide=guide)
        .exclude(notes="")
        .select_related("interview")
        .order_by("interview__held_on")
    ):
        notes.setdefault(note.question_id, []).append(note)
    themes: dict[str, list[tuple[GuideQuestion, list[InterviewNote]]]] = {}
    for question in guide.questions.all():
        themes.setdefault(question.theme, []).append((question, notes.get(question.pk, [])))
    return list(themes.items())


# -- outcomes and the report -----------------------------------------------------------


def get_objective_for_user(*, user: AnyUser, pk: int) -> Objective:
    return _owned(user, Objective.objects.all(), pk, "No such objective.")


def get_measure_for_user(*, user: AnyUser, pk: int) -> Measure:
    return _owned(user, Measure.objects.all(), pk, "No such measure.")


def get_indicator_for_user(*, user: AnyUser, pk: int) -> Indicator:
    return _owned(user, Indicator.objects.all(), pk, "No such indicator.")


@dataclass
class Judged:
    objective: Objective
    judgement: Judgement | None
    items: list[ItemResult] = field(default_factory=list)
    quotes: list[Coding] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)


def judgements(programme: Programme, results: list[FormResults] | None = None) -> list[Judged]:
    """Each objective with its judgement and the evidence linked to it, figures included."""
    results = results if results is not None else programme_results(programme)
    by_question = {item.question.pk: item for r in results for item in r.items}
    objectives = programme.objectives.select_related("judgement").prefetch_related(
        "judgement__items",
        Prefetch("judgement__quotes", queryset=Coding.objects.select_related("code")),
        Prefetch("judgement__measures", queryset=Measure.objects.prefetch_related("values")),
    )
    judged = []
    for objective in objectives:
        judgement = getattr(objective, "judgement", None)
        entry = Judged(objective, judgement)
        if judgement is not None:
            entry.items = [by_question[q.pk] for q in judgement.items.all() if q.pk in by_question]
            entry.quotes = list(judgement.quotes.all())
            entry.measures = list(judgement.measures.all())
        judged.append(entry)
    return judged


def programme_results(programme: Programme) -> list[FormResults]:
    return [form_results(f, write_ins=False) for f in programme.forms.order_by("created_at")]


def measures_by_kind(programme: Programme) -> list[tuple[str, list[Measure]]]:
    grouped: dict[str, list[Measure]] = {kind.label: [] for kind in Measure.Kind}
    for measure in programme.measures.prefetch_related("values"):
        grouped[measure.get_kind_display()].append(measure)
    return list(grouped.items())


def indicators(programme: Programme) -> list[tuple[Indicator, list[IndicatorValue]]]:
    return [(i, list(i.values.all())) for i in programme.indicators.prefetch_related("values")]


@dataclass
class Report:
    """Everything the evaluation report shows, gathered once for the page and the PDF."""

    programme: Programme
    sections: dict[str, str]
    judged: list[Judged]
    activities: list[Activity]
    results: list[FormResults]
    costs_by_activity: list[CostLine]
    costs_by_kind: list[CostLine]
    costs_total: CostLine
    measures: list[tuple[str, list[Measure]]]
    indicators: list[tuple[Indicator, list[IndicatorValue]]]
    quotes_by_activity: list[tuple[str, list[Quote]]]
    interviews: int
    interview_modes: list[tuple[str, int]]
    observations: int
    codes: int
    codings: int

    @property
    def responses(self) -> int:
        return sum(r.responses for r in self.results)

    @property
    def sessions(self) -> int:
        return sum(a.sessions for a in self.activities)


def report(programme: Programme) -> Report:
    activities = list(programme.activities.all())
    by_activity, by_kind, total = costs(activities)
    results = programme_results(programme)
    quotes: dict[str, list[Quote]] = {}
    for quote in quote_bank(programme):
        quotes.setdefault(quote.unit.activity or "Across the programme", []).append(quote)
    order = [a.title for a in activities] + ["Across the programme"]
    modes = (
        Interview.objects.filter(guide__programme=programme)
        .values_list("mode")
        .annotate(n=Count("id"))
        .order_by("mode")
    )
    return Report(
        programme=programme,
        sections={s.key: s.text for s in programme.report_sections.all()},
        judged=judgements(programme, results),
        activities=activities,
        results=results,
        costs_by_activity=by_activity,
        costs_by_kind=by_kind,
        costs_total=total,
        measures=measures_by_kind(programme),
        indicators=indicators(programme),
        quotes_by_activity=[(name, quotes[name]) for name in order if name in quotes],
        interviews=sum(n for _, n in modes),
        interview_modes=[(Interview.Mode(mode).label, n) for mode, n in modes],
        observations=programme.observations.count(),
        codes=programme.codes.count(),
        codings=Coding.objects.filter(code__programme=programme).count(),
    )
