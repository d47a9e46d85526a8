"""Reads for Frameworks: frameworks and their versions, rounds, and a round's results."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from commonground import access
from commonground.access import AnyUser
from commonground.accounts.models import Organisation
from commonground.evaluation.models import Programme
from commonground.frameworks import agreement, rules
from commonground.frameworks.agreement import Spread
from commonground.frameworks.compass import Compass, draw
from commonground.frameworks.models import (
    Action,
    Agreed,
    Dimension,
    Engagement,
    Framework,
    FrameworkVersion,
    Rater,
    Rating,
    Round,
    Statement,
    Team,
)

# Breakdowns by role or organisation show only groups at least this big.
MIN_BREAKDOWN = 5


def frameworks() -> QuerySet[Framework]:
    return Framework.objects.annotate(versions_count=Count("versions")).order_by("title")


def frameworks_listed() -> list[Framework]:
    """Each framework with its latest version's summary and size, for the list page."""
    found = []
    for framework in frameworks():
        version = framework.versions.order_by("-version").first()
        if version is None:
            continue
        framework.summary = version.summary  # type: ignore[attr-defined]
        framework.latest_version = version.version  # type: ignore[attr-defined]
        framework.dimensions_count = version.dimensions.count()  # type: ignore[attr-defined]
        framework.statements_count = version.statements.count()  # type: ignore[attr-defined]
        found.append(framework)
    return found


def get_framework(slug: str) -> Framework:
    found = Framework.objects.filter(slug=slug).first()
    if found is None:
        raise Http404("No framework has that address.")
    return found


def latest(framework: Framework) -> FrameworkVersion:
    found = framework.versions.order_by("-version").first()
    if found is None:
        raise Http404("This framework has no published version.")
    return found


def get_version(framework: Framework, number: int) -> FrameworkVersion:
    found = framework.versions.filter(version=number).first()
    if found is None:
        raise Http404(f"{framework} has no version {number}.")
    return found


def statements_of(version: FrameworkVersion) -> tuple[Statement, ...]:
    """A published version's statements, in order. A version never changes once stored,
    so each process reads them once: a live workshop's saves skip the query. (Keyed by
    when it was loaded too, so a number used again after a rollback is not mistaken.)"""
    return _statements(version.pk, version.loaded_at.isoformat())


@lru_cache(maxsize=64)
def _statements(version_pk: int, loaded_at: str) -> tuple[Statement, ...]:
    return tuple(Statement.objects.filter(version_id=version_pk).order_by("position"))


def dimensions(version: FrameworkVersion) -> list[Dimension]:
    """The version's dimensions, each with its statements as ``listed``."""
    listed = list(version.dimensions.order_by("position"))
    statements: dict[int, list[Statement]] = defaultdict(list)
    for s in version.statements.order_by("position"):
        statements[s.dimension_id].append(s)
    chapters = _chapters({link for ss in statements.values() for s in ss for link in s.learn})
    themes = _themes({slug for ss in statements.values() for s in ss for slug in s.themes})
    for d in listed:
        d.listed = statements[d.pk]  # type: ignore[attr-defined]
        for s in d.listed:  # type: ignore[attr-defined]
            s.learn_links = [chapters[link] for link in s.learn if link in chapters]
            s.theme_links = [themes[slug] for slug in s.themes if slug in themes]
    return listed


def _themes(slugs: set[str]) -> dict[str, tuple[str, str]]:
    """Hub themes by slug: their names and addresses."""
    from commonground.hub.models import Theme

    return {
        t.slug: (t.name, reverse("hub:theme", args=[t.slug]))
        for t in Theme.objects.filter(slug__in=slugs)
    }


def _chapters(links: set[str]) -> dict[str, tuple[str, str]]:
    """Learn chapters named as "course/chapter": their titles and addresses, where loaded."""
    if not links:
        return {}
    from commonground.learning.models import Chapter

    wanted = Q(pk__in=[])
    for link in links:
        course, _, chapter = link.partition("/")
        wanted |= Q(course__slug=course, slug=chapter)
    return {
        f"{c.course.slug}/{c.slug}": (c.title, c.get_absolute_url())
        for c in Chapter.objects.filter(wanted, retired=False).select_related("course")
    }


