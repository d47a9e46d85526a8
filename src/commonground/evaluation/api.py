"""API endpoints for evaluation: programmes, objectives, activities, forms, responses, statistics.

Everything needs a token or a signed-in browser, and the same access rule as
the pages: an organisation's evaluators and admins. The endpoints call the
same selectors and services as the pages.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from commonground import access
from commonground.access import allow
from commonground.accounts.models import Organisation
from commonground.accounts.selectors import signed_in_user
from commonground.evaluation import rules, selectors, services, stats
from commonground.evaluation.models import (
    Activity,
    Code,
    Coding,
    EvaluationForm,
    Judgement,
    Objective,
    Programme,
    Question,
    Response,
)
from commonground.evaluation.texts import KINDS

router = Router(tags=["Evaluation"])


# -- schemas ---------------------------------------------------------------------------


class ProgrammeIn(Schema):
    organisation: str = Field(description="The owning organisation's slug.")
    title: str = Field(min_length=1, max_length=200)
    summary: str = ""
    starts_on: date | None = None
    ends_on: date | None = None


class ProgrammeBrief(Schema):
    id: int
    title: str
    organisation: str
    starts_on: date | None
    ends_on: date | None
    url: str


class ObjectiveOut(Schema):
    id: int
    text: str


class ObjectiveIn(Schema):
    text: str = Field(min_length=1, max_length=1000)


class ActivityIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    kind: Activity.Kind = Activity.Kind.OTHER
    description: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    sessions: int = Field(default=1, ge=0)
    venue: str = ""
    online: bool = False
    participants: int = Field(default=0, ge=0)
    hours_per_participant: Decimal = Field(default=Decimal(0), ge=0, max_digits=7, decimal_places=2)
    cost: Decimal = Field(default=Decimal(0), ge=0, max_digits=12, decimal_places=2)


class ActivityOut(ActivityIn):
    id: int
    participant_hours: Decimal
    cost_per_participant: Decimal | None
    cost_per_participant_hour: Decimal | None


class FormBrief(Schema):
    id: int
    title: str
    activities: list[int]
    accepting: bool
    closes_at: datetime | None
    public_url: str = Field(description="The link to send to respondents; no sign-in needed.")


class ProgrammeOut(ProgrammeBrief):
    summary: str
    objectives: list[ObjectiveOut]
    activities: list[ActivityOut]
    forms: list[FormBrief]


class FormIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    introduction: str = ""
    activities: list[int] = Field(default=[], description="Ids of the programme's activities.")
    closes_at: datetime | None = None


class QuestionIn(Schema):
    text: str = Field(min_length=1, max_length=500)
    kind: Question.Kind = Question.Kind.LIKERT
    labels: list[str] = Field(
        default=[], description="A scale's point labels, lowest first; empty for the 1-4 scale."
    )
    code: str = Field(default="", description="The spreadsheet column heading.")
    required: bool = False


class QuestionOut(Schema):
    id: int
    text: str
    kind: str
    code: str
    labels: list[str]
    required: bool


class FormOut(FormBrief):
    programme: int
    introduction: str
    questions: list[QuestionOut]


class ResponseIn(Schema):
    answers: dict[str, int | str] = Field(
        description="Question codes (or ids) to a point of the scale or the words written."
    )
    activity: int | None = None
    organisation_name: str = ""


class ResponseOut(Schema):
    id: int
    repeated: bool


class ResponseRow(Schema):
    id: int
    submitted_at: datetime
    channel: str
    activity: int | None
    organisation_name: str
    answers: dict[str, int | str] = Field(description="Question code to a point or the words.")


class ProportionOut(Schema):
    count: int
    n: int
    percent: float | None
    ci95_low_percent: float | None
    ci95_high_percent: float | None


class GroupOut(Schema):
    activity: str
    suppressed: bool = Field(description="True when fewer than 5 answered: not shown.")
    n: int | None
    mean: float | None


class ItemOut(Schema):
    question: int
    code: str
    text: str
    labels: list[str]
    n: int
    counts: list[int]
    percents: list[float | None]
    mean: float | None
    mean_ci95: list[float] | None = Field(
        description="95% t-interval, treating the points as equally spaced."
    )
    sd: float | None
    median: float | None
    interquartile_range: list[float] | None
    top_box: ProportionOut
    top_two_box: ProportionOut
    band: str | None = Field(description="The quarter of the scale's range the mean falls in.")
    band_range: list[float] | None
    lowest_point: int
    by_activity: list[GroupOut]


class StatisticsOut(Schema):
    form: int
    responses: int
    participants: int = Field(description="Participants of the form's activities.")
    response_rate_percent: float | None
    denominator: str = Field(description="What the response rate was divided by.")
    lowest_point_users: int
    lowest_point_use: dict[int, int] = Field(
        description="Number of items on which a respondent used the lowest point, to how "
        "many respondents did so."
    )
    items: list[ItemOut]


# -- converting ------------------------------------------------------------------------


def _brief(request: HttpRequest, programme: Programme) -> dict[str, object]:
    return {
        "id": programme.pk,
        "title": programme.title,
        "organisation": programme.organisation.slug,
        "starts_on": programme.starts_on,
        "ends_on": programme.ends_on,
        "url": request.build_absolute_uri(programme.get_absolute_url()),
    }


def _activity_out(activity: Activity) -> ActivityOut:
    return ActivityOut(
        id=activity.pk,
        title=activity.title,
        kind=Activity.Kind(activity.kind),
        description=activity.description,
        starts_on=activity.starts_on,
        ends_on=activity.ends_on,
        sessions=activity.sessions,
        venue=activity.venue,
        online=activity.online,
        participants=activity.participants,
        hours_per_participant=activity.hours_per_participant,
        cost=activity.cost,
        participant_hours=activity.participant_hours,
        cost_per_participant=activity.cost_per_participant,
        cost_per_participant_hour=activity.cost_per_participant_hour,
    )


def _form_fields(request: HttpRequest, form: EvaluationForm) -> dict[str, object]:
    return {
        "id": form.pk,
        "title": form.title,
        "activities": [a.pk for a in form.activities.all()],
        "accepting": form.is_open,
        "closes_at": form.closes_at,
        "public_url": request.build_absolute_uri(form.public_path()),
    }


def _question_out(q: Question) -> QuestionOut:
    return QuestionOut(
        id=q.pk, text=q.text, kind=q.kind, code=q.code, labels=q.labels, required=q.required
    )


def _percent(share: float | None) -> float | None:
    return round(share * 100, 4) if share is not None else None


def _proportion(p: stats.Proportion) -> ProportionOut:
    return ProportionOut(
        count=p.count,
        n=p.n,
        percent=_percent(p.share),
        ci95_low_percent=_percent(p.low),
        ci95_high_percent=_percent(p.high),
    )


def _item_out(item: selectors.ItemResult) -> ItemOut:
    f = item.figures
    return ItemOut(
        question=item.question.pk,
        code=item.question.code,
        text=item.question.text,
        labels=item.question.labels,
        n=f.n,
        counts=list(f.counts),
        percents=[_percent(s) for s in f.shares],
        mean=f.mean,
        mean_ci95=[f.ci_low, f.ci_high] if f.ci_low is not None and f.ci_high is not None else None,
        sd=f.sd,
        median=f.median,
        interquartile_range=[f.q1, f.q3] if f.q1 is not None and f.q3 is not None else None,
        top_box=_proportion(f.top_box),
        top_two_box=_proportion(f.top_two_box),
        band=f.band.name if f.band else None,
        band_range=[f.band.low, f.band.high] if f.band else None,
        lowest_point=f.lowest,
        by_activity=[
            GroupOut(
                activity=name,
                suppressed=g is None,
                n=g.n if g else None,
                mean=g.mean if g else None,
            )
            for name, g in item.by_activity
        ],
    )


# -- programmes ------------------------------------------------------------------------


@router.get(
    "/evaluation/programmes",
    response=list[ProgrammeBrief],
    summary="Programmes you can evaluate",
)
@allow(access.SIGNED_IN)
def programmes_list(request: HttpRequest) -> list[ProgrammeBrief]:
    """Programmes of the organisations where you are an evaluator or an admin."""
    user = signed_in_user(request)
    return [ProgrammeBrief(**_brief(request, p)) for p in selectors.programmes_for_user(user)]  # type: ignore[arg-type]


@router.post(
    "/evaluation/programmes",
    response={201: ProgrammeOut},
    summary="Set up a programme",
)
@allow(rules.ADD_PROGRAMME, on=Organisation)
def programme_create(request: HttpRequest, data: ProgrammeIn) -> Status[ProgrammeOut]:
    user = signed_in_user(request)
    organisation = access.get(
        user,
        Organisation.objects.all(),
        rules.ADD_PROGRAMME,
        missing=f"No organisation with the slug {data.organisation}.",
        slug=data.organisation,
    )
    programme = services.programme_create(
        organisation=organisation,
        by=user,
        title=data.title,
        summary=data.summary,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
    )
    return Status(201, _programme_out(request, programme))


def _programme_out(request: HttpRequest, programme: Programme) -> ProgrammeOut:
    return ProgrammeOut(
        **_brief(request, programme),  # type: ignore[arg-type]
        summary=programme.summary,
        objectives=[ObjectiveOut(id=o.pk, text=o.text) for o in programme.objectives.all()],
        activities=[_activity_out(a) for a in programme.activities.all()],
        forms=[
            FormBrief(**_form_fields(request, f))  # type: ignore[arg-type]
            for f in programme.forms.prefetch_related("activities")
        ],
    )


@router.get(
    "/evaluation/programmes/{programme_id}",
    response=ProgrammeOut,
    summary="A programme with its objectives, activities (and their costs) and forms",
)
@allow(rules.EVALUATE, on=Programme)
def programme_detail(request: HttpRequest, programme_id: int) -> ProgrammeOut:
    programme = selectors.get_programme_for_user(user=request.user, pk=programme_id)
    return _programme_out(request, programme)


@router.post(
    "/evaluation/programmes/{programme_id}/objectives",
    response={201: ObjectiveOut},
    summary="Add an objective",
)
@allow(rules.EVALUATE, on=Programme)
def objective_add(
    request: HttpRequest, programme_id: int, data: ObjectiveIn
) -> Status[ObjectiveOut]:
    programme = selectors.get_programme_for_user(user=request.user, pk=programme_id)
    objective = services.objective_add(programme=programme, text=data.text)
    return Status(201, ObjectiveOut(id=objective.pk, text=objective.text))


@router.post(
    "/evaluation/programmes/{programme_id}/activities",
    response={201: ActivityOut},
    summary="Add an activity",
)
@allow(rules.EVALUATE, on=Programme)
def activity_add(request: HttpRequest, programme_id: int, data: ActivityIn) -> Status[ActivityOut]:
    programme = selectors.get_programme_for_user(user=request.user, pk=programme_id)
    activity = services.activity_save(programme=programme, **data.dict())
    return Status(201, _activity_out(activity))


@router.put(
    "/evaluation/activities/{activity_id}", response=ActivityOut, summary="Change an activity"
)
@allow(rules.EVALUATE, on=Activity)
def activity_update(request: HttpRequest, activity_id: int, data: ActivityIn) -> ActivityOut:
    activity = selectors.get_activity_for_user(user=request.user, pk=activity_id)
    services.activity_save(programme=activity.programme, activity=activity, **data.dict())
    return _activity_out(activity)


# -- forms, questions, responses, statistics ------------------------------------------


@router.post(
    "/evaluation/programmes/{programme_id}/forms",
    response={201: FormOut},
    summary="Make an evaluation form",
)
@allow(rules.EVALUATE, on=Programme)
def form_create(request: HttpRequest, programme_id: int, data: FormIn) -> Status[FormOut]:
    programme = selectors.get_programme_for_user(user=request.user, pk=programme_id)
    activities = list(programme.activities.filter(pk__in=data.activities))
    if len(activities) != len(set(data.activities)):
        raise HttpError(422, "A form can only be for activities of its own programme.")
    form = services.form_create(
        programme=programme,
        title=data.title,
        introduction=data.introduction,
        activities=activities,
        closes_at=data.closes_at,
    )
    return Status(201, _form_out(request, form))


def _form_out(request: HttpRequest, form: EvaluationForm) -> FormOut:
    return FormOut(
        **_form_fields(request, form),  # type: ignore[arg-type]
        programme=form.programme_id,
        introduction=form.introduction,
        questions=[_question_out(q) for q in selectors.form_questions(form)],
    )


@router.get("/evaluation/forms/{form_id}", response=FormOut, summary="A form and its questions")
@allow(rules.EVALUATE, on=EvaluationForm)
def form_detail(request: HttpRequest, form_id: int) -> FormOut:
    return _form_out(request, selectors.get_form_for_user(user=request.user, pk=form_id))


@router.post(
    "/evaluation/forms/{form_id}/questions",
    response={201: QuestionOut},
    summary="Add a question to a form",
)
@allow(rules.EVALUATE, on=EvaluationForm)
def question_add(request: HttpRequest, form_id: int, data: QuestionIn) -> Status[QuestionOut]:
    form = selectors.get_form_for_user(user=request.user, pk=form_id)
    q = services.question_add(
        form=form,
        text=data.text,
        kind=data.kind,
        labels=data.labels or None,
        code=data.code,
        required=data.required,
    )
    return Status(201, _question_out(q))


@router.post(
    "/evaluation/forms/{form_id}/responses",
    response={201: ResponseOut, 200: ResponseOut},
    summary="Add a filled-in form (from paper or another tool)",
)
@allow(rules.EVALUATE, on=EvaluationForm)
def response_add(request: HttpRequest, form_id: int, data: ResponseIn) -> Status[ResponseOut]:
    """Answers are keyed by question code or id. Problems answer 422 naming each question."""
    form = selectors.get_form_for_user(user=request.user, pk=form_id)
    questions = selectors.form_questions(form)
    by_key = {q.code: q.pk for q in questions} | {str(q.pk): q.pk for q in questions}
    unknown = sorted(k for k in data.answers if k not in by_key)
    if unknown:
        raise HttpError(422, f"The form has no question {', '.join(unknown)}.")
    activity = form.activities.filter(pk=data.activity).first() if data.activity else None
    if data.activity and activity is None:
        raise HttpError(422, "Choose one of the activities this form is for.")
    submitted = services.response_submit(
        form=form,
        answers={by_key[k]: v for k, v in data.answers.items()},
        channel=Response.Channel.API,
        activity=activity,
        organisation_name=data.organisation_name,
        by=signed_in_user(request),
    )
    return Status(201, ResponseOut(id=submitted.response.pk, repeated=submitted.repeated))


@router.get(
    "/evaluation/forms/{form_id}/statistics",
    response=StatisticsOut,
    summary="Every figure for each Likert item of a form",
)
@allow(rules.EVALUATE, on=EvaluationForm)
def statistics(request: HttpRequest, form_id: int) -> StatisticsOut:
    """Valid N, response rate (with its denominator), counts and percentages at each point,
    median and interquartile range, mean with a 95% t-interval, top-box and top-two-box
    percentages with Wilson 95% intervals, the band, use of the lowest point, and each
    activity's figures (suppressed under 5 respondents)."""
    form = selectors.get_form_for_user(user=request.user, pk=form_id)
    figures = selectors.form_results(form, write_ins=False)
    names = ", ".join(figures.activity_names) or "no activities"
    return StatisticsOut(
        form=form.pk,
        responses=figures.responses,
        participants=figures.participants,
        response_rate_percent=_percent(figures.response_rate),
        denominator=f"{figures.participants} participants of {names}",
        lowest_point_users=figures.lowest_users,
        lowest_point_use=figures.lowest_use,
        items=[_item_out(item) for item in figures.items],
    )


