"""API endpoints for Frameworks: frameworks (anyone), rounds and their results (members
of the assessing organisation), a rater's own ratings, and the work plan's actions.

Results are shown once the facilitator reveals them, and only to the round's organisation;
nobody outside it, site admins included, reads a round here.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from commonground import access
from commonground.access import allow
from commonground.accounts.models import Organisation
from commonground.accounts.selectors import signed_in_user
from commonground.frameworks import rules, selectors, services
from commonground.frameworks.agreement import Spread
from commonground.frameworks.models import Action, Framework, FrameworkVersion, Round

router = Router(tags=["Frameworks"])


class PointOut(Schema):
    value: int
    label: str
    description: str = ""


class StatementOut(Schema):
    id: str = Field(
        description="Stable within a version; a reworded statement says what it replaces."
    )
    lineage: str = Field(
        description="The id this statement descends from: the same across versions."
    )
    text: str
    prompts: list[str]
    learn: list[str]
    themes: list[str]
    replaces: list[str]


class DimensionOut(Schema):
    id: str
    title: str
    summary: str
    statements: list[StatementOut]


class FrameworkBrief(Schema):
    slug: str
    title: str
    version: int
    versions: list[int]


class FrameworkOut(FrameworkBrief):
    licence: str
    attribution: str
    language: str
    summary: str
    scale: list[PointOut]
    dont_know: bool
    dimensions: list[DimensionOut]
    file: str = Field(description="The published file of this version, exactly as loaded.")


def _versions(framework: Framework) -> list[int]:
    return list(framework.versions.order_by("version").values_list("version", flat=True))


def _framework_out(request: HttpRequest, version: FrameworkVersion) -> FrameworkOut:
    framework = version.framework
    return FrameworkOut(
        slug=framework.slug,
        title=version.title,
        version=version.version,
        versions=_versions(framework),
        licence=version.licence,
        attribution=version.attribution,
        language=version.language,
        summary=version.summary,
        scale=[PointOut(**p) for p in version.points],
        dont_know=version.dont_know,
        dimensions=[
            DimensionOut(
                id=d.key,
                title=d.title,
                summary=d.summary,
                statements=[
                    StatementOut(
                        id=s.key,
                        lineage=s.lineage,
                        text=s.text,
                        prompts=s.prompts,
                        learn=s.learn,
                        themes=s.themes,
                        replaces=s.replaces,
                    )
                    for s in d.listed  # type: ignore[attr-defined]
                ],
            )
            for d in selectors.dimensions(version)
        ],
        file=request.build_absolute_uri(f"/frameworks/{framework.slug}/v{version.version}.yaml"),
    )


@router.get("/frameworks", response=list[FrameworkBrief], auth=None, summary="Frameworks")
@allow(access.ANYONE)
def frameworks_list(request: HttpRequest) -> list[FrameworkBrief]:
    found = []
    for framework in selectors.frameworks():
        versions = _versions(framework)
        if versions:
            found.append(
                FrameworkBrief(
                    slug=framework.slug,
                    title=framework.title,
                    version=versions[-1],
                    versions=versions,
                )  # fmt: skip
            )
    return found


class RoundOut(Schema):
    id: int
    title: str
    organisation: str
    framework: str
    version: int
    anonymous: bool
    open: bool
    revealed: bool
    closes_at: datetime | None
    raters: int
    rated_everything: int


def _round_out(found: Round) -> RoundOut:
    joined, complete = selectors.progress(found)
    return RoundOut(
        id=found.pk,
        title=found.title,
        organisation=found.organisation.slug,
        framework=found.version.framework.slug,
        version=found.version.version,
        anonymous=found.anonymous,
        open=found.is_open,
        revealed=found.revealed_at is not None,
        closes_at=found.closes_at,
        raters=joined,
        rated_everything=complete,
    )


@router.get("/frameworks/rounds", response=list[RoundOut], summary="Rounds you take part in")
@allow(access.SIGNED_IN)
def rounds_list(request: HttpRequest) -> list[RoundOut]:
    return [_round_out(r) for r in selectors.rounds_for_user(request.user)[:200]]


@router.get(
    "/frameworks/{framework}",
    response=FrameworkOut,
    auth=None,
    summary="A framework (latest version)",
)
@allow(access.ANYONE)
def framework_get(request: HttpRequest, framework: str) -> FrameworkOut:
    return _framework_out(request, selectors.latest(selectors.get_framework(framework)))


@router.get(
    "/frameworks/{framework}/versions/{number}",
    response=FrameworkOut,
    auth=None,
    summary="One published version of a framework",
)
@allow(access.ANYONE)
def framework_version(request: HttpRequest, framework: str, number: int) -> FrameworkOut:
    found = selectors.get_version(selectors.get_framework(framework), number)
    return _framework_out(request, found)


# -- rounds ------------------------------------------------------------------------------


class RoundIn(Schema):
    organisation: str = Field(description="The slug of the organisation that rates.")
    framework: str
    title: str = Field(default="", max_length=200)
    closes_at: datetime | None = None
    anonymous: bool = True


@router.post("/frameworks/rounds", response={201: RoundOut}, summary="Open a round")
@allow(rules.RUN, on=Organisation)
def round_open(request: HttpRequest, data: RoundIn) -> Status[RoundOut]:
    person = signed_in_user(request)
    organisation = access.get(
        person,
        Organisation.objects.all(),
        rules.RUN,
        missing=f"No organisation with the slug {data.organisation}.",
        slug=data.organisation,
    )
    version = selectors.latest(selectors.get_framework(data.framework))
    try:
        made = services.round_open(
            organisation=organisation, version=version, title=data.title,
            closes_at=data.closes_at, anonymous=data.anonymous, by=person,
        )  # fmt: skip
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from exc
    return Status(201, _round_out(made))


@router.get("/frameworks/rounds/{round_id}", response=RoundOut, summary="A round")
@allow(rules.TAKE_PART, on=Round)
def round_get(request: HttpRequest, round_id: int) -> RoundOut:
    return _round_out(selectors.get_round_for_user(user=request.user, pk=round_id))


class RatingIn(Schema):
    statement: str
    value: int | None = Field(
        default=None, description="A point of the scale; empty with dont_know."
    )
    dont_know: bool = False
    evidence: str = ""


class RatingOut(RatingIn):
    saved_at: datetime


@router.get(
    "/frameworks/rounds/{round_id}/ratings", response=list[RatingOut], summary="Your ratings"
)
@allow(rules.TAKE_PART, on=Round)
def ratings_get(request: HttpRequest, round_id: int) -> list[RatingOut]:
    found = selectors.get_round_for_user(user=request.user, pk=round_id)
    rater = found.raters.filter(person=signed_in_user(request)).first()
    if rater is None:
        return []
    return [
        RatingOut(
            statement=r.statement.key,
            value=r.value,
            dont_know=r.dont_know,
            evidence=r.evidence,
            saved_at=r.saved_at,
        )  # fmt: skip
        for r in rater.ratings.select_related("statement").order_by("statement__position")
    ]


@router.put(
    "/frameworks/rounds/{round_id}/ratings",
    response=list[RatingOut],
    summary="Give or change your ratings",
)
@allow(rules.TAKE_PART, on=Round)
def ratings_put(request: HttpRequest, round_id: int, data: list[RatingIn]) -> list[RatingOut]:
    found = selectors.get_round_for_user(user=request.user, pk=round_id)
    statements = {s.key: s for s in found.version.statements.all()}
    unknown = [r.statement for r in data if r.statement not in statements]
    if unknown:
        raise HttpError(422, f"No statement {', '.join(unknown)} in this round's framework.")
    if not found.is_open:
        raise HttpError(422, "This round has closed; ratings can no longer change.")
    rater = services.rater_join(round=found, person=signed_in_user(request))
    try:
        services.ratings_save(
            rater=rater,
            given=[
                services.Given(statements[r.statement], r.value, r.dont_know, r.evidence)
                for r in data
            ],
        )
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from exc
    return ratings_get(request, round_id)


class SpreadOut(Schema):
    n: int
    dont_know: int
    median: float | None
    low: int | None
    high: int | None
    agreement: float | None = Field(description="r_wg (r_wg(J) for a dimension), 0 to 1.")
    flag: str = Field(description="`split`, `spread` or empty.")


class StatementResultOut(Schema):
    statement: str
    text: str
    counts: dict[str, int] = Field(description="How many gave each point of the scale.")
    spread: SpreadOut
    agreed: int | None
    agreed_reason: str


class DimensionResultOut(Schema):
    dimension: str
    title: str
    spread: SpreadOut
    statements: list[StatementResultOut]


class ResultsOut(Schema):
    round: int
    raters: int
    formula: str
    dimensions: list[DimensionResultOut]


def _spread_out(s: Spread) -> SpreadOut:
    return SpreadOut(
        n=s.n, dont_know=s.dont_know, median=s.median, low=s.low, high=s.high,
        agreement=s.agreement, flag=s.flag,
    )  # fmt: skip


@router.get(
    "/frameworks/rounds/{round_id}/results",
    response={200: ResultsOut, 409: dict},
    summary="A round's results, once revealed",
)
@allow(rules.TAKE_PART, on=Round)
def results_get(request: HttpRequest, round_id: int) -> ResultsOut | Status[dict]:
    found = selectors.get_round_for_user(user=request.user, pk=round_id)
    if found.revealed_at is None:
        return Status(409, {"detail": "The results are shown once the facilitator reveals them."})
    from commonground.frameworks.agreement import FORMULA

    shown = selectors.results(found)
    return ResultsOut(
        round=found.pk,
        raters=shown.raters,
        formula=FORMULA,
        dimensions=[
            DimensionResultOut(
                dimension=d.dimension.key,
                title=d.dimension.title,
                spread=_spread_out(d.spread),
                statements=[
                    StatementResultOut(
                        statement=s.statement.key,
                        text=s.statement.text,
                        counts={str(v): c for v, _, c, _ in s.counts},
                        spread=_spread_out(s.spread),
                        agreed=s.agreed.value if s.agreed else None,
                        agreed_reason=s.agreed.reason if s.agreed else "",
                    )
                    for s in d.statements
                ],
            )
            for d in shown.dimensions
        ],
    )


@router.post(
    "/frameworks/rounds/{round_id}/reveal", response=RoundOut, summary="Reveal everyone's ratings"
)
@allow(rules.RUN, on=Round)
def round_reveal(request: HttpRequest, round_id: int) -> RoundOut:
    found = selectors.get_round_for_user(user=request.user, pk=round_id, rule=rules.RUN)
    return _round_out(services.round_reveal(round=found))


# -- the work plan -----------------------------------------------------------------------


class UpdateOut(Schema):
    at: datetime
    status: str
    text: str


class ActionOut(Schema):
    id: int
    title: str
    success: str
    owner: str
    starts_on: date | None
    due_on: date | None
    status: str = Field(description="`planned`, `under_way`, `done` or `stopped`.")
    statements: list[str] = Field(description="The lineages of the statements it serves.")
    evaluate_activity: int | None
    updates: list[UpdateOut]


class UpdateIn(Schema):
    status: str
    text: str = ""


def _action_out(action: Action) -> ActionOut:
    return ActionOut(
        id=action.pk,
        title=action.title,
        success=action.success,
        owner=action.owner,
        starts_on=action.starts_on,
        due_on=action.due_on,
        status=action.status,
        statements=action.lineages,
        evaluate_activity=action.activity_id,
        updates=[
            UpdateOut(at=u.written_at, status=u.status, text=u.text) for u in action.updates.all()
        ],
    )


@router.get(
    "/frameworks/rounds/{round_id}/plan",
    response=list[ActionOut],
    summary="The work plan the round belongs to",
)
@allow(rules.TAKE_PART, on=Round)
def plan_get(request: HttpRequest, round_id: int) -> list[ActionOut]:
    found = selectors.get_round_for_user(user=request.user, pk=round_id)
    return [_action_out(a) for a in selectors.plan(found)]


@router.post(
    "/frameworks/actions/{action_id}/updates",
    response={201: ActionOut},
    summary="Log what happened to an action, and its status",
)
@allow(rules.TAKE_PART, on=Action)
def action_update(request: HttpRequest, action_id: int, data: UpdateIn) -> Status[ActionOut]:
    found = selectors.get_action_for_user(user=request.user, pk=action_id)
    try:
        services.action_update(
            action=found, status=data.status, text=data.text, by=signed_in_user(request)
        )
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from exc
    return Status(201, _action_out(found))
