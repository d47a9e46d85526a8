"""API endpoints for Groups: groups, meetings and registers, members' work, and threads,
each for the group's members (facilitators for what only they do) once they have accepted
its ground rules as they stand: until then, everything but the group itself answers 403
with a link to the rules."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from commonground import access
from commonground.access import allow
from commonground.accounts.selectors import signed_in_user
from commonground.conversations import selectors as talk
from commonground.conversations.models import Post
from commonground.groups import rules, selectors, services
from commonground.groups.models import Attendance, Group, Meeting, Member, Topic, Work

router = Router(tags=["Groups"])


class GroupOut(Schema):
    slug: str
    name: str
    kind: str
    purpose: str
    visibility: str
    confidential: bool
    facilitator: bool = Field(description="Whether you facilitate it.")
    address: str = Field(description="Email to this address starts a thread.")
    rules_accepted: bool = Field(
        description="Whether you have accepted the group's ground rules as they stand; "
        "until you do, its other operations answer 403."
    )
    rules_url: str = Field(description="The page where members read and accept them.")


def _group_out(member: Member) -> GroupOut:
    group = member.group
    return GroupOut(
        slug=group.slug, name=group.name, kind=group.kind, purpose=group.purpose,
        visibility=group.visibility, confidential=group.confidential,
        facilitator=member.is_facilitator, address=group.address,
        rules_accepted=selectors.has_accepted_rules(member), rules_url=selectors.rules_link(group),
    )  # fmt: skip


@router.get("/groups", response=list[GroupOut], summary="Your groups")
@allow(access.SIGNED_IN)
def groups_list(request: HttpRequest) -> list[GroupOut]:
    return [_group_out(m) for m in selectors.my_memberships(request.user)]


def _group(request: HttpRequest, group: str, rule: access.Rule = rules.TAKE_PART) -> Group:
    """The group, if the caller passes ``rule`` there and has accepted its ground rules."""
    found = selectors.get_group_for_user(request.user, group, rule)
    selectors.check_rules_accepted(request.user, found)
    return found


@router.get("/groups/{group}", response=GroupOut, summary="A group")
@allow(rules.TAKE_PART, on=Group)
def group_get(request: HttpRequest, group: str) -> GroupOut:
    found = selectors.get_group_for_user(request.user, group)
    member = selectors.member_of(request.user, found)
    if member is None:
        raise HttpError(404, rules.TAKE_PART.missing)
    return _group_out(member)


class MeetingOut(Schema):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    mode: str
    venue: str
    join_url: str
    agenda: str
    series: int | None
    cancelled: bool
    register_taken: bool


def _meeting_out(m: Meeting) -> MeetingOut:
    return MeetingOut(
        id=m.pk, title=m.title, starts_at=m.starts_at, ends_at=m.ends_at, mode=m.mode,
        venue=m.venue, join_url=m.join_url, agenda=m.agenda, series=m.series_id,
        cancelled=m.cancelled_at is not None, register_taken=m.register_taken_at is not None,
    )  # fmt: skip


@router.get("/groups/{group}/meetings", response=list[MeetingOut], summary="A group's meetings")
@allow(rules.TAKE_PART, on=Group)
def meetings_list(request: HttpRequest, group: str) -> list[MeetingOut]:
    return [_meeting_out(m) for m in _group(request, group).meetings.order_by("starts_at")]


class MeetingIn(Schema):
    title: str = Field(max_length=150)
    starts_at: datetime
    minutes: int = Field(default=120, ge=15, le=720)
    mode: str = "in_person"
    venue: str = ""
    join_url: str = ""
    agenda: str = Field(default="", max_length=4000)
    rule: str = Field(
        default="",
        description="An RFC 5545 RRULE that ends (COUNT or UNTIL) for a repeating series, "
        "e.g. FREQ=WEEKLY;INTERVAL=4;COUNT=6.",
    )
    time_zone: str = Field(default="", description="The rule's time zone (the site's if empty).")


@router.post(
    "/groups/{group}/meetings", response={201: list[MeetingOut]}, summary="Schedule meetings"
)
@allow(rules.FACILITATE, on=Group)
def meetings_schedule(
    request: HttpRequest, group: str, data: MeetingIn
) -> Status[list[MeetingOut]]:
    if data.starts_at.tzinfo is None:
        raise HttpError(422, "Give starts_at with its time zone offset.")
    made = services.meeting_schedule(
        group=_group(request, group, rules.FACILITATE), title=data.title,
        starts_at=data.starts_at, minutes=data.minutes, mode=data.mode, venue=data.venue,
        join_url=data.join_url, agenda=data.agenda, rule=data.rule, time_zone=data.time_zone,
    )  # fmt: skip
    return Status(201, [_meeting_out(m) for m in made])


class MarkIn(Schema):
    person: int = Field(description="The person's id.")
    status: str = Field(description="present, late, left_early, apologies or absent.")
    mode: str = Field(default="", description="in_person or online, for those there.")


class MarkOut(MarkIn):
    name: str


@router.get("/groups/meetings/{meeting_id}/register", response=list[MarkOut], summary="A register")
@allow(rules.FACILITATE, on=Meeting)
def register_get(request: HttpRequest, meeting_id: int) -> list[MarkOut]:
    found = access.get(
        request.user, Meeting.objects.select_related("group"), rules.FACILITATE, pk=meeting_id
    )
    selectors.check_rules_accepted(request.user, found.group)
    return [
        MarkOut(person=line.user.pk, name=line.user.name, status=line.status, mode=line.mode)
        for line in selectors.register_lines(found)
    ]


@router.put(
    "/groups/meetings/{meeting_id}/register", response=list[MarkOut], summary="Take a register"
)
@allow(rules.FACILITATE, on=Meeting)
def register_put(request: HttpRequest, meeting_id: int, data: list[MarkIn]) -> list[MarkOut]:
    found = access.get(
        request.user, Meeting.objects.select_related("group"), rules.FACILITATE, pk=meeting_id
    )
    selectors.check_rules_accepted(request.user, found.group)
    bad = [m.status for m in data if m.status not in Attendance.Status.values]
    if bad:
        raise HttpError(422, f"Unknown status: {', '.join(bad)}.")
    services.register_save(
        meeting=found,
        marks={m.person: (m.status, m.mode) for m in data},
        by=signed_in_user(request),
    )
    return register_get(request, meeting_id)


class AttendanceOut(Schema):
    person: int
    name: str
    attended: int
    apologies: int
    absent: int
    recorded: int
    rate: float | None


@router.get(
    "/groups/{group}/attendance", response=list[AttendanceOut], summary="Attendance per person"
)
@allow(rules.FACILITATE, on=Group)
def attendance_get(
    request: HttpRequest, group: str, series: int | None = None
) -> list[AttendanceOut]:
    table = selectors.attendance(_group(request, group, rules.FACILITATE), series_id=series)
    return [
        AttendanceOut(
            person=p.user.pk,
            name=p.user.name,
            attended=p.attended,
            apologies=p.counts["apologies"],
            absent=p.counts["absent"],
            recorded=p.recorded,
            rate=p.rate,
        )
        for p in table.people
    ]


class WorkOut(Schema):
    id: int
    owner: str
    title: str
    hope: str
    visibility: str


class UpdateIn(Schema):
    progress: str = Field(max_length=4000)
    actions: str = Field(default="", max_length=2000)
    meeting: int | None = None


@router.get("/groups/{group}/work", response=list[WorkOut], summary="Members' work you may see")
@allow(rules.TAKE_PART, on=Group)
def work_list(request: HttpRequest, group: str) -> list[WorkOut]:
    found = selectors.get_group_for_user(request.user, group)
    member = selectors.check_rules_accepted(request.user, found)
    return [
        WorkOut(id=w.pk, owner=w.owner.name, title=w.title, hope=w.hope, visibility=w.visibility)
        for w in selectors.work_visible(found, request.user, facilitator=member.is_facilitator)
    ]


@router.post("/groups/work/{work_id}/updates", response={201: dict}, summary="Add progress")
@allow(rules.TAKE_PART, on=Work)
def work_update(request: HttpRequest, work_id: int, data: UpdateIn) -> Status[dict]:
    found = access.get(
        request.user, Work.objects.select_related("group"), rules.TAKE_PART, pk=work_id
    )
    member = selectors.check_rules_accepted(request.user, found.group)
    if not selectors.may_see_work(found, request.user, member):
        raise HttpError(404, "No such piece of work, or it is private.")
    at = found.group.meetings.filter(pk=data.meeting).first() if data.meeting else None
    made = services.work_update_add(
        work=found,
        progress=data.progress,
        actions=data.actions,
        by=signed_in_user(request),
        meeting=at,
    )
    return Status(201, {"id": made.pk, "written_at": made.written_at.isoformat()})


class ThreadOut(Schema):
    id: int
    title: str
    posts: int
    last_post_at: datetime
    closed: bool


class PostOut(Schema):
    id: int
    author: str
    body: str
    created_at: datetime
    via: str
    reply_to: int | None
    hidden: bool


class ThreadIn(Schema):
    title: str = Field(max_length=200)
    body: str = Field(max_length=10_000)


class PostIn(Schema):
    body: str = Field(max_length=10_000)
    reply_to: int | None = None


def _thread_out(t: Topic) -> ThreadOut:
    return ThreadOut(
        id=t.pk,
        title=t.thread.title,
        posts=t.thread.post_count,
        last_post_at=t.thread.last_post_at,
        closed=t.thread.closed_at is not None,
    )


def _post_out(p: Post) -> PostOut:
    return PostOut(
        id=p.pk,
        author=p.author.name if p.author else "A former member",
        body=p.body,
        created_at=p.created_at,
        via=p.via,
        reply_to=p.parent_id,
        hidden=p.hidden_at is not None,
    )


@router.get("/groups/{group}/threads", response=list[ThreadOut], summary="A group's threads")
@allow(rules.TAKE_PART, on=Group)
def threads_list(request: HttpRequest, group: str) -> list[ThreadOut]:
    return [_thread_out(t) for t in selectors.topics_of(_group(request, group))[:500]]


@router.post("/groups/{group}/threads", response={201: ThreadOut}, summary="Start a thread")
@allow(rules.TAKE_PART, on=Group)
def thread_start(request: HttpRequest, group: str, data: ThreadIn) -> Status[ThreadOut]:
    post = services.topic_start(
        group=_group(request, group),
        author=signed_in_user(request),
        title=data.title,
        body=data.body,
        via=Post.Via.API,
    )
    return Status(201, _thread_out(post.thread.topic))


@router.get("/groups/threads/{thread_id}", response=list[PostOut], summary="A thread's posts")
@allow(rules.TAKE_PART, on=Topic)
def thread_posts(request: HttpRequest, thread_id: int) -> list[PostOut]:
    found = access.get(
        request.user, Topic.objects.select_related("group", "thread"), rules.TAKE_PART, pk=thread_id
    )
    member = selectors.check_rules_accepted(request.user, found.group)
    return [_post_out(p) for p in talk.posts_of(found.thread, moderator=member.is_facilitator)]


@router.post("/groups/threads/{thread_id}/posts", response={201: PostOut}, summary="Reply")
@allow(rules.TAKE_PART, on=Topic)
def thread_reply(request: HttpRequest, thread_id: int, data: PostIn) -> Status[PostOut]:
    found = access.get(
        request.user, Topic.objects.select_related("group", "thread"), rules.TAKE_PART, pk=thread_id
    )
    selectors.check_rules_accepted(request.user, found.group)
    parent = found.thread.posts.filter(pk=data.reply_to).first() if data.reply_to else None
    post = services.topic_reply(
        topic=found, author=signed_in_user(request), body=data.body, parent=parent, via=Post.Via.API
    )
    return Status(201, _post_out(post))
