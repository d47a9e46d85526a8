"""A work plan as a file to take away: CSV, iCalendar, JSON, or a PDF with the compass,
the table of medians and the actions."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from typing import Any

import icalendar
from django.template.loader import render_to_string
from django.utils import timezone

from commonground.frameworks import selectors
from commonground.frameworks.models import Action, Round
from commonground.lib.pdf import html_to_pdf
from commonground.lib.tabular import csv_bytes

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "ics": "text/calendar; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
}
COLUMNS = (
    "title", "status", "owner", "starts_on", "due_on", "success", "statements", "from_round",
    "evaluate_activity", "link",
)  # fmt: skip


def plan(round_: Round, fmt: str, *, site: str) -> tuple[bytes, str]:
    """The work plan the round belongs to, as ``fmt``; ``site`` is the address links start
    with (``https://example.org``). Raises ``PdfUnavailable`` where PDFs cannot be made."""
    actions = selectors.plan(round_)
    texts = {
        s.lineage: s.text for s in round_.version.statements.all()
    }  # the words of the round's version
    name = f"work-plan-{round_.organisation.slug}-{round_.version.framework.slug}.{fmt}"
    rows = [_row(a, texts, site) for a in actions]
    if fmt == "csv":
        return csv_bytes(COLUMNS, [[r[c] for c in COLUMNS] for r in rows]), name
    if fmt == "json":
        for row, action in zip(rows, actions, strict=True):
            row["updates"] = [
                {"at": u.written_at.isoformat(), "status": u.status, "text": u.text}
                for u in action.updates.all()
            ]
        data = {"organisation": round_.organisation.name, "framework": round_.version.title}
        return json.dumps({**data, "actions": rows}, ensure_ascii=False, indent=2).encode(), name
    if fmt == "ics":
        return _calendar(round_, actions, site), name
    return _pdf(round_, actions, texts, site), name


def _row(action: Action, texts: dict[str, str], site: str) -> dict[str, Any]:
    return {
        "title": action.title,
        "status": action.get_status_display(),
        "owner": action.owner,
        "starts_on": action.starts_on.isoformat() if action.starts_on else "",
        "due_on": action.due_on.isoformat() if action.due_on else "",
        "success": action.success,
        "statements": "; ".join(texts.get(k, k) for k in action.lineages),
        "from_round": action.round.title if action.round else "",
        "evaluate_activity": action.activity.title if action.activity else "",
        "link": site + action.get_absolute_url(),
    }


def _calendar(round_: Round, actions: list[Action], site: str) -> bytes:
    """Each dated action as an all-day event on its due date, linking back to it."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Common Ground//Frameworks work plan//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{round_.organisation.name}: work plan")
    host = site.split("//", 1)[-1]
    stamp = timezone.now()
    for action in actions:
        if action.due_on is None:
            continue
        event = icalendar.Event()
        event.add("uid", f"frameworks-action-{action.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", action.due_on)
        event.add("dtend", action.due_on + timedelta(days=1))
        event.add("summary", f"Due: {action.title}")
        link = site + action.get_absolute_url()
        said = [action.success, f"Owner: {action.owner}" if action.owner else "", link]
        event.add("description", "\n\n".join(p for p in said if p))
        event.add("url", link)
        event.add("status", "CANCELLED" if action.status == Action.Status.STOPPED else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()


def _pdf(round_: Round, actions: list[Action], texts: dict[str, str], site: str) -> bytes:
    found = selectors.results(round_) if round_.revealed_at else None
    picture = ""
    rows: list[Any] = []
    titles: list[str] = []
    if found is not None:
        drawn, titles, rows = selectors.compass(round_, found)
        first, last = round_.version.points[0], round_.version.points[-1]
        svg = render_to_string(
            "frameworks/includes/compass.html",
            {"compass": drawn, "low_label": first["label"], "high_label": last["label"]},
        )
        match = re.search(r"<svg viewBox.*?</svg>", svg, re.S)
        if match:
            body = match.group(0).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
            picture = "data:image/svg+xml;base64," + base64.b64encode(body.encode()).decode()
    html = render_to_string(
        "frameworks/plan_pdf.html",
        {
            "round": round_,
            "actions": actions,
            "texts": texts,
            "picture": picture,
            "compass": drawn if found is not None else None,
            "titles": titles,
            "rows": rows,
            "made_on": timezone.localdate(),
            "site": site,
        },
    )
    return html_to_pdf(html, base_url=site + "/")
