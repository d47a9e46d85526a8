"""Every write Groups makes: groups and who is in them, the directory, meetings and
their registers, members' work, discussion, notifications.

Email out and in lives beside this, in ``mailout.py`` and ``mailin.py``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from commonground.accounts.models import Organisation, Role
from commonground.conversations import services as talk
from commonground.conversations.models import Post, Thread
from commonground.groups import recurrence, selectors
from commonground.groups.models import (
    Attendance,
    Group,
    Invitation,
    JoinRequest,
    Listing,
    Mail,
    Mailing,
    Meeting,
    Member,
    Mode,
    Notification,
    Preferences,
    Series,
    Slot,
    Topic,
    Work,
    WorkUpdate,
    invitation_digest,
)
from commonground.lib.sanitise import web_link
from commonground.lib.tasks import enqueue

if TYPE_CHECKING:
    from commonground.accounts.models import User

# -- groups and who is in them --------------------------------------------------------

RESERVED = {
    "new",
    "people",
    "settings",
    "notifications",
    "calendar",
    "mail",
    "unsubscribe",
    "invitation",
    "meetings",
    "work",
    "talk",
    "posts",
    "reply",
    "noreply",
    "postmaster",
}


def _free_slug(name: str) -> str:
    base = slugify(name)[:50] or "group"
    if base in RESERVED:
        base = f"{base}-group"
    slug, n = base, 2
    while Group.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def group_start(
    *,
    name: str,
    by: User,
    kind: str = Group.Kind.LEARNING_SET,
    purpose: str = "",
    ground_rules: str = "",
    visibility: str = Group.Visibility.PRIVATE,
    confidential: bool = False,
) -> Group:
    """Start a group with ``by`` as its first facilitator, who accepts its ground rules
    by writing them."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give the group a name.", code="name")
    with transaction.atomic():
        group = Group.objects.create(
            name=name[:150],
            slug=_free_slug(name),
            kind=kind,
            purpose=purpose.strip(),
            ground_rules=ground_rules.strip(),
            visibility=visibility,
            confidential=confidential,
            created_by=by,
        )
        Member.objects.create(
            group=group,
            user=by,
            roles={Role.FACILITATOR},
            rules_accepted=group.rules_version,
            rules_accepted_at=timezone.now(),
        )
    return group


def group_update(*, group: Group, by: User | None = None, **changes: object) -> Group:
    """Change a group's settings. New ground rules raise their version: every member
    but ``by``, who accepts them by writing them, takes no part (no email, no API, no
    posting by email) until they accept them again, and is emailed a link to them."""
    fields: list[str] = []
    for name in ("name", "kind", "purpose", "visibility", "confidential", "ground_rules"):
        if name in changes and changes[name] != getattr(group, name):
            setattr(group, name, changes[name])
            fields.append(name)
    if "ground_rules" in fields:
        group.rules_version += 1
        fields.append("rules_version")
    if not fields:
        return group
    with transaction.atomic():
        group.save(update_fields=fields)
        if "ground_rules" in fields and group.ground_rules:
            writer = group.memberships.filter(user_id=by.pk).first() if by else None
            if writer is not None:
                writer.group = group
                rules_accept(member=writer)
            from commonground.groups import tasks

            enqueue(tasks.rules_ask_send, group.pk, 0)
    return group


def rules_accept(*, member: Member) -> Member:
    member.rules_accepted = member.group.rules_version
    member.rules_accepted_at = timezone.now()
    member.save(update_fields=["rules_accepted", "rules_accepted_at"])
    return member


def _join(group: Group, user: User, *, accepted_rules: bool) -> Member:
    member, _ = Member.objects.get_or_create(group=group, user=user)
    if accepted_rules:
        rules_accept(member=member)
    return member


