"""Repeating meetings and calendars: a series makes real meetings where the rule puts
them (6pm stays 6pm over a clock change); the feed, read back by a real iCalendar
library and expanded by ``recurring_ical_events``, gives exactly the meetings still on
after one moves and one is cancelled; invitations go out as iTIP requests and a
calendar's "decline" comes back as apologies."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from django.test import Client
from icalendar import Calendar

from commonground.accounts.models import User
from commonground.groups import calendars, mailin, recurrence, services, tokens
from commonground.groups.models import Attendance, Group, Meeting
from tests.groups.fixtures import Sink

LONDON = ZoneInfo("Europe/London")


def test_a_rule_keeps_the_wall_clock_time_over_a_clock_change() -> None:
    first = datetime(2026, 3, 3, 18, 0, tzinfo=LONDON)  # GMT; clocks go forward on 29 March
    found = recurrence.occurrences("FREQ=WEEKLY;INTERVAL=2;COUNT=4", first, "Europe/London")
    assert [(w.month, w.day, w.hour) for w in found] == [
        (3, 3, 18),
        (3, 17, 18),
        (3, 31, 18),
        (4, 14, 18),
    ]
    assert found[2].utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("FREQ=WEEKLY", "end"),
        ("FREQ=HOURLY;COUNT=3", "daily, weekly, monthly or yearly"),
        ("FREQ=DAILY;COUNT=500", "more than 104"),
        ("FREQ=WEEKLY;UNTIL=20270101", "UTC"),
        ("nonsense", "iCalendar"),
    ],
)
def test_a_rule_that_cannot_be_used_is_refused_with_a_reason(rule: str, says: str) -> None:
    with pytest.raises(recurrence.RuleError, match=says):
        recurrence.occurrences(rule, datetime(2026, 3, 3, 18, tzinfo=LONDON), "Europe/London")


def test_monthly_by_the_form_keeps_the_weekday() -> None:
    first = datetime(2026, 3, 10, 18, tzinfo=LONDON)  # the second Tuesday
    rule = recurrence.simple_rule(every="MONTHLY", interval=1, count=3, first=first)
    assert rule.endswith("BYDAY=2TU")
    days = [w.day for w in recurrence.occurrences(rule, first, "Europe/London")]
    assert days == [10, 14, 12]


def _series(group: Group) -> list[Meeting]:
    return services.meeting_schedule(
        group=group, title="Set meeting", starts_at=datetime(2026, 3, 3, 18, tzinfo=LONDON),
        minutes=120, mode="in_person", venue="Riverside Central Library",
        rule="FREQ=WEEKLY;INTERVAL=4;COUNT=5",
    )  # fmt: skip


def test_the_feed_gives_the_meetings_still_on_after_a_move_and_a_cancellation(
    riverside_set: Group, ada: User
) -> None:
    made = _series(riverside_set)
    assert len(made) == 5 and all(m.series_id == made[0].series_id for m in made)
    moved = made[1]
    services.meeting_change(
        meeting=moved, title=moved.title, starts_at=moved.starts_at + timedelta(days=2, hours=-1),
        minutes=90, mode="online", venue="", join_url="https://meet.example.org/set", agenda="Rota",
    )  # fmt: skip
    services.meeting_cancel(meeting=made[3])
    prefs = services.preferences_of(ada)
    token = tokens.calendar_token(user_id=ada.pk, key=prefs.calendar_key, group_id=riverside_set.pk)
    response = Client().get(f"/groups/{riverside_set.slug}/calendar/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    found = recurring_ical_events.of(cal).between(
        datetime(2026, 1, 1, tzinfo=LONDON), datetime(2027, 1, 1, tzinfo=LONDON)
    )
    starts = sorted(e["DTSTART"].dt for e in found)
    live = sorted(
        m.starts_at for m in Meeting.objects.filter(group=riverside_set, cancelled_at__isnull=True)
    )
    assert starts == live
    moved_event = next(
        e for e in found if e["DTSTART"].dt == Meeting.objects.get(pk=moved.pk).starts_at
    )
    assert "meet.example.org" in str(moved_event["LOCATION"])
    assert int(moved_event["SEQUENCE"]) >= 1


def test_a_feed_address_that_was_renewed_stops_working(riverside_set: Group, ada: User) -> None:
    prefs = services.preferences_of(ada)
    old = tokens.calendar_token(user_id=ada.pk, key=prefs.calendar_key)
    assert Client().get(f"/groups/calendar/{old}.ics").status_code == 200
    services.calendar_key_renew(user=ada)
    assert Client().get(f"/groups/calendar/{old}.ics").status_code == 404
    assert Client().get(f"/groups/calendar/{ada.pk}.forged.ics").status_code == 404


def test_members_are_sent_an_invitation_their_calendar_can_read(
    transactional_db: None, riverside_set: Group, ada: User, ben: User, smtp_sink: Sink
) -> None:
    made = _series(riverside_set)
    invite = smtp_sink.to(ben.email)
    assert invite, "no invitation"
    part = next(p for p in invite[-1].walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST"
    cal = Calendar.from_ical(part.get_payload(decode=True))
    assert str(cal["METHOD"]) == "REQUEST"
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == made[0].series.uid  # type: ignore[union-attr]
    assert "FREQ=WEEKLY" in event["RRULE"].to_ical().decode()
    assert str(event["ATTENDEE"]).lower() == f"mailto:{ben.email}"
    services.meeting_cancel(meeting=made[2])
    cancel = smtp_sink.to(ben.email)[-1]
    part = next(p for p in cancel.walk() if p.get_content_type() == "text/calendar")
    cal = Calendar.from_ical(part.get_payload(decode=True))
    assert str(cal["METHOD"]) == "CANCEL"
    (event,) = cal.walk("VEVENT")
    assert event["RECURRENCE-ID"].dt == made[2].occurrence


def test_declining_in_a_calendar_sends_apologies(
    riverside_set: Group, ada: User, ben: User
) -> None:
    made = _series(riverside_set)
    third = made[2]
    assert third.occurrence is not None
    local = third.occurrence.astimezone(LONDON)
    reply = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Mail//EN\r\nMETHOD:REPLY\r\n"
        "BEGIN:VEVENT\r\n"
        f"UID:{third.uid}\r\n"
        f"RECURRENCE-ID;TZID=Europe/London:{local:%Y%m%dT%H%M%S}\r\n"
        "DTSTAMP:20260301T100000Z\r\n"
        f"ATTENDEE;PARTSTAT=DECLINED;CN=Ben Member:mailto:{ben.email}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    raw = (
        f"From: Ben <{ben.email}>\r\nTo: {riverside_set.address}\r\n"
        "Subject: Declined: Set meeting\r\n"
        "Message-ID: <decline@example.org>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: text/calendar; method=REPLY; charset="utf-8"\r\n\r\n' + reply
    ).encode()
    (outcome,) = mailin.receive(raw, recipients=[riverside_set.address])
    assert outcome.outcome == "calendar"
    mark = Attendance.objects.get(meeting=third, user=ben)
    assert mark.status == Attendance.Status.APOLOGIES
    assert not Attendance.objects.filter(meeting=made[1]).exists()


def test_answers_are_read_from_a_reply() -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:meeting-4@x\r\n"
        b"ATTENDEE;PARTSTAT=ACCEPTED:mailto:A@Example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert calendars.answers(data) == [
        calendars.Answer(
            uid="meeting-4@x", occurrence=None, email="a@example.org", partstat="ACCEPTED"
        )
    ]
