"""Reads of Groups that cross relations, and the ``get_…_for_user`` helpers that pair a
lookup with its access check."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from commonground import access
from commonground.accounts.models import Role, User
from commonground.groups import rules
from commonground.groups.models import (
    Attendance,
    Group,
    Listing,
    Mail,
    Meeting,
    Member,
    Notification,
    Series,
    Topic,
    Work,
)

if TYPE_CHECKING:
    from commonground.access import AnyUser


def accepting_rules() -> Q:
    """Members who have accepted their group's ground rules as they stand now (a group
    without ground rules asks nothing), as a filter on ``Member``. Only they take part:
    read the group, hear of it by email, site notification and calendar, use the API and
    post by email. Facilitators too; whoever writes the rules accepts them by writing
    them (``services.group_start``, ``services.group_update``)."""
    return Q(group__ground_rules="") | Q(rules_accepted__gte=F("group__rules_version"))


def rules_version_needed(group: Group) -> int:
    """``accepting_rules`` for the members of one group: they have accepted its rules if
    their ``rules_accepted`` is at least this (a group without rules asks nothing)."""
    return group.rules_version if group.ground_rules else 0


def has_accepted_rules(member: Member) -> bool:
    """``accepting_rules`` for one member, with their ``group`` at hand (tested to agree)."""
    return member.rules_accepted >= rules_version_needed(member.group)


def rules_link(group: Group) -> str:
    return settings.SITE_URL + reverse("groups:rules", args=[group.slug])


def rules_refusal(group: Group) -> str:
    """What someone who has not accepted the ground rules in force is told when they try
    to take part other than on the group's pages (which show the rules instead)."""
    return (
        f"You have not accepted the ground rules of {group.name} as they stand now, and "
        "until you do you cannot take part by email or through the API. Read and accept "
        f"them at {rules_link(group)}"
    )


def check_rules_accepted(user: AnyUser, group: Group) -> Member:
    """The member ``user`` is of ``group`` if they have accepted its ground rules; else
    ``PermissionDenied`` saying where to accept them (``Http404`` to a non-member, who
    should not have got this far)."""
    member = member_of(user, group)
    if member is None:
        raise Http404("No such group, or it is private.")
    if not has_accepted_rules(member):
        raise PermissionDenied(rules_refusal(group))
    return member


def member_of(user: AnyUser, group: Group) -> Member | None:
    if not user.is_authenticated:
        return None
    return Member.objects.filter(group=group, user_id=user.pk).select_related("group").first()


def facilitators(group: Group) -> list[User]:
    return list(
        User.objects.filter(
            group_memberships__group=group, group_memberships__roles__has=Role.FACILITATOR
        )
    )


def my_memberships(user: AnyUser) -> QuerySet[Member]:
    if not user.is_authenticated:
        return Member.objects.none()
    return (
        Member.objects.filter(user_id=user.pk)
        .select_related("group")
        .annotate(people=Count("group__memberships", distinct=True))
        .order_by("group__name")
    )


def listed_to_join(user: AnyUser) -> QuerySet[Group]:
    """Listed groups the person is not in, for finding one to ask to join."""
    found = Group.objects.filter(visibility=Group.Visibility.LISTED)
    if user.is_authenticated:
        found = found.exclude(memberships__user_id=user.pk)
    return found.annotate(people=Count("memberships")).order_by("name")


def get_group_public(user: AnyUser, slug: str) -> Group:
    """A group's public face: a listed group to anyone signed in, any group to its
    members; 404 otherwise, so private groups are not known to be there."""
    group = Group.objects.filter(slug=slug).first()
    if group is None or (
        group.visibility != Group.Visibility.LISTED and member_of(user, group) is None
    ):
        raise Http404("No such group, or it is private.")
    return group


def next_meeting(group: Group) -> Meeting | None:
    return (
        group.meetings.filter(starts_at__gte=timezone.now(), cancelled_at__isnull=True)
        .order_by("starts_at")
        .first()
    )


