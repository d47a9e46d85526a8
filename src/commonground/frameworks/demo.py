"""The frameworks that come with Common Ground, loaded by ``demo`` and by
``frameworks load``; and, in the demo, the Three Valleys partnership's two rounds on the
Community Empowerment Dimensions, a spring baseline and an autumn review."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from commonground.accounts.models import Organisation, User
from commonground.frameworks import selectors, services
from commonground.frameworks.content import read_path, shipped
from commonground.frameworks.models import FrameworkVersion, Rater, Round, Statement

PARTNERSHIP = "three-valleys-partnership"
FACILITATOR = "priya.natarajan@example.org"
MEMBERS = [
    ("priya.natarajan@example.org", "Staff", "Northmoor Museums and Archives"),
    ("amara.okafor@example.org", "Staff", "Riverside Libraries"),
    ("daniel.mensah@example.org", "Staff", "Eastbrook Council"),
    ("rosa.delgado@example.org", "Staff", "Eastbrook Council"),
]
# Partners without accounts, who rate by a personal link: (name, role, organisation).
PARTNERS = [
    ("Hannah Reid", "Staff", "Valleys Health Trust"),
    ("Joe Whitlock", "Staff", "Three Valleys Housing"),
    ("Meena Sharma", "Community partner", "Harbourside Tenants' Forum"),
    ("Carl Evans", "Community partner", "Upper Valley Youth Club"),
    ("Lowri Price", "Community partner", "Friends of Ash Park"),
    ("Yusuf Ali", "Community partner", "Valley Mosque and Community Centre"),
]
# Where the partnership saw itself, per dimension: spring, then autumn. Inclusive is the
# one it worked on between the rounds.
BASELINE = {
    "confident": (3, 3),
    "inclusive": (2, 3),
    "organised": (3, 3),
    "cooperative": (4, 4),
    "influential": (2, 2),
}
# The partnership disagreed about one Inclusive statement: staff rated it well, community
# partners poorly. Which one is picked by position, so any version of the file works.
SPLIT_DIMENSION = "inclusive"
AGREED = {
    "confident": "Groups told us the grant-writing sessions helped, but only three ran; "
    "we agreed 'Partly' until they reach every valley.",
    "inclusive": "Staff and community partners saw this very differently. We agreed the "
    "lower rating: the people left out are the ones who would know.",
    "influential": "Residents shaped the library hours, but none of the budget. We agreed "
    "'Starting' and made it a priority.",
}
EVIDENCE = {
    "confident": "Ran two 'how the council works' sessions for tenants' groups in March.",
    "inclusive": "Our last three events were all on weekday evenings in the civic centre.",
    "organised": "The youth forum now runs its own meetings and minutes.",
    "cooperative": "The partnership shares one calendar and meets monthly.",
    "influential": "The budget consultation had 40 replies, mostly from the same ward.",
}


def load(*, addr: str = "127.0.0.1:8000") -> str:
    """Load the frameworks that come with Common Ground, and the partnership's rounds."""
    for path in shipped():
        services.framework_load(read_path(path))
    partnership = Organisation.objects.filter(slug=PARTNERSHIP).first()
    facilitator = User.objects.filter(email=FACILITATOR).first()
    version = (
        FrameworkVersion.objects.filter(framework__slug="empowerment-dimensions")
        .order_by("-version")
        .first()
    )
    if partnership is None or facilitator is None or version is None:
        return ""
    if not Round.objects.filter(organisation=partnership, version__framework=version.framework):
        _rounds(partnership, facilitator, version)
        _coverage(partnership, version)
    return (
        f"Frameworks: {partnership.name} has rated itself twice on the Empowerment "
        f"Dimensions: http://{addr}/frameworks/ (as {FACILITATOR}, its facilitator)."
    )


@transaction.atomic
def _rounds(partnership: Organisation, facilitator: User, version: FrameworkVersion) -> None:
    now = timezone.now()
    statements = list(version.statements.select_related("dimension").order_by("position"))
    split = next(s for s in statements if s.dimension.key == SPLIT_DIMENSION)
    for n, (title, ago) in enumerate((("Spring 2026 baseline", 200), ("Autumn 2026 review", 14))):
        made = services.round_open(
            organisation=partnership, version=version, title=title, by=facilitator
        )
        Round.objects.filter(pk=made.pk).update(created_at=now - timedelta(days=ago))
        made.refresh_from_db()
        raters = _raters(made)
        for i, rater in enumerate(raters):
            given = [
                services.Given(
                    s,
                    None if (i + j) % 17 == 5 else _rating(s, rater, i, j, n, split),
                    dont_know=(i + j) % 17 == 5,
                    evidence=EVIDENCE.get(s.dimension.key, "") if i == j % len(raters) else "",
                )
                for j, s in enumerate(statements)
            ]
            services.ratings_save(rater=rater, given=given)
        services.round_reveal(round=made)
        if n == 0:
            _plan(made, facilitator, now)
            for s in statements:
                if s.dimension.key in AGREED and s.pk == _first(statements, s.dimension.key):
                    value = BASELINE[s.dimension.key][0]
                    services.agreed_record(
                        round=made, statement=s, value=value, reason=AGREED[s.dimension.key],
                        by=facilitator,
                    )  # fmt: skip
            services.round_close(round=made)
            Round.objects.filter(pk=made.pk).update(
                revealed_at=now - timedelta(days=ago - 10), closed_at=now - timedelta(days=ago - 21)
            )
        else:
            Round.objects.filter(pk=made.pk).update(revealed_at=now - timedelta(days=2))


