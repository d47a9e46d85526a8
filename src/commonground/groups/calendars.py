"""Meetings as iCalendar (RFC 5545): feeds that calendar programs subscribe to, and the
requests and cancellations emailed to members (iTIP, RFC 5546), and the replies their
calendars send back.

A series is written the way calendar programs keep one: a main event with its rule,
the cancelled occurrences as EXDATE, and each occurrence that moved or has its own
agenda as an event of the same UID with a RECURRENCE-ID.

A confidential group's meetings are named by the group alone, with a link to their page:
a calendar file travels like email (and a subscribed feed is fetched and kept by the
calendar's provider), so it carries no title, agenda, venue or joining link. What a
calendar needs to place, move and cancel the meeting (UID, SEQUENCE, the times) stays.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vRecur, vText

from commonground.groups.models import Meeting, Series
from commonground.groups.recurrence import zone

PRODID = "-//Common Ground//Groups//EN"


def _calendar(name: str, method: str = "") -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _place(event: Event, meeting: Meeting, page: str) -> None:
    """Where the meeting is, and its link: the joining link, or for a confidential
    group the page that has the details."""
    if meeting.group.confidential:
        event.add("url", page)
        return
    where = [meeting.venue] if meeting.venue else []
    if meeting.join_url:
        event.add("url", meeting.join_url)
        where.append(meeting.join_url)
    if where:
        event.add("location", " · ".join(where))


def _description(meeting: Meeting, page: str) -> str:
    group = meeting.group
    if group.confidential:
        lines = [
            f"A meeting of {group.name}, a confidential group: its agenda, place and joining "
            "link are on its page."
        ]
    else:
        lines = [f"{group.name}: {meeting.get_mode_display()}."]
        if meeting.agenda:
            lines += ["", "Agenda:", meeting.agenda]
    lines += ["", page]
    return "\n".join(lines)


def _local(when: datetime, name: str) -> datetime:
    return when.astimezone(zone(name))


def _meeting_event(meeting: Meeting, *, time_zone: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", stamp)
    event.add("sequence", meeting.sequence + (meeting.series.sequence if meeting.series else 0))
    event.add("summary", meeting.group.meeting_title(meeting.title))
    event.add("dtstart", _local(meeting.starts_at, time_zone))
    event.add("dtend", _local(meeting.ends_at, time_zone))
    page = f"{settings.SITE_URL}{meeting.get_absolute_url()}"
    event.add("description", _description(meeting, page))
    event.add("status", "CANCELLED" if meeting.cancelled_at else "CONFIRMED")
    _place(event, meeting, page)
    if meeting.occurrence is not None:
        event.add("recurrence-id", _local(meeting.occurrence, time_zone))
    return event


def _series_event(
    series: Series, first: Meeting, cancelled: list[Meeting], stamp: datetime
) -> Event:
    event = Event()
    event.add("uid", series.uid)
    event.add("dtstamp", stamp)
    event.add("sequence", series.sequence)
    group = first.group
    event.add("summary", group.meeting_title(series.title))
    event.add("dtstart", _local(series.first_start, series.time_zone))
    event.add("duration", timedelta(minutes=series.minutes))
    event.add("rrule", vRecur.from_ical(series.rule))
    page = f"{settings.SITE_URL}{reverse('groups:meetings', args=[group.slug])}"
    if group.confidential:
        about = (
            f"Meetings of {group.name}, a confidential group: their agendas, places and "
            "joining links are on their pages."
        )
    else:
        about = f"{group.name}: {first.get_mode_display()}."
    event.add("description", f"{about}\n\n{page}")
    event.add("status", "CONFIRMED")
    _place(event, first, page)
    for gone in cancelled:
        event.add("exdate", _local(gone.occurrence or gone.starts_at, series.time_zone))
    return event


def _differs(meeting: Meeting, series: Series) -> bool:
    """Whether an occurrence needs its own event: moved, or with details of its own."""
    planned = meeting.occurrence
    return (
        planned is None
        or meeting.starts_at != planned
        or meeting.ends_at != planned + timedelta(minutes=series.minutes)
        or meeting.title != series.title
        or bool(meeting.agenda)
        or meeting.sequence > 0
    )


def feed(meetings: Iterable[Meeting], *, name: str) -> bytes:
    """A calendar of these meetings (with ``group`` and ``series`` selected): one-off
    meetings as events, series as a rule with their exceptions."""
    cal = _calendar(name)
    stamp = timezone.now()
    by_series: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        if meeting.series_id is None:
            if meeting.cancelled_at is None:
                cal.add_component(
                    _meeting_event(meeting, time_zone=settings.TIME_ZONE, stamp=stamp)
                )
        else:
            by_series[meeting.series_id].append(meeting)
    for rows in by_series.values():
        series = rows[0].series
        assert series is not None  # noqa: S101 - for the type checker
        cancelled = [m for m in rows if m.cancelled_at is not None]
        cal.add_component(_series_event(series, rows[0], cancelled, stamp))
        for meeting in rows:
            if meeting.cancelled_at is None and _differs(meeting, series):
                cal.add_component(_meeting_event(meeting, time_zone=series.time_zone, stamp=stamp))
    cal.add_missing_timezones()
    return cal.to_ical()


@dataclass(frozen=True)
class Invitee:
    name: str
    email: str


def _attendee(event: Event, invitee: Invitee, organiser: str, group_name: str) -> None:
    org = vCalAddress(f"mailto:{organiser}")
    org.params["cn"] = vText(group_name)
    event.add("organizer", org)
    person = vCalAddress(f"mailto:{invitee.email}")
    person.params["cn"] = vText(invitee.name)
    person.params["role"] = vText("REQ-PARTICIPANT")
    person.params["partstat"] = vText("NEEDS-ACTION")
    person.params["rsvp"] = vText("TRUE")
    event.add("attendee", person)


def request(
    meetings: list[Meeting], *, invitee: Invitee, method: str = "REQUEST", whole_series: bool
) -> bytes:
    """An iTIP REQUEST (or CANCEL) for one person: a whole series as its rule, or single
    meetings (one-offs, or occurrences by their RECURRENCE-ID)."""
    group = meetings[0].group
    cal = _calendar("", method)
    stamp = timezone.now()
    if whole_series:
        series = meetings[0].series
        assert series is not None  # noqa: S101
        cancelled = [m for m in meetings if m.cancelled_at is not None]
        event = _series_event(series, meetings[0], cancelled, stamp)
        _attendee(event, invitee, group.address, group.name)
        cal.add_component(event)
        chosen = [m for m in meetings if m.cancelled_at is None and _differs(m, series)]
    else:
        chosen = meetings
    for meeting in chosen:
        zone_name = meeting.series.time_zone if meeting.series else settings.TIME_ZONE
        event = _meeting_event(meeting, time_zone=zone_name, stamp=stamp)
        if method == "CANCEL":
            event["status"] = vText("CANCELLED")
        _attendee(event, invitee, group.address, group.name)
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


@dataclass(frozen=True)
class Answer:
    """One attendee's answer from a calendar REPLY."""

    uid: str
    occurrence: datetime | None
    email: str
    partstat: str


def answers(data: bytes) -> list[Answer]:
    """The attendees' answers in an iTIP REPLY (empty for anything else); raises
    ``ValueError`` when the calendar cannot be read."""
    cal = Calendar.from_ical(data)
    if str(cal.get("method", "")).upper() != "REPLY":
        return []
    found: list[Answer] = []
    for event in cal.walk("VEVENT"):
        uid = str(event.get("uid", ""))
        rid = event.get("recurrence-id")
        when = rid.dt if rid is not None else None
        attendees = event.get("attendee")
        for attendee in attendees if isinstance(attendees, list) else [attendees]:
            if attendee is None:
                continue
            email = str(attendee).removeprefix("mailto:").removeprefix("MAILTO:").lower()
            partstat = str(attendee.params.get("PARTSTAT", "")).upper()
            found.append(Answer(uid=uid, occurrence=when, email=email, partstat=partstat))
    return found
