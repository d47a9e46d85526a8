"""Groups through the JSON API with personal tokens, as Ada (who facilitates the
Riverside set), Ben and Cy (its members) and Olu (who runs a museum network they are
not in): reading and writing groups, meetings, registers, members' work and threads;
work seen only by whom its owner chose; nothing of one group reachable from another;
and every path in the OpenAPI document."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from commonground.accounts import services as accounts
from commonground.accounts.models import User
from commonground.conversations.models import Post
from commonground.groups import api, services
from commonground.groups.models import Attendance, Group, Meeting, Member, Work
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


class Caller:
    """One person's API client: their own personal token on every request."""

    def __init__(self, user: User) -> None:
        _token, raw = accounts.api_token_create(user=user, name="tests")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}")

    def send(self, method: str, path: str, body: Any) -> Any:
        return getattr(self.client, method)(
            f"/api/v1{path}", data=body, content_type="application/json"
        )


@pytest.fixture
def cy(riverside_set: Group) -> User:
    """A second member of the Riverside set, from no organisation of Ada's."""
    person = make_person("cy@example.org", "Cy Member")
    Member.objects.create(group=riverside_set, user=person, rules_accepted=1)
    return person


@pytest.fixture
def museum_network(olu: User) -> Group:
    """Olu's group, with a meeting written up, a piece of work and a thread."""
    group = services.group_start(
        name="Museum network", by=olu, ground_rules="Ask before you share.", confidential=True
    )
    meeting = services.meeting_schedule(
        group=group, title="Network meeting", starts_at=timezone.now() - timedelta(days=3),
        minutes=60, mode="in_person", venue="Elsewhere Museum",
    )[0]  # fmt: skip
    services.meeting_write_up(meeting=meeting, notes="", summary="Quillmoor loans are at risk.")
    olu_member = Member.objects.get(group=group, user=olu)
    services.work_add(member=olu_member, title="Loans to schools", hope="", visibility="group")
    services.topic_start(
        group=group, author=olu, title="Loans", body="Our lender quillmoor is pulling out."
    )
    return group


def test_a_member_lists_and_reads_their_groups(
    riverside_set: Group, museum_network: Group, ada: User, ben: User
) -> None:
    listed = Caller(ben).get("/groups")
    assert listed.status_code == 200
    assert [g["slug"] for g in listed.json()] == [riverside_set.slug]
    mine = Caller(ben).get(f"/groups/{riverside_set.slug}").json()
    assert mine["name"] == "Riverside set" and mine["facilitator"] is False
    assert mine["address"] == riverside_set.address
    assert Caller(ada).get(f"/groups/{riverside_set.slug}").json()["facilitator"] is True
    assert Caller(ben).get(f"/groups/{museum_network.slug}").status_code == 404
    assert Caller(ben).get("/groups/no-such-group").status_code == 404


def test_the_api_needs_a_token_or_a_session(riverside_set: Group) -> None:
    assert Client().get("/api/v1/groups").status_code == 401
    assert Client().get(f"/api/v1/groups/{riverside_set.slug}/meetings").status_code == 401


def test_a_facilitator_schedules_meetings_and_members_read_them(
    riverside_set: Group, ada: User, ben: User
) -> None:
    slug = riverside_set.slug
    one_off = {
        "title": "Estate walk",
        "starts_at": "2026-05-14T10:00:00+01:00",
        "minutes": 90,
        "mode": "in_person",
        "venue": "Brookside café",
        "agenda": "Walk the estate; lunch at the café.",
    }
    assert Caller(ben).send("post", f"/groups/{slug}/meetings", one_off).status_code == 403
    made = Caller(ada).send("post", f"/groups/{slug}/meetings", one_off)
    assert made.status_code == 201
    (walk,) = made.json()
    assert walk["series"] is None and walk["venue"] == "Brookside café"
    assert datetime.fromisoformat(walk["starts_at"]) == datetime(2026, 5, 14, 10, tzinfo=LONDON)
    assert datetime.fromisoformat(walk["ends_at"]) == datetime(2026, 5, 14, 11, 30, tzinfo=LONDON)
    series = Caller(ada).send(
        "post",
        f"/groups/{slug}/meetings",
        {
            "title": "Set meeting",
            "starts_at": "2026-06-02T18:00:00+01:00",
            "minutes": 120,
            "mode": "online",
            "join_url": "https://meet.example.org/riverside",
            "rule": "FREQ=WEEKLY;INTERVAL=4;COUNT=3",
            "time_zone": "Europe/London",
        },  # fmt: skip
    )
    assert series.status_code == 201
    made_series = series.json()
    assert len(made_series) == 3 and len({m["series"] for m in made_series}) == 1
    listed = Caller(ben).get(f"/groups/{slug}/meetings").json()
    assert [m["title"] for m in listed] == [
        "Estate walk",
        "Set meeting",
        "Set meeting",
        "Set meeting",
    ]
    assert listed[0]["agenda"] == "Walk the estate; lunch at the café."
    assert not any(m["cancelled"] or m["register_taken"] for m in listed)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"starts_at": "2026-05-14T10:00:00"}, "time zone"),
        ({"rule": "FREQ=WEEKLY"}, "end"),
        ({"mode": "online"}, "joining link"),
        ({"minutes": 5}, ""),
    ],
)
def test_a_meeting_that_cannot_be_scheduled_is_refused_with_a_reason(
    riverside_set: Group, ada: User, change: dict[str, Any], says: str
) -> None:
    body = {"title": "Set meeting", "starts_at": "2026-05-14T10:00:00+01:00", "venue": "Library"}
    refused = Caller(ada).send("post", f"/groups/{riverside_set.slug}/meetings", body | change)
    assert refused.status_code == 422
    assert says in str(refused.json())
    assert not Meeting.objects.exists()