def invite(*, group: Group, emails: Iterable[str], by: User) -> list[str]:
    """Email each address a link to join ``group``; returns the addresses invited.
    People already in the group are left out."""
    already = set(group.memberships.values_list("user__email", flat=True))
    sent: list[str] = []
    for raw in emails:
        email = raw.strip().lower()
        if not email or email in already or email in sent:
            continue
        token = secrets.token_urlsafe(24)
        Invitation.objects.create(
            group=group, email=email, digest=invitation_digest(token), invited_by=by
        )
        link = settings.SITE_URL + reverse("groups:invitation", args=[token])
        send_mail(
            f"Join {group.name} on {settings.SITE_NAME}",
            render_to_string(
                "groups/email/invitation.txt", {"group": group, "by": by, "link": link}
            ),
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
        sent.append(email)
    return sent


def invitation_accept(*, invitation: Invitation, user: User) -> Member:
    """Join by an invitation, accepting the ground rules shown with it."""
    if invitation.accepted_at is not None and invitation.accepted_by_id != user.pk:
        raise ValidationError("This invitation has been used.", code="used")
    if invitation.expired:
        raise ValidationError(
            "This invitation is more than 30 days old. Ask the facilitator for a new one.",
            code="expired",
        )
    with transaction.atomic():
        member = _join(invitation.group, user, accepted_rules=True)
        invitation.accepted_at = invitation.accepted_at or timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return member


def join_ask(*, group: Group, user: User, message: str) -> JoinRequest:
    """Ask a listed group's facilitators to join; asking again while waiting changes
    the message only."""
    if group.visibility != Group.Visibility.LISTED:
        raise ValidationError("This group takes members by invitation only.", code="private")
    if group.memberships.filter(user=user).exists():
        raise ValidationError("You are already a member.", code="member")
    ask, made = JoinRequest.objects.get_or_create(
        group=group, user=user, outcome="", defaults={"message": message.strip()[:1000]}
    )
    if not made:
        ask.message = message.strip()[:1000]
        ask.save(update_fields=["message"])
    else:
        notify(
            users=selectors.facilitators(group),
            group=group,
            text=f"{user.name} asks to join {group.name}",
            url=reverse("groups:requests", args=[group.slug]),
        )
    return ask


def join_decide(*, ask: JoinRequest, accept: bool, by: User) -> JoinRequest:
    """Let someone in (they accept the ground rules when they first open the group) or
    not; they are told either way."""
    if ask.outcome:
        return ask
    with transaction.atomic():
        ask.outcome = JoinRequest.Outcome.ACCEPTED if accept else JoinRequest.Outcome.DECLINED
        ask.decided_at = timezone.now()
        ask.decided_by = by
        ask.save(update_fields=["outcome", "decided_at", "decided_by"])
        if accept:
            _join(ask.group, ask.user, accepted_rules=False)
    group = ask.group
    notify(
        users=[ask.user],
        group=group if accept else None,
        text=f"You are now a member of {group.name}"
        if accept
        else f"The facilitators of {group.name} did not add you this time",
        url=group.get_absolute_url() if accept else reverse("groups:groups"),
    )
    if accept and group.ground_rules:
        from commonground.groups import tasks

        enqueue(tasks.rules_ask_send, group.pk, ask.user_id)
    return ask


def _only_facilitator(member: Member) -> bool:
    return not (
        member.group.memberships.filter(roles__has=Role.FACILITATOR).exclude(pk=member.pk).exists()
    )


def member_roles(*, member: Member, facilitator: bool) -> Member:
    """Make a member a facilitator or not; a group always keeps one."""
    if not facilitator and member.is_facilitator:
        if _only_facilitator(member):
            raise ValidationError("A group needs at least one facilitator.", code="last")
    member.roles = (
        (member.roles | {Role.FACILITATOR}) if facilitator else (member.roles - {Role.FACILITATOR})
    )
    member.save(update_fields=["roles"])
    return member


def member_leave(*, member: Member) -> None:
    """Leave a group (or be taken out of it). Registers and posts stay, as history."""
    if member.is_facilitator:
        if _only_facilitator(member):
            raise ValidationError(
                "You are the group's only facilitator: make someone else one first.",
                code="last",
            )
    member.delete()


# -- the directory and a person's settings -------------------------------------------


def listing_save(*, user: User, listed: bool, sector: str, region: str, interests: str) -> Listing:
    """Save a person's directory entry; ``listed`` is their choice and defaults to no."""
    if sector not in Organisation.Kind.values:
        raise ValidationError("Choose the sector you work in.", code="sector")
    listing, _ = Listing.objects.update_or_create(
        user=user,
        defaults={
            "listed": listed,
            "sector": sector,
            "region": " ".join(region.split())[:80],
            "interests": ", ".join(w.strip() for w in interests.split(",") if w.strip())[:300],
            "updated_at": timezone.now(),
        },
    )
    return listing


def preferences_of(user: User) -> Preferences:
    prefs, _ = Preferences.objects.get_or_create(
        user=user, defaults={"calendar_key": secrets.token_urlsafe(16)}
    )
    if not prefs.calendar_key:
        prefs.calendar_key = secrets.token_urlsafe(16)
        prefs.save(update_fields=["calendar_key"])
    return prefs


def preferences_save(
    *, user: User, mail: str, invitations: bool, per_group: dict[int, str]
) -> Preferences:
    """Save what a person hears of, by default and per group (``""`` for the default)."""
    if mail not in Mail.values:
        raise ValidationError("Choose how often to hear of new posts.", code="mail")
    prefs = preferences_of(user)
    prefs.mail = mail
    prefs.invitations = invitations
    prefs.save(update_fields=["mail", "invitations"])
    for member in Member.objects.filter(user=user, group_id__in=per_group):
        choice = per_group[member.group_id]
        if choice in {"", *Mail.values} and choice != member.mail:
            member.mail = choice
            member.save(update_fields=["mail"])
    return prefs


def calendar_key_renew(*, user: User) -> Preferences:
    """A new key for the person's calendar addresses: the old ones stop working."""
    prefs = preferences_of(user)
    prefs.calendar_key = secrets.token_urlsafe(16)
    prefs.save(update_fields=["calendar_key"])
    return prefs


def unsubscribe(*, member: Member) -> Member:
    """Stop a member's email from one group (RFC 8058's one click)."""
    member.mail = Mail.NONE
    member.save(update_fields=["mail"])
    return member


# -- notifications on the site -------------------------------------------------------


def notify(*, users: Iterable[User], group: Group | None, text: str, url: str) -> int:
    """Tell people on the site that something is new for them."""
    now = timezone.now()
    made = Notification.objects.bulk_create(
        [
            Notification(user=u, group=group, text=text[:300], url=url, created_at=now)
            for u in users
        ],
        batch_size=1000,
    )
    return len(made)


def notify_members(*, group: Group, text: str, url: str, but: User | None = None) -> int:
    """The same, for every member of ``group`` (but one) who has accepted its ground
    rules, in one INSERT ... SELECT: a network of thousands costs one statement, and
    nothing is read back into Python."""
    members = Member._meta.db_table
    table = Notification._meta.db_table
    fields = {f.name: f.column for f in Notification._meta.concrete_fields}
    sql = (
        f"INSERT INTO {table} ({fields['user']}, {fields['group']}, {fields['text']}, "  # noqa: S608 - table and column names come from the models
        f"{fields['url']}, {fields['created_at']}) "
        f"SELECT user_id, group_id, %s, %s, %s FROM {members} "
        "WHERE group_id = %s AND user_id <> %s AND rules_accepted >= %s"
    )
    created = Notification._meta.get_field("created_at")
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                text[:300],
                url,
                created.get_db_prep_value(timezone.now(), connection),
                group.pk,
                but.pk if but is not None else 0,
                selectors.rules_version_needed(group),
            ],
        )
        return int(cursor.rowcount)