@router.get(
    "/evaluation/forms/{form_id}/responses",
    response=list[ResponseRow],
    summary="Every response to a form, with its answers by question code",
)
@allow(rules.EVALUATE, on=EvaluationForm)
def responses_list(request: HttpRequest, form_id: int) -> list[ResponseRow]:
    form = selectors.get_form_for_user(user=request.user, pk=form_id)
    codes = {q.pk: q.code for q in selectors.form_questions(form)}
    return [
        ResponseRow(
            id=r.pk,
            submitted_at=r.submitted_at,
            channel=r.channel,
            activity=r.activity_id,
            organisation_name=r.organisation_name,
            answers={
                codes[a.question_id]: a.value if a.value is not None else a.text
                for a in r.answers.all()
            },
        )
        for r in selectors.form_responses(form)
    ]


# -- coding and quotes -----------------------------------------------------------------


class CodeOut(Schema):
    id: int
    name: str
    description: str
    parent: int | None
    guid: str


class CodeIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    description: str = ""
    parent: int | None = None


class CodingOut(Schema):
    id: int
    code: int
    code_name: str
    start: int = Field(description="Character offset of the passage's first character.")
    end: int = Field(description="Character offset just after the passage.")
    quote: str
    memo: str
    objectives: list[int]


class TextOut(Schema):
    kind: str = Field(description="`answer` (a written answer), `note` or `observation`.")
    id: int
    text: str
    label: str
    source: str
    organisation: str
    activity: str
    codings: list[CodingOut]


