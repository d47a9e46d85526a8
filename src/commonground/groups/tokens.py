"""The signed tokens in Groups' addresses and links: reply addresses (per person and
thread, they expire), one-click unsubscribe links (RFC 8058, no sign-in) and calendar
feed addresses (per person, revocable by a new key). Each is an HMAC of the ids under
the site's secret key, so none is stored and none can be made without the key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

_EPOCH = date(2020, 1, 1)
_REPLY = re.compile(r"^reply\+(\d+)\.(\d+)\.(\d+)\.([0-9a-f]{20})$")


def _mac(salt: str, value: str, length: int = 20) -> str:
    return salted_hmac(f"commonground.groups.{salt}", value).hexdigest()[:length]


def reply_address(*, topic_id: int, user_id: int, today: date | None = None) -> str:
    """The address a person's reply to a post in the topic is sent to."""
    day = ((today or timezone.localdate()) - _EPOCH).days
    value = f"{topic_id}.{user_id}.{day}"
    return f"reply+{value}.{_mac('reply', value)}@{settings.MAIL_DOMAIN}"


@dataclass(frozen=True)
class ReplyTo:
    topic_id: int
    user_id: int


class BadToken(ValueError):
    """A reply address that was not made here, or has expired: the sentence says which."""


def reply_read(local_part: str, *, today: date | None = None) -> ReplyTo | None:
    """The topic and person of a reply address's local part (``None`` when it is not a
    reply address at all); raises ``BadToken`` for a forged or expired one."""
    found = _REPLY.match(local_part.lower())
    if found is None:
        return None
    topic, user, day, mac = found.groups()
    if not constant_time_compare(mac, _mac("reply", f"{topic}.{user}.{day}")):
        raise BadToken(
            "The address you replied to was not made by this site, so the reply was not "
            "posted. Reply to the email itself, or post on the site."
        )
    sent = _EPOCH + timedelta(days=int(day))
    if (today or timezone.localdate()) > sent + timedelta(days=settings.GROUPS_REPLY_DAYS):
        raise BadToken(
            f"The email you replied to is more than {settings.GROUPS_REPLY_DAYS} days old, "
            "so its reply address no longer works. Reply to a newer email, or post on the site."
        )
    return ReplyTo(topic_id=int(topic), user_id=int(user))


def unsubscribe_token(member_id: int) -> str:
    return f"{member_id}.{_mac('unsubscribe', str(member_id), 24)}"


def unsubscribe_read(token: str) -> int | None:
    member, _, mac = token.partition(".")
    if not member.isdigit() or not constant_time_compare(mac, _mac("unsubscribe", member, 24)):
        return None
    return int(member)


def calendar_token(*, user_id: int, key: str, group_id: int = 0) -> str:
    """A calendar feed's token: a person's own feed (``group_id`` 0) or their feed of
    one group. A new ``key`` (``Preferences.calendar_key``) stops the old ones."""
    return f"{user_id}.{_mac('calendar', f'{user_id}.{group_id}.{key}', 24)}"


def calendar_user(token: str) -> int | None:
    """The person a calendar token claims to be (not yet checked: see ``calendar_ok``)."""
    user, _, _ = token.partition(".")
    return int(user) if user.isdigit() else None


def calendar_ok(token: str, *, user_id: int, key: str, group_id: int = 0) -> bool:
    return constant_time_compare(token, calendar_token(user_id=user_id, key=key, group_id=group_id))