def notifications_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# -- meetings -------------------------------------------------------------------------


def _checked_place(mode: str, venue: str, join_url: str) -> tuple[str, str]:
    venue, join_url = venue.strip(), join_url.strip()
    if mode not in Mode.values:
        raise ValidationError("Choose in person, online or both.", code="mode")
    if join_url and not web_link(join_url):
        raise ValidationError(
            "The joining link must be a web address starting http:// or https://.", code="link"
        )
    if mode in {Mode.ONLINE, Mode.BOTH} and not join_url:
        raise ValidationError("An online meeting needs its joining link.", code="link")
    if mode in {Mode.IN_PERSON, Mode.BOTH} and not venue:
        raise ValidationError("A meeting in person needs its venue.", code="venue")
    return venue[:300], join_url[:500]


def _checked_meeting(
    title: str, minutes: int, mode: str, venue: str, join_url: str
) -> tuple[str, str, str]:
    """A meeting's title, venue and link as stored, or the sentence saying what is wrong."""
    title = " ".join(title.split())[:150]
    if not title:
        raise ValidationError("Give the meeting a title.", code="title")
    if not 15 <= minutes <= 12 * 60:
        raise ValidationError("A meeting lasts between 15 minutes and 12 hours.", code="minutes")
    return (title, *_checked_place(mode, venue, join_url))


