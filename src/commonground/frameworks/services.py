"""Writes for Frameworks: loading a framework's file, and running a round of ratings."""

from __future__ import annotations

import re
import secrets
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commonground.accounts.models import Organisation, User
from commonground.evaluation.models import Activity, Programme
from commonground.evaluation.services import activity_save
from commonground.frameworks.content import FrameworkError, FrameworkSpec
from commonground.frameworks.models import (
    Action,
    ActionUpdate,
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
from commonground.lib import ratelimit
from commonground.lib.text import single_line, whole_number


def _line(value: str, limit: int) -> str:
    """One line of plain text (control characters out), at most ``limit`` characters."""
    return single_line(value)[:limit]


def _text(value: str, limit: int) -> str:
    """Free text as written, without NUL characters (PostgreSQL refuses them)."""
    return value.replace("\x00", "").strip()[:limit]


@dataclass
class Loaded:
    """What loading a file did, in words for the command line and the upload page."""

    title: str
    version: int
    unchanged: bool = False
    carried: list[str] = field(default_factory=list)  # kept, or replaced, from before
    new: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.unchanged:
            return f"{self.title}, version {self.version}: already loaded, unchanged."
        said = f"{self.title}, version {self.version}: loaded"
        if self.carried or self.dropped:
            said += (
                f"; {len(self.carried)} statements carry their history on, "
                f"{len(self.new)} are new, {len(self.dropped)} left out"
            )
        else:
            said += f" with {len(self.new)} statements"
        return said + "."


@transaction.atomic
def framework_load(spec: FrameworkSpec, *, by: User | None = None) -> Loaded:
    """Store ``spec`` as a new published version. A version already published may not
    change: loading it again unchanged does nothing, changed it is refused."""
    framework = Framework.objects.select_for_update().filter(slug=spec.key).first()
    latest = (
        FrameworkVersion.objects.filter(framework=framework).order_by("-version").first()
        if framework is not None
        else None
    )
    if latest is not None:
        same = FrameworkVersion.objects.filter(framework=framework, version=spec.version).first()
        if same is not None:
            if same.source == spec.source:
                return Loaded(spec.title, spec.version, unchanged=True)
            raise FrameworkError(
                [
                    f"{spec.name}:1: version {spec.version} of {spec.key} is published and "
                    f"is never changed; give your changes version {latest.version + 1}"
                ]
            )
        if spec.version < latest.version:
            raise FrameworkError(
                [f"{spec.name}:1: version {latest.version} is already published; "
                 f"a new version is numbered {latest.version + 1} or more"]
            )  # fmt: skip
    before = {s.key: s for s in latest.statements.all()} if latest is not None else {}
    problems = [
        f"{spec.name}:{s.line}: replaces '{old}', which version {latest.version} does not have"
        if latest is not None
        else f"{spec.name}:{s.line}: replaces '{old}', but nothing has been loaded before"
        for s in spec.statements
        for old in s.replaces
        if old not in before
    ]
    # Each earlier statement is carried on by one statement at most: its history is one line.
    heirs: dict[str, str] = {}
    for s in spec.statements:
        ancestor = s.replaces[0] if s.replaces else (s.key if s.key in before else "")
        if ancestor and ancestor in heirs:
            problems.append(
                f"{spec.name}:{s.line}: '{s.key}' and '{heirs[ancestor]}' both carry on "
                f"'{ancestor}'; only one statement can"
            )
        if ancestor:
            heirs.setdefault(ancestor, s.key)
    if problems:
        raise FrameworkError(problems)
    if framework is None:
        framework = Framework.objects.create(slug=spec.key, title=spec.title)
    elif framework.title != spec.title:
        framework.title = spec.title
        framework.save(update_fields=["title"])
    version = FrameworkVersion.objects.create(
        framework=framework,
        version=spec.version,
        title=spec.title,
        licence=spec.licence,
        attribution=spec.attribution,
        language=spec.language,
        summary=spec.summary,
        points=[
            {"value": p.value, "label": p.label, "description": p.description} for p in spec.points
        ],  # fmt: skip
        dont_know=spec.dont_know,
        source=spec.source,
        loaded_by=by,
    )
    used = set(
        Statement.objects.filter(version__framework=framework).values_list("lineage", flat=True)
    )
    loaded = Loaded(spec.title, spec.version)
    position = 0
    carried_on: set[str] = set()
    for d_position, d in enumerate(spec.dimensions):
        dimension = Dimension.objects.create(
            version=version, key=d.key, title=d.title, summary=d.summary, position=d_position
        )
        rows: list[Statement] = []
        for s in d.statements:
            ancestors = [before[k] for k in s.replaces]
            if not ancestors and s.key in before:
                ancestors = [before[s.key]]
            carried_on.update(a.key for a in ancestors)
            (loaded.carried if ancestors else loaded.new).append(s.key)
            rows.append(
                Statement(
                    version=version,
                    dimension=dimension,
                    key=s.key,
                    # A new statement whose id an older, dropped one had starts a line
                    # of its own, not that one's.
                    lineage=ancestors[0].lineage
                    if ancestors
                    else (s.key if s.key not in used else f"{s.key}-v{spec.version}"),
                    text=s.text,
                    prompts=list(s.prompts),
                    learn=list(s.learn),
                    themes=list(s.themes),
                    replaces=list(s.replaces),
                    position=position + len(rows),
                )
            )
        Statement.objects.bulk_create(rows)
        position += len(rows)
    loaded.dropped = sorted(set(before) - carried_on)
    return loaded


# -- rounds ------------------------------------------------------------------------------


def round_open(
    *,
    organisation: Organisation,
    version: FrameworkVersion,
    title: str,
    by: User,
    closes_at: datetime | None = None,
    anonymous: bool = True,
) -> Round:
    if closes_at is not None and timezone.is_naive(closes_at):
        closes_at = timezone.make_aware(closes_at)
    if closes_at is not None and closes_at <= timezone.now():
        raise ValidationError({"closes_at": "Choose a closing date in the future."})
    return Round.objects.create(
        organisation=organisation,
        version=version,
        title=_line(title, 200) or f"{version.title}: {timezone.localdate():%B %Y}",
        anonymous=anonymous,
        closes_at=closes_at,
        created_by=by,
    )


def rater_join(*, round: Round, person: User) -> Rater:  # noqa: A002
    """The member's place among the raters, made on their first visit to rate."""
    rater, _ = Rater.objects.get_or_create(
        round=round, person=person, defaults={"name": person.name}
    )
    return rater


def rater_invite(
    *,
    round: Round,  # noqa: A002
    name: str,
    role: str = "",
    organisation: str = "",
) -> Rater:
    """A partner without an account, who rates by the personal link the rater's token
    makes; the facilitator passes the link on."""
    if not round.is_open:
        raise ValidationError("This round has closed; nobody new can join it.")
    if not _line(name, 200):
        raise ValidationError({"name": "Say who the link is for."})
    return Rater.objects.create(
        round=round,
        name=_line(name, 200),
        role=_line(role, 100),
        organisation=_line(organisation, 200),
    )


@dataclass(frozen=True)
class Given:
    """One statement's rating as a form or the API sends it."""

    statement: Statement
    value: int | None  # None with dont_know, or left unrated
    dont_know: bool = False
    evidence: str = ""


def ratings_save(*, rater: Rater, given: list[Given]) -> int:
    """Store ``rater``'s ratings (each replacing the last for its statement). Evidence sent
    without a rating changes the evidence and keeps the rating; statements with neither
    are left alone. Returns how many statements were saved."""
    round_ = rater.round
    if not round_.is_open:
        raise ValidationError("This round has closed; ratings can no longer change.")
    version = round_.version
    problems = []
    rated: list[Rating] = []
    notes: list[Rating] = []
    seen: set[int] = set()
    now = timezone.now()
    for g in given:
        if g.statement.version_id != version.pk:
            problems.append(f"'{g.statement.key}' is not a statement of this round's framework.")
            continue
        if g.statement.pk in seen:
            problems.append(f"'{g.statement.key}' is given more than once.")
            continue
        seen.add(g.statement.pk)
        if g.dont_know and not version.dont_know:
            problems.append("This framework asks for a rating on every statement.")
            continue
        if g.value is not None and g.value not in version.values:
            problems.append(f"{g.value} is not a point on this framework's scale.")
            continue
        evidence = _text(g.evidence, 4000)
        if g.value is None and not g.dont_know and not evidence:
            continue
        row = Rating(
            rater=rater,
            statement=g.statement,
            value=None if g.dont_know else g.value,
            dont_know=g.dont_know,
            evidence=evidence,
            saved_at=now,
        )
        (rated if g.value is not None or g.dont_know else notes).append(row)
    if problems:
        raise ValidationError(problems)
    # One statement each (a save from a phone is nearly always one kind or the other);
    # both, when both, in one transaction.
    with transaction.atomic(durable=False) if rated and notes else nullcontext():
        if rated:
            Rating.objects.bulk_create(
                rated,
                update_conflicts=True,
                unique_fields=["rater", "statement"],
                update_fields=["value", "dont_know", "evidence", "saved_at"],
            )
        if notes:
            Rating.objects.bulk_create(
                notes,
                update_conflicts=True,
                unique_fields=["rater", "statement"],
                update_fields=["evidence", "saved_at"],
            )
    return len(rated) + len(notes)


# Short codes to type from a screen: no 0/O, 1/I/L or other look-alikes.
CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def workshop_start(*, round: Round) -> Round:  # noqa: A002
    """Give the round a short code that raters in the room type (or scan) to join."""
    if not round.is_open:
        raise ValidationError("This round has closed.")
    while round.code is None:
        code = "".join(secrets.choice(CODE_LETTERS) for _ in range(6))
        if not Round.objects.filter(code=code).exists():
            round.code = code
            round.save(update_fields=["code"])
    return round


def workshop_stop(*, round: Round) -> Round:  # noqa: A002
    """The short code stops working: nobody else joins this way."""
    if round.code is not None:
        round.code = None
        round.save(update_fields=["code"])
    return round


# A room shares one network: enough joins for a large workshop, not for a script.
JOIN_RATE = "150/10m"


def workshop_join(
    *,
    round: Round,  # noqa: A002
    name: str,
    organisation: str = "",
    sent_from: str = "",
) -> Rater:
    """Someone in the room without an account joins by the short code: a rater with a
    personal link, as if the facilitator had made one for them."""
    if round.code is None:
        raise ValidationError("This round is not taking people in the room just now.")
    if sent_from and not ratelimit.allow(
        action=f"frameworks-join:{round.pk}", key=sent_from, rates=JOIN_RATE
    ):
        raise ValidationError("Many people have joined from here just now; wait a minute.")
    return rater_invite(round=round, name=name, organisation=organisation)


def paper_sheet(
    *,
    round: Round,  # noqa: A002
    name: str,
    ratings: str,
    role: str = "",
    organisation: str = "",
) -> Rater:
    """Type in a paper rating sheet: ``ratings`` in the framework's order, separated by
    spaces or commas, ``?`` for "don't know" and ``-`` for a statement left blank."""
    statements = list(round.version.statements.order_by("position"))
    given = [g for g in re.split(r"[\s,;]+", ratings.strip()) if g]
    if len(given) != len(statements):
        raise ValidationError(
            {"ratings": f"The sheet has {len(given)} ratings; the framework has "
                        f"{len(statements)} statements. Put - for any left blank."}
        )  # fmt: skip
    values = set(round.version.values)
    wrong = [
        f"{n} (“{g}”)"
        for n, g in enumerate(given, 1)
        if g not in ("?", "-") and whole_number(g) not in values
    ]
    if wrong:
        raise ValidationError(
            {"ratings": "These are not points of the scale, ? or -: " + ", ".join(wrong[:8])}
        )
    with transaction.atomic():
        rater = rater_invite(round=round, name=name, role=role, organisation=organisation)
        ratings_save(
            rater=rater,
            given=[
                Given(s, whole_number(g), dont_know=g == "?")
                for s, g in zip(statements, given, strict=True)
            ],
        )
    return rater


def round_reveal(*, round: Round) -> Round:  # noqa: A002
    """Show everyone's ratings, all at once; raters may still change theirs until the
    round closes."""
    if round.revealed_at is None:
        round.revealed_at = timezone.now()
        round.save(update_fields=["revealed_at"])
    return round


def round_close(*, round: Round) -> Round:  # noqa: A002
    if round.closed_at is None:
        round.closed_at = timezone.now()
        round.revealed_at = round.revealed_at or round.closed_at
        round.save(update_fields=["closed_at", "revealed_at"])
    return round


def agreed_record(
    *,
    round: Round,  # noqa: A002
    statement: Statement,
    value: int | None,
    reason: str,
    by: User,
) -> Agreed:
    """The rating the group agreed on, and why, beside the spread of their ratings."""
    if round.revealed_at is None:
        raise ValidationError("Reveal the ratings before recording an agreed rating.")
    if statement.version_id != round.version_id:
        raise ValidationError("That statement is not in this round's framework.")
    if value is not None and value not in round.version.values:
        raise ValidationError({"value": "Choose a point on the scale."})
    agreed, _ = Agreed.objects.update_or_create(
        round=round,
        statement=statement,
        defaults={
            "value": value,
            "reason": _text(reason, 4000),
            "recorded_by": by,
            "recorded_at": timezone.now(),
        },
    )
    return agreed


# -- the work plan -----------------------------------------------------------------------


@dataclass(frozen=True)
class Kept:
    """A drafted action as the facilitator kept it (after any edits)."""

    lineage: str
    title: str
    success: str = ""
    owner: str = ""
    starts_on: date | None = None
    due_on: date | None = None


@transaction.atomic
def plan_keep(*, round: Round, kept: list[Kept], by: User) -> list[Action]:  # noqa: A002
    """Add the kept drafts to the organisation's work plan on the round's framework."""
    lineages = set(round.version.statements.values_list("lineage", flat=True))
    problems = []
    for k in kept:
        if k.lineage not in lineages:
            problems.append("An action can only serve a statement of this round's framework.")
        if not k.title.strip():
            problems.append("Every action you keep needs a title.")
        if k.starts_on and k.due_on and k.due_on < k.starts_on:
            problems.append(f"“{k.title}” is due before it starts.")
    if problems:
        raise ValidationError(sorted(set(problems)))
    made = []
    for k in kept:
        action = Action.objects.create(
            organisation=round.organisation,
            framework=round.version.framework,
            round=round,
            title=_line(k.title, 300),
            success=_text(k.success, 2000),
            owner=_line(k.owner, 200),
            starts_on=k.starts_on,
            due_on=k.due_on,
            lineages=[k.lineage],
            created_by=by,
        )
        ActionUpdate.objects.create(
            action=action, status=action.status, text="Added to the work plan.", written_by=by
        )
        made.append(action)
    return made


def action_update(*, action: Action, status: str, text: str, by: User) -> ActionUpdate:
    """Log what happened, and the action's status from now on."""
    if status not in Action.Status.values:
        raise ValidationError({"status": "Choose one of the statuses."})
    if not text.strip() and status == action.status:
        raise ValidationError({"text": "Say what happened, or change the status."})
    update = ActionUpdate.objects.create(
        action=action, status=status, text=_text(text, 4000), written_by=by
    )
    if action.status != status:
        action.status = status
        action.save(update_fields=["status"])
    return update


def action_to_activity(*, action: Action, programme: Programme, by: User) -> Activity:
    """Make the action an activity of an Evaluate programme of the same organisation, so
    that its evidence and costs are gathered there."""
    if programme.organisation_id != action.organisation_id:
        raise ValidationError("Choose a programme of the organisation whose plan this is.")
    if action.activity_id is not None:
        raise ValidationError("This action is already an activity in Evaluate.")
    activity = activity_save(
        programme=programme,
        title=action.title[:200],
        kind=Activity.Kind.OTHER,
        description=action.success,
        starts_on=action.starts_on,
        ends_on=action.due_on,
    )
    action.activity = activity
    action.save(update_fields=["activity"])
    ActionUpdate.objects.create(
        action=action,
        status=action.status,
        text=f"Became an activity of “{programme.title}” in Evaluate.",
        written_by=by,
    )
    return activity


# -- the coverage map ----------------------------------------------------------------------


def team_add(*, organisation: Organisation, name: str, kind: str = "team") -> Team:
    name = _line(name, 200)
    if not name:
        raise ValidationError({"name": "Name the team, service or activity."})
    if kind not in Team.Kind.values:
        raise ValidationError({"kind": "Choose team, service or activity."})
    if Team.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise ValidationError({"name": f"{organisation} already has “{name}” on its map."})
    return Team.objects.create(organisation=organisation, name=name, kind=kind)


def team_activities_add(*, organisation: Organisation) -> int:
    """Put each Evaluate activity of the organisation's programmes on the map (once)."""
    placed = set(
        Team.objects.filter(organisation=organisation, activity__isnull=False).values_list(
            "activity_id", flat=True
        )
    )
    made = [
        Team(organisation=organisation, name=a.title[:200], kind=Team.Kind.ACTIVITY, activity=a)
        for a in Activity.objects.filter(programme__organisation=organisation).exclude(
            pk__in=placed
        )
    ]
    Team.objects.bulk_create(made)
    return len(made)


def team_dimensions(*, team: Team, version: FrameworkVersion, keys: list[str]) -> Team:
    """Say which of the framework's dimensions the team works on."""
    known = list(version.dimensions.values_list("key", flat=True))
    team.dimensions = {
        **team.dimensions,
        version.framework.slug: [k for k in known if k in set(keys)],
    }
    team.save(update_fields=["dimensions"])
    return team


def engagement_add(*, team: Team, community: str, level_now: int, level_aim: int) -> Engagement:
    community = _line(community, 200)
    if not community:
        raise ValidationError({"community": "Name the community."})
    if not (1 <= level_now <= 5 and 1 <= level_aim <= 5):
        raise ValidationError("Choose a level from inform (1) to empower (5).")
    return Engagement.objects.create(
        team=team, community=community, level_now=level_now, level_aim=level_aim
    )
