"""Groups benchmark: a post to a network of 5,000 members by email, 1,000 emailed
replies taken in by ``commonground mail-in``, the daily digests of 5,000 members, and a
group calendar feed of 100 meetings.

    uv run python bench/groups.py
    uv run python bench/groups.py --database-url postgres://postgres@127.0.0.1:5432/postgres

Mail goes out over real SMTP to a local server (aiosmtpd, in this process), one
connection per mailing, as it would to the organisation's relay; background work runs
in-process, as on one machine without Celery. Then:

- a post to a network of 5,000 members who want every post: the time from posting to
  the last of 4,999 emails accepted by the local server, and how many times a template
  was rendered per person;
- 1,000 replies to a thread of an action learning set of 12 (each reply emailed on to
  the other 11 afterwards by the mailings job) sent to ``commonground mail-in``'s
  receiver from four connections at once, in four other processes: replies posted a
  second, and each reply's time from the start of its sending to the receiver's "250"
  answer, which comes after the post is stored and visible (so it is an upper bound);
- the daily digests of the 5,000 members (each with that day's 20 posts): the time to
  build and send them all, and the queries per batch of 500, for two sizes of network;
- the set's calendar feed with 100 meetings (a series of 60 with one moved and one
  cancelled, and 40 one-off meetings): the median of 20 requests through Django.

Targets (issue 17): the post delivered in under 30 s with one rendering per person;
replies at 100 or more a second with p95 under 5 s; digests for 5,000 in under 60 s at
a constant number of queries per batch; the feed in under 200 ms.

The posting rate limit is lifted for the run: a thousand replies in seconds from a dozen
people is a load test, not a person.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import smtplib
import socket
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Report, django_fresh, percentile  # noqa: E402

NETWORK = 5_000
SET = 12
REPLIES = 1_000
SENDERS = 4
DAY_POSTS = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Counting:
    """An SMTP server's handler that counts what it accepts."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.count += 1
        return "250 OK"