# -- rounds ------------------------------------------------------------------------------


def rounds_for_user(user: AnyUser) -> QuerySet[Round]:
    return (
        access.visible(user, Round.objects.all(), rules.TAKE_PART)
        .select_related("organisation", "version__framework")
        .annotate(rater_count=Count("raters", distinct=True))
    )


def get_round_for_user(*, user: AnyUser, pk: int, rule: access.Rule = rules.TAKE_PART) -> Round:
    return access.get(user, Round.objects.select_related("version__framework"), rule, pk=pk)


def organisations_to_run(user: AnyUser) -> QuerySet[Organisation]:
    return access.scopes_where(user, rules.RUN, Organisation)


def rater_by_token(token: str) -> Rater:
    found = (
        Rater.objects.filter(token=token, person__isnull=True)
        .select_related("round__version__framework", "round__organisation")
        .first()
    )
    if found is None:
        raise Http404("This rating link is not known. Ask whoever sent it for a new one.")
    return found


def round_by_code(code: str) -> Round:
    found = (
        Round.objects.filter(code=code.strip().upper()[:8])
        .select_related("version__framework", "organisation")
        .first()
    )
    if found is None:
        raise Http404("No round has that code. Check it against the screen.")
    return found


def own_ratings(rater: Rater) -> dict[int, Rating]:
    if rater.pk is None:  # not yet saved anything
        return {}
    return {r.statement_id: r for r in rater.ratings.all()}


def progress(round_: Round) -> tuple[int, int]:
    """How many raters have joined, and how many have rated every statement."""
    statements = round_.version.statements.count()
    rated = Count("ratings", filter=Q(ratings__value__isnull=False) | Q(ratings__dont_know=True))
    counts = list(Rater.objects.filter(round=round_).annotate(rated=rated).values_list("rated"))
    return len(counts), sum(1 for (n,) in counts if n >= statements)


class Given(NamedTuple):
    """One rating as the results read it (lighter than a model row)."""

    rater_id: int
    value: int | None
    dont_know: bool
    evidence: str

    @property
    def rated(self) -> bool:
        return self.value is not None or self.dont_know


@dataclass
class StatementResult:
    statement: Statement
    spread: Spread
    counts: list[tuple[int, str, int, str]]  # (value, label, how many, as dots)
    ratings: list[tuple[str, str, str]]  # evidence: (who, rated as, words); who "" if anonymous
    agreed: Agreed | None = None
    agreed_label: str = ""


@dataclass
class DimensionResult:
    dimension: Dimension
    spread: Spread
    statements: list[StatementResult] = field(default_factory=list)


@dataclass
class Breakdown:
    """Medians per dimension for one group of raters (a role or an organisation)."""

    by: str  # "role" or "organisation"
    group: str
    raters: int
    medians: list[float | None]


@dataclass
class Results:
    round: Round
    raters: int
    dimensions: list[DimensionResult]
    breakdowns: list[Breakdown]
    hidden_groups: int  # groups under MIN_BREAKDOWN, left out of the breakdowns

    @property
    def statements(self) -> list[StatementResult]:
        return [s for d in self.dimensions for s in d.statements]


