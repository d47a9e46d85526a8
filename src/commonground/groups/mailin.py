"""Email into Groups: a reply to a post becomes a reply in its thread, an email to a
group's address starts a thread, and a calendar's answer to a meeting request records
apologies. ``commonground mail-in`` (an SMTP or LMTP receiver) and the inbound webhook
both hand each message here.

Every message leaves a trace (``Inbound``): posted, already posted (the same Message-ID
again), ignored as an automatic reply, or refused, and then its sender is told why.
"""

from __future__ import annotations

import email
import hashlib
import logging
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commonground.accounts.models import User
from commonground.conversations.models import Post
from commonground.conversations.services import Duplicate
from commonground.groups import calendars, selectors, services, tokens
from commonground.groups.models import Group, Inbound, Meeting, Member, Topic
from commonground.lib.ratelimit import TooMany
from commonground.lib.replies import html_text, new_words

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Letter:
    """What Groups needs of an email."""

    message_id: str
    sender: str
    subject: str
    text: str
    calendar: bytes
    automatic: bool


def _part(message: EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    if part is None:
        return ""
    try:
        return str(part.get_content())
    except (LookupError, UnicodeError, AttributeError):
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _calendar(message: EmailMessage) -> bytes:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload
    return b""


AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}


def is_automatic(message: EmailMessage, envelope_sender: str | None) -> bool:
    """Out-of-office replies, bounces and other mail no person wrote (RFC 3834 and the
    headers common mail servers add)."""
    submitted = str(message.get("Auto-Submitted", "no")).strip().lower()
    if submitted and submitted != "no":
        return True
    if str(message.get("Precedence", "")).strip().lower() in AUTOMATIC_PRECEDENCE:
        return True
    if any(message.get(h) for h in ("X-Autoreply", "X-Autorespond", "X-Auto-Response")):
        return True
    subject = str(message.get("Subject", "")).lower()
    if subject.startswith(("automatic reply:", "out of office:", "auto:", "autoreply:")):
        return True
    if message.get_content_type() == "multipart/report":
        return True
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    local = sender.split("@")[0]
    return envelope_sender == "" or local in {"mailer-daemon", "postmaster", "noreply", "no-reply"}


def read(raw: bytes, *, envelope_sender: str | None = None) -> Letter:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)  # noqa: S101 - policy.default makes these
    mid = str(message.get("Message-ID", "")).strip()
    if not mid:
        # A message without an id is still posted once: its bytes name it.
        mid = f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id>"
    text = _part(message, "plain")
    if not text.strip():
        text = html_text(_part(message, "html"))
    return Letter(
        message_id=mid[:255],
        sender=parseaddr(str(message.get("From", "")))[1].lower(),
        subject=" ".join(str(message.get("Subject", "")).split())[:300],
        text=text,
        calendar=_calendar(message),
        automatic=is_automatic(message, envelope_sender),
    )


class Refused(Exception):
    """Mail we cannot post; the sentence goes back to its sender."""


def _ours(recipient: str) -> str | None:
    local, _, domain = recipient.strip().strip("<>").lower().rpartition("@")
    return local if domain == settings.MAIL_DOMAIN and local else None


def reply_address_here(recipient: str) -> bool:
    local = _ours(recipient)
    return local is not None and local.startswith("reply+")


def known_address(recipient: str) -> bool:
    """Whether mail to ``recipient`` is for Groups: a reply address or a group's."""
    local = _ours(recipient)
    if local is None:
        return False
    return local.startswith("reply+") or Group.objects.filter(slug=local).exists()


def receive(
    raw: bytes, *, recipients: list[str], envelope_sender: str | None = None
) -> list[Inbound]:
    """Take one email for its recipients among ours; returns what became of it for
    each. Never raises for what the email holds: a problem is recorded and its sender
    told."""
    try:
        letter = read(raw, envelope_sender=envelope_sender)
    except Exception as exc:  # a message too broken to parse at all
        log.warning("An email could not be read: %s", exc)
        sender = envelope_sender or ""
        return [
            _record(
                Letter("", sender, "", "", b"", False),
                r,
                Inbound.Outcome.REFUSED,
                "The email could not be read.",
                notify=bool(sender),
            )
            for r in recipients
        ]
    outcomes = []
    for recipient in recipients:
        local = _ours(recipient)
        if local is None:
            continue
        outcomes.append(_receive_one(letter, recipient, local))
    return outcomes


def _receive_one(letter: Letter, recipient: str, local: str) -> Inbound:
    if letter.calendar:
        try:
            answered = _calendar_answers(letter)
        except ValueError:
            answered = -1
        if answered >= 0:
            return _record(
                letter, recipient, Inbound.Outcome.CALENDAR, f"{answered} answer(s) recorded"
            )
    if letter.automatic:
        return _record(letter, recipient, Inbound.Outcome.AUTOMATIC, "Automatic reply")
    earlier = Inbound.objects.filter(
        message_id=letter.message_id,
        recipient=recipient,
        outcome__in=[Inbound.Outcome.POSTED, Inbound.Outcome.REFUSED, Inbound.Outcome.DUPLICATE],
    ).first()
    if earlier is not None:
        # The same delivery again: nothing is posted twice, nobody is told twice.
        return _record(
            letter, recipient, Inbound.Outcome.DUPLICATE, "Delivered before", post=earlier.post
        )
    try:
        with transaction.atomic():  # the post, its notifications and mailing: one commit
            post = _post(letter, local)
            return _record(letter, recipient, Inbound.Outcome.POSTED, "", post=post)
    except Duplicate as exc:
        return _record(letter, recipient, Inbound.Outcome.DUPLICATE, "Posted before", post=exc.post)
    except Refused as exc:
        return _record(letter, recipient, Inbound.Outcome.REFUSED, str(exc), notify=True)