def _past_meeting(group: Group) -> Meeting:
    return services.meeting_schedule(
        group=group, title="Set meeting", starts_at=timezone.now() - timedelta(days=7),
        minutes=120, mode="in_person", venue="Riverside Central Library",
    )[0]  # fmt: skip


def test_a_facilitator_takes_the_register_and_reads_attendance(
    riverside_set: Group, museum_network: Group, ada: User, ben: User, cy: User, olu: User
) -> None:
    meeting = _past_meeting(riverside_set)
    path = f"/groups/meetings/{meeting.pk}/register"
    blank = Caller(ada).get(path).json()
    assert [(line["name"], line["status"]) for line in blank] == [
        ("Ada Admin", ""),
        ("Ben Member", ""),
        ("Cy Member", ""),
    ]
    marks = [
        {"person": ada.pk, "status": "present", "mode": "in_person"},
        {"person": ben.pk, "status": "late", "mode": "online"},
        {"person": cy.pk, "status": "apologies", "mode": "online"},
        {"person": olu.pk, "status": "present"},  # not in the group: ignored
    ]
    taken = Caller(ada).send("put", path, marks)
    assert taken.status_code == 200
    assert [(line["name"], line["status"], line["mode"]) for line in taken.json()] == [
        ("Ada Admin", "present", "in_person"),
        ("Ben Member", "late", "online"),
        ("Cy Member", "apologies", ""),  # nobody joins a meeting they sent apologies for
    ]
    assert not Attendance.objects.filter(user=olu).exists()
    meeting.refresh_from_db()
    assert meeting.register_taken_at is not None
    bad = Caller(ada).send("put", path, [{"person": ben.pk, "status": "asleep"}])
    assert bad.status_code == 422 and "asleep" in bad.json()["detail"]
    attendance = Caller(ada).get(f"/groups/{riverside_set.slug}/attendance").json()
    assert [(p["name"], p["attended"], p["apologies"], p["rate"]) for p in attendance] == [
        ("Ada Admin", 1, 0, 1.0),
        ("Ben Member", 1, 0, 1.0),
        ("Cy Member", 0, 1, 0.0),
    ]
    # Members read the meetings, not the register; nobody else reaches either.
    assert Caller(ben).get(path).status_code == 403
    assert Caller(ben).send("put", path, marks).status_code == 403
    assert Caller(ben).get(f"/groups/{riverside_set.slug}/attendance").status_code == 403
    assert Caller(olu).get(path).status_code == 404
    assert Caller(olu).get(f"/groups/{riverside_set.slug}/attendance").status_code == 404
    assert Attendance.objects.get(meeting=meeting, user=ben).status == "late"


def test_attendance_for_one_series(riverside_set: Group, ada: User, ben: User) -> None:
    series = services.meeting_schedule(
        group=riverside_set, title="Set meeting", starts_at=timezone.now() - timedelta(days=60),
        minutes=60, mode="in_person", venue="Library", rule="FREQ=WEEKLY;INTERVAL=4;COUNT=2",
    )  # fmt: skip
    walk = _past_meeting(riverside_set)
    for meeting in series:
        services.register_save(meeting=meeting, marks={ben.pk: ("present", "")}, by=ada)
    services.register_save(meeting=walk, marks={ben.pk: ("absent", "")}, by=ada)
    slug = riverside_set.slug
    (every,) = Caller(ada).get(f"/groups/{slug}/attendance").json()
    assert (every["attended"], every["absent"], every["recorded"]) == (2, 1, 3)
    (one,) = Caller(ada).get(f"/groups/{slug}/attendance?series={series[0].series_id}").json()
    assert (one["attended"], one["absent"], one["rate"]) == (2, 0, 1.0)


