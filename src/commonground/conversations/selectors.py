"""Reads of conversations: a thread's posts in the order people read them."""

from __future__ import annotations

from django.db.models import QuerySet

from commonground.conversations.models import Post, Thread


def posts_of(thread: Thread, *, moderator: bool = False) -> list[Post]:
    """The thread's posts, oldest first, hidden ones only for moderators (others see a
    placeholder where a hidden post was, so replies keep their place)."""
    posts = list(
        Post.objects.filter(thread=thread).select_related("author").order_by("created_at", "id")
    )
    if not moderator:
        for post in posts:
            if post.hidden_at is not None:
                post.body = ""
    return posts


def open_reports(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.filter(reports__resolved_at__isnull=True).distinct()
