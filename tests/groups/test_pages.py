"""Groups through the front door, as Ada (facilitator), Ben (member) and Olu (outsider):
joining by invitation or request with the ground rules, who sees whose work and the
summary, confidential talk kept out of every other view, the directory by choice only
(and by sector, region and interest), and a person's settings on one page; a meeting's
page with its presenters and the progress noted at it, moderation, attendance for one
series, and a person's own calendar feed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import recurring_ical_events
from django.core import mail
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from commonground.accounts.models import User
from commonground.conversations.models import Report
from commonground.groups import services, tokens
from commonground.groups.models import Group, JoinRequest, Mail, Meeting, Member, Work
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


def _in(days: int) -> datetime:
    """A time ``days`` from now, to the minute (as calendars keep it)."""
    return (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)


def _meeting(group: Group, *, days: int, title: str = "Set meeting") -> Meeting:
    return services.meeting_schedule(
        group=group, title=title, starts_at=_in(days), minutes=60, mode="in_person",
        venue="Riverside Central Library",
    )[0]  # fmt: skip


def _cy(group: Group) -> User:
    cy = make_person("cy@example.org", "Cy Member")
    Member.objects.create(group=group, user=cy, rules_accepted=group.rules_version)
    return cy


def test_the_presenter_rota_is_set_by_a_facilitator_and_shown_in_order(
    riverside_set: Group, ben: User, ada_client: Client, ben_client: Client, olu_client: Client
) -> None:
    cy = _cy(riverside_set)
    meeting = _meeting(riverside_set, days=7)
    path = f"/groups/meetings/{meeting.pk}/edit"
    rota = {"action": "rota", "turn": [cy.pk, ben.pk], f"minutes-{cy.pk}": "30"}
    assert ben_client.post(path, rota).status_code == 403
    assert olu_client.post(path, rota).status_code == 404
    assert ada_client.post(path, rota).status_code == 303
    page = client_for(cy).get(f"/groups/meetings/{meeting.pk}/").content.decode()
    presenting = page.split("<h2>Presenting</h2>")[1].split("</ol>")[0]
    assert re.findall(r"<li>([^<]*)</li>", presenting) == [
        "Cy Member, 30 minutes",
        "Ben Member, 20 minutes",  # the time each has unless the facilitator says
    ]


def test_progress_and_actions_agreed_show_on_the_meetings_page_to_whom_may_see_them(
    riverside_set: Group, ben: User, ben_client: Client
) -> None:
    cy = _cy(riverside_set)
    meeting = _meeting(riverside_set, days=-2)
    ben_member = Member.objects.get(group=riverside_set, user=ben)
    shared = services.work_add(
        member=ben_member, title="Estate outreach", hope="", visibility=Work.Visibility.GROUP
    )
    private = services.work_add(
        member=ben_member, title="My own doubts", hope="", visibility=Work.Visibility.ME
    )
    ben_client.post(
        f"/groups/work/{shared.pk}/",
        {"progress": "Found a room at the café.", "actions": "Book it for May.",
         "meeting": meeting.pk},
    )  # fmt: skip
    ben_client.post(
        f"/groups/work/{private.pk}/",
        {"progress": "Not sure I am the right person.", "actions": "", "meeting": meeting.pk},
    )
    seen = client_for(cy).get(f"/groups/meetings/{meeting.pk}/").content.decode()
    assert "Estate outreach" in seen and "Found a room at the café." in seen
    assert "<strong>Actions agreed:</strong> Book it for May." in seen
    assert "My own doubts" not in seen and "right person" not in seen
    own = ben_client.get(f"/groups/meetings/{meeting.pk}/").content.decode()
    assert "Not sure I am the right person." in own
    # Progress noted at another meeting is not this one's.
    other = _meeting(riverside_set, days=-30)
    assert "Found a room" not in ben_client.get(f"/groups/meetings/{other.pk}/").content.decode()


def test_a_member_reports_a_post_and_the_facilitators_are_told(
    riverside_set: Group,
    ada: User,
    ben: User,
    ada_client: Client,
    ben_client: Client,
    olu_client: Client,
) -> None:
    post = services.topic_start(group=riverside_set, author=ada, title="Fees", body="Ours.")
    path = f"/groups/talk/{post.thread.topic.pk}/posts/{post.pk}"
    assert olu_client.post(path, {"action": "report", "reason": "x"}).status_code == 404
    done = ben_client.post(path, {"action": "report", "reason": "Names a family"})
    assert done.status_code == 303 and done["Location"].endswith(f"#post-{post.pk}")
    (report,) = Report.objects.filter(post=post)
    assert (report.reporter, report.reason, report.resolved_at) == (ben, "Names a family", None)
    told = ada_client.get("/groups/notifications").content.decode()
    assert "A post in “Fees” was reported" in told
    assert ben_client.post(path, {"action": "report", "reason": "Again"}).status_code == 303
    assert Report.objects.filter(post=post).count() == 1  # reporting twice changes nothing


def test_a_facilitator_shows_a_hidden_post_again(
    riverside_set: Group, ada: User, ben: User, ada_client: Client, ben_client: Client
) -> None:
    post = services.topic_start(group=riverside_set, author=ben, title="Hi", body="Second look.")
    services.post_hide(post=post, by=ada, reason="Checking")
    topic = post.thread.topic
    path = f"/groups/talk/{topic.pk}/posts/{post.pk}"
    assert "Second look." not in ben_client.get(f"/groups/talk/{topic.pk}/").content.decode()
    assert ben_client.post(path, {"action": "restore"}).status_code == 403
    assert ada_client.post(path, {"action": "restore"}).status_code == 303
    page = ben_client.get(f"/groups/talk/{topic.pk}/").content.decode()
    assert "Second look." in page and "A facilitator hid this post." not in page


def test_a_facilitator_closes_a_thread_and_opens_it_again(
    riverside_set: Group, ada: User, ben: User, ada_client: Client, ben_client: Client
) -> None:
    post = services.topic_start(group=riverside_set, author=ada, title="Venue", body="Where?")
    topic = post.thread.topic
    path = f"/groups/talk/{topic.pk}/posts/{post.pk}"
    assert ben_client.post(path, {"action": "close"}).status_code == 403
    assert ada_client.post(path, {"action": "close"}).status_code == 303
    page = ben_client.get(f"/groups/talk/{topic.pk}/").content.decode()
    assert "This thread is closed to new replies." in page and 'id="reply"' not in page
    refused = ben_client.post(f"/groups/talk/{topic.pk}/reply", {"body": "The library."})
    assert refused.status_code == 400
    assert "closed to new replies" in refused.content.decode()
    assert topic.thread.posts.count() == 1
    ada_client.post(path, {"action": "open"})
    assert ben_client.post(f"/groups/talk/{topic.pk}/reply", {"body": "Here"}).status_code == 303


def test_attendance_for_one_series_only(
    riverside_set: Group, ada: User, ben: User, ada_client: Client
) -> None:
    series = services.meeting_schedule(
        group=riverside_set, title="Set meeting", starts_at=timezone.now() - timedelta(days=60),
        minutes=60, mode="in_person", venue="Library", rule="FREQ=WEEKLY;INTERVAL=4;COUNT=2",
    )  # fmt: skip
    walk = _meeting(riverside_set, days=-3, title="Estate walk")
    for meeting in series:
        services.register_save(meeting=meeting, marks={ben.pk: ("present", "in_person")}, by=ada)
    services.register_save(meeting=walk, marks={ben.pk: ("absent", "")}, by=ada)
    path = f"/groups/{riverside_set.slug}/attendance"
    every = ada_client.get(path).content.decode()
    assert "3 meetings with a register" in every
    only = ada_client.get(f"{path}?series={series[0].series_id}").content.decode()
    assert "2 meetings with a register" in only
    assert f'<option value="{series[0].series_id}" selected>' in only
    assert f"attendance.csv?series={series[0].series_id}" in only
    row = only.split('<th scope="row">Ben Member</th>')[1].split("</tr>")[0]
    assert re.findall(r"<td>([^<]*)</td>", row)[:4] == ["2", "0", "0", "100%"]
    assert walk.get_absolute_url() in every and walk.get_absolute_url() not in only


def test_the_directory_finds_people_by_region(
    ben: User, ben_client: Client, olu_client: Client
) -> None:
    services.listing_save(
        user=ben, listed=True, sector="library", region="North West", interests="families"
    )
    cy = make_person("cy@example.org", "Cy Curator")
    services.listing_save(user=cy, listed=True, sector="museum", region="South West", interests="")
    hidden = make_person("di@example.org", "Di Unlisted")
    services.listing_save(
        user=hidden, listed=False, sector="library", region="North West", interests=""
    )

    def found(query: str) -> set[str]:
        page = olu_client.get(f"/groups/people/?{query}").content.decode()
        return set(re.findall(r"<h2>([^<]+)</h2>", page))

    assert found("") == {"Ben Member", "Cy Curator"}
    assert found("region=North+West") == {"Ben Member"}
    assert found("region=south") == {"Cy Curator"}  # part of a region's name, any case
    assert found("region=West&sector=museum") == {"Cy Curator"}
    assert found("region=Midlands") == set()
    page = olu_client.get("/groups/people/").content.decode()
    datalist = page.split('<datalist id="regions">')[1].split("</datalist>")[0]
    assert re.findall(r'value="([^"]+)"', datalist) == ["North West", "South West"]


def test_a_persons_calendar_feed_holds_the_meetings_of_all_their_groups_and_no_other(
    riverside_set: Group, ada: User, ben: User, olu: User
) -> None:
    partners = services.group_start(name="Estate partners", by=ada)
    Member.objects.create(group=partners, user=ben)
    museum = services.group_start(name="Museum network", by=olu)
    circle = services.meeting_schedule(
        group=riverside_set, title="Reading circle", starts_at=_in(10), minutes=60,
        mode="online", join_url="https://meet.example.org/circle", rule="FREQ=WEEKLY;COUNT=3",
    )  # fmt: skip
    mine = [
        _meeting(riverside_set, days=3, title="Set meeting"),
        _meeting(partners, days=5, title="Partners' lunch"),
        *circle,
    ]
    _meeting(museum, days=4, title="Museum loans")
    token = tokens.calendar_token(user_id=ben.pk, key=services.preferences_of(ben).calendar_key)
    response = Client().get(f"/groups/calendar/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = recurring_ical_events.of(cal).between(
        timezone.now(), timezone.now() + timedelta(days=60)
    )
    assert sorted((str(e["SUMMARY"]), e["DTSTART"].dt) for e in events) == sorted(
        (m.title, m.starts_at) for m in mine
    )
    assert "Museum" not in response.content.decode()
    # Olu's own feed has his meeting and none of Ben's groups'.
    olu_token = tokens.calendar_token(user_id=olu.pk, key=services.preferences_of(olu).calendar_key)
    olu_cal = Calendar.from_ical(Client().get(f"/groups/calendar/{olu_token}.ics").content)
    assert [str(e["SUMMARY"]) for e in olu_cal.walk("VEVENT")] == ["Museum loans"]