class CodingIn(Schema):
    kind: str = Field(description="`answer`, `note` or `observation`.")
    text_id: int
    code: int
    quote: str = Field(default="", description="The exact words to code; or give start and end.")
    occurrence: int = Field(default=1, ge=1)
    start: int | None = None
    end: int | None = None
    memo: str = ""
    objectives: list[int] = []


class QuoteOut(Schema):
    coding: CodingOut
    organisation: str = Field(description="Quotes are credited to organisations, never people.")
    activity: str
    source: str


class JudgementIn(Schema):
    rating: Judgement.Rating
    narrative: str = ""
    items: list[int] = Field(default=[], description="Likert question ids.")
    quotes: list[int] = Field(default=[], description="Coding ids.")
    measures: list[int] = Field(default=[], description="Measure ids.")


class JudgementOut(Schema):
    objective: int
    objective_text: str
    rating: str | None
    narrative: str
    items: list[int]
    quotes: list[int]
    measures: list[int]


def _code_out(code: Code) -> CodeOut:
    return CodeOut(
        id=code.pk,
        name=code.name,
        description=code.description,
        parent=code.parent_id,
        guid=str(code.guid),
    )


def _coding_out(coding: Coding) -> CodingOut:
    return CodingOut(
        id=coding.pk,
        code=coding.code_id,
        code_name=coding.code.name,
        start=coding.start,
        end=coding.end,
        quote=coding.quote,
        memo=coding.memo,
        objectives=[o.pk for o in coding.objectives.all()],
    )


