"""Pages that belong to the site as a whole rather than to one part."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from commonground import access, parts

# A visit ends after this long without opening the home page; what arrived after the
# last visit is what the home page calls new.
VISIT_GAP = timedelta(hours=1)
# On a first visit from this browser, "new" means from the last week.
FIRST_VISIT_LOOKBACK = timedelta(days=7)


@access.allow(access.ANYONE)
def home(request: HttpRequest) -> HttpResponse:
    """What Common Ground is for and the way into each part; for a signed-in person,
    what is theirs in each part and what is new since their last visit."""
    now = timezone.now()
    last = last_visit(request) if request.user.is_authenticated else now
    since = last or now - FIRST_VISIT_LOOKBACK
    panels = parts.home_panels(request, since=since)
    return render(
        request, "home.html", {"panels": panels, "since": since, "first_visit": last is None}
    )


def last_visit(request: HttpRequest) -> datetime | None:
    """When the person's previous visit from this browser ended (``None`` if this is
    their first), kept in the session.

    Reloading the page during a visit keeps the same answer, so what was new stays
    marked new until the person has been away for ``VISIT_GAP``.
    """
    now = timezone.now()
    session = request.session
    seen = _moment(session.get("home_seen"))
    since = _moment(session.get("home_since"))
    if seen is not None and now - seen > VISIT_GAP:
        since = seen
    elif seen is not None and now - seen < timedelta(minutes=1):
        return since  # the same visit, just now: no need to save the session again
    session["home_seen"] = now.isoformat()
    session["home_since"] = since.isoformat() if since else ""
    return since


def _moment(value: object) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None


@access.allow(access.ANYONE)
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html")


@access.allow(access.ANYONE)
def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitors: 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok\n", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Shown when a form arrives without a valid CSRF token (stale page or forged post)."""
    return render(request, "errors/csrf.html", status=403)