def _post(letter: Letter, local: str) -> Post:
    try:
        reply = tokens.reply_read(local)
    except tokens.BadToken as exc:
        raise Refused(str(exc)) from None
    body = new_words(letter.text)
    if not body:
        raise Refused(
            "We found no words of yours above the quoted text, so there was nothing to "
            "post. Write your reply at the top of the email."
        )
    try:
        if reply is not None:
            return _reply(letter, reply, body)
        return _new_thread(letter, local, body)
    except TooMany:
        raise Refused(
            "You have posted a lot in a short time. Wait a few minutes and send it again."
        ) from None
    except ValidationError as exc:
        raise Refused(" ".join(exc.messages)) from None


def _reply(letter: Letter, reply: tokens.ReplyTo, body: str) -> Post:
    topic = Topic.objects.select_related("group", "thread").filter(pk=reply.topic_id).first()
    if topic is None:
        raise Refused("The thread you replied to is no longer on the site.")
    member = (
        Member.objects.select_related("user")
        .filter(group=topic.group, user_id=reply.user_id, user__is_active=True)
        .first()
    )
    if member is None:
        raise Refused(f"You are no longer a member of {topic.group.name}.")
    user = member.user
    if letter.sender != user.email.lower():
        raise Refused(
            "The reply came from an address other than the one the email was sent to, so "
            "it was not posted. Reply from that address, or post on the site."
        )
    member.group = topic.group
    if not selectors.has_accepted_rules(member):
        raise Refused(selectors.rules_refusal(topic.group))
    return services.topic_reply(
        topic=topic, author=user, body=body, via=Post.Via.EMAIL, message_id=letter.message_id,
        mail_now=False,
    )  # fmt: skip


def _new_thread(letter: Letter, local: str, body: str) -> Post:
    group = Group.objects.filter(slug=local).first()
    if group is None:
        raise Refused(f"There is no group at {local}@{settings.MAIL_DOMAIN}.")
    user = User.objects.filter(email__iexact=letter.sender, is_active=True).first()
    member = Member.objects.filter(group=group, user=user).first() if user else None
    if user is None or member is None:
        raise Refused(
            f"Only members of {group.name} can start a thread by email, from the address "
            "they sign in with."
        )
    member.group = group
    if not selectors.has_accepted_rules(member):
        raise Refused(selectors.rules_refusal(group))
    title = letter.subject or body.split("\n", 1)[0][:80]
    return services.topic_start(
        group=group, author=user, title=title, body=body, via=Post.Via.EMAIL,
        message_id=letter.message_id, mail_now=False,
    )  # fmt: skip


def _calendar_answers(letter: Letter) -> int:
    """Record the answers of a calendar REPLY; -1 when the calendar is not a reply."""
    answers = calendars.answers(letter.calendar)
    if not answers:
        return -1
    recorded = 0
    for answer in answers:
        user = User.objects.filter(email__iexact=answer.email).first()
        if user is None or answer.partstat not in {"DECLINED", "ACCEPTED", "TENTATIVE"}:
            continue
        for meeting in _meetings_of(answer):
            if not Member.objects.filter(group=meeting.group_id, user=user).exists():
                continue
            services.apologies_set(
                meeting=meeting, user=user, declined=answer.partstat == "DECLINED"
            )
            recorded += 1
    return recorded


def _meetings_of(answer: calendars.Answer) -> list[Meeting]:
    domain = f"@{settings.MAIL_DOMAIN}"
    uid = answer.uid.lower()
    if not uid.endswith(domain):
        return []
    kind, _, number = uid.removesuffix(domain).partition("-")
    if not number.isdigit():
        return []
    if kind == "meeting":
        return list(Meeting.objects.filter(pk=int(number)))
    if kind == "series":
        found = Meeting.objects.filter(series_id=int(number), cancelled_at__isnull=True)
        if answer.occurrence is not None:
            return list(found.filter(occurrence=answer.occurrence))
        return list(found.filter(starts_at__gte=timezone.now()))
    return []


def _record(
    letter: Letter,
    recipient: str,
    outcome: str,
    reason: str,
    *,
    post: Post | None = None,
    notify: bool = False,
) -> Inbound:
    inbound = Inbound.objects.create(
        message_id=letter.message_id,
        sender=letter.sender[:320],
        recipient=recipient[:320],
        subject=letter.subject,
        outcome=outcome,
        reason=reason[:500],
        post=post,
    )
    if notify and letter.sender and not letter.automatic:
        from commonground.groups import mailout

        try:
            mailout.refusal_send(
                to=letter.sender,
                subject=letter.subject,
                reason=reason,
                in_reply_to=letter.message_id,
            )
        except Exception:
            log.exception("Could not tell %s why their email was refused", letter.sender)
    return inbound


def addressees(raw: bytes) -> list[str]:
    """The message's own To and Cc addresses, for a webhook that does not name them."""
    from email.utils import getaddresses

    message = email.message_from_bytes(raw, policy=policy.default)
    found = getaddresses([str(v) for h in ("To", "Cc") for v in message.get_all(h, [])])
    return [address for _, address in found if address]