def test_work_is_returned_only_to_whom_its_owner_chose(
    riverside_set: Group, ada: User, ben: User, cy: User
) -> None:
    ben_member = Member.objects.get(group=riverside_set, user=ben)
    for title, seen in [
        ("Estate outreach", Work.Visibility.GROUP),
        ("Staff rota worries", Work.Visibility.FACILITATORS),
        ("My own doubts", Work.Visibility.ME),
    ]:
        services.work_add(member=ben_member, title=title, hope="", visibility=seen)
    path = f"/groups/{riverside_set.slug}/work"

    def titles(user: User) -> set[str]:
        response = Caller(user).get(path)
        assert response.status_code == 200
        return {w["title"] for w in response.json()}

    assert titles(ben) == {"Estate outreach", "Staff rota worries", "My own doubts"}
    assert titles(ada) == {"Estate outreach", "Staff rota worries"}
    assert titles(cy) == {"Estate outreach"}
    (shared,) = [w for w in Caller(ada).get(path).json() if w["title"] == "Staff rota worries"]
    assert shared == {
        "id": shared["id"], "owner": "Ben Member", "title": "Staff rota worries", "hope": "",
        "visibility": "facilitators",
    }  # fmt: skip


def test_progress_is_added_only_to_work_the_writer_may_see(
    riverside_set: Group, ada: User, ben: User, cy: User, olu: User
) -> None:
    ben_member = Member.objects.get(group=riverside_set, user=ben)
    open_ = services.work_add(
        member=ben_member, title="Estate outreach", hope="", visibility=Work.Visibility.GROUP
    )
    rota = services.work_add(
        member=ben_member, title="Staff rota", hope="", visibility=Work.Visibility.FACILITATORS
    )
    doubts = services.work_add(
        member=ben_member, title="Doubts", hope="", visibility=Work.Visibility.ME
    )
    meeting = _past_meeting(riverside_set)
    note = {
        "progress": "Found a venue on the estate.",
        "actions": "Book it.",
        "meeting": meeting.pk,
    }
    made = Caller(cy).send("post", f"/groups/work/{open_.pk}/updates", note)
    assert made.status_code == 201
    update = open_.updates.get()
    assert update.pk == made.json()["id"]
    assert (update.written_by, update.meeting, update.actions) == (cy, meeting, "Book it.")
    assert Caller(cy).send("post", f"/groups/work/{rota.pk}/updates", note).status_code == 404
    assert Caller(ada).send("post", f"/groups/work/{rota.pk}/updates", note).status_code == 201
    assert Caller(ada).send("post", f"/groups/work/{doubts.pk}/updates", note).status_code == 404
    assert Caller(ben).send("post", f"/groups/work/{doubts.pk}/updates", note).status_code == 201
    assert Caller(olu).send("post", f"/groups/work/{open_.pk}/updates", note).status_code == 404
    empty = Caller(ben).send("post", f"/groups/work/{open_.pk}/updates", {"progress": " "})
    assert empty.status_code == 422
    assert (open_.updates.count(), rota.updates.count(), doubts.updates.count()) == (1, 1, 1)


def test_threads_started_and_answered_through_the_api(
    riverside_set: Group, ada: User, ben: User
) -> None:
    slug = riverside_set.slug
    started = Caller(ben).send(
        "post", f"/groups/{slug}/threads", {"title": "Visits", "body": "Who visits the estate?"}
    )
    assert started.status_code == 201
    thread = started.json()
    assert (thread["title"], thread["posts"], thread["closed"]) == ("Visits", 1, False)
    listed = Caller(ada).get(f"/groups/{slug}/threads").json()
    assert [(t["id"], t["title"]) for t in listed] == [(thread["id"], "Visits")]
    (first,) = Caller(ada).get(f"/groups/threads/{thread['id']}").json()
    assert (first["author"], first["body"], first["via"]) == (
        "Ben Member",
        "Who visits the estate?",
        "api",
    )
    reply = Caller(ada).send(
        "post",
        f"/groups/threads/{thread['id']}/posts",
        {"body": "The health visitors do.", "reply_to": first["id"]},
    )
    assert reply.status_code == 201
    assert reply.json()["reply_to"] == first["id"] and reply.json()["author"] == "Ada Admin"
    posts = Caller(ben).get(f"/groups/threads/{thread['id']}").json()
    assert [p["body"] for p in posts] == ["Who visits the estate?", "The health visitors do."]
    assert Post.objects.filter(via=Post.Via.API).count() == 2
    empty = Caller(ben).send("post", f"/groups/threads/{thread['id']}/posts", {"body": ""})
    assert empty.status_code == 422


