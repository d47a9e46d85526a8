"""Groups (action learning sets, networks, working groups), their members, meetings and
registers, members' work, discussion topics, and the mail that flows in and out."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from commonground.accounts.models import Organisation, RoleSet
from commonground.conversations.models import Post, Thread
from commonground.lib.text import refuse_control_characters


class Group(models.Model):
    """People from several organisations who meet and talk over months."""

    class Kind(models.TextChoices):
        LEARNING_SET = "set", "Action learning set"
        NETWORK = "network", "Network"
        WORKING = "working", "Working group"

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private: only members know it is here"
        LISTED = "listed", "Listed: people signed in can find it and ask to join"

    name = models.CharField(max_length=150, validators=[refuse_control_characters])
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LEARNING_SET)
    purpose = models.TextField(max_length=2000, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    # Emails from a confidential group say only that there is something new, with a link.
    confidential = models.BooleanField(default=False)
    ground_rules = models.TextField(max_length=4000, blank=True)
    # Raised each time the ground rules change: members accept the version in force.
    rules_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Member", related_name="learning_groups"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:group", args=[self.slug])

    @property
    def address(self) -> str:
        """The group's email address: mail to it starts a thread."""
        return f"{self.slug}@{settings.MAIL_DOMAIN}"

    @property
    def list_id(self) -> str:
        # RFC 2919: a name and a unique dotted identifier.
        return f"{self.name} <{self.slug}.groups.{settings.MAIL_DOMAIN}>"

    def meeting_title(self, title: str) -> str:
        """What email, calendar files and notifications call a meeting of the group
        titled ``title``: a confidential group's are named by the group alone, since
        what a meeting is about stays on its page."""
        return f"{self.name} meeting" if self.confidential else title


class Mail(models.TextChoices):
    """How often someone hears of new posts by email."""

    EACH = "each", "Every post"
    DAILY = "daily", "A daily digest"
    WEEKLY = "weekly", "A weekly digest"
    NONE = "none", "No email"


class Member(models.Model):
    """A person in a group; facilitators hold the role ``facilitator`` as well."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    roles = RoleSet(help_text="Roles beyond taking part: facilitator.")
    joined_at = models.DateTimeField(default=timezone.now)
    # The version of the ground rules they accepted (0: not yet).
    rules_accepted = models.PositiveIntegerField(default=0)
    rules_accepted_at = models.DateTimeField(null=True, blank=True)
    # "" follows the person's own setting (``Preferences.mail``).
    mail = models.CharField(max_length=6, choices=Mail.choices, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user__name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="groups_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group}"

    @property
    def is_facilitator(self) -> bool:
        return "facilitator" in self.roles


class Preferences(models.Model):
    """A person's settings for what groups tell them, on one page."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_preferences"
    )
    mail = models.CharField(max_length=6, choices=Mail.choices, default=Mail.EACH)
    # Calendar requests for meetings, which mail programs add to the calendar.
    invitations = models.BooleanField(default=True)
    # The private calendar feed's key; a new one stops the old address working.
    calendar_key = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"Preferences of {self.user}"


class JoinRequest(models.Model):
    """Someone asks a listed group's facilitators to let them in."""

    class Outcome(models.TextChoices):
        WAITING = "", "Waiting"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=models.Q(outcome=""),
                name="groups_one_waiting_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} asks to join {self.group}"