def results(round_: Round) -> Results:
    """Every statement's ratings and spread, and each dimension's, in three queries."""
    version = round_.version
    values = version.values
    labels = {p["value"]: p["label"] for p in version.points}
    raters = {r.pk: r for r in Rater.objects.filter(round=round_)}
    by_statement: dict[int, list[Given]] = defaultdict(list)
    rows = Rating.objects.filter(rater__round=round_).values_list(
        "statement_id", "rater_id", "value", "dont_know", "evidence"
    )
    for statement, rater, value, dont_know, evidence in rows:
        by_statement[statement].append(Given(rater, value, dont_know, evidence))
    agreed = {a.statement_id: a for a in Agreed.objects.filter(round=round_)}
    found = []
    for d in dimensions(version):
        statements = []
        pooled: list[int | None] = []
        for s in d.listed:  # type: ignore[attr-defined]
            given = by_statement.get(s.pk, [])
            rated = [r.value for r in given if r.rated]
            pooled.extend(rated)
            statements.append(
                StatementResult(
                    statement=s,
                    spread=agreement.spread(rated, values),
                    counts=[(v, labels[v], rated.count(v), "●" * rated.count(v)) for v in values],
                    ratings=sorted(
                        (
                            "" if round_.anonymous else str(raters[r.rater_id]),
                            _rated_as(r, labels),
                            r.evidence,
                        )
                        for r in given
                        if r.evidence
                    ),  # in the order of their words, not of who saved first
                    agreed=agreed.get(s.pk),
                    agreed_label=_said(agreed[s.pk].value, labels) if s.pk in agreed else "",
                )
            )
        found.append(
            DimensionResult(
                dimension=d,
                spread=agreement.pooled([s.spread for s in statements], pooled, values),
                statements=statements,
            )
        )
    breakdowns, hidden = _breakdowns(raters, by_statement, found)
    who_rated = {g.rater_id for given in by_statement.values() for g in given if g.rated}
    return Results(round_, len(who_rated), found, breakdowns, hidden)


def _rated_as(given: Given, labels: dict[int, str]) -> str:
    if given.value is not None:
        return f"rated {given.value} {labels.get(given.value, '')}".strip()
    return "don't know" if given.dont_know else "not rated yet"


def _said(value: int | None, labels: dict[int, str]) -> str:
    return "No rating agreed" if value is None else f"{value} {labels.get(value, '')}".strip()


def _breakdowns(
    raters: dict[int, Rater],
    by_statement: dict[int, list[Given]],
    found: list[DimensionResult],
) -> tuple[list[Breakdown], int]:
    """Medians per dimension for each role and organisation with at least MIN_BREAKDOWN
    people who rated; a cell with fewer of them who rated in that dimension stays empty,
    so that nobody's ratings can be picked out."""
    made, hidden = [], 0
    per_dimension = [
        [(g.rater_id, g.value) for s in d.statements for g in by_statement.get(s.statement.pk, [])
         if g.value is not None]
        for d in found
    ]  # fmt: skip
    rated = {rater for cells in per_dimension for rater, _ in cells}
    for by in ("role", "organisation"):
        groups: dict[str, set[int]] = defaultdict(set)
        for rater in raters.values():
            if getattr(rater, by) and rater.pk in rated:
                groups[getattr(rater, by)].add(rater.pk)
        for group, members in sorted(groups.items()):
            if len(members) < MIN_BREAKDOWN:
                hidden += 1
                continue
            medians: list[float | None] = []
            for cells in per_dimension:
                mine = [value for rater, value in cells if rater in members]
                who = {rater for rater, _ in cells if rater in members}
                medians.append(statistics.median(mine) if len(who) >= MIN_BREAKDOWN else None)
            made.append(Breakdown(by, group, len(members), medians))
    return made, hidden


# -- across rounds -------------------------------------------------------------------------


def earlier_rounds(round_: Round, *, limit: int = 3) -> list[Round]:
    """The same organisation's earlier revealed rounds on the same framework, oldest
    first: the compass draws them beside this one."""
    found = (
        Round.objects.filter(
            organisation_id=round_.organisation_id,
            version__framework_id=round_.version.framework_id,
            revealed_at__isnull=False,
            created_at__lt=round_.created_at,
        )
        .select_related("version")
        .order_by("-created_at")[:limit]
    )
    return list(reversed(found))


@dataclass
class CompassRow:
    dimension: str
    medians: list[float | None]  # one per round, oldest first


def compass(
    round_: Round, found: Results, *, earlier: bool = True
) -> tuple[Compass, list[str], list[CompassRow]]:
    """The compass for ``round_`` (with its earlier rounds, unless ``earlier`` is False),
    and the same figures as rows."""
    rounds = [*earlier_rounds(round_), round_] if earlier else [round_]
    by_round = [results(r) if r.pk != round_.pk else found for r in rounds]
    keys = [d.dimension.key for d in found.dimensions]
    series = []
    for r, res in zip(rounds, by_round, strict=True):
        medians = {d.dimension.key: d.spread.median for d in res.dimensions}
        series.append((f"{r.title} (n = {res.raters})", [medians.get(k) for k in keys]))
    points = round_.version.points
    drawn = draw(
        [d.dimension.title for d in found.dimensions],
        round_.version.values,
        series,
        {p["value"]: p["label"] for p in points},
    )
    rows = [
        CompassRow(d.dimension.title, [s[1][i] for s in series])
        for i, d in enumerate(found.dimensions)
    ]
    return drawn, [r.title for r in rounds], rows


