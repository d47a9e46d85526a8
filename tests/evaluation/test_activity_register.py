"""An activity whose meetings are in Groups takes its participants, sessions and contact
hours from the registers, so nobody types them twice."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.test import Client

from commonground.accounts.models import Membership, Role, User
from commonground.evaluation import services
from commonground.evaluation.models import Activity
from commonground.groups import services as groups
from commonground.groups.models import Group, Member

LONDON = ZoneInfo("Europe/London")


def _held(group: Group, ada: User, ben: User) -> int:
    made = groups.meeting_schedule(
        group=group, title="Set", starts_at=datetime(2026, 1, 6, 10, tzinfo=LONDON),
        minutes=150, mode="in_person", venue="Library", rule="FREQ=WEEKLY;INTERVAL=2;COUNT=3",
    )  # fmt: skip
    there = ("present", "in_person")
    groups.register_save(meeting=made[0], marks={ada.pk: there, ben.pk: there}, by=ada)
    groups.register_save(meeting=made[1], marks={ada.pk: there, ben.pk: ("apologies", "")}, by=ada)
    assert made[0].series_id is not None
    return made[0].series_id


def test_the_figures_come_from_the_registers(
    riverside_set: Group, ada: User, ben: User, learning_set: Activity, ada_client: Client
) -> None:
    """Two meetings held of 2.5 hours: Ada at both, Ben at one. Two participants, two
    sessions, 7.5 contact hours: 3.75 each on average."""
    Membership.objects.filter(user=ada).update(roles={Role.ADMIN, Role.EVALUATOR})
    series_id = _held(riverside_set, ada, ben)
    page = ada_client.get(f"/evaluate/activities/{learning_set.pk}/edit/")
    assert "Take the figures from the registers" in page.content.decode()
    response = ada_client.post(
        f"/evaluate/activities/{learning_set.pk}/register/", {"action": "link", "series": series_id}
    )
    assert response.status_code == 303
    learning_set.refresh_from_db()
    assert (learning_set.participants, learning_set.sessions) == (2, 2)
    assert learning_set.hours_per_participant == Decimal("3.75")
    assert (learning_set.starts_on, learning_set.ends_on) == (date(2026, 1, 6), date(2026, 1, 20))
    # Typed figures are not used while the link holds; a new register is taken up.
    services.activity_save(programme=learning_set.programme, activity=learning_set, participants=99)
    learning_set.refresh_from_db()
    assert learning_set.participants == 2
    cy = User.objects.create_user(email="cy@example.org", password="x" * 20, name="Cy")
    Member.objects.create(group=riverside_set, user=cy)
    third = riverside_set.meetings.order_by("starts_at")[2]
    groups.register_save(meeting=third, marks={cy.pk: ("present", "in_person")}, by=ada)
    assert services.registers_sync() == 1
    learning_set.refresh_from_db()
    assert (learning_set.participants, learning_set.sessions) == (3, 3)


def test_only_a_series_the_person_facilitates_can_be_linked(
    riverside_set: Group,
    ada: User,
    ben: User,
    olu: User,
    learning_set: Activity,
    ada_client: Client,
) -> None:
    Membership.objects.filter(user=ada).update(roles={Role.ADMIN, Role.EVALUATOR})
    elsewhere = groups.group_start(name="Museum set", by=olu)
    theirs = groups.meeting_schedule(
        group=elsewhere, title="Theirs", starts_at=datetime(2026, 1, 6, 10, tzinfo=LONDON),
        minutes=60, mode="in_person", venue="Museum", rule="FREQ=WEEKLY;COUNT=2",
    )[0].series_id  # fmt: skip
    ada_client.post(f"/evaluate/activities/{learning_set.pk}/register/", {"series": theirs})
    learning_set.refresh_from_db()
    assert learning_set.series_id is None