@router.get(
    "/evaluation/programmes/{programme_id}/codes", response=list[CodeOut], summary="The codebook"
)
@allow(rules.EVALUATE, on=Programme)
def codes_list(request: HttpRequest, programme_id: int) -> list[CodeOut]:
    programme = selectors.get_programme_for_user(user=request.user, pk=programme_id)
    return [_code_out(c) for c, _, _ in selectors.codebook(programme)]


@router.post(
    "/evaluation/programmes/{programme_id}/codes",
    response={201: CodeOut},
    summary="Add a code to the codebook",
)
@allow(rules.EVALUATE, on=Programme)
def code_create(request: HttpRequest, programme_id: int, data: CodeIn) -> Status[CodeOut]:
    programme = selectors.get_programme_for_user(user=request.user, pk=programme_id)
    parent = programme.codes.filter(pk=data.parent).first() if data.parent else None
    if data.parent and parent is None:
        raise HttpError(422, "The parent code is not in this codebook.")
    code = services.code_add(
        programme=programme, name=data.name, description=data.description, parent=parent
    )
    return Status(201, _code_out(code))


@router.get(
    "/evaluation/programmes/{programme_id}/texts",
    response=list[TextOut],
    summary="Every codable text (written answers, interview notes, observations) and its codings",
)
@allow(rules.EVALUATE, on=Programme)
def texts_list(request: HttpRequest, programme_id: int) -> list[TextOut]:
    programme = selectors.get_programme_for_user(user=request.user, pk=programme_id)
    return [
        TextOut(
            kind=u.ref.kind,
            id=u.ref.pk,
            text=u.text,
            label=u.label,
            source=u.source,
            organisation=u.organisation,
            activity=u.activity,
            codings=[_coding_out(c) for c in u.codings],
        )
        for u in selectors.programme_texts(programme)
    ]


