"""The demo's Groups content, as issue 17 asks for it: an action learning set with six
members from four sectors and its facilitator; three past meetings, each with its
register, summary, presenters and the progress of those who came; and a thread partly
answered by email, through the same mail-in path real replies take."""

from __future__ import annotations

import pytest
from django.utils import timezone

from commonground.accounts import demo as accounts_demo
from commonground.accounts.models import Organisation, User
from commonground.conversations.models import Post
from commonground.groups import demo, selectors
from commonground.groups.models import Attendance, Group, Inbound, Topic
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_valleys() -> Group:
    """The demo as ``commonground demo`` loads it: its people, then Groups' content."""
    accounts_demo.load()
    said = demo.load(addr="127.0.0.1:8000")
    assert said.endswith(f"/groups/{demo.SLUG}/")
    return Group.objects.get(slug=demo.SLUG)


def _sectors(user: User) -> set[str]:
    """The kinds of organisation a person works in (a partnership is not a sector)."""
    return set(
        Organisation.objects.filter(memberships__user=user)
        .exclude(kind=Organisation.Kind.PARTNERSHIP)
        .values_list("kind", flat=True)
    )


def test_an_action_learning_set_of_six_members_from_four_sectors(three_valleys: Group) -> None:
    group = three_valleys
    assert group.kind == Group.Kind.LEARNING_SET
    memberships = list(group.memberships.select_related("user"))
    facilitators = [m.user.email for m in memberships if m.is_facilitator]
    members = [m.user for m in memberships if not m.is_facilitator]
    assert facilitators == [demo.FACILITATOR]
    assert len(members) == 6
    assert all(len(_sectors(person)) == 1 for person in members)
    assert set().union(*(_sectors(person) for person in members)) == {
        Organisation.Kind.LIBRARY,
        Organisation.Kind.MUSEUM,
        Organisation.Kind.COUNCIL,
        Organisation.Kind.VOLUNTARY,
    }
    assert all(m.rules_accepted >= group.rules_version for m in memberships)
    assert group.work.count() == 6  # each member brings a piece of work


def test_three_past_meetings_with_registers_summaries_and_progress(three_valleys: Group) -> None:
    now = timezone.now()
    meetings = list(three_valleys.meetings.order_by("starts_at"))
    past = [m for m in meetings if m.ends_at < now]
    assert len(past) == 3 and len(meetings) == 6  # three more still to come
    for meeting in past:
        assert meeting.register_taken_at is not None and meeting.summary
        marks = list(meeting.register.select_related("user"))
        assert len(marks) == 7  # every member and the facilitator
        came = {
            a.user
            for a in marks
            if a.status in Attendance.ATTENDED and a.user.email != demo.FACILITATOR
        }
        # Progress from each member who came, and only from them.
        assert {u.work.owner for u in meeting.updates.select_related("work__owner")} == came
        assert all(u.progress and u.actions for u in meeting.updates.all())
        assert meeting.rota.count() == 2
    # The rates worked by hand from the registers: 7 of 7, 5 of 7 (apologies, an absence)
    # and 6 of 7 (apologies) came.
    assert [sum(a.status in Attendance.ATTENDED for a in m.register.all()) for m in past] == [
        7,
        5,
        6,
    ]
    assert selectors.attendance(three_valleys).rate == pytest.approx(18 / 21)


def test_a_thread_partly_answered_by_email(three_valleys: Group) -> None:
    topic = Topic.objects.select_related("thread").get(
        group=three_valleys, thread__title="Reaching people who never come to consultations"
    )
    posts = list(topic.thread.posts.select_related("author").order_by("created_at", "id"))
    by_email = [p for p in posts if p.via == Post.Via.EMAIL]
    assert [p.author.name for p in by_email if p.author] == ["Kit Fraser", "Gwen Pritchard"]
    assert len(posts) - len(by_email) == 3  # the rest written on the site
    for post in by_email:
        # Each came in as an email, recorded as posted, and keeps its Message-ID.
        inbound = Inbound.objects.get(post=post)
        assert inbound.outcome == Inbound.Outcome.POSTED
        assert post.message_id and inbound.message_id == post.message_id
        assert ">" not in post.body and "wrote:" not in post.body  # the quote taken off
    kit = by_email[0].body
    assert kit.startswith("Pay people for their time") and kit.endswith("sorry for brevity.")
    amara = User.objects.get(email="amara.okafor@example.org")
    page = client_for(amara).get(topic.get_absolute_url()).content.decode()
    assert page.count("· by email") == 2


def test_loading_the_demo_again_adds_nothing(three_valleys: Group) -> None:
    counts = (Group.objects.count(), Post.objects.count(), Inbound.objects.count())
    assert demo.load(addr="127.0.0.1:8000") == ""
    assert (Group.objects.count(), Post.objects.count(), Inbound.objects.count()) == counts
