"""Groups through the front door, as Ada (facilitator), Ben (member) and Olu (outsider):
joining by invitation or request with the ground rules, who sees whose work and the
summary, confidential talk kept out of every other view, the directory by choice only,
and a person's settings on one page."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core import mail
from django.test import Client
from django.utils import timezone

from commonground.accounts.models import User
from commonground.groups import services
from commonground.groups.models import Group, JoinRequest, Mail, Member, Work
from tests.conftest import client_for, make_person


def test_a_private_group_is_not_there_for_an_outsider(
    riverside_set: Group, olu_client: Client
) -> None:
    for path in ("", "about", "meetings", "work", "talk", "members"):
        assert olu_client.get(f"/groups/{riverside_set.slug}/{path}").status_code == 404
    assert riverside_set.name not in olu_client.get("/groups/").content.decode()


def test_joining_by_request_asks_for_the_ground_rules_first(
    riverside_set: Group, ada_client: Client, olu: User, olu_client: Client
) -> None:
    services.group_update(group=riverside_set, visibility=Group.Visibility.LISTED)
    assert riverside_set.name in olu_client.get("/groups/").content.decode()
    assert olu_client.get(f"/groups/{riverside_set.slug}/about").status_code == 200
    olu_client.post(f"/groups/{riverside_set.slug}/ask", {"message": "I run outreach at a museum."})
    ask = JoinRequest.objects.get(user=olu)
    page = ada_client.get(f"/groups/{riverside_set.slug}/requests").content.decode()
    assert "I run outreach at a museum." in page
    ada_client.post(
        f"/groups/{riverside_set.slug}/requests", {"request": ask.pk, "decision": "accept"}
    )
    first = olu_client.get(f"/groups/{riverside_set.slug}/")
    assert first.status_code == 303 and "/rules" in first["Location"]
    olu_client.post(f"/groups/{riverside_set.slug}/rules", {"accept": "yes"})
    assert olu_client.get(f"/groups/{riverside_set.slug}/").status_code == 200


def test_joining_by_invitation(riverside_set: Group, ada_client: Client) -> None:
    ada_client.post(
        f"/groups/{riverside_set.slug}/invite", {"emails": "cy@example.org\nnot-an-address"}
    )
    assert not mail.outbox  # the bad address stops the lot, with a message
    ada_client.post(f"/groups/{riverside_set.slug}/invite", {"emails": "cy@example.org"})
    (invitation,) = mail.outbox
    link = re.search(r"http://\S+/groups/invitation/\S+", invitation.body)
    assert link is not None
    cy = make_person("cy@example.org", "Cy Newcomer")
    client = client_for(cy)
    path = "/" + link.group(0).split("/", 3)[3]
    assert "What is said here stays here." in client.get(path).content.decode()
    assert client.post(path, {}).status_code == 200  # the rules not yet accepted
    assert client.post(path, {"accept": "yes"}).status_code == 303
    assert Member.objects.filter(group=riverside_set, user=cy).exists()


def test_work_is_seen_only_by_whom_its_owner_chose(
    riverside_set: Group, ada: User, ben: User, ada_client: Client, ben_client: Client
) -> None:
    cy = make_person("cy@example.org", "Cy Member")
    Member.objects.create(group=riverside_set, user=cy, rules_accepted=1)
    cy_client = client_for(cy)
    ben_member = Member.objects.get(user=ben)
    secret = services.work_add(
        member=ben_member, title="My own doubts", hope="", visibility=Work.Visibility.ME
    )
    shared = services.work_add(
        member=ben_member,
        title="Staff rota worries",
        hope="",
        visibility=Work.Visibility.FACILITATORS,
    )
    open_ = services.work_add(
        member=ben_member, title="Estate outreach", hope="", visibility=Work.Visibility.GROUP
    )
    listing = cy_client.get(f"/groups/{riverside_set.slug}/work").content.decode()
    assert "Estate outreach" in listing and "Staff rota" not in listing and "doubts" not in listing
    assert cy_client.get(f"/groups/work/{shared.pk}/").status_code == 404
    assert cy_client.get(f"/groups/work/{secret.pk}/").status_code == 404
    assert ada_client.get(f"/groups/work/{shared.pk}/").status_code == 200
    assert ada_client.get(f"/groups/work/{secret.pk}/").status_code == 404
    assert ben_client.get(f"/groups/work/{secret.pk}/").status_code == 200
    response = cy_client.post(f"/groups/work/{open_.pk}/", {"progress": "Ben found a venue."})
    assert response.status_code == 303
    assert open_.updates.get().written_by == cy


def test_the_summary_is_for_the_group_only(
    riverside_set: Group, ada_client: Client, ben_client: Client, olu_client: Client
) -> None:
    meeting = services.meeting_schedule(
        group=riverside_set, title="Meeting", starts_at=timezone.now() - timedelta(days=1),
        minutes=60, mode="in_person", venue="Library",
    )[0]  # fmt: skip
    ada_client.post(
        f"/groups/meetings/{meeting.pk}/edit",
        {"action": "write-up", "summary": "We agreed to pool leaflets.", "notes": ""},
    )
    assert "pool leaflets" in ben_client.get(f"/groups/meetings/{meeting.pk}/").content.decode()
    assert olu_client.get(f"/groups/meetings/{meeting.pk}/").status_code == 404
    assert ben_client.get(f"/groups/meetings/{meeting.pk}/edit").status_code == 403


def test_group_talk_stays_out_of_search_and_other_groups(
    riverside_set: Group, ada: User, ben_client: Client, olu: User, olu_client: Client
) -> None:
    post = services.topic_start(
        group=riverside_set,
        author=ada,
        title="Budget cuts",
        body="Quietly: zanzibarquill is closing.",
    )
    other = services.group_start(name="Museum network", by=olu)
    topic = post.thread.topic
    assert olu_client.get(f"/groups/talk/{topic.pk}/").status_code == 404
    assert olu_client.post(f"/groups/talk/{topic.pk}/reply", {"body": "Hi"}).status_code == 404
    assert "zanzibarquill" not in olu_client.get(f"/groups/{other.slug}/talk").content.decode()
    assert "zanzibarquill" not in olu_client.get("/hub/search?q=zanzibarquill").content.decode()
    assert olu_client.get(f"/api/v1/groups/threads/{topic.pk}").status_code == 404
    assert "zanzibarquill" in ben_client.get(f"/groups/talk/{topic.pk}/").content.decode()


def test_posting_and_replying_without_javascript(
    riverside_set: Group, ada_client: Client, ben_client: Client
) -> None:
    response = ben_client.post(
        f"/groups/{riverside_set.slug}/talk", {"title": "Hello", "body": "First post."}
    )
    assert response.status_code == 303
    path = response["Location"]
    assert ada_client.post(path + "reply", {"body": ""}).status_code == 400
    done = ada_client.post(path + "reply", {"body": "Welcome!"})
    assert done.status_code == 303 and "#post-" in done["Location"]
    page = ben_client.get(path).content.decode()
    assert "First post." in page and "Welcome!" in page


def test_a_facilitator_hides_a_post_and_members_see_that_it_was_hidden(
    riverside_set: Group, ada: User, ben: User, ada_client: Client, ben_client: Client
) -> None:
    post = services.topic_start(
        group=riverside_set, author=ben, title="Hello", body="Something unkind."
    )
    topic = post.thread.topic
    ben_client.post(f"/groups/talk/{topic.pk}/posts/{post.pk}", {"action": "hide"})
    assert "unkind" in ben_client.get(f"/groups/talk/{topic.pk}/").content.decode()  # refused
    ada_client.post(
        f"/groups/talk/{topic.pk}/posts/{post.pk}", {"action": "hide", "reason": "Unkind"}
    )
    page = ben_client.get(f"/groups/talk/{topic.pk}/").content.decode()
    assert "unkind" not in page and "A facilitator hid this post." in page
    assert "Something unkind." in ada_client.get(f"/groups/talk/{topic.pk}/").content.decode()


def test_nobody_is_in_the_directory_without_choosing_it(
    ben: User, ben_client: Client, olu_client: Client
) -> None:
    assert "Ben Member" not in olu_client.get("/groups/people/").content.decode()
    ben_client.post(
        "/groups/people/me",
        {"sector": "library", "region": "North West", "interests": "reading, families"},
    )
    assert "Ben Member" not in olu_client.get("/groups/people/").content.decode()
    ben_client.post(
        "/groups/people/me",
        {"sector": "library", "region": "North West", "interests": "families", "listed": "yes"},
    )
    found = olu_client.get("/groups/people/?sector=library&interest=famil").content.decode()
    assert "Ben Member" in found
    assert "Ben Member" not in olu_client.get("/groups/people/?sector=museum").content.decode()


def test_settings_on_one_page(riverside_set: Group, ben: User, ben_client: Client) -> None:
    assert ben_client.get("/groups/settings").status_code == 200
    ben_client.post(
        "/groups/settings",
        {"mail": Mail.WEEKLY, f"group-{riverside_set.pk}": Mail.NONE, "invitations": "yes"},
    )
    member = Member.objects.get(user=ben)
    assert member.mail == Mail.NONE
    assert ben.group_preferences.mail == Mail.WEEKLY  # type: ignore[attr-defined]


def test_notifications_show_what_is_new(
    riverside_set: Group, ada: User, ben_client: Client
) -> None:
    services.topic_start(group=riverside_set, author=ada, title="Visits", body="Who visits?")
    page = ben_client.get("/groups/notifications").content.decode()
    assert "Ada Admin posted in “Visits”" in page
    assert 'class="badge">1<' in ben_client.get("/groups/").content.decode()
    ben_client.post("/groups/notifications")
    assert "· new" not in ben_client.get("/groups/notifications").content.decode()


def test_the_hubs_moderators_cannot_reach_group_talk_through_comment_addresses(
    riverside_set: Group, ada: User, olu: User, olu_client: Client
) -> None:
    """Hub comments and group posts share the conversation piece; the Hub's addresses
    find only the Hub's comments."""
    from django.contrib.auth.models import Permission

    post = services.topic_start(group=riverside_set, author=ada, title="Private", body="Ours.")
    olu.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    for action in ("hide", "restore", "report", "dismiss"):
        response = olu_client.post(f"/hub/comments/{post.pk}/{action}/", {"reason": "x"})
        assert response.status_code == 404, action
    api = olu_client.post(
        f"/api/v1/hub/comments/{post.pk}/report", {"reason": "x"}, content_type="application/json"
    )
    assert api.status_code == 404
    post.refresh_from_db()
    assert post.hidden_at is None and not post.reports.exists()
