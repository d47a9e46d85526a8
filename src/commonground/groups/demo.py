"""Demonstration content for Groups: the Three Valleys action learning set, six members
from four sectors and their facilitator, three meetings behind them with registers,
summaries and progress on each member's work, three still to come, and a thread that
was partly answered by email (through the same mail-in path real replies take)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from email.utils import format_datetime, make_msgid

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from commonground.accounts.models import User
from commonground.conversations.models import Post, Thread
from commonground.groups import mailin, mailout, services, tokens
from commonground.groups.models import Attendance, Group, Mail, Member, Notification, Preferences

SLUG = "three-valleys-set"
FACILITATOR = "priya.natarajan@example.org"
# (email, the work they bring, what they hope to change, who sees it)
MEMBERS = [
    (
        "amara.okafor@example.org",
        "Reading with families on the Brookside estate",
        "Families on the estate use the library for the free computers but never borrow. "
        "I want six families to tell us what a library for them would look like.",
        "group",
    ),
    (
        "tom.haldane@example.org",
        "Volunteers who stay",
        "Half of our digital-help volunteers leave within three months. I want to understand "
        "why, and keep more of them for a year.",
        "group",
    ),
    (
        "gwen.pritchard@example.org",
        "Opening the mining archive to the people it is about",
        "The archive holds the pit records, but the families in them rarely see them. I want "
        "a community group to choose what we catalogue next.",
        "group",
    ),
    (
        "daniel.mensah@example.org",
        "Budget consultation beyond the usual voices",
        "Last year 80% of replies came from over-55s in two wards. I want this year's to "
        "look like the borough.",
        "group",
    ),
    (
        "kit.fraser@example.org",
        "Tenants leading the harbour regeneration forum",
        "The council chairs the forum and tenants sit at the back. I want tenants to set the "
        "agenda by the autumn.",
        "facilitators",
    ),
    (
        "sam.oduya@example.org",
        "Young people on the youth centre's board",
        "The board has no one under 40. I want two young trustees in post, supported, not token.",
        "group",
    ),
]
# Progress at each of the three past meetings: (progress, actions agreed), per member.
PROGRESS = {
    "amara.okafor@example.org": [
        (
            "Met the tenants' association; they suggested the Saturday breakfast club.",
            "Go to two breakfast clubs with picture books.",
        ),
        (
            "Four families came to a story session at the community café.",
            "Ask the families what stops them borrowing.",
        ),
        (
            "Fines and lost-book worries came up every time. We are trying a fine-free card.",
            "Write up the fine-free trial for the service manager.",
        ),
    ],
    "tom.haldane@example.org": [
        ("Looked at leavers' dates: most leave after their third shift.", "Call five leavers."),
        ("Leavers felt thrown in without anyone to ask.", "Try pairing new volunteers."),
        ("Pairs started in two branches; nobody has left there yet.", "Keep going to June."),
    ],
    "gwen.pritchard@example.org": [
        (
            "Found a miners' welfare group willing to look at the index.",
            "Take a box of pay books to their meeting.",
        ),
        (
            "They want the accident books first, which we had not planned.",
            "Check what can be shown under data protection.",
        ),
        ("Agreed a reading day with the group for next month.", "Book the search room."),
    ],
    "daniel.mensah@example.org": [
        ("Mapped last year's replies by ward and age.", "Share the map with the set."),
        (
            "The set suggested going where people already are: the school gate, the market.",
            "Pilot a market stall with a paper budget game.",
        ),
        ("The stall drew 140 people in a day, most under 40.", "Repeat in two more wards."),
    ],
    "kit.fraser@example.org": [
        ("Tenants said the agenda arrives too late to prepare.", "Ask for it two weeks ahead."),
        ("The council agreed; tenants now co-write the agenda.", "Train two tenants to chair."),
        ("A tenant chaired the last forum. It ran over, and it was better.", "Debrief with her."),
    ],
    "sam.oduya@example.org": [
        ("Talked to the board about why no young people apply.", "Draft a role description."),
        (
            "Three young people interested; worried about the legal side.",
            "Find a trustee mentor for each.",
        ),
        ("Two mentors found; the board meets the candidates next month.", "Prepare them."),
    ],
}
SUMMARIES = [
    "Our first meeting: we agreed the ground rules and each of us described the piece of "
    "work we bring. Common threads already: people who do not come to us, and how to go "
    "where they are instead.",
    "Care and share was heavy this time, with two of us under pressure from budget cuts. "
    "Daniel and Amara both took away the idea of going where people already are. Tom's "
    "pairing idea came from the group's questions about what leavers said.",
    "Progress all round. Daniel's market stall and Kit's tenant chair are worth writing up "
    "for the partnership. Next time: what evidence we each have that anything changed.",
]
# Marks at the three past meetings: (status, mode) per member; the rest present in person.
MARKS = [
    {"tom.haldane@example.org": ("late", "in_person")},
    {
        "kit.fraser@example.org": ("apologies", ""),
        "sam.oduya@example.org": ("absent", ""),
        "gwen.pritchard@example.org": ("left_early", "in_person"),
        "amara.okafor@example.org": ("present", "online"),
    },
    {
        "daniel.mensah@example.org": ("apologies", ""),
        "amara.okafor@example.org": ("present", "online"),
    },
]
LISTINGS = {
    "amara.okafor@example.org": ("library", "Riverside", "family reading, co-design, estates"),
    "priya.natarajan@example.org": ("museum", "Northmoor", "action learning, co-curation"),
    "kit.fraser@example.org": ("voluntary", "Harbourside", "tenant organising, regeneration"),
    "daniel.mensah@example.org": ("council", "Eastbrook", "participatory budgeting, consultation"),
    "gwen.pritchard@example.org": ("archive", "Northmoor", "community archives, mining heritage"),
}


def _local(day: datetime, hour: int) -> datetime:
    zone = timezone.get_current_timezone()
    return datetime.combine(day.date(), time(hour), tzinfo=zone)


def _email_reply(*, topic_id: int, person: User, text: str, quoting: str, when: datetime) -> None:
    """A reply as a mail program sends it, taken in by the real mail-in path."""
    address = tokens.reply_address(topic_id=topic_id, user_id=person.pk)
    raw = (
        f"From: {person.name} <{person.email}>\r\nTo: {address}\r\n"
        f"Subject: Re: a thread in the set\r\nMessage-ID: {make_msgid('demo', 'example.org')}\r\n"
        f"Date: {format_datetime(when)}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{text}\r\n\r\nOn {when:%a %-d %b %Y}, the set wrote:\r\n> {quoting}\r\n"
    ).encode()
    mailin.receive(raw, recipients=[address], envelope_sender=person.email)


def load(*, addr: str) -> str:
    if Group.objects.filter(slug=SLUG).exists():
        return ""
    people = {
        u.email: u for u in User.objects.filter(email__in=[m[0] for m in MEMBERS] + [FACILITATOR])
    }
    if len(people) < len(MEMBERS) + 1:
        return ""
    # The story is made through the services people use; its emails would only print to
    # the console, so while it loads they go to memory.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        _load(people)
    return f"Groups: the Three Valleys action learning set at http://{addr}/groups/{SLUG}/"


def _load(people: dict[str, User]) -> None:
    priya = people[FACILITATOR]
    now = timezone.now()
    with transaction.atomic():
        group = services.group_start(
            name="Three Valleys action learning set",
            by=priya,
            kind=Group.Kind.LEARNING_SET,
            purpose="Six practitioners from libraries, archives, the council and community "
            "action, each bringing a real piece of engagement work, meeting every four weeks "
            "to think it through together.",
            ground_rules="What members say about people and places stays in the set.\n"
            "Each of us brings a real piece of work and says honestly how it is going.\n"
            "We ask questions before we offer advice; the presenter decides what to take.\n"
            "We come when we can and send apologies when we cannot.",
        )
        group.slug = SLUG
        group.created_at = now - timedelta(days=95)
        group.save(update_fields=["slug", "created_at"])
        Member.objects.filter(group=group).update(
            joined_at=now - timedelta(days=95), rules_accepted_at=now - timedelta(days=95)
        )
        for email, *_ in MEMBERS:
            Member.objects.create(
                group=group, user=people[email], rules_accepted=1,
                joined_at=now - timedelta(days=90), rules_accepted_at=now - timedelta(days=90),
            )  # fmt: skip
        Preferences.objects.update_or_create(
            user=people["tom.haldane@example.org"], defaults={"mail": Mail.WEEKLY}
        )
        Preferences.objects.update_or_create(
            user=people["sam.oduya@example.org"], defaults={"mail": Mail.DAILY}
        )
        for email, (sector, region, interests) in LISTINGS.items():
            services.listing_save(
                user=people[email], listed=True, sector=sector, region=region, interests=interests
            )
    meetings = services.meeting_schedule(
        group=group, title="Set meeting", starts_at=_local(now - timedelta(days=80), 10),
        minutes=150, mode="both", venue="Northmoor Museum, Learning Room",
        join_url="https://meet.example.org/three-valleys-set",
        agenda="Check-in · Care and share · Two presenters (40 minutes each) · Review",
        rule="FREQ=WEEKLY;INTERVAL=4;COUNT=6",
    )  # fmt: skip
    work = {}
    for email, title, hope, seen in MEMBERS:
        member = Member.objects.get(group=group, user=people[email])
        work[email] = services.work_add(member=member, title=title, hope=hope, visibility=seen)
    order = [m[0] for m in MEMBERS]
    for index, meeting in enumerate(meetings[:3]):
        services.rota_save(
            meeting=meeting,
            turns=[(people[order[(2 * index + k) % 6]].pk, 40) for k in range(2)],
        )
        marks = {people[FACILITATOR].pk: ("present", "in_person")}
        for email in order:
            marks[people[email].pk] = MARKS[index].get(email, ("present", "in_person"))
        services.register_save(meeting=meeting, marks=marks, by=priya)
        services.meeting_write_up(meeting=meeting, notes="", summary=SUMMARIES[index])
        for email in order:
            if MARKS[index].get(email, ("present",))[0] in Attendance.ATTENDED:
                progress, actions = PROGRESS[email][index]
                update = services.work_update_add(
                    work=work[email], progress=progress, actions=actions, by=people[email],
                    meeting=meeting,
                )  # fmt: skip
                update.written_at = meeting.ends_at
                update.save(update_fields=["written_at"])
    _talk(group, people, now)
    mailout.mailings_send()  # the replies that came in by email, emailed on
    mailout.digests_send(Mail.DAILY)  # so the demo's first digest run has nothing stale


def _talk(group: Group, people: dict[str, User], now: datetime) -> None:
    daniel, amara = people["daniel.mensah@example.org"], people["amara.okafor@example.org"]
    first = services.topic_start(
        group=group, author=daniel, title="Reaching people who never come to consultations",
        body="Before our next meeting: has anyone found a way to hear from people who never "
        "answer a consultation? I mean the ones who don't come to anything, not the ones who "
        "come and complain. The market stall worked once; I'm not sure why.",
    )  # fmt: skip
    topic = first.thread.topic
    services.topic_reply(
        topic=topic, author=amara, parent=first,
        body="For us it was going with someone they already trust. The breakfast club "
        "organiser introduced me; on my own I'd have been another official.",
    )  # fmt: skip
    _email_reply(
        topic_id=topic.pk, person=people["kit.fraser@example.org"], when=now - timedelta(days=2),
        text="Pay people for their time, and say so up front. Our tenants' panel doubled "
        "when we started paying vouchers. Sent from the train, sorry for brevity.",
        quoting="Before our next meeting: has anyone found a way to hear from people...",
    )  # fmt: skip
    _email_reply(
        topic_id=topic.pk, person=people["gwen.pritchard@example.org"],
        when=now - timedelta(days=1),
        text="Objects help. People who won't fill in a form will talk for an hour about "
        "a photograph of their street. Could your stall have something to look at?",
        quoting="Pay people for their time, and say so up front.",
    )  # fmt: skip
    services.topic_reply(
        topic=topic, author=people[FACILITATOR],
        body="Three good threads here: trusted introducers, paying for time, and something "
        "to talk about. Daniel, shall we make this your presenting question next time?",
    )  # fmt: skip
    second = services.topic_start(
        group=group, author=people[FACILITATOR], title="Room for the next meeting",
        body="The Learning Room is booked again. If you are joining online, the link is on "
        "the meeting's page. Anyone need a lift from the station?",
    )  # fmt: skip
    _email_reply(
        topic_id=second.thread.topic.pk, person=people["sam.oduya@example.org"],
        when=now - timedelta(hours=5), text="Yes please, I'll be on the 9.12.",
        quoting="Anyone need a lift from the station?",
    )  # fmt: skip
    # The talk happened over the last week, not all in the second the demo loaded.
    for thread, hours in ((first.thread, [150, 120, 50, 26, 7]), (second.thread, [30, 5])):
        posts = list(thread.posts.order_by("pk"))
        for post, ago in zip(posts, hours, strict=True):
            Post.objects.filter(pk=post.pk).update(created_at=now - timedelta(hours=ago))
        Thread.objects.filter(pk=thread.pk).update(
            created_at=now - timedelta(hours=hours[0]),
            last_post_at=now - timedelta(hours=hours[-1]),
        )
    Notification.objects.filter(group=group).update(created_at=now - timedelta(hours=5))