@router.post(
    "/evaluation/programmes/{programme_id}/codings",
    response={201: CodingOut},
    summary="Code a passage of a text, by its words or its offsets",
)
@allow(rules.EVALUATE, on=Programme)
def coding_create(request: HttpRequest, programme_id: int, data: CodingIn) -> Status[CodingOut]:
    programme = selectors.get_programme_for_user(user=request.user, pk=programme_id)
    if data.kind not in KINDS:
        raise HttpError(422, "kind must be answer, note or observation.")
    unit = selectors.programme_text(programme, kind=data.kind, pk=data.text_id)
    code = programme.codes.filter(pk=data.code).first()
    if code is None:
        raise HttpError(422, "The code is not in this codebook.")
    objectives = list(programme.objectives.filter(pk__in=data.objectives))
    coding = services.coding_add(
        ref=unit.ref,
        code=code,
        quote=data.quote,
        start=data.start,
        end=data.end,
        occurrence=data.occurrence,
        memo=data.memo,
        objectives=objectives,
        by=signed_in_user(request),
    )
    return Status(201, _coding_out(coding))


@router.delete("/evaluation/codings/{coding_id}", response={204: None}, summary="Remove a coding")
@allow(rules.EVALUATE, on=Coding)
def coding_delete(request: HttpRequest, coding_id: int) -> Status[None]:
    coding = selectors.get_coding_for_user(user=request.user, pk=coding_id)
    services.coding_remove(coding=coding)
    return Status(204, None)