def invitation_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class Invitation(models.Model):
    """An emailed offer to join a group; the link works once, for 30 days."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation to {self.email} for {self.group}"

    @property
    def expired(self) -> bool:
        return timezone.now() > self.created_at + timedelta(days=30)


class Listing(models.Model):
    """A practitioner's entry in the directory, there only because they chose it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listing"
    )
    listed = models.BooleanField(default=False)
    sector = models.CharField(max_length=20, choices=Organisation.Kind.choices)
    region = models.CharField(max_length=80, blank=True)
    interests = models.CharField(
        max_length=300, blank=True, help_text="A few words or phrases, separated by commas."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user__name"]

    def __str__(self) -> str:
        return f"Directory entry of {self.user}"

    @property
    def interest_list(self) -> list[str]:
        return [w.strip() for w in self.interests.split(",") if w.strip()]


class Mode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    BOTH = "both", "In person and online"


class Series(models.Model):
    """Meetings that repeat by a rule (RFC 5545 RRULE); each occurrence is a real
    ``Meeting`` row made ahead, with its own agenda, notes and register."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="series")
    title = models.CharField(max_length=150)
    # The rule as written in iCalendar, always ending (COUNT or UNTIL).
    rule = models.CharField(max_length=200)
    first_start = models.DateTimeField()
    minutes = models.PositiveIntegerField(default=120)
    # The time zone the rule is read in, so 6pm stays 6pm across a clock change.
    time_zone = models.CharField(max_length=60, default="Europe/London")
    created_at = models.DateTimeField(default=timezone.now)
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["first_start"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return self.title

    @property
    def uid(self) -> str:
        return f"series-{self.pk}@{settings.MAIL_DOMAIN}"


class Meeting(models.Model):
    """One meeting of a group, one-off or an occurrence of a series."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="meetings")
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.CASCADE, related_name="meetings"
    )
    # For an occurrence, where the rule put it (its RECURRENCE-ID), wherever it moved to.
    occurrence = models.DateTimeField(null=True, blank=True)
    title = models.CharField(max_length=150)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    venue = models.CharField(max_length=300, blank=True)
    join_url = models.URLField(blank=True, max_length=500)
    agenda = models.TextField(max_length=4000, blank=True)
    notes = models.TextField(max_length=10_000, blank=True)
    # The facilitator's summary, for the group's members only.
    summary = models.TextField(max_length=10_000, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Raised by each change that calendars must hear of (RFC 5545 SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    register_taken_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["group", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("groups:meeting", args=[self.pk])

    @property
    def uid(self) -> str:
        if self.series is not None:
            return self.series.uid
        return f"meeting-{self.pk}@{settings.MAIL_DOMAIN}"

    @property
    def hours(self) -> float:
        return max(0.0, (self.ends_at - self.starts_at).total_seconds() / 3600)


class Attendance(models.Model):
    """One person's line in a meeting's register."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        LATE = "late", "Late"
        LEFT_EARLY = "left_early", "Left early"
        APOLOGIES = "apologies", "Apologies"
        ABSENT = "absent", "Absent"

    ATTENDED = frozenset({Status.PRESENT, Status.LATE, Status.LEFT_EARLY})

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="register")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    mode = models.CharField(
        max_length=10,
        choices=[(Mode.IN_PERSON, "In person"), (Mode.ONLINE, "Online")],
        blank=True,
    )
    noted_at = models.DateTimeField(default=timezone.now)
    noted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["meeting__starts_at", "user__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="groups_attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.status} at {self.meeting}"


class Work(models.Model):
    """The real piece of work a member brings to the group."""

    class Visibility(models.TextChoices):
        GROUP = "group", "The group"
        FACILITATORS = "facilitators", "The facilitators and me"
        ME = "me", "Only me"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="work")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_work"
    )
    title = models.CharField(max_length=200)
    hope = models.TextField("what I hope to change", max_length=4000, blank=True)
    visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.GROUP
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["owner__name", "created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("groups:work", args=[self.pk])


class WorkUpdate(models.Model):
    """Progress on a piece of work, told at a meeting, and the actions agreed."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="updates")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="updates"
    )
    progress = models.TextField(max_length=4000)
    actions = models.TextField("actions agreed", max_length=2000, blank=True)
    written_at = models.DateTimeField(default=timezone.now)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"Update on {self.work}"


class Slot(models.Model):
    """A member's turn to present at a meeting, and the minutes they have."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rota")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    minutes = models.PositiveIntegerField(default=20)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="groups_slot_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} presents at {self.meeting}"


class Topic(models.Model):
    """A group's thread of discussion (the conversation itself is ``Thread``)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="topics")
    thread = models.OneToOneField(Thread, on_delete=models.CASCADE, related_name="topic")

    class Meta:
        ordering = ["-thread__last_post_at"]

    def __str__(self) -> str:
        return str(self.thread)

    def get_absolute_url(self) -> str:
        return reverse("groups:topic", args=[self.pk])


class Inbound(models.Model):
    """Every email that reached the group address or a reply address, and what became
    of it: nothing arrives and vanishes without a trace."""

    class Outcome(models.TextChoices):
        POSTED = "posted", "Posted"
        DUPLICATE = "duplicate", "Already posted"
        AUTOMATIC = "automatic", "Automatic reply, ignored"
        CALENDAR = "calendar", "Calendar reply"
        REFUSED = "refused", "Refused, sender told why"

    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    sender = models.CharField(max_length=320, blank=True)
    recipient = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=500, blank=True)
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.outcome}: {self.subject}"


class Notification(models.Model):
    """Something new for a person, shown on the site."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    group = models.ForeignKey(Group, null=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text


class Mailing(models.Model):
    """The email of one post, made with the post in one transaction so it cannot be
    lost, and how far it has gone: recipients are sent to in order of their id and the
    next id is saved after each batch, so a worker stopped midway carries on where it
    was and nobody gets the post twice. A worker claims it for a while (``claimed_until``)
    so that two never send it at once."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="mailing")
    next_user_id = models.PositiveBigIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"Mailing of post {self.post_id}"
