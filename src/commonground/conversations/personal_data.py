"""What conversations hold about a person: their posts and the reports they made."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commonground.accounts.personal_data import DataFile, register

if TYPE_CHECKING:
    from commonground.accounts.models import User

REMOVED = "[Removed when its author left Common Ground.]"


def _export(user: User) -> list[DataFile]:
    from commonground.conversations.models import Post, Report

    # Public comments are exported by the part that shows them (the Hub's comments.csv).
    posts = (
        Post.objects.filter(author=user, thread__public=False)
        .select_related("thread")
        .order_by("created_at")
    )
    reports = Report.objects.filter(reporter=user).order_by("created_at")
    return [
        DataFile(
            "posts.csv",
            header=["thread", "posted", "reply_to", "via", "hidden_by_a_moderator", "text"],
            rows=[
                (p.thread.title, p.created_at, p.parent_id or "", p.via, p.hidden_at or "", p.body)
                for p in posts
            ],
        ),
        DataFile(
            "post_reports.csv",
            header=["post", "reported", "reason", "resolved"],
            rows=[(r.post_id, r.created_at, r.reason, r.resolved_at or "") for r in reports],
        ),
    ]


def _erase(user: User) -> None:
    from commonground.conversations.models import Post, Report, Thread

    Report.objects.filter(reporter=user).delete()
    # Posts are in others' threads. In private talk the replies around them stay, but the
    # words and the name go; public comments stay, from "a former member".
    Post.objects.filter(author=user, thread__public=False).update(author=None, body=REMOVED)
    Post.objects.filter(author=user).update(author=None)
    Post.objects.filter(hidden_by=user).update(hidden_by=None)
    Thread.objects.filter(started_by=user).update(started_by=None)


register(
    "conversations",
    description="what you posted in group discussions, and posts you reported",
    export=_export,
    erase=_erase,
)
