"""Email into Groups, over real SMTP on loopback: each sample reply from a common mail
program is posted as its author's words alone; the same message twice is posted once;
automatic replies are ignored; forged, expired and misdirected replies are refused and
their senders told why, by email."""

from __future__ import annotations

import smtplib
import time
from datetime import timedelta
from email.utils import make_msgid
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from commonground.accounts.models import User
from commonground.conversations.models import Post
from commonground.groups import mailout, services, tokens
from commonground.groups.mailserver import Receiver
from commonground.groups.models import Group, Inbound, Topic
from tests.groups.fixtures import Sink

SAMPLES = Path(__file__).parent / "mail"
REPLIES = sorted(
    p.stem for p in SAMPLES.glob("*.eml") if (SAMPLES / f"{p.stem}.expected.txt").exists()
)
IGNORED = sorted(
    p.stem for p in SAMPLES.glob("*.eml") if (SAMPLES / f"{p.stem}.outcome.txt").exists()
)


def _thread(group: Group, ada: User) -> tuple[Topic, Post]:
    first = services.topic_start(
        group=group, author=ada, title="Outreach in the new estate",
        body="How have people reached families on the new estate?",
    )  # fmt: skip
    return first.thread.topic, first


def _fill(name: str, **values: str) -> bytes:
    text = (SAMPLES / f"{name}.eml").read_text()
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


def _send(receiver: Receiver, *, sender: str, to: str, raw: bytes) -> None:
    with smtplib.SMTP(receiver.hostname, receiver.port, timeout=10) as smtp:
        smtp.sendmail(sender, [to], raw)


def _wait_for(check: object, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.02)


@pytest.mark.parametrize("name", REPLIES)
def test_a_reply_from_each_mail_program_is_posted_as_its_new_words(
    name: str, mail_in: Receiver, riverside_set: Group, ada: User, ben: User, smtp_sink: Sink
) -> None:
    topic, first = _thread(riverside_set, ada)
    address = tokens.reply_address(topic_id=topic.pk, user_id=ben.pk)
    raw = _fill(name, FROM=ben.email, TO=address, MESSAGE_ID=make_msgid("sample"),
                IN_REPLY_TO=mailout.message_id(first.pk))  # fmt: skip
    _send(mail_in, sender=ben.email, to=address, raw=raw)
    posted = Post.objects.filter(thread=topic.thread, author=ben).first()
    assert posted is not None, Inbound.objects.values_list("outcome", "reason").first()
    assert posted.via == Post.Via.EMAIL
    assert posted.body == (SAMPLES / f"{name}.expected.txt").read_text().strip()
    # Ada wants every post: the reply goes out to her (by the mailings job, as mail taken
    # in is posted first and emailed on after), threaded under the first post.
    assert not smtp_sink.to(ada.email)
    assert mailout.mailings_send() == 1
    _wait_for(lambda: smtp_sink.to(ada.email))
    sent = smtp_sink.to(ada.email)[-1]
    assert sent["In-Reply-To"] == mailout.message_id(first.pk)
    assert posted.body.splitlines()[0] in sent.get_content()


@pytest.mark.parametrize("name", IGNORED)
def test_automatic_replies_are_ignored_and_nobody_is_answered(
    name: str, mail_in: Receiver, riverside_set: Group, ada: User, ben: User, smtp_sink: Sink
) -> None:
    topic, first = _thread(riverside_set, ada)
    address = tokens.reply_address(topic_id=topic.pk, user_id=ben.pk)
    raw = _fill(name, FROM=ben.email, TO=address, MESSAGE_ID=make_msgid("auto"),
                IN_REPLY_TO=mailout.message_id(first.pk))  # fmt: skip
    _wait_for(lambda: smtp_sink.to(ben.email))  # the first post, to Ben
    before = len(smtp_sink.envelopes)
    _send(mail_in, sender="", to=address, raw=raw)
    assert Inbound.objects.get().outcome == Inbound.Outcome.AUTOMATIC
    assert topic.thread.posts.count() == 1
    time.sleep(0.2)
    assert len(smtp_sink.envelopes) == before


def test_the_same_message_delivered_twice_is_posted_once(
    mail_in: Receiver, riverside_set: Group, ada: User, ben: User, smtp_sink: Sink
) -> None:
    topic, first = _thread(riverside_set, ada)
    address = tokens.reply_address(topic_id=topic.pk, user_id=ben.pk)
    raw = _fill("thunderbird", FROM=ben.email, TO=address, MESSAGE_ID="<same-1@example.org>",
                IN_REPLY_TO=mailout.message_id(first.pk))  # fmt: skip
    _send(mail_in, sender=ben.email, to=address, raw=raw)
    _send(mail_in, sender=ben.email, to=address, raw=raw)
    assert topic.thread.posts.filter(author=ben).count() == 1
    assert sorted(Inbound.objects.values_list("outcome", flat=True)) == ["duplicate", "posted"]


def _refused(sink: Sink, to: str) -> str:
    _wait_for(lambda: sink.to(to))
    told = sink.to(to)
    assert told, "the sender was not told"
    assert told[-1]["Auto-Submitted"] == "auto-replied"
    return told[-1].get_content()


def test_a_forged_token_is_refused_and_the_sender_told_why(
    mail_in: Receiver, riverside_set: Group, ada: User, ben: User, smtp_sink: Sink
) -> None:
    topic, first = _thread(riverside_set, ada)
    real = tokens.reply_address(topic_id=topic.pk, user_id=ben.pk)
    local, _, domain = real.partition("@")
    forged = f"{local[:-4]}beef@{domain}"
    raw = _fill("apple-mail", FROM=ben.email, TO=forged, MESSAGE_ID=make_msgid("forged"),
                IN_REPLY_TO=mailout.message_id(first.pk))  # fmt: skip
    _send(mail_in, sender=ben.email, to=forged, raw=raw)
    assert topic.thread.posts.count() == 1
    assert "not made by this site" in _refused(smtp_sink, ben.email)


