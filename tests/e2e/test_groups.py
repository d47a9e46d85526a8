"""Groups in a real browser: every page passes axe at 1280 and 320 px and reflows;
scheduling a repeating meeting; taking the register on a phone; posting and replying,
with JavaScript and without."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commonground.accounts.models import User
from commonground.conversations.models import Post
from commonground.groups import services, tokens
from commonground.groups.models import (
    Attendance,
    Group,
    Invitation,
    Meeting,
    Member,
    invitation_digest,
)
from tests.conftest import PASSWORD, make_person
from tests.e2e.conftest import check_axe, check_reflow, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def filled(riverside_set: Group, ada: User, ben: User, olu: User) -> dict[str, Any]:
    """A set with something in every list: meetings past and to come, a register, work
    with updates, a thread with replies, a request to join, a directory entry."""
    services.group_update(group=riverside_set, visibility=Group.Visibility.LISTED)
    made = services.meeting_schedule(
        group=riverside_set, title="Set meeting", starts_at=timezone.now() - timedelta(days=15),
        minutes=120, mode="both", venue="Riverside Central Library, Room 2",
        join_url="https://meet.example.org/set", agenda="Check-in\nTwo presenters\nReview",
        rule="FREQ=WEEKLY;INTERVAL=2;COUNT=4",
    )  # fmt: skip
    past = made[0]
    services.register_save(
        meeting=past, marks={ada.pk: ("present", "in_person"), ben.pk: ("late", "online")}, by=ada
    )
    services.meeting_write_up(meeting=past, notes="Notes.", summary="We shared a lot.")
    services.rota_save(meeting=past, turns=[(ben.pk, 30)])
    work = services.work_add(
        member=Member.objects.get(user=ben), title="Estate outreach",
        hope="Six families borrowing.", visibility="group",
    )  # fmt: skip
    services.work_update_add(
        work=work, progress="Met the tenants.", actions="Visit", by=ben, meeting=past
    )
    first = services.topic_start(
        group=riverside_set, author=ada, title="Visits", body="Who visits?"
    )
    services.topic_reply(topic=first.thread.topic, author=ben, body="I do.", via=Post.Via.EMAIL)
    services.join_ask(group=riverside_set, user=olu, message="I work at a museum.")
    services.listing_save(
        user=ben, listed=True, sector="library", region="North", interests="families"
    )
    raw = "e2e-invitation"
    Invitation.objects.create(
        group=riverside_set, email="x@example.org", digest=invitation_digest(raw)
    )
    member = Member.objects.get(user=ben)
    return {
        "meeting": past.pk, "coming": made[2].pk, "work": work.pk, "topic": first.thread.topic.pk,
        "invitation": raw, "unsubscribe": tokens.unsubscribe_token(member.pk),
    }  # fmt: skip


def visit(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 400, f"{url}: {response and response.status}"
    check_axe(page)
    check_reflow(page)


@pytest.mark.parametrize("width", [1280, 320])
def test_every_groups_page_passes_axe(
    page: Any, live_server: Any, riverside_set: Group, filled: dict[str, Any], width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    base, slug = live_server.url, riverside_set.slug
    sign_in(page, base, "ada@example.org", PASSWORD)
    for path in [
        "/groups/", "/groups/new", "/groups/people/", "/groups/people/me", "/groups/settings",
        "/groups/notifications", f"/groups/{slug}/", f"/groups/{slug}/about",
        f"/groups/{slug}/rules", f"/groups/{slug}/edit", f"/groups/{slug}/members",
        f"/groups/{slug}/invite", f"/groups/{slug}/requests", f"/groups/{slug}/meetings",
        f"/groups/{slug}/meetings/new", f"/groups/{slug}/attendance", f"/groups/{slug}/work",
        f"/groups/{slug}/talk", f"/groups/meetings/{filled['meeting']}/",
        f"/groups/meetings/{filled['meeting']}/edit",
        f"/groups/meetings/{filled['meeting']}/register",
        f"/groups/meetings/{filled['coming']}/", f"/groups/work/{filled['work']}/",
        f"/groups/talk/{filled['topic']}/", f"/groups/invitation/{filled['invitation']}",
        f"/groups/unsubscribe/{filled['unsubscribe']}",
    ]:  # fmt: skip
        visit(page, base + path)


@pytest.mark.parametrize("width", [1280, 320])
def test_an_outsiders_and_a_new_members_pages_pass_axe(
    page: Any, live_server: Any, riverside_set: Group, width: int
) -> None:
    """What someone not yet in the group meets: the listed group with its form asking to join,
    and, once let in, the ground rules to accept first."""
    services.group_update(group=riverside_set, visibility=Group.Visibility.LISTED)
    make_person("cy@example.org", "Cy Newcomer")
    page.set_viewport_size({"width": width, "height": 800})
    base, slug = live_server.url, riverside_set.slug
    sign_in(page, base, "cy@example.org", PASSWORD)
    for path in ["/groups/", f"/groups/{slug}/about"]:
        visit(page, base + path)
    Member.objects.create(group=riverside_set, user=User.objects.get(email="cy@example.org"))
    visit(page, f"{base}/groups/{slug}/")
    assert f"/groups/{slug}/rules?" in page.url
    expect(page.get_by_text("What is said here stays here.")).to_be_visible()


def test_schedule_a_repeating_meeting(browser: Any, live_server: Any, riverside_set: Group) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    page.goto(f"{live_server.url}/groups/{riverside_set.slug}/")
    page.get_by_role("link", name="Schedule a meeting").first.click()
    page.get_by_label("Title").fill("Spring set")
    page.get_by_label("Date").fill((timezone.localdate() + timedelta(days=10)).isoformat())
    page.get_by_label("Starts at").fill("18:00")
    page.get_by_label("Online", exact=True).check()
    page.get_by_label("Joining link").fill("https://meet.example.org/spring")
    page.get_by_label("Every few weeks").check()
    page.get_by_label("Every how many weeks or months").fill("3")
    page.get_by_label("How many meetings in all").fill("4")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_role("heading", name="Spring set")).to_be_visible()
    check_axe(page)
    starts = list(Meeting.objects.filter(group=riverside_set).values_list("starts_at", flat=True))
    assert len(starts) == 4 and starts[1] - starts[0] == timedelta(weeks=3)
    context.close()


def test_take_the_register_on_a_phone(
    browser: Any, live_server: Any, riverside_set: Group, ada: User, ben: User
) -> None:
    meeting = services.meeting_schedule(
        group=riverside_set, title="Set meeting", starts_at=timezone.now() - timedelta(hours=2),
        minutes=120, mode="in_person", venue="Library",
    )[0]  # fmt: skip
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server.url, "ada@example.org", PASSWORD)
    page.goto(f"{live_server.url}/groups/meetings/{meeting.pk}/register")
    check_axe(page)
    check_reflow(page)
    page.get_by_role("group", name="Ben Member").get_by_text("Apologies").tap()
    page.get_by_label("Mark everyone I have not marked as present").check()
    page.get_by_role("button", name="Save the register").tap()
    expect(page.get_by_text("The register is saved (2 people).")).to_be_visible()
    marks = dict(Attendance.objects.filter(meeting=meeting).values_list("user__email", "status"))
    assert marks == {"ben@example.org": "apologies", "ada@example.org": "present"}
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_post_and_reply(
    browser: Any, live_server: Any, riverside_set: Group, javascript: bool
) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    page = context.new_page()
    sign_in(page, live_server.url, "ben@example.org", PASSWORD)
    page.goto(f"{live_server.url}/groups/{riverside_set.slug}/talk")
    page.get_by_label("Title").fill("Leaflets")
    page.get_by_label("Your post").fill("Who has spare leaflets?")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("heading", name="Leaflets")).to_be_visible()
    page.get_by_label("Your reply").fill("Me, twenty of them.")
    page.get_by_role("button", name="Post the reply").click()
    expect(page.get_by_text("Me, twenty of them.")).to_be_visible()
    if javascript:
        check_axe(page)
    assert Post.objects.filter(thread__topic__group=riverside_set).count() == 2
    context.close()