@dataclass
class Trend:
    """One statement (or dimension) across rounds: its figures in each, oldest first."""

    title: str
    key: str
    spreads: list[Spread | None]  # None where the round did not have it
    change: float | None  # the mean's change from the round before the last to the last
    beyond_disagreement: bool  # larger than the pooled standard deviation of those two
    actions: list[Action] = field(default_factory=list)  # the work plan's, for a statement


@dataclass
class Change:
    rounds: list[Round]
    dimensions: list[tuple[Trend, list[Trend]]]


def change(round_: Round) -> Change:
    """Every revealed round of ``round_``'s organisation on its framework up to it (ratings
    of rounds not yet revealed stay hidden), each statement followed by its lineage across
    versions, in three queries."""
    rounds = list(
        Round.objects.filter(
            organisation_id=round_.organisation_id,
            version__framework_id=round_.version.framework_id,
            created_at__lte=round_.created_at,
            revealed_at__isnull=False,
        )
        .select_related("version")
        .order_by("created_at", "pk")
    )
    index = {r.pk: n for n, r in enumerate(rounds)}
    values = round_.version.values
    ratings: dict[str, list[list[int | None]]] = defaultdict(lambda: [[] for _ in rounds])
    by_dimension: dict[str, list[list[int | None]]] = defaultdict(lambda: [[] for _ in rounds])
    for round_id, lineage, dimension, value, dont_know in Rating.objects.filter(
        rater__round_id__in=index
    ).values_list(
        "rater__round_id", "statement__lineage", "statement__dimension__key", "value", "dont_know"
    ):
        if value is None and not dont_know:
            continue  # evidence without a rating
        ratings[lineage][index[round_id]].append(value)
        by_dimension[dimension][index[round_id]].append(value)
    actions: dict[str, list[Action]] = defaultdict(list)
    for action in Action.objects.filter(
        organisation_id=round_.organisation_id, framework_id=round_.version.framework_id
    ):
        for lineage in action.lineages:
            actions[lineage].append(action)
    found = []
    for d in dimensions(round_.version):
        trends = [
            _trend(s.text, s.lineage, ratings.get(s.lineage), values)
            for s in d.listed  # type: ignore[attr-defined]
        ]
        for trend in trends:
            trend.actions = actions.get(trend.key, [])
        found.append((_trend(d.title, d.key, by_dimension.get(d.key), values), trends))
    return Change(rounds, found)


def _trend(
    title: str, key: str, per_round: list[list[int | None]] | None, values: list[int]
) -> Trend:
    if per_round is None:
        return Trend(title, key, [], None, False)
    spreads = [agreement.spread(r, values) if r else None for r in per_round]
    # The change is the latest round's, against the last round before it that rated the
    # statement; marked only where both rounds had at least two ratings to disagree.
    last = spreads[-1]
    earlier = [s for s in spreads[:-1] if s is not None and s.mean is not None]
    if last is None or last.mean is None or not earlier:
        return Trend(title, key, spreads, None, False)
    before = earlier[-1]
    moved = last.mean - (before.mean or 0)
    if before.variance is None or last.variance is None:
        return Trend(title, key, spreads, moved, False)
    pooled_sd = ((before.variance + last.variance) / 2) ** 0.5
    return Trend(title, key, spreads, moved, abs(moved) > pooled_sd > 0)


# -- the work plan -----------------------------------------------------------------------

# At most this many drafts are proposed from one round: a plan people can carry out.
DRAFTS = 8


@dataclass
class Draft:
    """An action the plan proposes for a weak or contested statement."""

    statement: Statement
    why: str
    title: str
    success: str