class QuoteFilters(Schema):
    code: int | None = Field(default=None, description="A code id (its subcodes included).")
    objective: int | None = None
    activity: str = ""
    organisation: str = ""


@router.get(
    "/evaluation/programmes/{programme_id}/quotes",
    response=list[QuoteOut],
    summary="The quote bank, filtered by code, objective, activity and organisation",
)
@allow(rules.EVALUATE, on=Programme)
def quotes_list(
    request: HttpRequest, programme_id: int, filters: Query[QuoteFilters]
) -> list[QuoteOut]:
    programme = selectors.get_programme_for_user(user=request.user, pk=programme_id)
    return [
        QuoteOut(
            coding=_coding_out(q.coding),
            organisation=q.unit.organisation,
            activity=q.unit.activity,
            source=q.unit.source,
        )
        for q in selectors.quote_bank(
            programme,
            code=filters.code,
            objective=filters.objective,
            activity=filters.activity,
            organisation=filters.organisation,
        )
    ]


def _judgement_out(judged: selectors.Judged) -> JudgementOut:
    judgement = judged.judgement
    return JudgementOut(
        objective=judged.objective.pk,
        objective_text=judged.objective.text,
        rating=judgement.rating if judgement else None,
        narrative=judgement.narrative if judgement else "",
        items=[i.question.pk for i in judged.items],
        quotes=[c.pk for c in judged.quotes],
        measures=[m.pk for m in judged.measures],
    )


@router.get(
    "/evaluation/programmes/{programme_id}/judgements",
    response=list[JudgementOut],
    summary="Each objective's judgement and the evidence linked to it",
)
@allow(rules.EVALUATE, on=Programme)
def judgements_list(request: HttpRequest, programme_id: int) -> list[JudgementOut]:
    programme = selectors.get_programme_for_user(user=request.user, pk=programme_id)
    return [_judgement_out(j) for j in selectors.judgements(programme)]


@router.put(
    "/evaluation/objectives/{objective_id}/judgement",
    response=JudgementOut,
    summary="Judge an objective: a rating, a narrative and the evidence behind it",
)
@allow(rules.EVALUATE, on=Objective)
def judgement_put(request: HttpRequest, objective_id: int, data: JudgementIn) -> JudgementOut:
    objective = selectors.get_objective_for_user(user=request.user, pk=objective_id)
    programme = objective.programme
    items = list(Question.objects.filter(pk__in=data.items, form__programme=programme))
    quotes = list(Coding.objects.filter(pk__in=data.quotes, code__programme=programme))
    measures = list(programme.measures.filter(pk__in=data.measures))
    if (len(items), len(quotes), len(measures)) != (
        len(set(data.items)),
        len(set(data.quotes)),
        len(set(data.measures)),
    ):
        raise HttpError(422, "Link evidence from this programme only.")
    services.judgement_set(
        objective=objective,
        rating=data.rating,
        narrative=data.narrative,
        items=items,
        quotes=quotes,
        measures=measures,
        by=signed_in_user(request),
    )
    judged = next(j for j in selectors.judgements(programme) if j.objective.pk == objective.pk)
    return _judgement_out(judged)
