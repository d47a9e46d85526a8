from __future__ import annotations

from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    """Threads of posts and replies, with moderation: the one conversation piece that
    parts build their talk on (a group's discussion). It knows nothing of who owns a
    thread; the owner's part decides who may read and write it."""

    name = "commonground.conversations"
    verbose_name = "Conversations"

    def ready(self) -> None:
        from commonground.conversations import personal_data  # noqa: F401
