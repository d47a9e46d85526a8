"""Email out of Groups: threading and list headers, one-click unsubscribe without
signing in, nothing of a confidential group's words in any email (posts, digests,
meeting invitations and their calendar files), digests at a fixed number of queries a
batch, and a mailing that carries on where it stopped."""

from __future__ import annotations

from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage as DjangoEmail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from commonground.accounts.models import User
from commonground.conversations.models import Post
from commonground.groups import mailout, services, tokens
from commonground.groups.models import Group, Mail, Mailing, Meeting, Member, Notification
from tests.conftest import make_person

# Mail goes out when a post's transaction commits, so these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


def _members(group: Group, n: int, *, mail_choice: str = "") -> list[User]:
    made = []
    for i in range(n):
        person = make_person(f"m{group.pk}-{i}@example.org", f"Member {i}")
        Member.objects.create(group=group, user=person, mail=mail_choice, rules_accepted=1)
        made.append(person)
    return made


def test_a_post_and_its_reply_carry_threading_and_list_headers(
    riverside_set: Group, ada: User, ben: User
) -> None:
    first = services.topic_start(
        group=riverside_set, author=ada, title="Visits", body="Who visits?"
    )
    reply = services.topic_reply(topic=first.thread.topic, author=ben, body="I do.", parent=first)
    to_ada = [m for m in mail.outbox if m.to == [ada.email]]
    (message,) = to_ada
    headers = message.extra_headers
    assert headers["Message-ID"] == mailout.message_id(reply.pk)
    assert headers["In-Reply-To"] == mailout.message_id(first.pk)
    assert headers["References"] == mailout.message_id(first.pk)
    assert headers["List-Id"] == f"Riverside set <{riverside_set.slug}.groups.groups.example.org>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<http")
    assert message.reply_to == [
        tokens.reply_address(topic_id=first.thread.topic.pk, user_id=ada.pk)
    ]
    assert message.subject == "Re: [Riverside set] Visits"
    assert "I do." in message.body
    # The author is not sent their own post.
    assert not [m for m in mail.outbox if m.to == [ben.email] and "I do." in m.body]


