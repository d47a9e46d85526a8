"""Rounds: members rate, nobody sees others' ratings until the reveal, partners rate by a
link, the facilitator records what was agreed, and outsiders see nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonground.accounts.models import Membership, Organisation, Role, User
from commonground.frameworks import selectors, services
from commonground.frameworks.models import FrameworkVersion, Rater, Rating, Round, Team
from tests.conftest import client_for, make_person

pytestmark = pytest.mark.django_db


def rate_url(assessment: Round) -> str:
    return reverse("frameworks:rate", args=[assessment.pk])


def test_a_member_rates_without_javascript_and_changes_their_mind(
    assessment: Round, ben: User, ben_client: Client
) -> None:
    page = ben_client.get(rate_url(assessment))
    assert page.status_code == 200
    assert "We help community groups build the skills they ask for." in page.content.decode()
    saved = ben_client.post(
        rate_url(assessment),
        {
            "rate-confident-skills": "2",
            "evidence-confident-skills": "Two groups asked for help with bids; we ran one.",
            "rate-confident-say": "dont-know",
            "rate-inclusive-venues": "",
        },
    )
    assert saved.status_code == 303
    mine = {r.statement.key: r for r in Rating.objects.select_related("statement")}
    assert mine["confident-skills"].value == 2 and mine["confident-say"].dont_know
    assert "inclusive-venues" not in mine
    ben_client.post(rate_url(assessment), {"rate-confident-skills": "4"})
    assert Rating.objects.get(statement__key="confident-skills").value == 4
    assert Rating.objects.count() == 2  # changed, not added
    # Made-up values and statements of another framework are refused, nothing saved.
    refused = ben_client.post(rate_url(assessment), {"rate-confident-skills": "9"})
    assert refused.status_code == 400 and "not a point" in refused.content.decode()
    assert Rating.objects.get(statement__key="confident-skills").value == 4


def test_ratings_stay_hidden_until_the_reveal_then_everyone_sees_them_at_once(
    assessment: Round, ada: User, ben: User, ada_client: Client, ben_client: Client
) -> None:
    ben_client.post(rate_url(assessment), {"rate-confident-skills": "2"})
    ada_client.post(rate_url(assessment), {"rate-confident-skills": "4"})
    page = ben_client.get(assessment.get_absolute_url()).content.decode()
    assert "Results" not in page and "when the facilitator reveals" in page
    # Only the facilitator reveals.
    assert ben_client.post(reverse("frameworks:reveal", args=[assessment.pk])).status_code == 403
    ada_client.post(reverse("frameworks:reveal", args=[assessment.pk]))
    page = ben_client.get(assessment.get_absolute_url()).content.decode()
    assert "Results" in page and "Ada Admin" not in page  # anonymous by default
    found = selectors.results(Round.objects.get(pk=assessment.pk))
    skills = found.statements[0]
    assert skills.spread.n == 2 and skills.spread.median == 3
    assert [c[2] for c in skills.counts] == [0, 1, 0, 1, 0]


def test_the_facilitator_records_an_agreed_rating_beside_the_spread(
    assessment: Round, ada: User, ada_client: Client, ben_client: Client
) -> None:
    ben_client.post(rate_url(assessment), {"rate-confident-skills": "2"})
    url = reverse("frameworks:agree", args=[assessment.pk, "confident-skills"])
    ada_client.post(url, {"value": "3", "reason": "We ran one session."})
    assert not assessment.agreed.exists()  # not before the reveal
    ada_client.post(reverse("frameworks:reveal", args=[assessment.pk]))
    ada_client.post(url, {"value": "3", "reason": "We ran one session, not a programme."})
    agreed = assessment.agreed.get()
    assert agreed.value == 3 and agreed.reason.startswith("We ran one session")
    assert ben_client.post(url, {"value": "5", "reason": "Forged."}).status_code == 403
    assert assessment.agreed.get().value == 3


def test_a_partner_without_an_account_rates_by_their_link_only(
    assessment: Round, ada_client: Client, client: Client
) -> None:
    ada_client.post(
        reverse("frameworks:invite", args=[assessment.pk]),
        {"name": "Sam Partner", "organisation": "Canal Trust"},
    )
    rater = Rater.objects.get(name="Sam Partner")
    link = reverse("frameworks:rate_by_link", args=[rater.token])
    assert client.get(link).status_code == 200
    client.post(link, {"rate-inclusive-venues": "3"})
    assert Rating.objects.get(rater=rater).value == 3
    # The link opens nothing else: not the round, not its results.
    assert client.get(assessment.get_absolute_url()).status_code == 302
    assert client.get(reverse("frameworks:rate_by_link", args=["made-up"])).status_code == 404
    services.round_close(round=assessment)
    closed = client.post(link, {"rate-inclusive-venues": "5"})
    assert closed.status_code == 410 and Rating.objects.get(rater=rater).value == 3


def test_outsiders_and_site_admins_see_no_round(
    assessment: Round, olu_client: Client, ben: User
) -> None:
    services.ratings_save(
        rater=services.rater_join(round=assessment, person=ben),
        given=[services.Given(assessment.version.statements.first(), 2)],  # type: ignore[arg-type]
    )
    services.round_reveal(round=assessment)
    staff = make_person("staff@example.org", "Site Admin")
    staff.is_staff = True
    staff.save()
    for outsider in (olu_client, client_for(staff)):
        assert outsider.get(assessment.get_absolute_url()).status_code == 404
        assert outsider.get(rate_url(assessment)).status_code == 404


def test_a_closed_round_keeps_its_ratings(assessment: Round, ben: User) -> None:
    rater = services.rater_join(round=assessment, person=ben)
    statement = assessment.version.statements.first()
    assert statement is not None
    services.ratings_save(rater=rater, given=[services.Given(statement, 2)])
    assessment.closes_at = timezone.now() - timedelta(minutes=1)
    assessment.save()
    with pytest.raises(ValidationError):
        services.ratings_save(rater=rater, given=[services.Given(statement, 5)])
    assert Rating.objects.get().value == 2


def test_breakdowns_show_only_groups_of_five_or_more(
    assessment: Round, riverside: Organisation
) -> None:
    statement = assessment.version.statements.first()
    assert statement is not None
    for n in range(7):
        person = make_person(f"p{n}@example.org", f"Person {n}")
        Membership.objects.create(user=person, organisation=riverside, roles={Role.MEMBER})
        rater = services.rater_join(round=assessment, person=person)
        rater.role = "Librarian" if n < 5 else "Councillor"
        rater.save()
        services.ratings_save(rater=rater, given=[services.Given(statement, 2 + n % 2)])
    found = selectors.results(assessment)
    assert [(b.group, b.raters) for b in found.breakdowns] == [("Librarian", 5)]
    assert found.hidden_groups == 1


def test_change_over_rounds_follows_a_reworded_statement_and_flags_real_moves(
    assessment: Round, riverside: Organisation, ada: User, ada_client: Client
) -> None:
    from commonground.frameworks.content import read_bytes
    from tests.frameworks.fixtures import FRAMEWORK

    people = []
    for n in range(4):
        person = make_person(f"c{n}@example.org", f"Rater {n}")
        Membership.objects.create(user=person, organisation=riverside, roles=set())
        people.append(person)

    def rate_all(made: Round, skills: list[int], say: list[int]) -> None:
        by_key = {s.key: s for s in made.version.statements.all()}
        say_key = "confident-say" if "confident-say" in by_key else "confident-voice"
        for person, a, b in zip(people, skills, say, strict=True):
            services.ratings_save(
                rater=services.rater_join(round=made, person=person),
                given=[services.Given(by_key["confident-skills"], a),
                       services.Given(by_key[say_key], b)],
            )  # fmt: skip
        services.round_reveal(round=made)

    rate_all(assessment, [1, 2, 1, 2], [2, 3, 2, 3])
    second = FRAMEWORK.replace(b"version: 1", b"version: 2").replace(
        b"id: confident-say\n", b"id: confident-voice\n        replaces: [confident-say]\n"
    )
    services.framework_load(read_bytes("l2.yaml", second))
    later = services.round_open(
        organisation=riverside,
        version=assessment.version.framework.versions.get(version=2),
        title="Autumn review",
        by=ada,
    )
    rate_all(later, [4, 5, 4, 5], [2, 3, 3, 2])
    found = selectors.change(later)
    assert [r.title for r in found.rounds] == ["Spring review", "Autumn review"]
    confident, trends = found.dimensions[0]
    skills, voice = trends
    # Skills: mean 1.5 then 4.5, sd 0.58 in each: a move of 3 is beyond the disagreement.
    assert skills.change == pytest.approx(3.0) and skills.beyond_disagreement
    # The reworded statement carries its history: 2.5 then 2.5, no change.
    assert voice.key == "confident-say" and voice.change == pytest.approx(0.0)
    assert not voice.beyond_disagreement
    page = ada_client.get(reverse("frameworks:change", args=[later.pk])).content.decode()
    assert "beyond the disagreement" in page and "Spring review" in page


def test_the_plan_drafts_from_weak_statements_and_exports_a_calendar(
    assessment: Round, ada: User, ben: User, ada_client: Client, ben_client: Client
) -> None:
    import icalendar

    for person, values in ((ada, (1, 4, 5)), (ben, (2, 4, 4))):
        rater = services.rater_join(round=assessment, person=person)
        statements = list(assessment.version.statements.order_by("position"))
        services.ratings_save(
            rater=rater,
            given=[services.Given(s, v) for s, v in zip(statements, values, strict=True)],
        )
    services.round_reveal(round=assessment)
    drafts = selectors.drafts(selectors.results(assessment))
    # Only the weak statement (median 1.5 on a scale whose middle is 3) is drafted.
    assert [d.statement.key for d in drafts] == ["confident-skills"]
    assert drafts[0].title == "Who asked for what last year?"
    plan_url = reverse("frameworks:plan", args=[assessment.pk])
    assert "Drafted from this round" not in ben_client.get(plan_url).content.decode()
    forged = ben_client.post(
        reverse("frameworks:plan_keep", args=[assessment.pk]),
        {"keep": "confident-skills", "title-confident-skills": "Forged"},
    )
    assert forged.status_code == 403
    ada_client.post(
        reverse("frameworks:plan_keep", args=[assessment.pk]),
        {
            "keep": "confident-skills",
            "title-confident-skills": "Run a skills swap in each valley",
            "success-confident-skills": "Three swaps, forty people.",
            "owner-confident-skills": "Ben",
            "due-confident-skills": "2027-03-31",
        },
    )
    action = assessment.actions.get()
    assert action.due_on.isoformat() == "2027-03-31" and action.lineages == ["confident-skills"]
    # Kept once: the next draft leaves it out.
    assert selectors.drafts(selectors.results(assessment)) == []
    ben_client.post(
        action.get_absolute_url(), {"text": "First swap booked.", "status": "under_way"}
    )
    action.refresh_from_db()
    assert action.status == "under_way" and action.updates.count() == 2

    def export(fmt: str) -> bytes:
        response = ben_client.get(reverse("frameworks:plan_export", args=[assessment.pk, fmt]))
        assert response.status_code == 200, fmt
        return response.content

    calendar = icalendar.Calendar.from_ical(export("ics"))
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    assert str(events[0]["SUMMARY"]) == "Due: Run a skills swap in each valley"
    assert events[0].decoded("DTSTART").isoformat() == "2027-03-31"
    assert str(events[0]["URL"]).endswith(action.get_absolute_url())
    assert b"Run a skills swap in each valley,Under way,Ben,,2027-03-31" in export("csv")
    import json

    data = json.loads(export("json"))
    assert data["actions"][0]["updates"][-1]["text"] == "First swap booked."


def test_an_action_becomes_an_evaluate_activity(
    assessment: Round, ada: User, ada_client: Client, riverside: Organisation
) -> None:
    from commonground.evaluation.models import Activity, Programme

    action = services.plan_keep(
        round=assessment, kept=[services.Kept("confident-skills", "Skills swaps")], by=ada
    )[0]
    programme = Programme.objects.create(organisation=riverside, title="Engagement 2027")
    elsewhere = Programme.objects.create(
        organisation=Organisation.objects.create(name="Other", slug="other"), title="Not ours"
    )
    url = reverse("frameworks:action_activity", args=[action.pk])
    ada_client.post(url, {"programme": elsewhere.pk})
    assert not Activity.objects.exists()
    ada_client.post(url, {"programme": programme.pk})
    action.refresh_from_db()
    assert action.activity is not None and action.activity.programme == programme
    assert action.activity.title == "Skills swaps"


def test_the_plan_as_a_pdf_with_its_compass_and_actions(
    assessment: Round, ada: User, ada_client: Client
) -> None:
    import pypdfium2

    from commonground.lib.pdf import available as pdf_available
    from tests.conftest import need

    need(pdf_available(), "WeasyPrint cannot load Pango (apt-get install libpango-1.0-0)")
    rater = services.rater_join(round=assessment, person=ada)
    services.ratings_save(
        rater=rater, given=[services.Given(s, 2) for s in assessment.version.statements.all()]
    )
    services.round_reveal(round=assessment)
    services.plan_keep(
        round=assessment, kept=[services.Kept("confident-skills", "Run skills swaps")], by=ada
    )
    response = ada_client.get(reverse("frameworks:plan_export", args=[assessment.pk, "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    document = pypdfium2.PdfDocument(response.content)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    assert "Work plan: Riverside Libraries" in text and "Run skills swaps" in text
    assert "Median rating per dimension" in text


def test_a_workshop_room_joins_by_code_paper_sheets_are_typed_in_and_the_reveal_shows(
    assessment: Round, ada_client: Client, ben_client: Client, client: Client
) -> None:
    workshop = reverse("frameworks:workshop", args=[assessment.pk])
    assert ben_client.post(workshop).status_code == 403  # only the facilitator starts it
    ada_client.post(workshop)
    assessment.refresh_from_db()
    code = assessment.code
    assert code is not None and len(code) == 6
    page = ada_client.get(workshop).content.decode()
    assert f"/frameworks/j/{code}/" in page and "QR code for" in page
    # A member goes straight to rating; someone without an account gives a name.
    joined = ben_client.get(reverse("frameworks:join", args=[code.lower()]))
    assert joined["Location"] == rate_url(assessment)
    made = client.post(reverse("frameworks:join", args=[code]), {"name": "Guest in the room"})
    guest = Rater.objects.get(name="Guest in the room")
    assert made["Location"] == reverse("frameworks:rate_by_link", args=[guest.token])
    assert client.get(reverse("frameworks:join", args=["NOSUCH"])).status_code == 404
    # Paper sheets: wrong counts and values are refused with what to fix.
    paper = reverse("frameworks:paper", args=[assessment.pk])
    said = ada_client.post(paper, {"name": "Paper 1", "ratings": "3 4"}, follow=True)
    assert "The sheet has 2 ratings; the framework has 3 statements" in said.content.decode()
    said = ada_client.post(paper, {"name": "Paper 1", "ratings": "3 9 x"}, follow=True)
    assert "2 (“9”), 3 (“x”)" in said.content.decode()
    ada_client.post(paper, {"name": "Paper 1", "ratings": "3, ? -"})
    sheet = {r.statement.key: r for r in Rating.objects.filter(rater__name="Paper 1")}
    assert sheet["confident-skills"].value == 3 and sheet["confident-say"].dont_know
    assert "inclusive-venues" not in sheet
    count = ada_client.get(reverse("frameworks:workshop_count", args=[assessment.pk]))
    assert "<strong>2</strong> joined" in count.content.decode()
    # The guest's page asks whether the reveal has happened, and then links to the results.
    status = reverse("frameworks:rate_status", args=[guest.token])
    assert "see the results" not in client.get(status).content.decode()
    services.round_reveal(round=assessment)
    assert "see the results" in client.get(status).content.decode()
    results = client.get(reverse("frameworks:rate_results", args=[guest.token])).content.decode()
    assert "Compass" in results and "Paper 1" not in results


def test_the_coverage_map_shows_gaps_and_levels_to_members_only(
    framework: FrameworkVersion, riverside: Organisation, ada_client: Client,
    ben_client: Client, olu_client: Client,
) -> None:  # fmt: skip
    url = reverse("frameworks:coverage", args=["riverside"])
    change = reverse("frameworks:coverage_change", args=["riverside"])
    base = {"framework": "listening-partnership"}
    ada_client.post(change, {**base, "change": "team", "name": "Outreach", "kind": "team"})
    ada_client.post(change, {**base, "change": "team", "name": "Events", "kind": "service"})
    again = ada_client.post(change, {**base, "change": "team", "name": "outreach"}, follow=True)
    assert "already has “outreach”" in again.content.decode()
    outreach = Team.objects.get(name="Outreach")
    ada_client.post(
        change, {**base, "change": "dimensions", "team": outreach.pk, "dimension": ["confident"]}
    )
    ada_client.post(
        change,
        {**base, "change": "engagement", "team": outreach.pk, "community": "Carers",
         "now": "2", "aim": "4"},
    )  # fmt: skip
    found = selectors.coverage(riverside, framework)
    assert [d.key for d in found.uncovered] == ["inclusive"]
    assert found.counts == [1, 0]
    assert [(c, [(e.level_now, e.level_aim) for e in es]) for c, es in found.communities] == [
        ("Carers", [(2, 4)])
    ]
    page = ben_client.get(url, {"framework": "listening-partnership"}).content.decode()
    assert "Nobody works on Inclusive." in page and "Consult" in page and "Collaborate" in page
    assert "Change the map" not in page  # members read it; facilitators change it
    forged = ben_client.post(change, {**base, "change": "team", "name": "Forged"})
    assert forged.status_code == 403 and not Team.objects.filter(name="Forged").exists()
    assert olu_client.get(url).status_code == 404


def test_the_api_rates_and_reads_results_only_inside_the_organisation(
    assessment: Round, ada: User, ben: User, olu: User, client: Client
) -> None:
    from commonground.accounts import services as accounts_services

    def bearer(person: User) -> dict[str, str]:
        _, token = accounts_services.api_token_create(user=person, name="api")
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    ada_api, ben_api, olu_api = bearer(ada), bearer(ben), bearer(olu)
    listed = client.get("/api/v1/frameworks").json()
    assert [f["slug"] for f in listed] == ["listening-partnership"]
    one = client.get("/api/v1/frameworks/listening-partnership").json()
    assert [d["id"] for d in one["dimensions"]] == ["confident", "inclusive"]
    assert one["file"].endswith("/frameworks/listening-partnership/v1.yaml")
    url = f"/api/v1/frameworks/rounds/{assessment.pk}"
    body = [{"statement": "confident-skills", "value": 2, "evidence": "One session."},
            {"statement": "confident-say", "dont_know": True}]  # fmt: skip
    saved = client.put(f"{url}/ratings", body, content_type="application/json", **ben_api)
    assert saved.status_code == 200 and [r["statement"] for r in saved.json()] == [
        "confident-skills", "confident-say"
    ]  # fmt: skip
    wrong = client.put(
        f"{url}/ratings", [{"statement": "nope", "value": 2}], content_type="application/json",
        **ben_api,
    )  # fmt: skip
    assert wrong.status_code == 422
    assert client.get(f"{url}/results", **ben_api).status_code == 409  # not revealed yet
    assert client.post(f"{url}/reveal", **ben_api).status_code == 403
    assert client.post(f"{url}/reveal", **ada_api).json()["revealed"]
    results = client.get(f"{url}/results", **ben_api).json()
    assert results["dimensions"][0]["statements"][0]["counts"]["2"] == 1
    assert "r_wg" in results["formula"]
    for path in (url, f"{url}/results", f"{url}/ratings"):
        assert client.get(path, **olu_api).status_code == 404
    made = client.post(
        "/api/v1/frameworks/rounds",
        {"organisation": "riverside", "framework": "listening-partnership", "title": "API round"},
        content_type="application/json",
        **ada_api,
    )
    assert made.status_code == 201 and made.json()["title"] == "API round"
    refused = client.post(
        "/api/v1/frameworks/rounds",
        {"organisation": "riverside", "framework": "listening-partnership"},
        content_type="application/json",
        **ben_api,
    )
    assert refused.status_code == 403
    action = services.plan_keep(
        round=assessment, kept=[services.Kept("confident-skills", "Skills swaps")], by=ada
    )[0]
    plan = client.get(f"{url}/plan", **ben_api).json()
    assert [a["title"] for a in plan] == ["Skills swaps"]
    logged = client.post(
        f"/api/v1/frameworks/actions/{action.pk}/updates",
        {"status": "under_way", "text": "Booked the hall."},
        content_type="application/json",
        **ben_api,
    )
    assert logged.status_code == 201 and logged.json()["status"] == "under_way"
    assert client.get(f"{url}/plan", **olu_api).status_code == 404


def test_evidence_alone_keeps_the_rating_and_opening_the_page_makes_no_rater(
    assessment: Round, ben: User, ben_client: Client
) -> None:
    ben_client.get(rate_url(assessment))
    assert not Rater.objects.exists()  # looking is not rating
    ben_client.post(rate_url(assessment), {"rate-confident-skills": "4"})
    ben_client.post(rate_url(assessment), {"evidence-confident-skills": "Two sessions."})
    kept = Rating.objects.get()
    assert (kept.value, kept.evidence) == (4, "Two sessions.")
    saved = ben_client.post(
        rate_url(assessment), {"rate-confident-say": "3"}, HTTP_ACCEPT="application/json"
    )
    assert saved.json() == {"saved": 1, "said": "You have rated 2 of 3 statements."}


def test_empty_links_do_not_make_a_group_big_enough_to_show(
    assessment: Round, riverside: Organisation
) -> None:
    statement = assessment.version.statements.first()
    assert statement is not None
    real = services.rater_invite(round=assessment, name="Real", organisation="Canal Trust")
    services.ratings_save(rater=real, given=[services.Given(statement, 1)])
    for n in range(4):  # links made, never used, with the same organisation
        services.rater_invite(round=assessment, name=f"Empty {n}", organisation="Canal Trust")
    found = selectors.results(assessment)
    assert found.breakdowns == [] and found.raters == 1