def drafts(found: Results) -> list[Draft]:
    """From the weakest and most contested statements (lowest median first, then the
    least agreement), one drafted action each, unless the plan already has an open one."""
    round_ = found.round
    values = round_.version.values
    middle = values[(len(values) - 1) // 2]  # the lower middle on an even scale
    open_lineages = {
        lineage
        for lineages in Action.objects.filter(
            organisation_id=round_.organisation_id,
            framework_id=round_.version.framework_id,
            status__in=[Action.Status.PLANNED, Action.Status.UNDER_WAY],
        ).values_list("lineages", flat=True)
        for lineage in lineages
    }
    candidates = [
        s
        for s in found.statements
        if s.spread.median is not None
        and (s.spread.median <= middle or s.spread.flag)
        and s.statement.lineage not in open_lineages
    ]
    candidates.sort(
        key=lambda s: (
            s.spread.median or 0,
            s.spread.agreement if s.spread.agreement is not None else 1.0,
        )
    )
    made = []
    for s in candidates[:DRAFTS]:
        prompts = s.statement.prompts
        why = f"median {s.spread.median:g}"
        if s.spread.flag:
            why += ", opinion split" if s.spread.flag == "split" else ", widely spread"
        made.append(
            Draft(
                statement=s.statement,
                why=why,
                title=(prompts[-1] if prompts else s.statement.text)[:300],
                success=s.statement.text,
            )
        )
    return made


def plan(round_: Round) -> list[Action]:
    """The organisation's work plan on the round's framework (every round's actions)."""
    return list(
        Action.objects.filter(
            organisation_id=round_.organisation_id, framework_id=round_.version.framework_id
        )
        .select_related("activity__programme")
        .order_by("due_on", "pk")
    )


def get_action_for_user(*, user: AnyUser, pk: int, rule: access.Rule = rules.TAKE_PART) -> Action:
    return access.get(
        user, Action.objects.select_related("framework", "round", "organisation"), rule, pk=pk
    )


def statements_by_lineage(round_: Round) -> dict[str, Statement]:
    return {s.lineage: s for s in round_.version.statements.all()}


def programmes_for(action: Action) -> QuerySet[Programme]:
    return Programme.objects.filter(organisation_id=action.organisation_id).order_by("title")


# -- the coverage map ----------------------------------------------------------------------

# The levels of engagement, when the engagement-levels framework has not been loaded.
LEVELS = {1: "Inform", 2: "Consult", 3: "Involve", 4: "Collaborate", 5: "Empower"}


def levels() -> dict[int, str]:
    found = (
        FrameworkVersion.objects.filter(framework__slug="engagement-levels")
        .order_by("-version")
        .first()
    )
    if found is None:
        return LEVELS
    return {p["value"]: p["label"] for p in found.points} or LEVELS


def get_organisation_for_user(
    *, user: AnyUser, slug: str, rule: access.Rule = rules.TAKE_PART
) -> Organisation:
    return access.get(user, Organisation.objects.all(), rule, slug=slug)


@dataclass
class Coverage:
    version: FrameworkVersion
    dimensions: list[Dimension]
    rows: list[tuple[Team, list[bool]]]
    counts: list[int]  # teams working on each dimension
    communities: list[tuple[str, list[Engagement]]]
    levels: dict[int, str]

    @property
    def uncovered(self) -> list[Dimension]:
        return [d for d, n in zip(self.dimensions, self.counts, strict=True) if n == 0]


def coverage(organisation: Organisation, version: FrameworkVersion) -> Coverage:
    """Which dimensions each team works on, where nobody does, and each community's level
    of engagement now and the aim, in three queries."""
    found = list(version.dimensions.order_by("position"))
    teams = list(Team.objects.filter(organisation=organisation).order_by("name"))
    slug = version.framework.slug
    rows = [(t, [d.key in t.dimensions.get(slug, []) for d in found]) for t in teams]
    counts = [sum(row[1][i] for row in rows) for i in range(len(found))]
    communities: dict[str, list[Engagement]] = defaultdict(list)
    for e in Engagement.objects.filter(team__organisation=organisation).select_related("team"):
        communities[e.community].append(e)
    return Coverage(
        version, found, rows, counts, sorted(communities.items(), key=lambda c: c[0].lower()),
        levels(),
    )  # fmt: skip