def test_a_hidden_post_is_blank_to_members_and_kept_for_facilitators(
    riverside_set: Group, ada: User, ben: User
) -> None:
    post = services.topic_start(group=riverside_set, author=ben, title="Hi", body="Unkind words.")
    services.post_hide(post=post, by=ada, reason="Unkind")
    path = f"/groups/threads/{post.thread.topic.pk}"
    (seen,) = Caller(ben).get(path).json()
    assert (seen["hidden"], seen["body"]) == (True, "")
    (kept,) = Caller(ada).get(path).json()
    assert (kept["hidden"], kept["body"]) == (True, "Unkind words.")


def test_nothing_of_another_group_is_reachable(
    riverside_set: Group, museum_network: Group, ben: User, ada: User
) -> None:
    """Ben and Ada are in the Riverside set only: the museum network's work, meetings (and
    their summaries) and threads are not there for them, by any address."""
    slug = museum_network.slug
    topic = museum_network.topics.get()
    work = museum_network.work.get()
    meeting = museum_network.meetings.get()
    for caller in (Caller(ben), Caller(ada)):
        for path in ("", "/meetings", "/work", "/threads", "/attendance"):
            assert caller.get(f"/groups/{slug}{path}").status_code == 404, path
        assert caller.get(f"/groups/threads/{topic.pk}").status_code == 404
        assert caller.get(f"/groups/meetings/{meeting.pk}/register").status_code == 404
        writes = [
            ("post", f"/groups/{slug}/threads", {"title": "Hi", "body": "Hello"}),
            ("post", f"/groups/threads/{topic.pk}/posts", {"body": "Hello"}),
            ("post", f"/groups/work/{work.pk}/updates", {"progress": "Noted"}),
            ("put", f"/groups/meetings/{meeting.pk}/register", []),
            (
                "post",
                f"/groups/{slug}/meetings",
                {"title": "Ours now", "starts_at": "2026-05-14T10:00:00+01:00", "venue": "Here"},
            ),
        ]
        for method, path, body in writes:
            assert caller.send(method, path, body).status_code == 404, path
        seen = " ".join(
            caller.get(path).content.decode()
            for path in (
                "/groups",
                f"/groups/{riverside_set.slug}/meetings",
                f"/groups/{riverside_set.slug}/work",
                f"/groups/{riverside_set.slug}/threads",
            )
        )
        assert "quillmoor" not in seen.lower() and "Loans" not in seen
    assert topic.thread.posts.count() == 1 and not work.updates.exists()
    assert museum_network.meetings.count() == 1


def test_a_confidential_groups_talk_is_for_its_members_only(
    museum_network: Group, olu: User, ben: User
) -> None:
    assert museum_network.confidential
    cy = make_person("cy@example.org", "Cy Curator")
    Member.objects.create(group=museum_network, user=cy, rules_accepted=1)
    topic = museum_network.topics.get()
    (post,) = Caller(cy).get(f"/groups/threads/{topic.pk}").json()
    assert post["body"] == "Our lender quillmoor is pulling out."
    assert Caller(cy).get(f"/groups/{museum_network.slug}").json()["confidential"] is True
    assert Caller(ben).get(f"/groups/threads/{topic.pk}").status_code == 404
    assert Caller(ben).get(f"/groups/{museum_network.slug}/threads").status_code == 404


PATHS = {
    "/api/v1/groups": {"get"},
    "/api/v1/groups/{group}": {"get"},
    "/api/v1/groups/{group}/meetings": {"get", "post"},
    "/api/v1/groups/meetings/{meeting_id}/register": {"get", "put"},
    "/api/v1/groups/{group}/attendance": {"get"},
    "/api/v1/groups/{group}/work": {"get"},
    "/api/v1/groups/work/{work_id}/updates": {"post"},
    "/api/v1/groups/{group}/threads": {"get", "post"},
    "/api/v1/groups/threads/{thread_id}": {"get"},
    "/api/v1/groups/threads/{thread_id}/posts": {"post"},
}


def test_every_groups_path_is_in_the_openapi_document(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path, methods in PATHS.items():
        assert methods <= set(paths.get(path, {})), path
    # Whatever the router holds now, not only the paths named above.
    for route, operations in api.router.path_operations.items():
        documented = paths.get(f"/api/v1{route}", {})
        for operation in operations.operations:
            for method in operation.methods:
                assert method.lower() in documented, f"{method} {route}"
