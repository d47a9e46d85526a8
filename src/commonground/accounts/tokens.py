"""The secret in an invitation link: the invitation's id, signed, so nothing extra is
stored. Read by selectors (to find the invitation) and written by services (to send it)."""

from __future__ import annotations

from django.core import signing

from commonground.accounts.models import Invitation

_INVITATION_SALT = "commonground.accounts.invitation"


def invitation_token(invitation: Invitation) -> str:
    return signing.Signer(salt=_INVITATION_SALT).sign(str(invitation.pk))


def invitation_id_from_token(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=_INVITATION_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