def meeting_schedule(
    *,
    group: Group,
    title: str,
    starts_at: datetime,
    minutes: int,
    mode: str,
    venue: str = "",
    join_url: str = "",
    agenda: str = "",
    rule: str = "",
    time_zone: str = "",
) -> list[Meeting]:
    """Schedule a meeting, or with ``rule`` (RFC 5545 RRULE, ending) a series whose
    every occurrence is made now as a meeting of its own. Members are told on the site
    and sent a calendar request. Raises ``ValidationError`` (a ``RuleError``'s sentence
    included) for what cannot be scheduled."""
    title, venue, join_url = _checked_meeting(title, minutes, mode, venue, join_url)
    time_zone = time_zone or settings.TIME_ZONE
    length = timedelta(minutes=minutes)
    with transaction.atomic():
        if rule:
            try:
                starts = recurrence.occurrences(rule, starts_at, time_zone)
            except recurrence.RuleError as exc:
                raise ValidationError(str(exc), code="rule") from None
            series = Series.objects.create(
                group=group,
                title=title,
                rule=rule.strip().upper().removeprefix("RRULE:"),
                first_start=starts[0],
                minutes=minutes,
                time_zone=time_zone,
            )
        else:
            series, starts = None, [starts_at]
        made = Meeting.objects.bulk_create(
            [
                Meeting(
                    group=group,
                    series=series,
                    occurrence=when if series else None,
                    title=title,
                    starts_at=when,
                    ends_at=when + length,
                    mode=mode,
                    venue=venue,
                    join_url=join_url,
                    agenda=agenda.strip() if i == 0 else "",
                )
                for i, when in enumerate(starts)
            ]
        )
        if made[0].pk is None:  # backends that do not return ids from a bulk insert
            made = list(Meeting.objects.filter(group=group, series=series).order_by("starts_at"))
        first = made[0]
        what = f"{len(made)} meetings" if series else "a meeting"
        when = timezone.localtime(first.starts_at)
        called = "" if group.confidential else f": {title},"
        notify_members(
            group=group,
            text=f"{group.name} has {what}{called} from {when:%-d %b %H:%M}",
            url=first.get_absolute_url(),
        )
    from commonground.groups import tasks

    enqueue(tasks.invitations_send, first.pk, "REQUEST", 1 if series else 0)
    return made