# What the partnership did after the spring round: (owner, months to run, status, update).
PLAN = [
    ("Meena Sharma and Amara Okafor", 4, "done",
     "Three evening and two Saturday sessions, in the mosque hall, the youth club and the "
     "library: 61 people, 38 of them new to us."),
    ("Daniel Mensah", 6, "under_way",
     "The budget conversation is booked for January, with the tenants' forum co-chairing."),
    ("Rosa Delgado", 5, "planned", ""),
]  # fmt: skip


def _plan(made: Round, facilitator: User, now: datetime) -> None:
    """Keep the first drafts as the partnership's actions, with their owners and news."""
    drafted = selectors.drafts(selectors.results(made))
    kept = [
        services.Kept(
            lineage=d.statement.lineage,
            title=d.title,
            success=d.success,
            owner=owner,
            starts_on=(now - timedelta(days=180)).date(),
            due_on=(now + timedelta(days=30 * months - 180)).date(),
        )
        for d, (owner, months, _, _) in zip(drafted, PLAN, strict=False)
    ]
    actions = services.plan_keep(round=made, kept=kept, by=facilitator)
    for action, (_, _, status, news) in zip(actions, PLAN, strict=False):
        if news or status != action.status:
            services.action_update(action=action, status=status, text=news, by=facilitator)


# The partnership's teams, what they work on, and whom they engage at which level:
# (name, kind, dimensions, [(community, now, aim)]). Nobody works on Influential.
TEAMS = [
    ("Library outreach", "team", ["confident", "inclusive"],
     [("Parents of under-fives", 2, 3), ("Adults learning English", 1, 3)]),
    ("Museum learning and collections", "team", ["confident", "cooperative"],
     [("Recent migrants", 2, 4), ("Former mining families", 3, 4)]),
    ("Council engagement team", "team", ["organised", "cooperative"],
     [("Harbourside tenants", 2, 4), ("Young people in the Upper Valley", 1, 3)]),
    ("Tenant participation (Three Valleys Housing)", "service", ["organised"],
     [("Harbourside tenants", 3, 4)]),
    ("Health walks", "activity", ["confident", "inclusive", "cooperative"],
     [("Carers", 3, 5)]),
]  # fmt: skip


def _coverage(partnership: Organisation, version: FrameworkVersion) -> None:
    for name, kind, dimensions, engagements in TEAMS:
        team = services.team_add(organisation=partnership, name=name, kind=kind)
        services.team_dimensions(team=team, version=version, keys=dimensions)
        for community, now, aim in engagements:
            services.engagement_add(team=team, community=community, level_now=now, level_aim=aim)


def _first(statements: list[Statement], dimension: str) -> int:
    return next(s.pk for s in statements if s.dimension.key == dimension)


def _raters(made: Round) -> list[Rater]:
    raters = []
    for email, role, organisation in MEMBERS:
        person = User.objects.filter(email=email).first()
        if person is not None:
            rater = services.rater_join(round=made, person=person)
            rater.role, rater.organisation = role, organisation
            rater.save(update_fields=["role", "organisation"])
            raters.append(rater)
    for name, role, organisation in PARTNERS:
        raters.append(
            services.rater_invite(round=made, name=name, role=role, organisation=organisation)
        )
    return raters


def _rating(s: Statement, rater: Rater, i: int, j: int, n: int, split: Statement) -> int:
    """A rating near the dimension's level that round: some statements sit higher or lower
    than their dimension, community partners see inclusion and influence less kindly than
    staff do, and each rater varies a little."""
    if s.pk == split.pk and n == 0:
        return 4 if rater.role == "Staff" else 1
    level = BASELINE.get(s.dimension.key, (3, 3))[n]
    level += (-1, 0, 0, 1, 0)[j % 5]
    if rater.role != "Staff" and s.dimension.key in ("inclusive", "influential"):
        level -= 1
    noise = random.Random(f"{n}-{i}-{j}").choice((-1, 0, 0, 0, 1))  # noqa: S311 - demo data
    return max(1, min(5, level + noise))