def send_all(port: int, messages: list[tuple[str, str, bytes]]) -> list[float]:
    """Send each message over one SMTP connection; the time each took to be answered."""
    waits = []
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
        for sender, to, raw in messages:
            began = time.perf_counter()
            smtp.sendmail(sender, [to], raw)
            waits.append(time.perf_counter() - began)
    return waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL; SQLite if empty.")
    args = parser.parse_args()
    sink_port = free_port()
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{sink_port}"
    os.environ["CONVERSATION_POST_RATE"] = "1000000/m"
    os.environ["MAIL_DOMAIN"] = "groups.bench.example.org"
    django_fresh(args.database_url, name="commonground_bench_groups")

    from aiosmtpd.controller import Controller
    from django.db import connection
    from django.template.backends.django import Template
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from commonground.accounts.models import User
    from commonground.groups import mailout, services, tokens
    from commonground.groups.mailserver import Receiver
    from commonground.groups.models import Group, Mail, Member

    counting = Counting()
    sink = Controller(counting, hostname="127.0.0.1", port=sink_port)
    sink.start()
    report = Report(f"Groups: email and calendars, {connection.vendor}")

    print(f"Making a network of {NETWORK:,} members ...", flush=True)
    unusable = "!"  # nobody signs in as these people
    User.objects.bulk_create(
        [
            User(email=f"m{i}@bench.example.org", name=f"Member {i}", password=unusable)
            for i in range(NETWORK)
        ],
        batch_size=2000,
    )
    people = list(User.objects.order_by("pk"))
    host = people[0]
    network = services.group_start(name="Bench network", by=host, kind=Group.Kind.NETWORK)
    Member.objects.bulk_create(
        [Member(group=network, user=p, rules_accepted=1) for p in people[1:]], batch_size=2000
    )

    # 1. One post to every member who wants every post.
    renders = 0
    original = Template.render

    def counted(self: Any, *a: Any, **k: Any) -> Any:
        nonlocal renders
        renders += 1
        return original(self, *a, **k)

    Template.render = counted  # type: ignore[method-assign]
    before = counting.count
    t = time.perf_counter()
    services.topic_start(
        group=network, author=host, title="Autumn gathering",
        body="The network meets on 12 November at the Guildhall. Bring a story of a "
        "project that changed your mind about something.",
    )  # fmt: skip
    while counting.count - before < NETWORK - 1 and time.perf_counter() - t < 120:
        time.sleep(0.01)
    took = time.perf_counter() - t
    Template.render = original  # type: ignore[method-assign]
    sent = counting.count - before
    report.figure(
        f"a post to {NETWORK:,} members by email",
        f"{took:.1f} s for {sent:,} emails ({sent / took:,.0f} a second), "
        f"{renders / max(sent, 1):.2f} renderings a person",
    )
    report.target("post delivered to 5,000 in under 30 s", took < 30 and sent == NETWORK - 1)
    report.target("one rendering per person", renders == sent)

    # 2. A thousand emailed replies into a set of twelve.
    lead = people[1]
    learning_set = services.group_start(name="Bench set", by=lead)
    crew = people[2 : 2 + SET - 1]
    Member.objects.bulk_create([Member(group=learning_set, user=p, rules_accepted=1) for p in crew])
    first = services.topic_start(group=learning_set, author=lead, title="Thread", body="Go.")
    topic = first.thread.topic
    receiver = Receiver(host="127.0.0.1", port=free_port())
    receiver.start()
    writers = [lead, *crew]

    def message(n: int) -> tuple[str, str, bytes]:
        person = writers[n % len(writers)]
        to = tokens.reply_address(topic_id=topic.pk, user_id=person.pk)
        raw = (
            f"From: {person.name} <{person.email}>\r\nTo: {to}\r\nSubject: Re: Thread\r\n"
            f"Message-ID: <bench-{n}@bench.example.org>\r\n"
            f"In-Reply-To: {mailout.message_id(first.pk)}\r\n\r\n"
            f"Reply number {n}: here is what we found.\r\n\r\n"
            f"On Tue, 3 Mar 2026 at 09:00, the set wrote:\r\n> Go.\r\n"
        ).encode()
        return person.email, to, raw

    # The senders are other processes, as the mail servers that hand replies over are.
    shares = [[message(n) for n in range(i, REPLIES, SENDERS)] for i in range(SENDERS)]
    t = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(SENDERS) as pool:
        waits = [
            w
            for part in pool.starmap(send_all, [(receiver.port, share) for share in shares])
            for w in part
        ]
    took = time.perf_counter() - t
    receiver.stop()
    posted = topic.thread.posts.count() - 1
    p95 = percentile(waits, 95)
    report.figure(
        f"{REPLIES:,} emailed replies into a set of {SET}",
        f"{posted:,} posted in {took:.1f} s ({posted / took:.0f} a second); "
        f"arrival to visible p50 {percentile(waits, 50) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms",
    )
    report.target("replies at 100 a second or more", posted == REPLIES and posted / took >= 100)
    report.target("arrival to visible p95 under 5 s", p95 < 5)
    # Then the mailings job emails each reply on to the other eleven.
    before = counting.count
    t = time.perf_counter()
    onward = mailout.mailings_send()
    while counting.count - before < onward and time.perf_counter() - t < 300:
        time.sleep(0.01)
    took = time.perf_counter() - t
    report.figure(
        "  then emailed on by the mailings job",
        f"{onward:,} emails in {took:.1f} s ({onward / took:,.0f} a second)",
    )

    # 3. The daily digests.
    Member.objects.filter(group=network).update(mail=Mail.DAILY)
    for n in range(DAY_POSTS):
        services.topic_start(group=network, author=people[1 + n], title=f"Post {n}",
                             body=f"News number {n} from around the network.")  # fmt: skip
    Member.objects.filter(group=network).update(last_digest_at=timezone.now() - timedelta(days=1))
    per_batch = []
    for size in (NETWORK // 2, NETWORK):
        members = Member.objects.filter(group=network).order_by("pk")
        cutoff = members.values_list("pk", flat=True)[size - 1]
        Member.objects.filter(group=network, pk__gt=cutoff).update(mail=Mail.NONE)
        Member.objects.filter(group=network, pk__lte=cutoff).update(
            mail=Mail.DAILY, last_digest_at=timezone.now() - timedelta(days=1)
        )
        before = counting.count
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            sent = mailout.digests_send(Mail.DAILY)
            took = time.perf_counter() - t
        while counting.count - before < sent and time.perf_counter() - t < 120:
            time.sleep(0.01)
        # Batches of members, and the read that finds no more.
        batches = -(-size // mailout.BATCH)
        per_batch.append((len(queries) - 1) / batches)
        report.figure(
            f"daily digests for {size:,} members",
            f"{sent:,} sent in {took:.1f} s; {len(queries)} queries: "
            f"{per_batch[-1]:.1f} for each of {batches} batches, and 1 to find no more",
        )
    report.target("digests for 5,000 in under 60 s", took < 60 and sent == NETWORK)
    report.target("constant queries per batch", per_batch[0] == per_batch[1])

    # 4. The calendar feed of 100 meetings.
    made = services.meeting_schedule(
        group=learning_set, title="Set meeting", starts_at=timezone.now(), minutes=120,
        mode="both", venue="Guildhall", join_url="https://meet.example.org/set",
        rule="FREQ=WEEKLY;COUNT=60",
    )  # fmt: skip
    services.meeting_change(
        meeting=made[3], title="Set meeting", starts_at=made[3].starts_at + timedelta(days=1),
        minutes=120, mode="online", venue="", join_url="https://meet.example.org/x", agenda="Moved",
    )  # fmt: skip
    services.meeting_cancel(meeting=made[5])
    for n in range(40):
        services.meeting_schedule(
            group=learning_set, title=f"Visit {n}", starts_at=timezone.now() + timedelta(days=n),
            minutes=60, mode="in_person", venue="A library",
        )  # fmt: skip
    prefs = services.preferences_of(lead)
    token = tokens.calendar_token(user_id=lead.pk, key=prefs.calendar_key, group_id=learning_set.pk)
    url = f"/groups/{learning_set.slug}/calendar/{token}.ics"
    client = Client()
    timings = []
    for _ in range(21):
        t = time.perf_counter()
        response = client.get(url, HTTP_HOST="127.0.0.1")
        timings.append(time.perf_counter() - t)
    assert response.status_code == 200, response.status_code
    feed_ms = statistics.median(timings[1:]) * 1000
    report.figure(
        "a group calendar feed of 100 meetings",
        f"{feed_ms:.0f} ms median of 20 ({len(response.content) / 1000:.0f} kB, "
        f"{response.content.count(b'BEGIN:VEVENT')} events)",
    )
    report.target("calendar feed under 200 ms", feed_ms < 200)
    sink.stop()
    report.finish()


if __name__ == "__main__":
    main()