def meeting_change(
    *,
    meeting: Meeting,
    title: str,
    starts_at: datetime,
    minutes: int,
    mode: str,
    venue: str,
    join_url: str,
    agenda: str,
) -> Meeting:
    """Change one meeting (an occurrence of a series keeps its place in it). If the time
    or place changed, members' calendars are sent the change."""
    title, venue, join_url = _checked_meeting(title, minutes, mode, venue, join_url)
    ends_at = starts_at + timedelta(minutes=minutes)
    moved = (starts_at, ends_at, mode, venue, join_url, title) != (
        meeting.starts_at,
        meeting.ends_at,
        meeting.mode,
        meeting.venue,
        meeting.join_url,
        meeting.title,
    )
    meeting.title, meeting.starts_at, meeting.ends_at = title, starts_at, ends_at
    meeting.mode, meeting.venue, meeting.join_url = mode, venue, join_url
    meeting.agenda = agenda.strip()
    fields = ["title", "starts_at", "ends_at", "mode", "venue", "join_url", "agenda"]
    if moved:
        meeting.sequence += 1
        fields.append("sequence")
    with transaction.atomic():
        meeting.save(update_fields=fields)
        if moved:
            notify_members(
                group=meeting.group,
                text=f"{meeting.group.meeting_title(meeting.title)} is now "
                f"{timezone.localtime(starts_at):%-d %b %H:%M}",
                url=meeting.get_absolute_url(),
            )
    if moved:
        from commonground.groups import tasks

        enqueue(tasks.invitations_send, meeting.pk, "REQUEST", 0)
    return meeting


def meeting_cancel(*, meeting: Meeting) -> Meeting:
    """Cancel one meeting; calendars are sent the cancellation."""
    if meeting.cancelled_at is not None:
        return meeting
    meeting.cancelled_at = timezone.now()
    meeting.sequence += 1
    with transaction.atomic():
        meeting.save(update_fields=["cancelled_at", "sequence"])
        notify_members(
            group=meeting.group,
            text=f"Cancelled: {meeting.group.meeting_title(meeting.title)} on "
            f"{timezone.localtime(meeting.starts_at):%-d %b}",
            url=meeting.get_absolute_url(),
        )
    from commonground.groups import tasks

    enqueue(tasks.invitations_send, meeting.pk, "CANCEL", 0)
    return meeting


def meeting_write_up(*, meeting: Meeting, notes: str, summary: str) -> Meeting:
    """The meeting's notes and the facilitator's summary (for the group only)."""
    meeting.notes = notes.strip()
    meeting.summary = summary.strip()
    meeting.save(update_fields=["notes", "summary"])
    return meeting


def register_save(*, meeting: Meeting, marks: dict[int, tuple[str, str]], by: User) -> int:
    """Save the register: for each member's id, a status and (for those there) how
    they joined. People not in the group are ignored; returns how many lines were saved."""
    members = set(meeting.group.memberships.values_list("user_id", flat=True))
    members |= set(meeting.register.values_list("user_id", flat=True))
    now = timezone.now()
    lines = []
    for user_id, (status, mode) in marks.items():
        if user_id not in members or status not in Attendance.Status.values:
            continue
        if status not in Attendance.ATTENDED or mode not in {Mode.IN_PERSON, Mode.ONLINE}:
            mode = ""
        lines.append(
            Attendance(
                meeting=meeting,
                user_id=user_id,
                status=status,
                mode=mode,
                noted_by=by,
                noted_at=now,
            )
        )
    with transaction.atomic():
        Attendance.objects.bulk_create(
            lines,
            update_conflicts=True,
            unique_fields=["meeting", "user"],
            update_fields=["status", "mode", "noted_by", "noted_at"],
        )
        meeting.register_taken_at = now
        meeting.save(update_fields=["register_taken_at"])
    return len(lines)


def apologies_set(*, meeting: Meeting, user: User, declined: bool) -> None:
    """Apologies sent (by the member on the meeting's page, or by declining in their
    calendar), or taken back. A register already taken is the facilitator's word and is
    left alone."""
    if meeting.register_taken_at is not None:
        return
    if declined:
        Attendance.objects.update_or_create(
            meeting=meeting,
            user=user,
            defaults={"status": Attendance.Status.APOLOGIES, "mode": "", "noted_by": user},
        )
    else:
        Attendance.objects.filter(
            meeting=meeting, user=user, status=Attendance.Status.APOLOGIES
        ).delete()


def rota_save(*, meeting: Meeting, turns: list[tuple[int, int]]) -> list[Slot]:
    """The presenter rota: members' ids in order, each with their minutes."""
    members = set(meeting.group.memberships.values_list("user_id", flat=True))
    with transaction.atomic():
        meeting.rota.all().delete()
        return Slot.objects.bulk_create(
            [
                Slot(meeting=meeting, user_id=uid, minutes=max(1, min(minutes, 240)), position=i)
                for i, (uid, minutes) in enumerate(turns)
                if uid in members
            ]
        )


