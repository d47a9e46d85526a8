"""Every write to a conversation: starting a thread, posting, moderating.

The owner's part has checked who may do it; these check what is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from commonground.conversations.models import MAX_BODY, Post, Report, Thread
from commonground.lib import ratelimit

if TYPE_CHECKING:
    from commonground.accounts.models import User


class Duplicate(Exception):
    """The message was posted before (the same email delivered twice)."""

    def __init__(self, post: Post) -> None:
        super().__init__(f"Already posted as post {post.pk}.")
        self.post = post


@contextmanager
def _posted_once(message_id: str) -> Iterator[None]:
    """Write in a savepoint; if the unique Message-ID collides (the same email delivered
    twice at once, the other delivery first), raise ``Duplicate`` naming the earlier post."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        earlier = Post.objects.filter(message_id=message_id).first() if message_id else None
        if earlier is None:
            raise
        raise Duplicate(earlier) from None


def _checked_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError("Write something before posting.", code="empty")
    if len(body) > MAX_BODY:
        raise ValidationError(
            f"Keep a post under {MAX_BODY:,} characters (this one has {len(body):,}).",
            code="long",
        )
    return body


def _rate_check(author: User, rates: str | None, what: str) -> None:
    if not ratelimit.allow(
        action=what, key=f"user:{author.pk}", rates=rates or settings.CONVERSATION_POST_RATE
    ):
        raise ratelimit.TooMany(
            f"You have posted a lot of {what}s in a short time. Wait a few minutes, then "
            "post again; your words are kept below."
        )


def thread_start(
    *,
    title: str,
    author: User,
    body: str,
    via: str = Post.Via.WEB,
    message_id: str = "",
) -> Post:
    """Start a thread with its first post, and return that post.

    Raises ``ValidationError`` for an empty title or body, ``TooMany`` past the
    posting rate, ``Duplicate`` when ``message_id`` was posted before."""
    title = " ".join(title.split())[:200]
    if not title:
        raise ValidationError("Give the thread a title.", code="title")
    body = _checked_body(body)
    if message_id and (earlier := Post.objects.filter(message_id=message_id).first()):
        raise Duplicate(earlier)
    _rate_check(author, None, "post")
    now = timezone.now()
    with _posted_once(message_id):
        thread = Thread.objects.create(
            title=title, started_by=author, created_at=now, last_post_at=now, post_count=1
        )
        post = Post.objects.create(
            thread=thread,
            author=author,
            body=body,
            created_at=now,
            via=via,
            message_id=message_id,
        )
    return post


def thread_for(*, title: str, public: bool = False) -> Thread:
    """A new, empty thread (for a part whose conversation starts with a reply, such as
    the comments under a Hub item)."""
    now = timezone.now()
    return Thread.objects.create(title=title[:200], public=public, created_at=now, last_post_at=now)


def post_add(
    *,
    thread: Thread,
    author: User,
    body: str,
    parent: Post | None = None,
    via: str = Post.Via.WEB,
    message_id: str = "",
    rates: str | None = None,
    what: str = "post",
) -> Post:
    """Reply in ``thread`` (to ``parent``, or to the thread as a whole); ``rates`` and
    ``what`` name the posting limit and what the person is told they posted too many of.

    Raises ``ValidationError`` for an empty or long body or a closed thread,
    ``TooMany`` past the posting rate, ``Duplicate`` when ``message_id`` was posted
    before."""
    body = _checked_body(body)
    if thread.closed_at is not None:
        raise ValidationError("This thread is closed to new replies.", code="closed")
    if parent is not None and parent.thread_id != thread.pk:
        raise ValidationError("That post is in another thread.", code="parent")
    # A message posted before is found by the unique Message-ID when it is inserted.
    _rate_check(author, rates, what)
    now = timezone.now()
    with _posted_once(message_id):
        post = Post.objects.create(
            thread=thread,
            parent=parent,
            author=author,
            body=body,
            created_at=now,
            via=via,
            message_id=message_id,
        )
        Thread.objects.filter(pk=thread.pk).update(last_post_at=now, post_count=F("post_count") + 1)
    return post


def post_report(*, post: Post, reporter: User, reason: str) -> Report:
    """Ask moderators to look at a post; reporting it twice changes nothing."""
    report, _ = Report.objects.get_or_create(
        post=post, reporter=reporter, defaults={"reason": reason.strip()[:500] or "No reason given"}
    )
    return report


def post_hide(*, post: Post, by: User, reason: str) -> Post:
    """Hide a post from everyone but moderators; its open reports are resolved."""
    now = timezone.now()
    post.hidden_at = now
    post.hidden_by = by
    post.hidden_reason = reason.strip()[:300]
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    post.reports.filter(resolved_at__isnull=True).update(resolved_at=now)
    return post


def post_restore(*, post: Post) -> Post:
    post.hidden_at = None
    post.hidden_by = None
    post.hidden_reason = ""
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return post


def thread_close(*, thread: Thread, closed: bool) -> Thread:
    thread.closed_at = timezone.now() if closed else None
    thread.save(update_fields=["closed_at"])
    return thread