def test_an_expired_token_is_refused(
    mail_in: Receiver, riverside_set: Group, ada: User, ben: User, smtp_sink: Sink
) -> None:
    topic, first = _thread(riverside_set, ada)
    old = tokens.reply_address(
        topic_id=topic.pk, user_id=ben.pk, today=timezone.localdate() - timedelta(days=400)
    )
    raw = _fill("gmail", FROM=ben.email, TO=old, MESSAGE_ID=make_msgid("old"),
                IN_REPLY_TO=mailout.message_id(first.pk))  # fmt: skip
    _send(mail_in, sender=ben.email, to=old, raw=raw)
    assert topic.thread.posts.count() == 1
    assert "365 days old" in _refused(smtp_sink, ben.email)


def test_a_reply_from_another_address_is_refused(
    mail_in: Receiver, riverside_set: Group, ada: User, ben: User, olu: User, smtp_sink: Sink
) -> None:
    topic, first = _thread(riverside_set, ada)
    address = tokens.reply_address(topic_id=topic.pk, user_id=ben.pk)
    raw = _fill("gmail", FROM=olu.email, TO=address, MESSAGE_ID=make_msgid("fwd"),
                IN_REPLY_TO=mailout.message_id(first.pk))  # fmt: skip
    _send(mail_in, sender=olu.email, to=address, raw=raw)
    assert topic.thread.posts.count() == 1
    assert "other than the one" in _refused(smtp_sink, olu.email)


def test_mail_to_an_unknown_address_is_refused_while_the_sender_is_talking(
    mail_in: Receiver, riverside_set: Group, ben: User
) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        _send(
            mail_in, sender=ben.email, to="nobody@groups.example.org", raw=b"Subject: x\r\n\r\nHi"
        )
    assert refused.value.recipients["nobody@groups.example.org"][0] == 550


def test_an_email_to_the_group_address_starts_a_thread(
    mail_in: Receiver, riverside_set: Group, ada: User, ben: User, smtp_sink: Sink
) -> None:
    raw = (
        f"From: Ben <{ben.email}>\r\nTo: {riverside_set.address}\r\n"
        f"Subject: Visiting the estate\r\nMessage-ID: <new-thread@example.org>\r\n\r\n"
        "Who is free on Thursday?\r\n"
    ).encode()
    _send(mail_in, sender=ben.email, to=riverside_set.address, raw=raw)
    topic = Topic.objects.get(group=riverside_set)
    assert topic.thread.title == "Visiting the estate"
    assert topic.thread.posts.get().body == "Who is free on Thursday?"


def test_a_stranger_cannot_start_a_thread_by_email(
    mail_in: Receiver, riverside_set: Group, olu: User, smtp_sink: Sink
) -> None:
    raw = (
        f"From: Olu <{olu.email}>\r\nTo: {riverside_set.address}\r\nSubject: Hello\r\n"
        "Message-ID: <stranger@example.org>\r\n\r\nLet me in.\r\n"
    ).encode()
    _send(mail_in, sender=olu.email, to=riverside_set.address, raw=raw)
    assert not Topic.objects.exists()
    assert "Only members" in _refused(smtp_sink, olu.email)


def test_lmtp_answers_once_for_each_recipient(
    transactional_db: None, riverside_set: Group, ben: User
) -> None:
    from tests.groups.fixtures import free_port

    receiver = Receiver(host="127.0.0.1", port=free_port(), lmtp=True)
    receiver.start()
    try:
        with smtplib.LMTP(receiver.hostname, receiver.port, timeout=10) as lmtp:
            raw = (f"From: {ben.email}\r\nTo: {riverside_set.address}\r\nSubject: Both\r\n"
                   "Message-ID: <lmtp@example.org>\r\n\r\nHello.\r\n").encode()  # fmt: skip
            lmtp.sendmail(ben.email, [riverside_set.address], raw)
    finally:
        receiver.stop()
    assert Topic.objects.filter(group=riverside_set).count() == 1


@override_settings(MAIL_INBOUND_SECRET="a-shared-secret")
def test_the_webhook_takes_a_providers_raw_mail(
    riverside_set: Group, ada: User, ben: User, smtp_sink: Sink
) -> None:
    topic, first = _thread(riverside_set, ada)
    address = tokens.reply_address(topic_id=topic.pk, user_id=ben.pk)
    raw = _fill("iphone", FROM=ben.email, TO=address, MESSAGE_ID=make_msgid("hook"),
                IN_REPLY_TO=mailout.message_id(first.pk))  # fmt: skip
    client = Client()
    refused = client.post("/groups/mail/inbound", raw, content_type="message/rfc822")
    assert refused.status_code == 401
    response = client.post(
        "/groups/mail/inbound", raw, content_type="message/rfc822",
        headers={"Authorization": "Bearer a-shared-secret"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert b"posted" in response.content
    assert topic.thread.posts.get(author=ben).body == "Count me in for Thursday."
    again = client.post(
        "/groups/mail/inbound", {"email": raw.decode(), "to": address},
        headers={"Authorization": "Bearer a-shared-secret"},
    )  # fmt: skip
    assert b"duplicate" in again.content
    assert topic.thread.posts.filter(author=ben).count() == 1