# -- members' work --------------------------------------------------------------------


def _checked_work(title: str, visibility: str) -> str:
    title = " ".join(title.split())[:200]
    if not title:
        raise ValidationError("Give your piece of work a title.", code="title")
    if visibility not in Work.Visibility.values:
        raise ValidationError("Choose who can see it.", code="visibility")
    return title


def work_add(*, member: Member, title: str, hope: str, visibility: str) -> Work:
    title = _checked_work(title, visibility)
    return Work.objects.create(
        group=member.group, owner=member.user, title=title, hope=hope.strip(), visibility=visibility
    )


def work_change(*, work: Work, title: str, hope: str, visibility: str) -> Work:
    title = _checked_work(title, visibility)
    work.title, work.hope, work.visibility = title, hope.strip(), visibility
    work.save(update_fields=["title", "hope", "visibility"])
    return work


def work_update_add(
    *, work: Work, progress: str, actions: str, by: User, meeting: Meeting | None = None
) -> WorkUpdate:
    """Record progress on a piece of work (at a meeting, or between meetings)."""
    if not progress.strip():
        raise ValidationError("Say what has happened since last time.", code="empty")
    if meeting is not None and meeting.group_id != work.group_id:
        raise ValidationError("That meeting is another group's.", code="meeting")
    return WorkUpdate.objects.create(
        work=work,
        meeting=meeting,
        progress=progress.strip(),
        actions=actions.strip(),
        written_by=by,
    )


# -- discussion ----------------------------------------------------------------------


def topic_start(
    *,
    group: Group,
    author: User,
    title: str,
    body: str,
    via: str = Post.Via.WEB,
    message_id: str = "",
    mail_now: bool = True,
) -> Post:
    """Start a thread in a group; members are told on the site and by email as they
    chose. Raises as ``conversations.services.thread_start``."""
    with transaction.atomic():
        post = talk.thread_start(
            title=title, author=author, body=body, via=via, message_id=message_id
        )
        topic = Topic.objects.create(group=group, thread=post.thread)
        _announce(topic, post, author, mail_now=mail_now)
    return post


def topic_reply(
    *,
    topic: Topic,
    author: User,
    body: str,
    parent: Post | None = None,
    via: str = Post.Via.WEB,
    message_id: str = "",
    mail_now: bool = True,
) -> Post:
    """Reply in a group's thread. Raises as ``conversations.services.post_add``."""
    with transaction.atomic():
        post = talk.post_add(
            thread=topic.thread,
            author=author,
            body=body,
            parent=parent,
            via=via,
            message_id=message_id,
        )
        _announce(topic, post, author, mail_now=mail_now)
    return post


def _announce(topic: Topic, post: Post, author: User, *, mail_now: bool = True) -> None:
    """Tell the group: a notification each, and the post's mailing, stored with the post.
    ``mail_now`` sends it as soon as the post is committed; otherwise the periodic
    ``groups-mailings`` job does (mail taken in by ``mail-in`` leaves it to the job, so
    a burst of replies is stored as fast as it arrives)."""
    from commonground.groups import tasks

    group = topic.group
    Mailing.objects.create(post=post)
    title = "a confidential thread" if group.confidential else f"“{topic.thread.title}”"
    notify_members(
        group=group,
        text=f"{author.name} posted in {title} in {group.name}",
        url=f"{topic.get_absolute_url()}#post-{post.pk}",
        but=author,
    )
    if mail_now:
        enqueue(tasks.post_mail, post.pk)


def thread_close(*, topic: Topic, closed: bool) -> Thread:
    return talk.thread_close(thread=topic.thread, closed=closed)


def post_hide(*, post: Post, by: User, reason: str) -> Post:
    return talk.post_hide(post=post, by=by, reason=reason)


def post_restore(*, post: Post) -> Post:
    return talk.post_restore(post=post)
