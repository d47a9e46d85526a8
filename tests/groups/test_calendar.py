"""Repeating meetings and calendars: a series makes real meetings where the rule puts
them (6pm stays 6pm over a clock change); the feed, read back by a real iCalendar
library and expanded by ``recurring_ical_events``, gives exactly the meetings still on
after one moves and one is cancelled; invitations go out as iTIP requests, a move as the
same event with a higher SEQUENCE and a cancellation higher again; and a calendar's
"decline" comes back as apologies."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from django.test import Client
from icalendar import Calendar, Event

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


def _sent_event(sink: Sink, email: str) -> tuple[str, str, Event]:
    """The subject, iTIP method and event of the last calendar email to ``email``."""
    message = sink.to(email)[-1]
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    cal = Calendar.from_ical(part.get_payload(decode=True))
    assert part.get_param("method") == str(cal["METHOD"])
    (event,) = cal.walk("VEVENT")
    return str(message["Subject"]), str(cal["METHOD"]), event


def test_a_moved_meeting_is_sent_as_the_same_event_and_its_cancellation_after_it(
    transactional_db: None, riverside_set: Group, ben: User, smtp_sink: Sink
) -> None:
    """RFC 5546: a change is a new REQUEST for the same UID with a higher SEQUENCE, which
    calendars apply in place of what they hold; a CANCEL's SEQUENCE is higher again."""
    (meeting,) = services.meeting_schedule(
        group=riverside_set, title="Estate walk",
        starts_at=datetime(2026, 5, 14, 10, tzinfo=LONDON), minutes=90, mode="in_person",
        venue="Brookside café",
    )  # fmt: skip
    subject, method, first = _sent_event(smtp_sink, ben.email)
    assert (subject.split(":")[0], method) == ("Invitation", "REQUEST")
    assert first["DTSTART"].dt == datetime(2026, 5, 14, 10, tzinfo=LONDON)
    assert "RECURRENCE-ID" not in first
    uid, sequence = str(first["UID"]), int(first["SEQUENCE"])
    assert uid == meeting.uid

    services.meeting_change(
        meeting=meeting, title="Estate walk", starts_at=datetime(2026, 5, 21, 11, tzinfo=LONDON),
        minutes=90, mode="in_person", venue="Brookside community centre", join_url="", agenda="",
    )  # fmt: skip
    assert len(smtp_sink.to(ben.email)) == 2
    subject, method, moved = _sent_event(smtp_sink, ben.email)
    assert (subject.split(":")[0], method) == ("Changed", "REQUEST")
    assert str(moved["UID"]) == uid
    assert int(moved["SEQUENCE"]) > sequence
    assert moved["DTSTART"].dt == datetime(2026, 5, 21, 11, tzinfo=LONDON)
    assert moved["DTEND"].dt == datetime(2026, 5, 21, 12, 30, tzinfo=LONDON)
    assert "Brookside community centre" in str(moved["LOCATION"])

    # A change calendars need not hear of (the agenda) sends nothing.
    services.meeting_change(
        meeting=meeting, title="Estate walk", starts_at=datetime(2026, 5, 21, 11, tzinfo=LONDON),
        minutes=90, mode="in_person", venue="Brookside community centre", join_url="",
        agenda="Bring boots.",
    )  # fmt: skip
    assert len(smtp_sink.to(ben.email)) == 2

    services.meeting_cancel(meeting=meeting)
    subject, method, cancel = _sent_event(smtp_sink, ben.email)
    assert (subject.split(":")[0], method) == ("Cancelled", "CANCEL")
    assert str(cancel["UID"]) == uid
    assert int(cancel["SEQUENCE"]) > int(moved["SEQUENCE"])
    assert str(cancel["STATUS"]) == "CANCELLED"


def test_a_moved_occurrence_is_sent_by_its_place_in_the_series(
    transactional_db: None, riverside_set: Group, ben: User, smtp_sink: Sink
) -> None:
    made = _series(riverside_set)
    _subject, _method, whole = _sent_event(smtp_sink, ben.email)
    second = made[1]
    assert second.occurrence is not None
    services.meeting_change(
        meeting=second, title=second.title, starts_at=second.starts_at + timedelta(days=1),
        minutes=120, mode="in_person", venue="Riverside Central Library", join_url="", agenda="",
    )  # fmt: skip
    _subject, method, moved = _sent_event(smtp_sink, ben.email)
    assert method == "REQUEST" and "RRULE" not in moved
    assert str(moved["UID"]) == str(whole["UID"])
    assert moved["RECURRENCE-ID"].dt == second.occurrence  # where the rule put it
    assert moved["DTSTART"].dt == second.occurrence + timedelta(days=1)
    assert int(moved["SEQUENCE"]) > int(whole["SEQUENCE"])
    services.meeting_cancel(meeting=Meeting.objects.get(pk=second.pk))
    _subject, method, cancel = _sent_event(smtp_sink, ben.email)
    assert method == "CANCEL"
    assert (str(cancel["UID"]), cancel["RECURRENCE-ID"].dt) == (
        str(whole["UID"]),
        second.occurrence,
    )
    assert int(cancel["SEQUENCE"]) > int(moved["SEQUENCE"])


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
