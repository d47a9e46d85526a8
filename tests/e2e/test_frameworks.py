"""Frameworks in a real browser: open a round, rate on a phone with the keyboard alone,
reveal, record what was agreed, and rate without JavaScript. axe on every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import icalendar
import pytest
from playwright.sync_api import expect

from commonground.accounts.models import Organisation, User
from commonground.frameworks import services
from commonground.frameworks.models import FrameworkVersion, Rating, Round
from tests.conftest import PASSWORD
from tests.e2e.conftest import check_axe, check_reflow, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def window(browser: Any, width: int = 1280, **options: Any) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": width, "height": 800}, **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_open_rate_on_a_phone_by_keyboard_reveal_and_agree(
    browser: Any, live_server: Any, framework: FrameworkVersion, ada: User, ben: User
) -> None:
    base = live_server.url
    # Ada, Riverside's admin, opens a round.
    context, page = window(browser)
    sign_in(page, base, "ada@example.org", PASSWORD)
    page.goto(f"{base}/frameworks/")
    check_axe(page)
    page.get_by_role("link", name="Open a self-assessment round").click()
    check_axe(page)
    page.get_by_label("Title").fill("Spring review")
    page.get_by_role("button", name="Open the round").click()
    expect(page.get_by_role("heading", name="Spring review")).to_be_visible()
    check_axe(page)
    made = Round.objects.get()
    assert made.organisation.slug == "riverside" and made.anonymous

    # Ben rates on a phone, with the keyboard alone.
    phone, mobile = window(browser, 390)
    sign_in(mobile, base, "ben@example.org", PASSWORD)
    mobile.goto(f"{base}{made.get_absolute_url()}")
    expect(mobile.get_by_text("The results appear here when")).to_be_visible()
    mobile.get_by_role("link", name="Rate now").click()
    check_axe(mobile)
    check_reflow(mobile)
    mobile.get_by_label("1 Not yet").first.focus()
    mobile.keyboard.press("ArrowRight")  # moves the choice along the scale: 2 Starting
    status = mobile.locator("#s-confident-skills [data-rating-status]")
    expect(status).to_have_text("Saved")  # saved as it was given
    assert Rating.objects.get(statement__key="confident-skills").value == 2
    expect(mobile.locator("#rated-count")).to_have_text("You have rated 1 of 3 statements.")
    mobile.keyboard.press("Tab")  # to the statement's evidence
    mobile.keyboard.type("One bid-writing session so far.")
    mobile.get_by_label("Don't know").nth(1).check()
    mobile.get_by_role("button", name="Save my ratings").first.press("Enter")
    expect(mobile.get_by_text("Saved: 2 ratings.")).to_be_visible()
    mine = {r.statement.key: r for r in Rating.objects.select_related("statement")}
    assert mine["confident-skills"].value == 2
    assert mine["confident-skills"].evidence == "One bid-writing session so far."
    assert mine["confident-say"].dont_know

    # Ada rates, reveals, and records the agreed rating.
    page.goto(f"{base}{made.get_absolute_url()}rate/")
    page.get_by_label("4 Mostly").first.check()
    page.get_by_role("button", name="Save my ratings").first.click()
    page.goto(f"{base}{made.get_absolute_url()}")
    page.get_by_role("button", name="Reveal everyone's ratings").click()
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.get_by_role("img", name="Compass")).to_be_visible()
    check_axe(page)
    row = page.locator("#s-confident-skills")
    row.get_by_text("Record the agreed rating").click()
    row.get_by_label("Agreed rating").select_option("3")
    row.get_by_label("Why").fill("One session, not yet a programme.")
    row.get_by_role("button", name="Record").click()
    expect(row.locator(".agreed")).to_have_text("3 Partly: One session, not yet a programme.")
    assert made.agreed.get().value == 3

    # The weakest statement becomes an action, and the plan goes into a calendar.
    page.get_by_role("link", name="Work plan").click()
    check_axe(page)
    page.get_by_label("Keep this action").first.check()
    page.get_by_label("Due (optional)").first.fill("2027-03-31")
    page.get_by_role("button", name="Add the kept actions to the plan").click()
    expect(page.get_by_text("1 action added.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="calendar (iCalendar)").click()
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART").isoformat() == "2027-03-31"
    assert str(event["SUMMARY"]).startswith("Due: ")

    # Ben sees the results, without anyone's name.
    mobile.goto(f"{base}{made.get_absolute_url()}")
    expect(mobile.get_by_role("heading", name="Results")).to_be_visible()
    expect(mobile.get_by_text("Ada Admin")).to_have_count(0)
    check_axe(mobile)
    check_reflow(mobile)
    phone.close()
    context.close()


def test_a_partner_rates_by_link_without_javascript(
    browser: Any, live_server: Any, framework: FrameworkVersion, riverside: Organisation, ada: User
) -> None:
    made = services.round_open(organisation=riverside, version=framework, title="R", by=ada)
    partner = services.rater_invite(round=made, name="Sam Partner")
    context, page = window(browser, java_script_enabled=False)
    page.goto(f"{live_server.url}/frameworks/rate/{partner.token}/")
    page.get_by_label("3 Partly").last.check()
    page.get_by_role("button", name="Save my ratings").last.click()
    expect(page.get_by_text("Saved: 1 rating.")).to_be_visible()
    assert Rating.objects.get(rater=partner).value == 3
    context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_every_frameworks_page_passes_axe_and_reflows(
    page: Any, live_server: Any, framework: FrameworkVersion, ada: User, ben: User,
    riverside: Organisation, staff: User, width: int,
) -> None:  # fmt: skip
    made = services.round_open(organisation=riverside, version=framework, title="R", by=ada)
    for person, value in ((ada, 4), (ben, 2)):
        rater = services.rater_join(round=made, person=person)
        services.ratings_save(
            rater=rater,
            given=[services.Given(s, value) for s in framework.statements.all()],
        )
    partner = services.rater_invite(round=made, name="Sam Partner")
    base = live_server.url
    page.set_viewport_size({"width": width, "height": 800})
    public = ["/frameworks/", "/frameworks/listening-partnership/",
              f"/frameworks/rate/{partner.token}/"]  # fmt: skip
    for path in public:
        page.goto(base + path)
        check_axe(page)
        check_reflow(page)
    sign_in(page, base, "ada@example.org", PASSWORD)
    services.workshop_start(round=made)
    for path in [f"{made.get_absolute_url()}workshop/", f"/frameworks/j/{made.code}/"]:
        page.goto(base + path)
        check_axe(page)
        check_reflow(page)
    services.round_reveal(round=made)
    action = services.plan_keep(
        round=made, kept=[services.Kept("confident-skills", "Run skills swaps")], by=ada
    )[0]
    services.action_update(action=action, status="under_way", text="Booked.", by=ada)
    team = services.team_add(organisation=riverside, name="Outreach")
    services.team_dimensions(team=team, version=framework, keys=["confident"])
    services.engagement_add(team=team, community="Carers", level_now=2, level_aim=4)
    for path in ["/frameworks/", "/frameworks/rounds/new/", made.get_absolute_url(),
                 f"{made.get_absolute_url()}rate/", f"{made.get_absolute_url()}change/",
                 f"{made.get_absolute_url()}plan/", action.get_absolute_url(),
                 f"/frameworks/coverage/riverside/?framework={framework.framework.slug}",
                 f"/frameworks/rate/{partner.token}/results/"]:  # fmt: skip
        page.goto(base + path)
        check_axe(page)
        check_reflow(page)
    page.context.clear_cookies()
    sign_in(page, base, "sam@example.org", PASSWORD)
    page.goto(base + "/frameworks/upload/")
    check_axe(page)
    check_reflow(page)
