"""Every write that matters for people and organisations.

Business rules live here, not in views, forms or signals: who may change a
role, that an organisation always keeps an admin, how invitations and API
tokens are issued. Rule breaks raise ``ValidationError`` with a sentence the
person can act on.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from commonground.accounts import personal_data
from commonground.accounts.models import (
    EXTRA_ROLES,
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    Role,
    User,
    token_digest,
)
from commonground.accounts.tokens import invitation_token
from commonground.lib.tasks import enqueue
from commonground.lib.text import single_line

API_TOKEN_PREFIX = "cg_"  # noqa: S105 - a public prefix, not a secret


# -- people ----------------------------------------------------------------------


def email_verified(user: User) -> bool:
    """Whether the person has shown they receive email at their sign-in address.

    Sign-in needs it (allauth's mandatory verification), but accounts made before
    verification existed, and sessions they still hold, do not; so every right
    that would let an account act in an organisation checks it again here.
    """
    return EmailAddress.objects.filter(
        user_id=user.pk, email__iexact=user.email, verified=True
    ).exists()


def address_confirm(*, user: User) -> None:
    """Record the person's sign-in address as confirmed, without a link: only for accounts
    an operator makes from the server (``createsuperuser``, the demo's fictional people)."""
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def _require_verified(user: User, doing: str) -> None:
    if not email_verified(user):
        raise ValidationError(
            f"Confirm your email address before you {doing}: sign out, sign in again "
            "and follow the link we email you.",
            code="unverified",
        )


def password_set(*, user: User, password: str) -> int:
    """Give the person a new password; returns how many API tokens it revoked.

    Their other signed-in sessions end with it, as Django ties each session to
    the password; their tokens end through ``accounts/passwords.py``, which
    Django calls on every new password, whichever way it was set.
    """
    live = ApiToken.objects.filter(user=user, revoked_at=None).count()
    user.set_password(password)
    user.save(update_fields=["password"])
    return live


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every API token the person holds (a new password does this); how many."""
    return ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())


def profile_update(*, user: User, name: str, job_title: str, about: str) -> User:
    user.name = single_line(name)
    user.job_title = single_line(job_title)
    user.about = about.strip()
    user.save(update_fields=["name", "job_title", "about"])
    return user


def account_delete_blockers(*, user: User) -> list[Organisation]:
    """Organisations that would be left with members but no admin if ``user`` left."""
    blocked = []
    admin_of = Organisation.objects.filter(
        memberships__user=user, memberships__roles__has=Role.ADMIN
    ).prefetch_related("memberships")
    for organisation in admin_of:
        others = [m for m in organisation.memberships.all() if m.user_id != user.pk]
        if others and not any(m.is_admin for m in others):
            blocked.append(organisation)
    return blocked


def account_delete(*, user: User) -> None:
    """Erase the person's private data in every part, anonymise what they made
    public, and delete the account.

    Organisations of which they were the only member go with them. Raises
    ``ValidationError`` if they are the only admin of an organisation that
    still has other members: someone else must be made admin first.
    """
    blockers = account_delete_blockers(user=user)
    if blockers:
        names = ", ".join(o.name for o in blockers)
        raise ValidationError(
            f"You are the only admin of {names}. Make another member an admin first, "
            "so the organisation is not left without one.",
            code="last_admin",
        )
    with transaction.atomic():
        # Count first, then filter: the other order would count only this person.
        sole_member_of = list(
            Organisation.objects.annotate(size=Count("memberships"))
            .filter(size=1, memberships__user=user)
            .values_list("pk", flat=True)
        )
        personal_data.erase_everything(user)
        Organisation.objects.filter(pk__in=sole_member_of).delete()
        user.delete()


# -- organisations ---------------------------------------------------------------


def organisation_create(
    *, name: str, kind: str, description: str = "", website: str = "", by: User
) -> Organisation:
    """Create an organisation with ``by`` as its first admin.

    Raises ``ValidationError`` unless ``by`` has confirmed their email address.
    """
    _require_verified(by, "set up an organisation")
    name = single_line(name)
    base = slugify(name)[:70] or "organisation"
    with transaction.atomic():
        slug, n = base, 1
        while Organisation.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        organisation = Organisation.objects.create(
            name=name, slug=slug, kind=kind, description=description, website=website
        )
        Membership.objects.create(user=by, organisation=organisation, roles={Role.ADMIN})
    return organisation


def organisation_update(
    *, organisation: Organisation, name: str, kind: str, description: str, website: str
) -> Organisation:
    organisation.name = single_line(name)
    organisation.kind = kind
    organisation.description = description.strip()
    organisation.website = website.strip()
    organisation.save(update_fields=["name", "kind", "description", "website"])
    return organisation


def _admins_left_after(membership: Membership) -> int:
    return (
        Membership.objects.filter(organisation_id=membership.organisation_id, roles__has=Role.ADMIN)
        .exclude(pk=membership.pk)
        .count()
    )


def membership_set_roles(*, membership: Membership, roles: Iterable[str]) -> Membership:
    """Give a member exactly ``roles`` beyond taking part (any of admin, facilitator and
    evaluator; none leaves them a member). An organisation always keeps an admin."""
    wanted = frozenset(roles) - {Role.MEMBER}
    if not wanted <= set(EXTRA_ROLES):
        raise ValidationError("Choose from the roles listed.", code="bad_role")
    if membership.is_admin and Role.ADMIN not in wanted and _admins_left_after(membership) == 0:
        raise ValidationError(
            f"{membership.user} is the only admin of {membership.organisation}. "
            "Make someone else an admin first.",
            code="last_admin",
        )
    membership.roles = wanted
    membership.save(update_fields=["roles"])
    return membership


def membership_remove(*, membership: Membership) -> None:
    """Remove someone from an organisation (or let them leave it)."""
    if membership.is_admin and _admins_left_after(membership) == 0:
        raise ValidationError(
            f"{membership.user} is the only admin of {membership.organisation}. "
            "Make someone else an admin first.",
            code="last_admin",
        )
    membership.delete()


# -- invitations -----------------------------------------------------------------


def invitation_create(*, organisation: Organisation, email: str, role: str, by: User) -> Invitation:
    """Invite ``email`` to join ``organisation`` and queue the email.

    Raises ``ValidationError`` if they are already a member or already have a
    waiting invitation.
    """
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError("Choose one of the roles listed.", code="bad_role")
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError(f"{email} is already a member of {organisation}.", code="member")
    waiting = organisation.invitations.filter(
        email__iexact=email, accepted_at=None, revoked_at=None, expires__gt=timezone.now()
    )
    if waiting.exists():
        raise ValidationError(
            f"{email} already has an invitation waiting. You can send it again from the list.",
            code="waiting",
        )
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        invited_by=by,
        expires=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    _queue_invitation_email(invitation)
    return invitation


def invitation_resend(*, invitation: Invitation) -> Invitation:
    """Send a waiting (or expired) invitation again, with a fresh expiry date."""
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("That invitation has been accepted or withdrawn.", code="closed")
    invitation.expires = timezone.now() + timedelta(days=settings.INVITATION_DAYS)
    invitation.save(update_fields=["expires"])
    _queue_invitation_email(invitation)
    return invitation


def invitation_revoke(*, invitation: Invitation) -> Invitation:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def _queue_invitation_email(invitation: Invitation) -> None:
    from commonground.accounts.tasks import invitation_email_send

    enqueue(invitation_email_send, invitation.pk)


def invitation_email_send(*, invitation: Invitation) -> None:
    """Email the invitation link and record when it went."""
    link = settings.SITE_URL + reverse("accounts:invitation", args=[invitation_token(invitation)])
    context = {"invitation": invitation, "link": link, "site_name": settings.SITE_NAME}
    send_mail(
        subject=f"You are invited to join {invitation.organisation} on {settings.SITE_NAME}",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at"])


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the organisation. The invitation must be open and addressed to ``user``, who
    must have confirmed that address."""
    if not invitation.is_open:
        raise ValidationError(
            f"This invitation is no longer open ({invitation.status.lower()}). "
            f"Ask an admin of {invitation.organisation} to invite you again.",
            code="closed",
        )
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(
            f"This invitation was sent to {invitation.email}, but you are signed in as "
            f"{user.email}. Sign in with that address, or ask for an invitation to this one.",
            code="wrong_person",
        )
    _require_verified(user, "join an organisation")
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=invitation.organisation, defaults={"roles": {invitation.role}}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


# -- API tokens ------------------------------------------------------------------


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a personal API token. Returns the row and the raw token, shown once.

    Raises ``ValidationError`` unless the person has confirmed their email address.
    """
    _require_verified(user, "make an API token")
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    for _attempt in range(3):
        try:
            token = ApiToken.objects.create(
                user=user,
                name=name.strip() or "API token",
                prefix=raw[:10],
                token_hash=token_digest(raw),
            )
            return token, raw
        except IntegrityError:  # pragma: no cover - a 256-bit collision
            raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    raise RuntimeError("Could not issue a unique token.")  # pragma: no cover


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user a raw token belongs to, or ``None``; the person must have confirmed
    their email address (a token from before verification existed waits until then)."""
    if not raw.startswith(API_TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(
            token_hash=token_digest(raw),
            revoked_at=None,
            user__is_active=True,
            user__emailaddress__verified=True,
            user__emailaddress__email__iexact=F("user__email"),
        )
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Record use at most once a minute, so a busy client does not write on every call.
    if token.last_used is None or now - token.last_used > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user