def test_one_click_unsubscribe_needs_no_sign_in(riverside_set: Group, ada: User, ben: User) -> None:
    services.topic_start(group=riverside_set, author=ada, title="Visits", body="Who visits?")
    (message,) = [m for m in mail.outbox if m.to == [ben.email]]
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = link.split("://", 1)[1].split("/", 1)[1]
    client = Client(enforce_csrf_checks=True)
    assert client.get(f"/{path}").status_code == 200
    assert client.post(f"/{path}", {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Member.objects.get(group=riverside_set, user=ben).mail == Mail.NONE
    mail.outbox.clear()
    services.topic_start(group=riverside_set, author=ada, title="Again", body="Anyone?")
    assert not [m for m in mail.outbox if m.to == [ben.email]]
    assert Client().post("/groups/unsubscribe/12.forged").status_code == 404


def test_a_confidential_group_emails_only_that_there_is_something_new(
    riverside_set: Group, ada: User, ben: User
) -> None:
    services.group_update(group=riverside_set, confidential=True)
    services.topic_start(
        group=riverside_set, author=ada, title="Trouble at the Eastgate branch",
        body="The manager there is leaving under a cloud.",
    )  # fmt: skip
    (message,) = [m for m in mail.outbox if m.to == [ben.email]]
    whole = message.message().as_string()
    assert "Eastgate" not in whole and "cloud" not in whole
    assert "confidential" in message.subject.lower()
    Member.objects.filter(user=ben).update(mail=Mail.DAILY)
    mail.outbox.clear()
    assert mailout.digests_send(Mail.DAILY) == 1
    digest = mail.outbox[0].message().as_string()
    assert "Eastgate" not in digest and "cloud" not in digest


# What a meeting of the set must not say by email when the set is confidential.
SECRETS = ("Eastgate closure", "Back room at the Lamb", "meet.example.org/eastgate", "Redundancies")


def _meeting(group: Group, **more: object) -> list[Meeting]:
    return services.meeting_schedule(
        group=group, title="Eastgate closure", minutes=90, mode="both",
        starts_at=datetime(2026, 6, 2, 18, tzinfo=ZoneInfo("Europe/London")),
        venue="Back room at the Lamb", join_url="https://meet.example.org/eastgate",
        agenda="Redundancies and who tells the staff", **more,  # type: ignore[arg-type]
    )  # fmt: skip


def _sent(message: DjangoEmail) -> tuple[EmailMessage, Calendar]:
    """The email as it went out, and its calendar file read back by icalendar."""
    sent = message_from_bytes(message.message().as_bytes(), policy=policy.default)
    assert isinstance(sent, EmailMessage)
    part = next(p for p in sent.walk() if p.get_content_type() == "text/calendar")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return sent, Calendar.from_ical(payload)


def _leaked(sent: EmailMessage) -> list[str]:
    """The secrets found in the email's headers or any of its parts, decoded."""
    words = "".join(f"{k}: {v}\n" for k, v in sent.items())
    for part in sent.walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            words += payload.decode()
    return [s for s in SECRETS if s in words.replace("\r\n ", "")]


def _invitation_to(person: User) -> tuple[EmailMessage, Calendar]:
    (message,) = [m for m in mail.outbox if m.to == [person.email]]
    mail.outbox.clear()
    return _sent(message)


def test_a_confidential_groups_invitations_say_only_that_there_is_a_meeting(
    riverside_set: Group, ada: User, ben: User
) -> None:
    services.group_update(group=riverside_set, confidential=True)
    (meeting,) = _meeting(riverside_set)
    page = settings.SITE_URL + meeting.get_absolute_url()

    def move() -> None:
        services.meeting_change(
            meeting=meeting, title="Eastgate closure", minutes=90, mode="both",
            starts_at=meeting.starts_at + timedelta(days=1), venue="Back room at the Lamb",
            join_url="https://meet.example.org/eastgate", agenda="Redundancies",
        )  # fmt: skip

    steps = [
        ("Invitation: ", lambda: None, "REQUEST"),
        ("Changed: ", move, "REQUEST"),
        ("Cancelled: ", lambda: services.meeting_cancel(meeting=meeting), "CANCEL"),
    ]
    for sequence, (verb, change, method) in enumerate(steps):
        change()
        sent, cal = _invitation_to(ben)
        assert not _leaked(sent), sent.as_string()
        assert sent["Subject"].startswith(f"{verb}Riverside set meeting, ")
        assert page in sent.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert str(cal["METHOD"]) == method
        (event,) = cal.walk("VEVENT")
        assert str(event["UID"]) == meeting.uid
        assert int(event["SEQUENCE"]) == sequence
        assert event["DTSTART"].dt == Meeting.objects.get(pk=meeting.pk).starts_at
        assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(minutes=90)
        assert str(event["SUMMARY"]) == "Riverside set meeting"
        assert str(event["URL"]) == page
        assert "LOCATION" not in event
        assert page in str(event["DESCRIPTION"])
    # The site's notifications hold back the title too, as they do a thread's.
    told = Notification.objects.filter(user=ben).values_list("text", flat=True)
    assert len(told) == 3 and not [t for t in told if "Eastgate" in t]


def test_a_confidential_series_is_one_neutral_event_with_its_rule(
    riverside_set: Group, ben: User
) -> None:
    services.group_update(group=riverside_set, confidential=True)
    made = _meeting(riverside_set, rule="FREQ=WEEKLY;INTERVAL=4;COUNT=3")
    sent, cal = _invitation_to(ben)
    assert not _leaked(sent)
    events = cal.walk("VEVENT")
    assert {str(e["UID"]) for e in events} == {made[0].uid}
    assert all(str(e["SUMMARY"]) == "Riverside set meeting" for e in events)
    assert all("LOCATION" not in e for e in events)
    assert "FREQ=WEEKLY" in events[0]["RRULE"].to_ical().decode()


def test_an_ordinary_groups_invitations_carry_the_meeting(
    riverside_set: Group, ada: User, ben: User
) -> None:
    (meeting,) = _meeting(riverside_set)
    sent, cal = _invitation_to(ben)
    assert "Eastgate closure" in sent["Subject"]
    body = sent.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert all(s in body for s in SECRETS)
    assert len(_leaked(sent)) == len(SECRETS)  # the check below would see a leak
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Eastgate closure"
    assert "Back room at the Lamb" in str(event["LOCATION"])
    assert str(event["URL"]) == "https://meet.example.org/eastgate"
    assert "Redundancies" in str(event["DESCRIPTION"])
    told = Notification.objects.get(user=ben).text
    assert "Eastgate closure" in told


def test_a_confidential_groups_calendar_feeds_are_as_neutral_as_its_invitations(
    riverside_set: Group, ben: User
) -> None:
    services.group_update(group=riverside_set, confidential=True)
    (meeting,) = _meeting(riverside_set)
    key = services.preferences_of(ben).calendar_key
    group_feed = tokens.calendar_token(user_id=ben.pk, key=key, group_id=riverside_set.pk)
    for path in (
        f"/groups/{riverside_set.slug}/calendar/{group_feed}.ics",
        f"/groups/calendar/{tokens.calendar_token(user_id=ben.pk, key=key)}.ics",
    ):
        response = Client().get(path)
        assert not [s for s in SECRETS if s in response.content.decode().replace("\r\n ", "")]
        (event,) = Calendar.from_ical(response.content).walk("VEVENT")
        assert str(event["SUMMARY"]) == "Riverside set meeting"
        assert str(event["URL"]) == settings.SITE_URL + meeting.get_absolute_url()


def test_digests_cost_the_same_queries_a_batch_however_many_members(
    riverside_set: Group, ada: User
) -> None:
    _members(riverside_set, 30, mail_choice=Mail.DAILY)
    for n in range(3):
        services.topic_start(group=riverside_set, author=ada, title=f"T{n}", body=f"Body {n}")
    counts = []
    for batch in (5, 10):
        Member.objects.update(last_digest_at=None)
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as queries:
            sent = mailout.digests_send(Mail.DAILY, batch=batch)
        assert sent == 30
        counts.append(len(queries) / ((30 // batch) + 1))
    # Per batch: the members, their groups' posts, marking them sent (+ the last empty read).
    assert counts[0] <= 3 and counts[1] <= 3, counts
    assert mailout.digests_send(Mail.DAILY) == 0  # nothing again the same day


def test_a_weekly_digest_waits_a_week(riverside_set: Group, ada: User, ben: User) -> None:
    Member.objects.filter(user=ben).update(mail=Mail.WEEKLY)
    services.topic_start(group=riverside_set, author=ada, title="T", body="B")
    assert mailout.digests_send(Mail.WEEKLY) == 1
    services.topic_start(group=riverside_set, author=ada, title="T2", body="B2")
    assert mailout.digests_send(Mail.WEEKLY, now=timezone.now() + timedelta(days=2)) == 0
    assert mailout.digests_send(Mail.WEEKLY, now=timezone.now() + timedelta(days=7)) == 1


def test_a_mailing_stopped_midway_carries_on_without_sending_twice(
    riverside_set: Group, ada: User
) -> None:
    people = _members(riverside_set, 12)
    post = services.topic_start(group=riverside_set, author=ada, title="T", body="B")
    # As if the worker had died after the first batch, and its claim had run out.
    Mailing.objects.filter(post=post).update(
        finished_at=None, next_user_id=sorted(p.pk for p in people)[4], sent=5,
        claimed_until=timezone.now() - timedelta(seconds=1),
    )  # fmt: skip
    mail.outbox.clear()
    # Those after the fifth new member, by id: the last seven.
    assert mailout.post_mail(post.pk, batch=5) == 7
    assert mailout.post_mail(post.pk) == 0
    assert mailout.mailings_waiting() == []
    assert Post.objects.count() == 1


def test_a_mailing_another_worker_holds_is_left_to_it(riverside_set: Group, ada: User) -> None:
    post = services.topic_start(group=riverside_set, author=ada, title="T", body="B")
    Mailing.objects.filter(post=post).update(
        finished_at=None, claimed_until=timezone.now() + timedelta(minutes=5)
    )
    assert mailout.post_mail(post.pk) == 0
    assert mailout.mailings_waiting() == []