def meetings_of(group: Group) -> tuple[list[Meeting], list[Meeting]]:
    """The group's meetings still to come (soonest first) and past (latest first)."""
    now = timezone.now()
    rows: list[Meeting] = list(
        group.meetings.select_related("series").annotate(
            marked=Count("register", filter=~Q(register__status="")),
        )
    )
    coming = [m for m in rows if m.ends_at >= now]
    past = sorted((m for m in rows if m.ends_at < now), key=lambda m: m.starts_at, reverse=True)
    return coming, past


@dataclass
class RegisterLine:
    user: User
    status: str
    mode: str
    in_group: bool = True


def register_lines(meeting: Meeting) -> list[RegisterLine]:
    """One line per member (and per person marked who has since left), in name order."""
    marks = {a.user_id: a for a in meeting.register.select_related("user")}
    lines = [
        RegisterLine(
            user=m.user,
            status=marks[m.user_id].status if m.user_id in marks else "",
            mode=marks[m.user_id].mode if m.user_id in marks else "",
        )
        for m in meeting.group.memberships.select_related("user")
    ]
    present = {line.user.pk for line in lines}
    lines += [
        RegisterLine(user=a.user, status=a.status, mode=a.mode, in_group=False)
        for uid, a in marks.items()
        if uid not in present
    ]
    return sorted(lines, key=lambda line: (line.user.name.lower(), line.user.pk))


@dataclass
class PersonAttendance:
    user: User
    counts: Counter[str] = field(default_factory=Counter)
    marks: dict[int, str] = field(default_factory=dict)

    @property
    def recorded(self) -> int:
        return sum(self.counts.values())

    @property
    def attended(self) -> int:
        return sum(self.counts[s] for s in Attendance.ATTENDED)

    @property
    def rate(self) -> float | None:
        """Meetings attended (present, late or leaving early) out of those in which the
        register has a line for them; ``None`` before any."""
        return self.attended / self.recorded if self.recorded else None


@dataclass
class AttendanceTable:
    meetings: list[Meeting]
    people: list[PersonAttendance]

    @property
    def rate(self) -> float | None:
        recorded = sum(p.recorded for p in self.people)
        return sum(p.attended for p in self.people) / recorded if recorded else None


def attendance(group: Group, *, series_id: int | None = None) -> AttendanceTable:
    """Each person's register marks over the group's meetings (or one series's) whose
    register was taken, with their counts and rate: two queries."""
    meetings = group.meetings.filter(register_taken_at__isnull=False, cancelled_at__isnull=True)
    if series_id is not None:
        meetings = meetings.filter(series_id=series_id)
    held = list(meetings.order_by("starts_at"))
    people: dict[int, PersonAttendance] = {}
    for mark in (
        Attendance.objects.filter(meeting__in=held).select_related("user").order_by("user__name")
    ):
        person = people.setdefault(mark.user_id, PersonAttendance(user=mark.user))
        person.counts[mark.status] += 1
        person.marks[mark.meeting_id] = mark.status
    return AttendanceTable(
        meetings=held, people=sorted(people.values(), key=lambda p: p.user.name.lower())
    )


@dataclass(frozen=True)
class SeriesFigures:
    """What Evaluate reads from a series' registers: who came, how often, for how long."""

    participants: int
    sessions: int
    attendances: int
    contact_hours: float


def series_figures(series_id: int) -> SeriesFigures:
    marks = Attendance.objects.filter(
        meeting__series_id=series_id,
        meeting__cancelled_at__isnull=True,
        meeting__register_taken_at__isnull=False,
        status__in=Attendance.ATTENDED,
    ).select_related("meeting")
    people: set[int] = set()
    hours = 0.0
    count = 0
    for mark in marks:
        people.add(mark.user_id)
        hours += mark.meeting.hours
        count += 1
    sessions = Meeting.objects.filter(
        series_id=series_id, cancelled_at__isnull=True, register_taken_at__isnull=False
    ).count()
    return SeriesFigures(
        participants=len(people),
        sessions=sessions,
        attendances=count,
        contact_hours=round(hours, 2),
    )


