"""Repeating meetings: read and check an RFC 5545 recurrence rule, and list where it puts
each meeting. Pure: no database, only ``dateutil``'s reading of the rule."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr

# A group meets at most twice a week for two years: more is a mistake in the rule.
MOST = 104
FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_PART = re.compile(r"^[A-Z]+=[A-Z0-9,+\-]+$")


class RuleError(ValueError):
    """A rule that cannot be used, with a sentence saying why."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RuleError(f"“{name}” is not a time zone this server knows.") from None


def occurrences(rule: str, first_start: datetime, time_zone: str) -> list[datetime]:
    """Where ``rule`` puts each meeting, in ``time_zone``'s wall-clock time (6pm stays 6pm
    when the clocks change), as aware datetimes.

    The rule must end (``COUNT`` or ``UNTIL``) within ``MOST`` meetings; raises
    ``RuleError`` otherwise or when it cannot be read."""
    if first_start.tzinfo is None:
        raise RuleError("The first meeting's time needs a time zone.")
    text = rule.strip().upper().removeprefix("RRULE:")
    parts = [p for p in text.split(";") if p]
    if not parts or not all(_PART.match(p) for p in parts):
        raise RuleError("Write the rule as iCalendar does, e.g. FREQ=WEEKLY;INTERVAL=2;COUNT=6.")
    keys = dict(p.split("=", 1) for p in parts)
    if keys.get("FREQ") not in FREQUENCIES:
        raise RuleError("A group meets daily, weekly, monthly or yearly (FREQ=…).")
    if "COUNT" not in keys and "UNTIL" not in keys:
        raise RuleError("Say when the meetings end: a number of meetings or a last date.")
    start = first_start.astimezone(zone(time_zone))
    if "UNTIL" in keys and not keys["UNTIL"].endswith("Z"):
        # RFC 5545: with a zoned DTSTART, UNTIL is given in UTC.
        raise RuleError("Give UNTIL in UTC, ending in Z (e.g. UNTIL=20270630T235959Z).")
    try:
        found = rrulestr(text, dtstart=start)
        listed: list[datetime] = []
        for when in found:
            listed.append(when)
            if len(listed) > MOST:
                raise RuleError(f"The rule makes more than {MOST} meetings; end it sooner.")
    except (ValueError, TypeError) as exc:
        if isinstance(exc, RuleError):
            raise
        raise RuleError(f"The rule cannot be read: {exc}.") from None
    if not listed:
        raise RuleError("The rule makes no meetings.")
    return listed


def simple_rule(*, every: str, interval: int, count: int, first: datetime | None = None) -> str:
    """The rule for the scheduling form's choices: every ``interval`` weeks or months,
    ``count`` times. Monthly with ``first`` keeps its weekday: the second Tuesday, say."""
    rule = f"FREQ={every};INTERVAL={interval};COUNT={count}"
    if every == "MONTHLY" and first is not None:
        day = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[first.weekday()]
        rule += f";BYDAY={(first.day - 1) // 7 + 1}{day}"
    return rule
