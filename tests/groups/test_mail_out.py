"""Email out of Groups: threading and list headers, one-click unsubscribe without
signing in, nothing of a confidential group's words in any email, digests at a fixed
number of queries a batch, and a mailing that carries on where it stopped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commonground.accounts.models import User
from commonground.conversations.models import Post
from commonground.groups import mailout, services, tokens
from commonground.groups.models import Group, Mail, Mailing, Member
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