def series_held(series_id: int) -> list[date]:
    """The local dates of the series' meetings held with a register, in order."""
    return [
        timezone.localtime(when).date()
        for when in Meeting.objects.filter(
            series_id=series_id, cancelled_at__isnull=True, register_taken_at__isnull=False
        )
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    ]


def series_to_link(user: AnyUser) -> QuerySet[Series]:
    """Series in groups the person facilitates: what they may link to an activity."""
    groups = access.scopes_where(user, rules.FACILITATE, Group)
    return (
        Series.objects.filter(group__in=groups)
        .select_related("group")
        .order_by("group__name", "title")
    )


def work_visible(group: Group, viewer: AnyUser, *, facilitator: bool) -> QuerySet[Work]:
    """The pieces of work ``viewer`` may see: the group's shared ones, their own, and
    for facilitators those shared with the facilitators."""
    shown = Q(visibility=Work.Visibility.GROUP) | Q(owner_id=viewer.pk)
    if facilitator:
        shown |= Q(visibility=Work.Visibility.FACILITATORS)
    return (
        group.work.filter(shown)
        .select_related("owner")
        .annotate(update_count=Count("updates"))
        .order_by("owner__name", "created_at")
    )


def may_see_work(work: Work, viewer: AnyUser, member: Member | None) -> bool:
    if member is None:
        return False
    if work.owner_id == viewer.pk or work.visibility == Work.Visibility.GROUP:
        return True
    return work.visibility == Work.Visibility.FACILITATORS and member.is_facilitator


def topics_of(group: Group) -> QuerySet[Topic]:
    return group.topics.select_related("thread", "thread__started_by").order_by(
        "-thread__last_post_at"
    )


def directory(
    *, sector: str = "", region: str = "", interest: str = "", exclude: int | None = None
) -> QuerySet[Listing]:
    """Practitioners who chose to be listed, by sector, region and interest."""
    found = Listing.objects.filter(listed=True, user__is_active=True).select_related("user")
    if sector:
        found = found.filter(sector=sector)
    if region:
        found = found.filter(region__icontains=region)
    if interest:
        found = found.filter(interests__icontains=interest)
    return found.order_by("user__name")


def regions() -> list[str]:
    return sorted(
        set(Listing.objects.filter(listed=True).exclude(region="").values_list("region", flat=True))
    )


def unread_count(user: AnyUser) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def mail_choice(member: Member) -> str:
    """What a member hears by email from their group: their choice for it, else their
    own default (every post, until they say otherwise)."""
    if member.mail:
        return member.mail
    prefs = getattr(member.user, "group_preferences", None)
    return prefs.mail if prefs is not None else Mail.EACH


def choosing(mail: str) -> Q:
    """Members whose effective choice is ``mail``, as a filter (for batches)."""
    default = Q(mail="") & (
        Q(user__group_preferences__mail=mail)
        if mail != Mail.EACH
        else Q(user__group_preferences__mail=mail) | Q(user__group_preferences__isnull=True)
    )
    return Q(mail=mail) | default


def groups_taking_part(user_id: int) -> QuerySet[Member, int]:
    """The ids of the groups whose ground rules as they stand the person has accepted,
    as a subquery."""
    return Member.objects.filter(accepting_rules(), user_id=user_id).values_list(
        "group_id", flat=True
    )


def calendar_meetings(user: User) -> QuerySet[Meeting]:
    """Every meeting of every group the person takes part in, for their own calendar
    feed (a group whose ground rules they have not accepted is left out until they do)."""
    return Meeting.objects.filter(group__in=groups_taking_part(user.pk)).select_related(
        "group", "series"
    )


def get_group_for_user(user: AnyUser, slug: str, rule: access.Rule = rules.TAKE_PART) -> Group:
    return access.get(user, Group.objects.all(), rule, slug=slug)


def upcoming_for(user: AnyUser, limit: int = 5) -> list[Meeting]:
    if not user.is_authenticated:
        return []
    return list(
        Meeting.objects.filter(
            group__in=groups_taking_part(user.pk),
            starts_at__gte=timezone.now(),
            cancelled_at__isnull=True,
        )
        .select_related("group")
        .order_by("starts_at")[:limit]
    )
