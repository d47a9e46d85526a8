"""Email out of Groups: each post to the members who want every post, digests to those
who want a day's or a week's at once, and calendar requests for meetings.

Mail programs thread a group's posts by their headers: every copy of a post carries the
same Message-ID, and In-Reply-To and References name the posts above it. Each email
names its group (List-Id, RFC 2919) and carries a one-click unsubscribe link that needs
no sign-in (List-Unsubscribe-Post, RFC 8058). Email from a confidential group says only
that there is something new, with a link. Only members who have accepted their group's
ground rules as they stand are sent any of it; the others are sent a link to the rules.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from email.utils import formataddr, make_msgid
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db.models import Q, QuerySet
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from commonground.conversations.models import Post
from commonground.groups import calendars, selectors, tokens
from commonground.groups.models import Group, Mail, Mailing, Meeting, Member, Preferences, Topic

log = logging.getLogger(__name__)

BATCH = 500


def message_id(post_id: int) -> str:
    return f"<post-{post_id}@{settings.MAIL_DOMAIN}>"


def _unsubscribe_link(member_id: int) -> str:
    return settings.SITE_URL + reverse(
        "groups:unsubscribe", args=[tokens.unsubscribe_token(member_id)]
    )


def _list_headers(group: Group, link: str) -> dict[str, str]:
    """The list headers of an email to one member, ``link`` their unsubscribe link."""
    return {
        "List-Id": group.list_id,
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Archive": f"<{settings.SITE_URL}{reverse('groups:topics', args=[group.slug])}>",
        "Precedence": "list",
    }


def _threading(post: Post) -> dict[str, str]:
    """Message-ID, and for a reply In-Reply-To and References (RFC 5322 §3.6.4)."""
    headers = {"Message-ID": message_id(post.pk)}
    first = post.thread.first_post_id  # type: ignore[attr-defined]
    if post.pk != first:
        above = post.parent_id or first
        chain = [message_id(first)] + ([message_id(above)] if above != first else [])
        headers["In-Reply-To"] = message_id(above)
        headers["References"] = " ".join(chain)
    return headers


def _subject(group: Group, topic: Topic, post: Post) -> str:
    if group.confidential:
        return f"[{group.name}] Something new in a confidential thread"
    first = post.pk == post.thread.first_post_id  # type: ignore[attr-defined]
    return f"{'' if first else 'Re: '}[{group.name}] {topic.thread.title}"


def _recipients(group: Group, mail: str, *, after_user: int = 0) -> QuerySet[Member]:
    return (
        group.memberships.filter(
            selectors.choosing(mail), selectors.accepting_rules(), user__is_active=True
        )
        .filter(user_id__gt=after_user)
        .select_related("user")
        .order_by("user_id")
    )


CLAIM = timedelta(minutes=10)


def _claim(post_id: int) -> bool:
    """Take the post's mailing for this worker, unless it is finished or another worker
    holds it (one conditional UPDATE, so two workers never both win)."""
    now = timezone.now()
    return bool(
        Mailing.objects.filter(post_id=post_id, finished_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM)
    )


def post_mail(post_id: int, *, batch: int = BATCH) -> int:
    """Send a post to each member who wants every post (its author aside), resuming
    where an earlier run stopped; returns how many emails this run sent (0 when the
    mailing is done or another worker has it)."""
    if not _claim(post_id):
        return 0
    post = (
        Post.objects.select_related("thread", "author", "thread__topic__group", "parent")
        .filter(pk=post_id)
        .first()
    )
    mailing = Mailing.objects.get(post_id=post_id)
    if post is None or post.hidden_at is not None or not hasattr(post.thread, "topic"):
        mailing.finished_at = timezone.now()
        mailing.save(update_fields=["finished_at"])
        return 0
    topic = post.thread.topic
    group = topic.group
    post.thread.first_post_id = (  # type: ignore[attr-defined]
        Post.objects.filter(thread=post.thread)
        .order_by("created_at", "id")
        .values_list("id", flat=True)
        .first()
    )
    template = get_template("groups/email/post.txt")
    link = f"{settings.SITE_URL}{topic.get_absolute_url()}#post-{post.pk}"
    author = post.author.name if post.author else "A former member"
    headers = _threading(post)
    subject = _subject(group, topic, post)
    sender = formataddr((f"{author} via {group.name}", group.address))
    sent = 0
    with get_connection() as connection:
        while True:
            members = list(
                _recipients(group, Mail.EACH, after_user=mailing.next_user_id).exclude(
                    user_id=post.author_id or 0
                )[:batch]
            )
            if not members:
                break
            messages = []
            for member in members:
                link = _unsubscribe_link(member.pk)
                context = {
                    "group": group,
                    "topic": topic,
                    "post": post,
                    "author": author,
                    "link": link,
                    "member": member,
                    "unsubscribe": link,
                    "settings_link": settings.SITE_URL + reverse("groups:settings"),
                }
                messages.append(
                    EmailMessage(
                        subject,
                        template.render(context),
                        sender,
                        [member.user.email],
                        reply_to=[tokens.reply_address(topic_id=topic.pk, user_id=member.user_id)],
                        headers={**headers, **_list_headers(group, link)},
                        connection=connection,
                    )
                )
            connection.send_messages(messages)
            sent += len(messages)
            mailing.next_user_id = members[-1].user_id
            mailing.sent += len(messages)
            mailing.claimed_until = timezone.now() + CLAIM
            mailing.save(update_fields=["next_user_id", "sent", "claimed_until"])
    mailing.finished_at = timezone.now()
    mailing.save(update_fields=["finished_at"])
    return sent


def mailings_waiting(limit: int = 1000) -> list[int]:
    """The posts whose email has not all gone and that no worker holds: mail taken in by
    ``mail-in``, and any mailing a stopped worker left half done."""
    now = timezone.now()
    return list(
        Mailing.objects.filter(finished_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("post_id")
        .values_list("post_id", flat=True)[:limit]
    )


def mailings_send() -> int:
    """Send every waiting mailing, oldest first (the in-process job); returns the number
    of emails sent."""
    return sum(post_mail(post_id) for post_id in mailings_waiting())


def digests_send(mail: str, *, now: datetime | None = None, batch: int = BATCH) -> int:
    """Send each member who chose ``mail`` (daily or weekly) the posts of their group
    since their last digest, if any; returns how many digests were sent. Each batch of
    members costs the same few queries however many groups and posts it spans."""
    now = now or timezone.now()
    every = timedelta(days=1 if mail == Mail.DAILY else 7)
    # Half an hour's grace, so a digest run every hour does not drift a day later.
    due_before = now - every + timedelta(minutes=30)
    template = get_template("groups/email/digest.txt")
    settings_link = settings.SITE_URL + reverse("groups:settings")
    sent = 0
    last_id = 0
    with get_connection() as connection:
        while True:
            members = list(
                Member.objects.filter(
                    selectors.choosing(mail),
                    selectors.accepting_rules(),
                    user__is_active=True,
                    pk__gt=last_id,
                )
                .exclude(last_digest_at__gt=due_before)
                .select_related("user", "group")
                .order_by("pk")[:batch]
            )
            if not members:
                break
            last_id = members[-1].pk
            since = {m.pk: m.last_digest_at or (now - every) for m in members}
            earliest = min(since.values())
            posts_by_group: dict[int, list[Post]] = defaultdict(list)
            for post in (
                Post.objects.filter(
                    thread__topic__group__in={m.group_id for m in members},
                    created_at__gt=earliest,
                    created_at__lte=now,
                    hidden_at__isnull=True,
                )
                .select_related("author", "thread", "thread__topic")
                .order_by("created_at")
            ):
                posts_by_group[post.thread.topic.group_id].append(post)
            messages = []
            for member in members:
                posts = [
                    p
                    for p in posts_by_group.get(member.group_id, [])
                    if p.created_at > since[member.pk] and p.author_id != member.user_id
                ]
                if not posts:
                    continue
                group = member.group
                link = _unsubscribe_link(member.pk)
                context = {
                    "group": group,
                    "member": member,
                    "posts": posts,
                    "threads": _by_thread(posts),
                    "period": "day" if mail == Mail.DAILY else "week",
                    "site": settings.SITE_URL,
                    "settings_link": settings_link,
                    "unsubscribe": link,
                }
                messages.append(
                    EmailMessage(
                        f"[{group.name}] {len(posts)} new post{'s' if len(posts) != 1 else ''} "
                        f"this {context['period']}",
                        template.render(context),
                        settings.DEFAULT_FROM_EMAIL,
                        [member.user.email],
                        headers={
                            "Message-ID": make_msgid("digest", settings.MAIL_DOMAIN),
                            "Auto-Submitted": "auto-generated",
                            **_list_headers(group, link),
                        },
                        connection=connection,
                    )
                )
            if messages:
                connection.send_messages(messages)
                sent += len(messages)
            Member.objects.filter(pk__in=[m.pk for m in members]).update(last_digest_at=now)
    return sent


def _by_thread(posts: Iterable[Post]) -> list[tuple[Topic, list[Post]]]:
    grouped: dict[int, list[Post]] = defaultdict(list)
    topics: dict[int, Topic] = {}
    for post in posts:
        grouped[post.thread_id].append(post)
        topics[post.thread_id] = post.thread.topic
    return [(topics[t], grouped[t]) for t in grouped]


def invitations_send(meeting_id: int, method: str, whole_series: bool) -> int:
    """Email each member who takes calendar requests the meeting (or its whole series)
    as an iTIP ``REQUEST`` or ``CANCEL`` their calendar can add, move or remove. Requests
    go to those who have accepted the group's ground rules as they stand; a cancellation
    also to those who accepted earlier rules, whose calendars may hold the meeting. A
    confidential group's emails say only that a meeting was scheduled, moved or
    cancelled, and when, with a link to its page (see ``calendars`` for the file)."""
    meeting = Meeting.objects.select_related("group", "series").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    group = meeting.group
    meetings = (
        list(meeting.series.meetings.select_related("group", "series").order_by("starts_at"))
        if whole_series and meeting.series
        else [meeting]
    )
    refusing = set(
        Preferences.objects.filter(
            invitations=False, user__group_memberships__group=group
        ).values_list("user_id", flat=True)
    )
    template = get_template("groups/email/meeting.txt")
    when = timezone.localtime(meeting.starts_at)
    verb = {"REQUEST": "Invitation" if meeting.sequence == 0 else "Changed", "CANCEL": "Cancelled"}[
        method
    ]
    invited = selectors.accepting_rules()
    if method == "CANCEL":
        invited |= Q(rules_accepted__gt=0)

    def letters(connection: Any) -> Iterator[EmailMessage]:
        for member in group.memberships.select_related("user").filter(
            invited, user__is_active=True
        ):
            if member.user_id in refusing:
                continue
            invitee = calendars.Invitee(name=member.user.name, email=member.user.email)
            ics = calendars.request(
                meetings, invitee=invitee, method=method, whole_series=whole_series
            )
            body = template.render(
                {
                    "meeting": meeting,
                    "meetings": meetings,
                    "method": method,
                    "group": group,
                    "link": settings.SITE_URL + meeting.get_absolute_url(),
                    "series": whole_series,
                }
            )
            message = EmailMultiAlternatives(
                f"{verb}: {group.meeting_title(meeting.title)}, {when:%a %-d %b %Y %H:%M}",
                body,
                formataddr((group.name, group.address)),
                [member.user.email],
                headers={"Auto-Submitted": "auto-generated", "List-Id": group.list_id},
                connection=connection,
            )
            message.attach_alternative(ics.decode(), f"text/calendar; method={method}")
            yield message

    return _send_batched(letters)


def rules_ask_send(group_id: int, user_id: int = 0) -> int:
    """Email each member of the group (or only ``user_id``) who has not accepted its
    ground rules as they stand, and has not stopped its email, a link to read and accept
    them: until they do, the group sends them nothing else. Returns how many were sent."""
    group = Group.objects.filter(pk=group_id).first()
    if group is None or not group.ground_rules:
        return 0
    asked = (
        group.memberships.exclude(selectors.accepting_rules())
        .exclude(selectors.choosing(Mail.NONE))
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    if user_id:
        asked = asked.filter(user_id=user_id)
    template = get_template("groups/email/rules.txt")
    settings_link = settings.SITE_URL + reverse("groups:settings")

    def letters(connection: Any) -> Iterator[EmailMessage]:
        for member in asked.iterator(chunk_size=BATCH):
            link = _unsubscribe_link(member.pk)
            context = {
                "group": group,
                "member": member,
                "link": selectors.rules_link(group),
                "settings_link": settings_link,
                "unsubscribe": link,
            }
            yield EmailMessage(
                f"[{group.name}] The ground rules have changed: accept them to take part"
                if member.rules_accepted
                else f"[{group.name}] Accept the ground rules to take part",
                template.render(context),
                settings.DEFAULT_FROM_EMAIL,
                [member.user.email],
                headers={"Auto-Submitted": "auto-generated", **_list_headers(group, link)},
                connection=connection,
            )

    return _send_batched(letters)


def _send_batched(letters: Callable[[Any], Iterable[EmailMessage]]) -> int:
    """Send what ``letters`` makes for one mail server connection, ``BATCH`` at a time;
    returns how many were sent."""
    sent = 0
    with get_connection() as connection:
        made = iter(letters(connection))
        while batch := list(islice(made, BATCH)):
            sent += connection.send_messages(batch) or 0
    return sent


def refusal_send(*, to: str, subject: str, reason: str, in_reply_to: str) -> None:
    """Tell the sender of mail that could not be posted why, and what to do instead."""
    body = get_template("groups/email/refused.txt").render(
        {"reason": reason, "subject": subject, "site": settings.SITE_URL}
    )
    headers = {"Auto-Submitted": "auto-replied"}  # RFC 3834: no auto-reply loops
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
        headers["References"] = in_reply_to
    EmailMessage(
        f"Not posted: {subject}"[:200] if subject else "Your email was not posted",
        body,
        settings.DEFAULT_FROM_EMAIL,
        [to],
        headers=headers,
    ).send()
