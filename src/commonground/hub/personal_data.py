"""What the Hub holds about a person: comments, reports, follows and the private feed key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commonground.accounts.personal_data import DataFile, register

if TYPE_CHECKING:
    from commonground.accounts.models import User


def _export(user: User) -> list[DataFile]:
    from commonground.hub.models import Comment, CommentReport, FeedKey, Follow

    comments = (
        Comment.objects.filter(author=user)
        .select_related("thread")
        .prefetch_related("thread__hub_items")
        .order_by("created_at")
    )
    reports = CommentReport.objects.filter(reporter=user).order_by("created_at")
    follows = Follow.objects.filter(user=user).select_related("source", "sector", "theme")
    key = FeedKey.objects.filter(user=user).first()
    return [
        DataFile(
            "comments.csv",
            header=["item", "item_link", "posted", "reply_to", "hidden_by_a_moderator", "comment"],
            rows=[
                (c.item.title, c.item.get_absolute_url(), c.created_at, c.parent_id or "")
                + (c.hidden_at or "", c.body)
                for c in comments
            ],
        ),
        DataFile(
            "comment_reports.csv",
            header=["comment", "reported", "reason", "resolved"],
            rows=[(r.post_id, r.created_at, r.reason, r.resolved_at or "") for r in reports],
        ),
        DataFile(
            "follows.csv",
            header=["kind", "what", "since"],
            rows=[(f.get_kind_display(), _followed(f), f.created_at) for f in follows],
        ),
        DataFile(
            "private_feed.json",
            json={"has_private_feed": key is not None, "made": key.created_at if key else None},
        ),
    ]


def _followed(follow: object) -> str:
    from commonground.hub.models import Follow

    assert isinstance(follow, Follow)  # noqa: S101 - for the type checker
    target = follow.source or follow.sector or follow.theme
    return str(target) if target is not None else follow.query


def _erase(user: User) -> None:
    from commonground.hub.models import FeedKey, Follow, ItemTheme, Source

    Follow.objects.filter(user=user).delete()
    FeedKey.objects.filter(user=user).delete()
    # Comments, and reports of them, are posts and reports of the conversation piece,
    # whose eraser keeps public comments as from "a former member".
    ItemTheme.objects.filter(added_by=user).update(added_by=None)
    Source.objects.filter(added_by=user).update(added_by=None)


register(
    "hub",
    description="your comments on Hub items, comments you reported, what you follow "
    "and whether you have a private feed",
    export=_export,
    erase=_erase,
)
