"""The register: filled in without JavaScript, one line a person; attendance rates by
hand-worked figures; the CSV; and what Evaluate reads from a series."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.test import Client
from django.utils import timezone

from commonground.accounts.models import User
from commonground.groups import selectors, services
from commonground.groups.models import Attendance, Group, Meeting, Member
from tests.conftest import make_person

LONDON = ZoneInfo("Europe/London")


def _people(group: Group, n: int) -> list[User]:
    made = []
    for i in range(n):
        person = make_person(f"p{i}@example.org", f"Person {i}")
        Member.objects.create(group=group, user=person, rules_accepted=group.rules_version)
        made.append(person)
    return made


def test_the_register_saves_without_javascript(
    riverside_set: Group, ada: User, ben: User, ada_client: Client
) -> None:
    meeting = services.meeting_schedule(
        group=riverside_set, title="Meeting", starts_at=timezone.now() - timedelta(hours=3),
        minutes=120, mode="both", venue="Library", join_url="https://meet.example.org/x",
    )[0]  # fmt: skip
    page = ada_client.get(f"/groups/meetings/{meeting.pk}/register")
    assert page.status_code == 200
    assert f'name="status-{ben.pk}"' in page.content.decode()
    response = ada_client.post(
        f"/groups/meetings/{meeting.pk}/register",
        {f"status-{ben.pk}": "late", f"mode-{ben.pk}": "online", "everyone": "present",
         f"mode-{ada.pk}": "in_person"},
    )  # fmt: skip
    assert response.status_code == 303
    marks = {a.user_id: (a.status, a.mode) for a in meeting.register.all()}
    assert marks == {ben.pk: ("late", "online"), ada.pk: ("present", "in_person")}
    meeting.refresh_from_db()
    assert meeting.register_taken_at is not None


def test_a_member_cannot_take_the_register(riverside_set: Group, ben_client: Client) -> None:
    meeting = services.meeting_schedule(
        group=riverside_set, title="Meeting", starts_at=timezone.now(), minutes=60,
        mode="in_person", venue="Library",
    )[0]  # fmt: skip
    assert ben_client.get(f"/groups/meetings/{meeting.pk}/register").status_code == 403
    assert ben_client.post(f"/groups/meetings/{meeting.pk}/register", {}).status_code == 403


def test_attendance_rates_match_figures_worked_by_hand(
    riverside_set: Group, ada: User, ben: User
) -> None:
    """Four meetings of a series, the third cancelled, the fourth with no register yet.

    Meeting:   1        2          3 (cancelled)  4 (no register)
    Ada        present  present    -              -
    Ben        late     apologies  -              -
    Cy         absent   left early -              -

    Held with a register: 1 and 2. Ada 2/2 = 100 %; Ben 1/2 = 50 %; Cy 1/2 = 50 %;
    all 4/6 = 66.7 %. Contact hours (2-hour meetings): 4 attended x 2 = 8.
    """
    (cy,) = _people(riverside_set, 1)
    made = services.meeting_schedule(
        group=riverside_set, title="Set", starts_at=datetime(2026, 1, 6, 10, tzinfo=LONDON),
        minutes=120, mode="in_person", venue="Library", rule="FREQ=WEEKLY;COUNT=4",
    )  # fmt: skip
    marks = [
        {ada.pk: ("present", "in_person"), ben.pk: ("late", "in_person"), cy.pk: ("absent", "")},
        {
            ada.pk: ("present", "in_person"),
            ben.pk: ("apologies", ""),
            cy.pk: ("left_early", "in_person"),
        },
    ]
    for meeting, given in zip(made[:2], marks, strict=True):
        services.register_save(meeting=meeting, marks=given, by=ada)
    services.register_save(meeting=made[2], marks={ada.pk: ("present", "")}, by=ada)
    services.meeting_cancel(meeting=made[2])
    table = selectors.attendance(riverside_set)
    rates = {p.user.name: p.rate for p in table.people}
    assert rates == {"Ada Admin": 1.0, "Ben Member": 0.5, "Person 0": 0.5}
    assert table.rate is not None and round(table.rate, 3) == 0.667
    ben_row = next(p for p in table.people if p.user == ben)
    assert (ben_row.attended, ben_row.counts["apologies"]) == (1, 1)
    figures = selectors.series_figures(made[0].series_id)  # type: ignore[arg-type]
    assert figures == selectors.SeriesFigures(
        participants=3, sessions=2, attendances=4, contact_hours=8.0
    )


def test_the_register_downloads_as_csv(
    riverside_set: Group, ada: User, ben: User, ada_client: Client, ben_client: Client
) -> None:
    meeting = services.meeting_schedule(
        group=riverside_set, title="Meeting", starts_at=datetime(2026, 2, 3, 18, tzinfo=LONDON),
        minutes=90, mode="in_person", venue="Library",
    )[0]  # fmt: skip
    services.register_save(meeting=meeting, marks={ben.pk: ("apologies", "")}, by=ada)
    response = ada_client.get(f"/groups/{riverside_set.slug}/attendance.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["meeting", "date", "series", "person", "email", "status", "mode"]
    assert rows[1] == [
        "Meeting",
        "2026-02-03 18:00",
        "",
        "Ben Member",
        "ben@example.org",
        "Apologies",
        "",
    ]
    assert ben_client.get(f"/groups/{riverside_set.slug}/attendance.csv").status_code == 403


def test_the_attendance_page_costs_the_same_queries_for_more_meetings(
    riverside_set: Group, ada: User, ada_client: Client, django_assert_max_num_queries: object
) -> None:
    people = _people(riverside_set, 10)
    made = services.meeting_schedule(
        group=riverside_set, title="Set", starts_at=datetime(2026, 1, 6, 10, tzinfo=LONDON),
        minutes=120, mode="in_person", venue="Library", rule="FREQ=WEEKLY;COUNT=12",
    )  # fmt: skip
    for meeting in made:
        services.register_save(
            meeting=meeting, marks={p.pk: ("present", "in_person") for p in people}, by=ada
        )
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        assert ada_client.get(f"/groups/{riverside_set.slug}/attendance").status_code == 200
    assert Meeting.objects.filter(group=riverside_set).count() == 12
    assert Attendance.objects.count() == 120
