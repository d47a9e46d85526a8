"""Ground rules hold everywhere, not only on the group's pages: a member who has not
accepted them as they stand (let in by request, or who accepted rules since changed) is
sent a link to them and nothing else (no posts, digests, notifications or invitations),
the API answers 403 naming the rules page, mail in is refused with the reason, and
calendar feeds hold none of the group's meetings. Accepting restores everything. The
facilitator who writes new rules accepts them by writing them; the others are asked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from commonground.accounts import services as accounts
from commonground.accounts.models import Role, User
from commonground.groups import mailin, mailout, selectors, services, tokens
from commonground.groups.models import Group, Inbound, Mail, Meeting, Member, Notification, Topic
from tests.conftest import client_for, make_person

# Mail goes out when a transaction commits, so these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)

NEW_RULES = "What is said here stays here.\nWe send apologies when we cannot come."


@pytest.fixture(params=["let in by request", "accepted the old rules"])
def behind(request: pytest.FixtureRequest, riverside_set: Group, ada: User, ben: User) -> User:
    """A member of the set who has not accepted its ground rules as they stand, with
    the email that told them so taken out of the outbox."""
    if request.param == "let in by request":
        person = make_person("cy@example.org", "Cy Newcomer")
        services.group_update(group=riverside_set, visibility=Group.Visibility.LISTED)
        ask = services.join_ask(group=riverside_set, user=person, message="I run a museum.")
        services.join_decide(ask=ask, accept=True, by=ada)
    else:
        person = ben
        services.group_update(group=riverside_set, by=ada, ground_rules=NEW_RULES)
    (told,) = [m for m in mail.outbox if m.to == [person.email]]
    assert selectors.rules_link(riverside_set) in told.body
    mail.outbox.clear()
    return person


def _accept(group: Group, person: User) -> None:
    response = client_for(person).post(f"/groups/{group.slug}/rules", {"accept": "yes"})
    assert response.status_code == 303
    mail.outbox.clear()


def _to(person: User) -> list[str]:
    return [m.subject for m in mail.outbox if m.to == [person.email]]


def test_the_filter_and_the_predicate_agree(ada: User) -> None:
    ruled = services.group_start(name="Ruled", by=ada, ground_rules="Be kind.")
    services.group_update(group=ruled, ground_rules="Be kind. Be brief.")  # version 2
    unruled = services.group_start(name="Unruled", by=ada)
    for group in (ruled, unruled):
        for accepted in (0, 1, 2):
            person = make_person(f"{group.slug}-{accepted}@example.org", "Someone")
            Member.objects.create(group=group, user=person, rules_accepted=accepted)
    members = list(Member.objects.select_related("group", "user"))
    filtered = set(Member.objects.filter(selectors.accepting_rules()).values_list("pk", flat=True))
    assert {m.pk for m in members if selectors.has_accepted_rules(m)} == filtered
    # Ada wrote version 1 only; a group with no rules asks nothing of anyone.
    assert {(m.group.slug, m.user.email) for m in members if m.pk not in filtered} == {
        ("ruled", "ada@example.org"),
        ("ruled", "ruled-0@example.org"),
        ("ruled", "ruled-1@example.org"),
    }


def test_no_posts_digests_or_notifications_until_they_accept(
    behind: User, riverside_set: Group, ada: User
) -> None:
    services.topic_start(group=riverside_set, author=ada, title="Visits", body="Who visits?")
    assert _to(behind) == []
    assert not Notification.objects.filter(user=behind, text__contains="Visits").exists()
    Member.objects.filter(user=behind).update(mail=Mail.DAILY)
    assert mailout.digests_send(Mail.DAILY) == 0

    _accept(riverside_set, behind)
    assert mailout.digests_send(Mail.DAILY) == 1  # the day's posts, those missed too
    Member.objects.filter(user=behind).update(mail="")
    mail.outbox.clear()
    services.topic_start(group=riverside_set, author=ada, title="Rota", body="Who presents?")
    assert _to(behind) == ["[Riverside set] Rota"]
    assert Notification.objects.filter(user=behind, text__contains="Rota").exists()


def test_no_invitations_until_they_accept(behind: User, riverside_set: Group) -> None:
    def schedule(title: str) -> Meeting:
        return services.meeting_schedule(
            group=riverside_set, title=title, starts_at=timezone.now() + timedelta(days=9),
            minutes=60, mode="online", join_url="https://meet.example.org/set",
        )[0]  # fmt: skip

    schedule("Set meeting")
    assert _to(behind) == []
    assert not Notification.objects.filter(user=behind, text__contains="Set meeting").exists()
    _accept(riverside_set, behind)
    schedule("Next meeting")
    (subject,) = _to(behind)
    assert subject.startswith("Invitation: Next meeting")


def test_a_cancellation_still_reaches_calendars_that_hold_the_meeting(
    riverside_set: Group, ada: User, ben: User
) -> None:
    cy = make_person("cy@example.org", "Cy Newcomer")
    Member.objects.create(group=riverside_set, user=cy)  # never accepted any rules
    (meeting,) = services.meeting_schedule(
        group=riverside_set, title="Set meeting", starts_at=timezone.now() + timedelta(days=9),
        minutes=60, mode="online", join_url="https://meet.example.org/set",
    )  # fmt: skip
    assert _to(ben) and not _to(cy)
    services.group_update(group=riverside_set, by=ada, ground_rules=NEW_RULES)
    mail.outbox.clear()
    services.meeting_change(
        meeting=meeting, title="Set meeting", starts_at=meeting.starts_at + timedelta(hours=1),
        minutes=60, mode="online", venue="", join_url="https://meet.example.org/set", agenda="",
    )  # fmt: skip
    assert _to(ben) == [] and _to(cy) == []
    services.meeting_cancel(meeting=meeting)
    (cancelled,) = _to(ben)
    assert cancelled.startswith("Cancelled: ")
    assert _to(cy) == []


def _bearer(user: User) -> dict[str, str]:
    _token, raw = accounts.api_token_create(user=user, name="test")
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_refuses_them_naming_the_rules_page(
    behind: User, riverside_set: Group, ada: User
) -> None:
    post = services.topic_start(group=riverside_set, author=ada, title="Visits", body="Who?")
    topic = post.thread.topic
    (meeting,) = services.meeting_schedule(
        group=riverside_set, title="Set meeting", starts_at=timezone.now() + timedelta(days=9),
        minutes=60, mode="online", join_url="https://meet.example.org/set",
    )  # fmt: skip
    api = Client(headers=_bearer(behind))
    slug = riverside_set.slug
    reads = [
        f"/api/v1/groups/{slug}/meetings",
        f"/api/v1/groups/{slug}/work",
        f"/api/v1/groups/{slug}/threads",
        f"/api/v1/groups/threads/{topic.pk}",
    ]
    writes = [
        (f"/api/v1/groups/{slug}/threads", {"title": "Hello", "body": "Hello all."}),
        (f"/api/v1/groups/threads/{topic.pk}/posts", {"body": "Me."}),
    ]
    for path in reads:
        refused = api.get(path)
        assert refused.status_code == 403, path
        assert selectors.rules_link(riverside_set) in refused.json()["detail"]
    for path, data in writes:
        assert api.post(path, data, content_type="application/json").status_code == 403
    assert topic.thread.posts.count() == 1
    # The group itself answers, saying what is missing and where to find it.
    mine = api.get(f"/api/v1/groups/{slug}").json()
    assert mine["rules_accepted"] is False
    assert mine["rules_url"] == selectors.rules_link(riverside_set)
    assert [g["rules_accepted"] for g in api.get("/api/v1/groups").json()] == [False]

    _accept(riverside_set, behind)
    for path in reads:
        assert api.get(path).status_code == 200, path
    assert [m["id"] for m in api.get(reads[0]).json()] == [meeting.pk]
    for path, data in writes:
        assert api.post(path, data, content_type="application/json").status_code == 201
    assert api.get(f"/api/v1/groups/{slug}").json()["rules_accepted"] is True


def test_mail_in_refuses_them_and_says_why(behind: User, riverside_set: Group, ada: User) -> None:
    post = services.topic_start(group=riverside_set, author=ada, title="Visits", body="Who?")
    topic = post.thread.topic
    reply_to = tokens.reply_address(topic_id=topic.pk, user_id=behind.pk)

    def send(to: str, n: int) -> Inbound:
        raw = (
            f"From: {behind.name} <{behind.email}>\r\nTo: {to}\r\nSubject: Visits {n}\r\n"
            f"Message-ID: <rules-{n}@example.org>\r\n\r\nI can go on Thursday.\r\n"
        ).encode()
        (outcome,) = mailin.receive(raw, recipients=[to])
        return outcome

    mail.outbox.clear()
    for n, to in enumerate((reply_to, riverside_set.address)):
        refused = send(to, n)
        assert refused.outcome == Inbound.Outcome.REFUSED
        assert "ground rules" in refused.reason
        (told,) = [m for m in mail.outbox if m.to == [behind.email]]
        assert "ground rules of Riverside set" in told.body
        assert selectors.rules_link(riverside_set) in told.body
        mail.outbox.clear()
    assert topic.thread.posts.count() == 1 and Topic.objects.count() == 1

    _accept(riverside_set, behind)
    assert send(reply_to, 2).outcome == Inbound.Outcome.POSTED
    assert send(riverside_set.address, 3).outcome == Inbound.Outcome.POSTED
    assert topic.thread.posts.count() == 2 and Topic.objects.count() == 2


def test_their_calendar_feeds_hold_nothing_of_the_group_until_they_accept(
    behind: User, riverside_set: Group
) -> None:
    services.meeting_schedule(
        group=riverside_set, title="Set meeting", starts_at=timezone.now() + timedelta(days=9),
        minutes=60, mode="online", join_url="https://meet.example.org/set",
    )  # fmt: skip
    key = services.preferences_of(behind).calendar_key
    group_token = tokens.calendar_token(user_id=behind.pk, key=key, group_id=riverside_set.pk)
    feeds = [
        f"/groups/{riverside_set.slug}/calendar/{group_token}.ics",
        f"/groups/calendar/{tokens.calendar_token(user_id=behind.pk, key=key)}.ics",
    ]

    def events(path: str) -> list[str]:
        response = Client().get(path)
        assert response.status_code == 200  # the subscription is kept, empty
        return [str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]

    assert [events(path) for path in feeds] == [[], []]
    page = client_for(behind).get("/groups/").content.decode()
    assert "Set meeting" not in page  # nor among their meetings to come
    _accept(riverside_set, behind)
    assert [events(path) for path in feeds] == [["Set meeting"], ["Set meeting"]]
    assert "Set meeting" in client_for(behind).get("/groups/").content.decode()


def test_a_form_posted_before_accepting_leads_to_the_rules(
    behind: User, riverside_set: Group, ada: User
) -> None:
    post = services.topic_start(group=riverside_set, author=ada, title="Visits", body="Who?")
    topic = post.thread.topic
    client = client_for(behind)
    sent = client.post(f"/groups/talk/{topic.pk}/reply", {"body": "Me."})
    assert sent.status_code == 303
    assert sent["Location"].startswith(f"/groups/{riverside_set.slug}/rules?next=")
    assert topic.thread.posts.count() == 1
    accepted = client.post(sent["Location"], {"accept": "yes"})
    assert accepted["Location"] == topic.get_absolute_url()


def test_the_facilitator_who_writes_new_rules_accepts_them_and_the_others_are_asked(
    riverside_set: Group, ada: User, ben: User, ada_client: Client
) -> None:
    co = make_person("co@example.org", "Co Facilitator")
    Member.objects.create(group=riverside_set, user=co, roles={Role.FACILITATOR}, rules_accepted=1)
    form = {"name": riverside_set.name, "kind": riverside_set.kind, "ground_rules": NEW_RULES}
    assert ada_client.post(f"/groups/{riverside_set.slug}/edit", form).status_code == 303
    assert ada_client.get(f"/groups/{riverside_set.slug}/").status_code == 200
    assert sorted(e for m in mail.outbox for e in m.to) == [ben.email, co.email]
    assert all("have changed" in m.body for m in mail.outbox)
    mail.outbox.clear()

    # The other facilitator is asked first on their own pages and in the API too.
    co_client = client_for(co)
    taking = co_client.get(f"/groups/{riverside_set.slug}/meetings/new")
    assert taking.status_code == 303 and "/rules?next=" in taking["Location"]
    api = Client(headers=_bearer(co))
    attendance = f"/api/v1/groups/{riverside_set.slug}/attendance"
    assert api.get(attendance).status_code == 403
    # ...but can still open the settings, where the rules are written.
    assert co_client.get(f"/groups/{riverside_set.slug}/edit").status_code == 200
    _accept(riverside_set, co)
    assert api.get(attendance).status_code == 200


def test_the_link_to_the_rules_is_not_sent_to_whom_chose_no_email(
    riverside_set: Group, ada: User, ben: User
) -> None:
    Member.objects.filter(user=ben).update(mail=Mail.NONE)
    services.group_update(group=riverside_set, by=ada, ground_rules=NEW_RULES)
    assert _to(ben) == []
    Member.objects.filter(user=ben).update(mail="")
    services.preferences_save(user=ben, mail=Mail.NONE, invitations=True, per_group={})
    assert mailout.rules_ask_send(riverside_set.pk) == 0
    services.preferences_save(user=ben, mail=Mail.WEEKLY, invitations=True, per_group={})
    assert mailout.rules_ask_send(riverside_set.pk) == 1
