"""People, organisations, their memberships and roles, invitations, API tokens."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.urls import reverse
from django.utils import timezone

from commonground.lib.text import refuse_control_characters


def token_digest(raw: str) -> str:
    """Tokens are stored only as a SHA-256 digest; the raw value is shown once."""
    return hashlib.sha256(raw.encode()).hexdigest()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        """A site administrator, made at the command line (``createsuperuser``).

        Whoever runs that command holds the server, so the address is taken as
        confirmed: the first administrator of a new site can sign in before its
        email is set up.
        """
        from commonground.accounts.services import address_confirm

        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        user = self.create_user(email, password, **extra)
        address_confirm(user=user)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Email is their sign-in name."""

    email = models.EmailField("email address", unique=True)
    name = models.CharField(
        "name",
        max_length=150,
        help_text="How others on the site see you.",
        validators=[refuse_control_characters],
    )
    job_title = models.CharField("job title", max_length=150, blank=True)
    about = models.TextField(
        "about you",
        blank=True,
        max_length=2000,
        help_text="A few lines on your work and what you are interested in.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "site administrator", default=False, help_text="Can use the site administration pages."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name", "email"]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class Organisation(models.Model):
    """A library service, a museum, a council team, a charity: a place people work from."""

    class Kind(models.TextChoices):
        LIBRARY = "library", "Library service"
        MUSEUM = "museum", "Museum or gallery"
        ARCHIVE = "archive", "Archive"
        COUNCIL = "council", "Council or public body"
        HEALTH = "health", "Health or care"
        HOUSING = "housing", "Housing"
        VOLUNTARY = "voluntary", "Charity or community group"
        UNIVERSITY = "university", "University or research"
        PARTNERSHIP = "partnership", "Partnership or network"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, validators=[refuse_control_characters])
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(blank=True, max_length=4000)
    website = models.URLField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    members = models.ManyToManyField(User, through="Membership", related_name="organisations")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:organisation", args=[self.slug])


class Role(models.TextChoices):
    """What a person may do in an organisation (or a group), beyond taking part.

    Every member takes part (``MEMBER``); a membership adds any of the others.
    Which role may do what is written once, as rules, in ``access.py``.
    """

    ADMIN = "admin", "Admin"
    FACILITATOR = "facilitator", "Facilitator"
    EVALUATOR = "evaluator", "Evaluator"
    MEMBER = "member", "Member"


ROLE_HELP = {
    Role.ADMIN: "Manages the organisation: invites people and changes roles.",
    Role.FACILITATOR: "Runs learning sets and groups for the organisation.",
    Role.EVALUATOR: "Sees and analyses the organisation's evaluation evidence.",
    Role.MEMBER: "Takes part in the organisation's work.",
}

# The roles a membership can add to taking part, in the order pages list them.
EXTRA_ROLES = (Role.ADMIN, Role.FACILITATOR, Role.EVALUATOR)


def role_names(roles: frozenset[str]) -> str:
    """``{"admin", "evaluator"}`` as "Admin, Evaluator"; no extra role reads "Member"."""
    return ", ".join(Role(r).label for r in EXTRA_ROLES if r in roles) or Role.MEMBER.label


if TYPE_CHECKING:
    _CharFieldOfRoles = models.CharField[Iterable[str] | str, frozenset[str]]
else:
    _CharFieldOfRoles = models.CharField


class RoleSet(_CharFieldOfRoles):
    """Several roles in one column, read as a frozenset.

    Stored as the role names between spaces (" admin evaluator "), so that
    ``roles__has="admin"`` is a plain ``LIKE`` on SQLite and PostgreSQL alike,
    and a membership is still one row.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("default", frozenset)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, *args: object) -> frozenset[str]:
        return frozenset((value or "").split())

    def to_python(self, value: object) -> frozenset[str]:
        if isinstance(value, str):
            return frozenset(value.split())
        return frozenset(value or ())  # type: ignore[call-overload]

    def get_prep_value(self, value: object) -> str:
        roles = self.to_python(value)
        unknown = roles - set(Role.values)
        if unknown:
            raise ValueError(f"Unknown roles: {sorted(unknown)}")
        return " " + " ".join(sorted(roles - {Role.MEMBER})) + " "

    def value_to_string(self, obj: models.Model) -> str:
        return self.get_prep_value(self.value_from_object(obj)).strip()


@RoleSet.register_lookup
class HasRole(models.Lookup):
    """``roles__has="evaluator"``: the set includes that role."""

    lookup_name = "has"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        if self.rhs not in Role.values:
            raise ValueError(f"Unknown role: {self.rhs!r}")
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} LIKE %s", [*params, f"% {self.rhs} %"]


class Membership(models.Model):
    """A person in an organisation: they take part, and may hold further roles."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    roles = RoleSet(help_text="Roles beyond taking part: admin, facilitator, evaluator.")
    joined = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_each")
        ]
        ordering = ["organisation__name", "user__name"]

    def __str__(self) -> str:
        return f"{self.user} ({self.role_names}) in {self.organisation}"

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def role_names(self) -> str:
        return role_names(self.roles)


class Invitation(models.Model):
    """An emailed offer to join an organisation in a given role."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organisation}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None and self.revoked_at is None and self.expires > timezone.now()
        )

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "Accepted"
        if self.revoked_at:
            return "Withdrawn"
        if self.expires <= timezone.now():
            return "Expired"
        if self.sent_at is None:
            return "Email not sent yet"
        return "Waiting"


class ApiToken(models.Model):
    """A personal token for the JSON API. Only its digest is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(
        max_length=100, help_text="What the token is for, so you know it later."
    )
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
