"""Threads, their posts, and reports to moderators."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

MAX_BODY = 10_000


class Thread(models.Model):
    """A conversation: a first post and the replies after it."""

    title = models.CharField(max_length=200, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_post_at = models.DateTimeField(default=timezone.now)
    post_count = models.PositiveIntegerField(default=0)
    # A moderator may close a thread to new replies.
    closed_at = models.DateTimeField(null=True, blank=True)
    # Public talk (the comments under a Hub item) keeps a departing author's words,
    # unsigned; private talk (a group's) loses them with the account.
    public = models.BooleanField(default=False)

    class Meta:
        ordering = ["-last_post_at", "-id"]

    def __str__(self) -> str:
        return self.title or f"Thread {self.pk}"


class Post(models.Model):
    """One message in a thread, written on the site, through the API or by email."""

    class Via(models.TextChoices):
        WEB = "web", "On the site"
        EMAIL = "email", "By email"
        API = "api", "Through the API"

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    # Null once the author has deleted their account: the text goes with them.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    body = models.TextField(max_length=MAX_BODY)
    created_at = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=5, choices=Via.choices, default=Via.WEB)
    # The Message-ID of the email it came from, so the same message arriving twice is
    # posted once.
    message_id = models.CharField(max_length=255, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~Q(message_id=""),
                name="conversations_post_message_once",
            )
        ]
        indexes = [models.Index(fields=["thread", "created_at"])]

    def __str__(self) -> str:
        return f"Post {self.pk} in thread {self.thread_id}"


class Report(models.Model):
    """Someone asks the moderators to look at a post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "reporter"], name="conversations_report_once"),
        ]

    def __str__(self) -> str:
        return f"Report on post {self.post_id}"
