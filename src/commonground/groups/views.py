"""Groups' pages: groups and joining, the directory, meetings and registers, members'
work, discussion, a person's notifications and settings, calendar feeds, and the doors
email comes in and goes out by (unsubscribe, the inbound webhook).

Every page works without JavaScript: forms post and come back with a 303."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from commonground import access
from commonground.access import allow
from commonground.accounts.models import Organisation, User
from commonground.accounts.selectors import signed_in_user
from commonground.conversations import selectors as talk
from commonground.conversations import services as talk_services
from commonground.groups import calendars, mailin, recurrence, rules, selectors, services, tokens
from commonground.groups.models import (
    Attendance,
    Group,
    Invitation,
    JoinRequest,
    Mail,
    Meeting,
    Member,
    Mode,
    Topic,
    Work,
    invitation_digest,
)
from commonground.lib.ratelimit import TooMany
from commonground.lib.tabular import csv_bytes
from commonground.lib.text import whole_number
from commonground.lib.views import download, press, see_other


def _member(request: HttpRequest, group: Group) -> Member:
    member = selectors.member_of(request.user, group)
    if member is None:  # the access rule let them in, so they are a member
        raise Http404("No such group, or it is private.")
    return member


def _rules_first(
    request: HttpRequest, group: Group, member: Member, then: str = ""
) -> HttpResponse | None:
    """Members accept the ground rules in force before they take part in the group, and
    are then sent on to ``then`` (by default the page they asked for): every page but
    the rules, the group's settings (where facilitators write them) and leaving."""
    if selectors.has_accepted_rules(member):
        return None
    return see_other(
        reverse("groups:rules", args=[group.slug])
        + "?"
        + urlencode({"next": then or request.get_full_path()})
    )


def _group_context(
    request: HttpRequest, group: Group, member: Member, **more: Any
) -> dict[str, Any]:
    return {
        "group": group,
        "member": member,
        "facilitating": member.is_facilitator,
        **more,
    }


def _error(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


# -- groups ---------------------------------------------------------------------------


@allow(access.SIGNED_IN)
def groups(request: HttpRequest) -> HttpResponse:
    person = signed_in_user(request)
    return render(
        request,
        "groups/groups.html",
        {
            "memberships": selectors.my_memberships(person),
            "listed": selectors.listed_to_join(person)[:50],
            "upcoming": selectors.upcoming_for(person),
            "waiting": JoinRequest.objects.filter(user=person, outcome="").select_related("group"),
        },
    )


@allow(access.SIGNED_IN)
def start(request: HttpRequest) -> HttpResponse:
    form: dict[str, Any] = {"kind": Group.Kind.LEARNING_SET, "visibility": Group.Visibility.PRIVATE}
    problem = ""
    if request.method == "POST":
        form = request.POST.dict()
        try:
            group = services.group_start(
                name=form.get("name", ""),
                by=signed_in_user(request),
                kind=str(form.get("kind"))
                if form.get("kind") in Group.Kind.values
                else Group.Kind.LEARNING_SET,
                purpose=form.get("purpose", "")[:2000],
                ground_rules=form.get("ground_rules", "")[:4000],
                visibility=Group.Visibility.LISTED
                if form.get("visibility") == Group.Visibility.LISTED
                else Group.Visibility.PRIVATE,
                confidential=bool(form.get("confidential")),
            )
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            messages.success(request, f"{group.name} is started. Invite its members next.")
            return see_other(reverse("groups:invite", args=[group.slug]))
    return render(
        request,
        "groups/start.html",
        {
            "form": form,
            "problem": problem,
            "kinds": Group.Kind.choices,
            "visibilities": Group.Visibility.choices,
            "example_rules": EXAMPLE_RULES,
        },
        status=400 if problem else 200,
    )


EXAMPLE_RULES = (
    "What is said about people and places in the set stays in the set.\n"
    "Each of us brings a real piece of work and is honest about how it is going.\n"
    "We listen to understand, ask questions before we offer advice, and let the "
    "presenter decide what to take away.\n"
    "We come to every meeting we can, and send apologies when we cannot."
)


@allow(rules.TAKE_PART, on=Group)
def group(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_group_for_user(request.user, slug)
    member = _member(request, found)
    if (first := _rules_first(request, found, member)) is not None:
        return first
    coming, past = selectors.meetings_of(found)
    return render(
        request,
        "groups/group.html",
        _group_context(
            request,
            found,
            member,
            coming=coming[:3],
            past=past[:3],
            topics=selectors.topics_of(found)[:5],
            work=selectors.work_visible(found, request.user, facilitator=member.is_facilitator)[:8],
            people=found.memberships.select_related("user").order_by("user__name"),
            waiting=found.requests.filter(outcome="").count() if member.is_facilitator else 0,
        ),
    )


@allow(access.SIGNED_IN)
def about(request: HttpRequest, slug: str) -> HttpResponse:
    """A listed group's public face, where people ask to join."""
    found = selectors.get_group_public(request.user, slug)
    person = signed_in_user(request)
    return render(
        request,
        "groups/about.html",
        {
            "group": found,
            "member": selectors.member_of(person, found),
            "asked": found.requests.filter(user=person, outcome="").first(),
            "people": found.memberships.count(),
        },
    )


@require_POST
@allow(access.SIGNED_IN)
def ask(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_group_public(request.user, slug)
    return press(
        request,
        lambda: services.join_ask(
            group=found, user=signed_in_user(request), message=request.POST.get("message", "")
        ),
        done="Your request is sent. You will be told here when the facilitators answer.",
        then=reverse("groups:about", args=[slug]),
    )


@allow(rules.TAKE_PART, on=Group)
def ground_rules(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_group_for_user(request.user, slug)
    member = _member(request, found)
    target = request.GET.get("next") or request.POST.get("next") or ""
    if not target.startswith("/groups/"):
        target = found.get_absolute_url()
    if request.method == "POST":
        if request.POST.get("accept") != "yes":
            messages.error(request, "Tick the box to say you accept the ground rules.")
        else:
            services.rules_accept(member=member)
            messages.success(request, "Thank you. Welcome to the group.")
            return see_other(target)
    return render(request, "groups/rules.html", _group_context(request, found, member, next=target))


@allow(rules.FACILITATE, on=Group)
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_group_for_user(request.user, slug, rules.FACILITATE)
    member = _member(request, found)
    if request.method == "POST":
        name = " ".join(request.POST.get("name", "").split())[:150]
        if not name:
            messages.error(request, "Give the group a name.")
        else:
            services.group_update(
                group=found,
                by=signed_in_user(request),
                name=name,
                kind=request.POST.get("kind")
                if request.POST.get("kind") in Group.Kind.values
                else found.kind,
                purpose=request.POST.get("purpose", "")[:2000].strip(),
                visibility=Group.Visibility.LISTED
                if request.POST.get("visibility") == Group.Visibility.LISTED
                else Group.Visibility.PRIVATE,
                confidential=bool(request.POST.get("confidential")),
                ground_rules=request.POST.get("ground_rules", "")[:4000].strip(),
            )
            messages.success(request, "The group's settings are saved.")
            return see_other(found.get_absolute_url())
    return render(
        request,
        "groups/edit.html",
        _group_context(
            request, found, member, kinds=Group.Kind.choices, visibilities=Group.Visibility.choices
        ),
    )


@allow(rules.TAKE_PART, on=Group)
def members(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_group_for_user(request.user, slug)
    member = _member(request, found)
    if (first := _rules_first(request, found, member)) is not None:
        return first
    if request.method == "POST":
        if not member.is_facilitator:
            raise access.PermissionDenied(rules.FACILITATE.refusal.format(scope=found))
        other = found.memberships.filter(pk=whole_number(request.POST.get("member")) or 0).first()
        if other is None:
            raise Http404("No such member.")
        action = request.POST.get("action")
        if action == "remove":
            return press(
                request,
                lambda: services.member_leave(member=other),
                done=f"{other.user.name} is no longer in the group.",
                then=reverse("groups:members", args=[slug]),
            )
        return press(
            request,
            lambda: services.member_roles(member=other, facilitator=action == "facilitator"),
            done=f"{other.user.name}'s role is saved.",
            then=reverse("groups:members", args=[slug]),
        )
    people = found.memberships.select_related("user").order_by("user__name")
    organisations: dict[int, list[str]] = {}
    for uid, name in Organisation.objects.filter(
        memberships__user__in=[m.user_id for m in people]
    ).values_list("memberships__user_id", "name"):
        organisations.setdefault(uid, []).append(name)
    return render(
        request,
        "groups/members.html",
        _group_context(
            request,
            found,
            member,
            people=[(m, organisations.get(m.user_id, [])) for m in people],
            invitations=found.invitations.filter(accepted_at__isnull=True)[:50]
            if member.is_facilitator
            else [],
            facilitator_count=sum(1 for m in people if m.is_facilitator),
        ),
    )


@allow(rules.FACILITATE, on=Group)
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_group_for_user(request.user, slug, rules.FACILITATE)
    member = _member(request, found)
    if (first := _rules_first(request, found, member)) is not None:
        return first
    if request.method == "POST":
        raw = request.POST.get("emails", "")
        emails = [e for e in raw.replace(",", "\n").replace(";", "\n").split() if e]
        bad = [e for e in emails if "@" not in e or len(e) > 254]
        if not emails or bad:
            messages.error(
                request,
                "Write one email address a line."
                if not emails
                else f"These are not email addresses: {', '.join(bad[:5])}.",
            )
        elif len(emails) > 100:
            messages.error(request, "Invite up to 100 people at a time.")
        else:
            sent = services.invite(group=found, emails=emails, by=signed_in_user(request))
            messages.success(
                request,
                f"Invited {len(sent)} {'person' if len(sent) == 1 else 'people'}."
                if sent
                else "Everyone you named is already in the group or invited.",
            )
            return see_other(reverse("groups:members", args=[slug]))
    return render(request, "groups/invite.html", _group_context(request, found, member))


@allow(access.SIGNED_IN)
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    found = (
        Invitation.objects.select_related("group").filter(digest=invitation_digest(token)).first()
    )
    if found is None:
        raise Http404("This invitation link is not one we sent, or it has been withdrawn.")
    person = signed_in_user(request)
    if request.method == "POST":
        if request.POST.get("accept") != "yes" and found.group.ground_rules:
            messages.error(request, "Tick the box to say you accept the ground rules.")
        else:
            try:
                services.invitation_accept(invitation=found, user=person)
            except ValidationError as exc:
                _error(request, exc)
            else:
                messages.success(request, f"Welcome to {found.group.name}.")
                return see_other(found.group.get_absolute_url())
    return render(
        request,
        "groups/invitation.html",
        {
            "invitation": found,
            "group": found.group,
            "already": selectors.member_of(person, found.group) is not None,
        },
    )


@allow(rules.FACILITATE, on=Group)
def requests(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_group_for_user(request.user, slug, rules.FACILITATE)
    member = _member(request, found)
    if (first := _rules_first(request, found, member)) is not None:
        return first
    if request.method == "POST":
        ask_row = found.requests.filter(
            pk=whole_number(request.POST.get("request")) or 0, outcome=""
        ).first()
        if ask_row is None:
            raise Http404("No such request, or it has been answered.")
        accept = request.POST.get("decision") == "accept"
        services.join_decide(ask=ask_row, accept=accept, by=signed_in_user(request))
        messages.success(
            request, f"{ask_row.user.name} {'is in the group' if accept else 'is told no'}."
        )
        return see_other(reverse("groups:requests", args=[slug]))
    return render(
        request,
        "groups/requests.html",
        _group_context(
            request, found, member, waiting=found.requests.filter(outcome="").select_related("user")
        ),
    )


@require_POST
@allow(rules.TAKE_PART, on=Group)
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_group_for_user(request.user, slug)
    member = _member(request, found)
    try:
        services.member_leave(member=member)
    except ValidationError as exc:
        _error(request, exc)
        return see_other(reverse("groups:members", args=[slug]))
    messages.success(request, f"You have left {found.name}.")
    return see_other(reverse("groups:groups"))


# -- meetings -------------------------------------------------------------------------


def _when(date_text: str, time_text: str) -> datetime:
    """A local date and time from the form's fields, as an aware datetime."""
    try:
        naive = datetime.fromisoformat(f"{date_text.strip()}T{time_text.strip() or '00:00'}")
    except ValueError:
        raise ValidationError("Give the date and the start time.", code="when") from None
    return naive.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))


@allow(rules.TAKE_PART, on=Group)
def meetings(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_group_for_user(request.user, slug)
    member = _member(request, found)
    if (first := _rules_first(request, found, member)) is not None:
        return first
    coming, past = selectors.meetings_of(found)
    prefs = services.preferences_of(signed_in_user(request))
    feed = reverse(
        "groups:calendar",
        args=[
            slug,
            tokens.calendar_token(
                user_id=member.user_id, key=prefs.calendar_key, group_id=found.pk
            ),
        ],
    )
    return render(
        request,
        "groups/meetings.html",
        _group_context(
            request, found, member, coming=coming, past=past, feed=settings.SITE_URL + feed
        ),
    )


@allow(rules.FACILITATE, on=Group)
def meeting_new(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_group_for_user(request.user, slug, rules.FACILITATE)
    member = _member(request, found)
    if (first := _rules_first(request, found, member)) is not None:
        return first
    form: dict[str, Any] = {
        "minutes": "120",
        "mode": Mode.IN_PERSON,
        "repeat": "no",
        "interval": "4",
        "count": "6",
        "time": "18:00",
    }
    problem = ""
    if request.method == "POST":
        form = request.POST.dict()
        try:
            starts = _when(form.get("date", ""), form.get("time", ""))
            repeat = form.get("repeat", "no")
            rule = ""
            if repeat in {"WEEKLY", "MONTHLY"}:
                rule = recurrence.simple_rule(
                    every=repeat,
                    interval=max(1, min(whole_number(form.get("interval")) or 1, 12)),
                    count=max(2, min(whole_number(form.get("count")) or 2, recurrence.MOST)),
                    first=starts,
                )
            elif repeat == "rule":
                rule = form.get("rule", "")
            made = services.meeting_schedule(
                group=found,
                title=form.get("title", ""),
                starts_at=starts,
                minutes=whole_number(form.get("minutes")) or 0,
                mode=form.get("mode", ""),
                venue=form.get("venue", ""),
                join_url=form.get("join_url", ""),
                agenda=form.get("agenda", "")[:4000],
                rule=rule,
            )
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            messages.success(
                request,
                f"{len(made)} meetings scheduled; members are sent calendar invitations."
                if len(made) > 1
                else "The meeting is scheduled; members are sent an invitation.",
            )
            return see_other(made[0].get_absolute_url())
    return render(
        request,
        "groups/meeting_new.html",
        _group_context(request, found, member, form=form, problem=problem, modes=Mode.choices),
        status=400 if problem else 200,
    )


def _meeting(request: HttpRequest, pk: int, rule: access.Rule) -> tuple[Meeting, Member]:
    found = access.get(request.user, Meeting.objects.select_related("group", "series"), rule, pk=pk)
    return found, _member(request, found.group)


@allow(rules.TAKE_PART, on=Meeting)
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    found, member = _meeting(request, pk, rules.TAKE_PART)
    if (first := _rules_first(request, found.group, member)) is not None:
        return first
    visible = selectors.work_visible(found.group, request.user, facilitator=member.is_facilitator)
    updates = found.updates.filter(work__in=visible).select_related("work", "work__owner")
    mine = found.register.filter(user=member.user).first()
    position = (
        found.series.meetings.filter(occurrence__lt=found.occurrence).count() + 1
        if found.series and found.occurrence
        else 0
    )
    return render(
        request,
        "groups/meeting.html",
        _group_context(
            request,
            found.group,
            member,
            meeting=found,
            rota=found.rota.select_related("user"),
            updates=updates,
            my_work=found.group.work.filter(owner=member.user),
            lines=selectors.register_lines(found) if member.is_facilitator else [],
            join_link=found.join_url,
            over=found.ends_at < timezone.now(),
            position=position,
            my_mark=mine.status if mine else "",
            statuses=dict(Attendance.Status.choices),
            modes=dict(Mode.choices),
        ),
    )


@require_POST
@allow(rules.TAKE_PART, on=Meeting)
def apologies(request: HttpRequest, pk: int) -> HttpResponse:
    """A member sends their apologies for a meeting to come, or takes them back."""
    found, member = _meeting(request, pk, rules.TAKE_PART)
    if (first := _rules_first(request, found.group, member, found.get_absolute_url())) is not None:
        return first
    coming = request.POST.get("coming") == "yes"
    if found.ends_at < timezone.now() or found.cancelled_at is not None:
        messages.error(request, "This meeting is over or cancelled.")
    else:
        services.apologies_set(meeting=found, user=member.user, declined=not coming)
        messages.success(
            request, "Your apologies are taken back." if coming else "Your apologies are sent."
        )
    return see_other(found.get_absolute_url())


@allow(rules.FACILITATE, on=Meeting)
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found, member = _meeting(request, pk, rules.FACILITATE)
    group = found.group
    if (first := _rules_first(request, group, member)) is not None:
        return first
    local = timezone.localtime(found.starts_at)
    form: dict[str, Any] = {
        "title": found.title,
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "minutes": str(int((found.ends_at - found.starts_at).total_seconds() // 60)),
        "mode": found.mode,
        "venue": found.venue,
        "join_url": found.join_url,
        "agenda": found.agenda,
        "notes": found.notes,
        "summary": found.summary,
    }
    problem = ""
    if request.method == "POST":
        action = request.POST.get("action", "change")
        if action == "cancel":
            services.meeting_cancel(meeting=found)
            messages.success(request, "The meeting is cancelled; members' calendars are told.")
            return see_other(found.get_absolute_url())
        form = request.POST.dict()
        try:
            if action == "write-up":
                services.meeting_write_up(
                    meeting=found,
                    notes=form.get("notes", "")[:10_000],
                    summary=form.get("summary", "")[:10_000],
                )
            elif action == "rota":
                turns = []
                for line in request.POST.getlist("turn"):
                    uid = whole_number(line)
                    minutes = whole_number(request.POST.get(f"minutes-{line}")) or 20
                    if uid:
                        turns.append((uid, minutes))
                services.rota_save(meeting=found, turns=turns)
            else:
                services.meeting_change(
                    meeting=found,
                    title=form.get("title", ""),
                    starts_at=_when(form.get("date", ""), form.get("time", "")),
                    minutes=whole_number(form.get("minutes")) or 0,
                    mode=form.get("mode", ""),
                    venue=form.get("venue", ""),
                    join_url=form.get("join_url", ""),
                    agenda=form.get("agenda", "")[:4000],
                )
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            messages.success(request, "Saved.")
            return see_other(found.get_absolute_url())
    rota = {s.user_id: s.minutes for s in found.rota.all()}
    return render(
        request,
        "groups/meeting_edit.html",
        _group_context(
            request,
            group,
            member,
            meeting=found,
            form=form,
            problem=problem,
            modes=Mode.choices,
            people=[(m, rota.get(m.user_id)) for m in group.memberships.select_related("user")],
        ),
        status=400 if problem else 200,
    )


@allow(rules.FACILITATE, on=Meeting)
def register(request: HttpRequest, pk: int) -> HttpResponse:
    """The register, made to be filled in on a phone: one row a person, statuses as
    buttons-sized radios, one Save. "Everyone not marked is present" saves a tap each."""
    found, member = _meeting(request, pk, rules.FACILITATE)
    if (first := _rules_first(request, found.group, member)) is not None:
        return first
    if request.method == "POST":
        marks: dict[int, tuple[str, str]] = {}
        everyone = request.POST.get("everyone") == "present"
        for line in selectors.register_lines(found):
            uid = line.user.pk
            status = request.POST.get(f"status-{uid}", "")
            if not status and everyone:
                status = Attendance.Status.PRESENT
            if status:
                marks[uid] = (status, request.POST.get(f"mode-{uid}", ""))
        saved = services.register_save(meeting=found, marks=marks, by=signed_in_user(request))
        messages.success(
            request, f"The register is saved ({saved} {'person' if saved == 1 else 'people'})."
        )
        return see_other(found.get_absolute_url())
    default_mode = Mode.ONLINE if found.mode == Mode.ONLINE else Mode.IN_PERSON
    return render(
        request,
        "groups/register.html",
        _group_context(
            request,
            found.group,
            member,
            meeting=found,
            lines=selectors.register_lines(found),
            statuses=Attendance.Status.choices,
            default_mode=default_mode,
            hybrid=found.mode == Mode.BOTH,
        ),
    )


@allow(rules.FACILITATE, on=Group)
def attendance(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_group_for_user(request.user, slug, rules.FACILITATE)
    member = _member(request, found)
    if (first := _rules_first(request, found, member)) is not None:
        return first
    series_id = whole_number(request.GET.get("series"))
    table = selectors.attendance(found, series_id=series_id)
    return render(
        request,
        "groups/attendance.html",
        _group_context(
            request,
            found,
            member,
            table=table,
            series=found.series.all(),
            chosen=series_id,
            labels=dict(Attendance.Status.choices),
        ),
    )


@allow(rules.FACILITATE, on=Group)
def attendance_csv(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_group_for_user(request.user, slug, rules.FACILITATE)
    if (first := _rules_first(request, found, _member(request, found))) is not None:
        return first
    table = selectors.attendance(found, series_id=whole_number(request.GET.get("series")))
    header = ["meeting", "date", "series", "person", "email", "status", "mode"]
    marks = (
        Attendance.objects.filter(meeting__in=table.meetings)
        .select_related("meeting", "meeting__series", "user")
        .order_by("meeting__starts_at", "user__name")
    )
    rows = [
        (
            a.meeting.title,
            timezone.localtime(a.meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
            a.meeting.series.title if a.meeting.series else "",
            a.user.name,
            a.user.email,
            a.get_status_display(),
            a.get_mode_display() if a.mode else "",
        )
        for a in marks
    ]
    return download(
        csv_bytes(header, rows),
        content_type="text/csv; charset=utf-8",
        filename=f"{found.slug}-attendance.csv",
    )


# -- calendar feeds -------------------------------------------------------------------


def _ics(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@allow(access.ANYONE)
def calendar(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """A member's feed of one group's meetings: the address is the key (calendar
    programs cannot sign in), and it stops working when they leave or renew it."""
    found = Group.objects.filter(slug=slug).first()
    user_id = tokens.calendar_user(token)
    member = (
        found
        and user_id
        and found.memberships.filter(user_id=user_id)
        .select_related("user__group_preferences")
        .first()
    )
    prefs = getattr(member.user, "group_preferences", None) if member else None
    if not (
        member
        and prefs
        and tokens.calendar_ok(
            token,
            user_id=member.user_id,
            key=prefs.calendar_key,
            group_id=found.pk,  # type: ignore[union-attr]
        )
    ):
        raise Http404("No such calendar.")
    # Until they accept the group's ground rules the feed is empty, not gone, so their
    # calendar keeps the subscription and fills again once they do.
    meetings_ = (
        found.meetings.select_related("group", "series")  # type: ignore[union-attr]
        if selectors.has_accepted_rules(member)
        else Meeting.objects.none()
    )
    return _ics(calendars.feed(meetings_, name=found.name), found.slug)  # type: ignore[union-attr]


@allow(access.ANYONE)
def my_calendar(request: HttpRequest, token: str) -> HttpResponse:
    user_id = tokens.calendar_user(token)
    person = (
        User.objects.filter(pk=user_id or 0, is_active=True)
        .select_related("group_preferences")
        .first()
    )
    prefs = getattr(person, "group_preferences", None) if person else None
    if not (
        person and prefs and tokens.calendar_ok(token, user_id=person.pk, key=prefs.calendar_key)
    ):
        raise Http404("No such calendar.")
    return _ics(
        calendars.feed(selectors.calendar_meetings(person), name=f"{person.name}: group meetings"),
        "my-meetings",
    )


# -- members' work ----------------------------------------------------------------------


@allow(rules.TAKE_PART, on=Group)
def works(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_group_for_user(request.user, slug)
    member = _member(request, found)
    if (first := _rules_first(request, found, member)) is not None:
        return first
    problem = ""
    if request.method == "POST":
        try:
            made = services.work_add(
                member=member,
                title=request.POST.get("title", ""),
                hope=request.POST.get("hope", "")[:4000],
                visibility=request.POST.get("visibility", ""),
            )
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            messages.success(request, "Your piece of work is added.")
            return see_other(made.get_absolute_url())
    return render(
        request,
        "groups/works.html",
        _group_context(
            request,
            found,
            member,
            problem=problem,
            visibilities=Work.Visibility.choices,
            work=selectors.work_visible(found, request.user, facilitator=member.is_facilitator),
        ),
        status=400 if problem else 200,
    )


@allow(rules.TAKE_PART, on=Work)
def work(request: HttpRequest, pk: int) -> HttpResponse:
    found = access.get(
        request.user, Work.objects.select_related("group", "owner"), rules.TAKE_PART, pk=pk
    )
    member = _member(request, found.group)
    if not selectors.may_see_work(found, request.user, member):
        raise Http404("No such piece of work, or it is private.")
    if (first := _rules_first(request, found.group, member)) is not None:
        return first
    mine = found.owner_id == member.user_id
    # Whoever may see the work may note progress on it (the note keeps who wrote it):
    # in a set, someone often takes the notes for the presenter.
    writes = True
    problem = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "change" and mine:
                services.work_change(
                    work=found,
                    title=request.POST.get("title", ""),
                    hope=request.POST.get("hope", "")[:4000],
                    visibility=request.POST.get("visibility", ""),
                )
            else:
                at = found.group.meetings.filter(
                    pk=whole_number(request.POST.get("meeting")) or 0
                ).first()
                services.work_update_add(
                    work=found,
                    progress=request.POST.get("progress", "")[:4000],
                    actions=request.POST.get("actions", "")[:2000],
                    by=signed_in_user(request),
                    meeting=at,
                )
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            messages.success(request, "Saved.")
            return see_other(found.get_absolute_url())
    now = timezone.now()
    return render(
        request,
        "groups/work.html",
        _group_context(
            request,
            found.group,
            member,
            work=found,
            mine=mine,
            writes=writes,
            problem=problem,
            updates=found.updates.select_related("meeting", "written_by"),
            visibilities=Work.Visibility.choices,
            recent=found.group.meetings.filter(
                starts_at__lte=now + timedelta(days=1), cancelled_at__isnull=True
            ).order_by("-starts_at")[:6],
        ),
        status=400 if problem else 200,
    )


# -- discussion -----------------------------------------------------------------------


@allow(rules.TAKE_PART, on=Group)
def topics(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_group_for_user(request.user, slug)
    member = _member(request, found)
    if (first := _rules_first(request, found, member)) is not None:
        return first
    problem = ""
    form = {"title": "", "body": ""}
    if request.method == "POST":
        form = {"title": request.POST.get("title", ""), "body": request.POST.get("body", "")}
        try:
            post = services.topic_start(
                group=found, author=signed_in_user(request), title=form["title"], body=form["body"]
            )
        except TooMany as exc:
            return render(
                request,
                "groups/topics.html",
                _group_context(
                    request,
                    found,
                    member,
                    topics=selectors.topics_of(found),
                    form=form,
                    problem=" ".join(exc.messages),
                ),
                status=429,
            )
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            messages.success(request, "Your thread is started.")
            return see_other(post.thread.topic.get_absolute_url())
    return render(
        request,
        "groups/topics.html",
        _group_context(
            request, found, member, topics=selectors.topics_of(found), form=form, problem=problem
        ),
        status=400 if problem else 200,
    )


def _topic(request: HttpRequest, pk: int) -> tuple[Topic, Member]:
    found = access.get(
        request.user, Topic.objects.select_related("group", "thread"), rules.TAKE_PART, pk=pk
    )
    return found, _member(request, found.group)


@allow(rules.TAKE_PART, on=Topic)
def topic(
    request: HttpRequest, pk: int, draft: str = "", problem: str = "", status: int = 200
) -> HttpResponse:
    found, member = _topic(request, pk)
    if (first := _rules_first(request, found.group, member)) is not None:
        return first
    return render(
        request,
        "groups/topic.html",
        _group_context(
            request,
            found.group,
            member,
            topic=found,
            thread=found.thread,
            posts=talk.posts_of(found.thread, moderator=member.is_facilitator),
            draft=draft,
            problem=problem,
            replying_to=found.thread.posts.select_related("author")
            .filter(pk=whole_number(request.GET.get("reply_to")) or 0)
            .first(),
            reply_address=tokens.reply_address(topic_id=found.pk, user_id=member.user_id),
        ),
        status=status,
    )


@require_POST
@allow(rules.TAKE_PART, on=Topic)
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    found, member = _topic(request, pk)
    if (first := _rules_first(request, found.group, member, found.get_absolute_url())) is not None:
        return first
    body = request.POST.get("body", "")
    parent = found.thread.posts.filter(pk=whole_number(request.POST.get("parent")) or 0).first()
    try:
        post = services.topic_reply(
            topic=found, author=signed_in_user(request), body=body, parent=parent
        )
    except TooMany as exc:
        return topic(request, pk, draft=body, problem=" ".join(exc.messages), status=429)
    except ValidationError as exc:
        return topic(request, pk, draft=body, problem=" ".join(exc.messages), status=400)
    messages.success(request, "Your reply is posted.")
    return see_other(f"{found.get_absolute_url()}#post-{post.pk}")


@require_POST
@allow(rules.TAKE_PART, on=Topic)
def moderate(request: HttpRequest, pk: int, post: int) -> HttpResponse:
    """Members report a post; facilitators hide or restore it, or close the thread."""
    found, member = _topic(request, pk)
    if (first := _rules_first(request, found.group, member, found.get_absolute_url())) is not None:
        return first
    target = found.thread.posts.filter(pk=post).first()
    if target is None:
        raise Http404("No such post.")
    action = request.POST.get("action", "")
    person = signed_in_user(request)
    back = f"{found.get_absolute_url()}#post-{target.pk}"
    if action == "report":
        talk_services.post_report(
            post=target, reporter=person, reason=request.POST.get("reason", "")
        )
        services.notify(
            users=selectors.facilitators(found.group),
            group=found.group,
            text=f"A post in “{found.thread.title}” was reported",
            url=back,
        )
        messages.success(request, "Thank you: the facilitators will look at it.")
        return see_other(back)
    if not member.is_facilitator:
        raise access.PermissionDenied(rules.FACILITATE.refusal.format(scope=found.group))
    if action == "hide":
        services.post_hide(post=target, by=person, reason=request.POST.get("reason", ""))
        messages.success(request, "The post is hidden.")
    elif action == "restore":
        services.post_restore(post=target)
        messages.success(request, "The post is shown again.")
    elif action in {"close", "open"}:
        services.thread_close(topic=found, closed=action == "close")
        messages.success(
            request, "The thread is closed." if action == "close" else "The thread is open again."
        )
    return see_other(back)


# -- people: the directory, notifications and settings ----------------------------------


@allow(access.SIGNED_IN)
def directory(request: HttpRequest) -> HttpResponse:
    person = signed_in_user(request)
    sector = request.GET.get("sector", "")
    sector = sector if sector in Organisation.Kind.values else ""
    region = request.GET.get("region", "")[:80].strip()
    interest = request.GET.get("interest", "")[:80].strip()
    return render(
        request,
        "groups/directory.html",
        {
            "people": selectors.directory(sector=sector, region=region, interest=interest)[:200],
            "sectors": Organisation.Kind.choices,
            "regions": selectors.regions(),
            "sector": sector,
            "region": region,
            "interest": interest,
            "mine": getattr(person, "listing", None),
        },
    )


@allow(access.SIGNED_IN)
def listing(request: HttpRequest) -> HttpResponse:
    person = signed_in_user(request)
    mine = getattr(person, "listing", None)
    problem = ""
    if request.method == "POST":
        try:
            services.listing_save(
                user=person,
                listed=request.POST.get("listed") == "yes",
                sector=request.POST.get("sector", ""),
                region=request.POST.get("region", ""),
                interests=request.POST.get("interests", ""),
            )
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            messages.success(request, "Your directory entry is saved.")
            return see_other(reverse("groups:directory"))
    return render(
        request,
        "groups/listing.html",
        {"mine": mine, "sectors": Organisation.Kind.choices, "problem": problem},
        status=400 if problem else 200,
    )


@allow(access.SIGNED_IN)
def notifications(request: HttpRequest) -> HttpResponse:
    person = signed_in_user(request)
    if request.method == "POST":
        services.notifications_read(user=person)
        return see_other(reverse("groups:notifications"))
    return render(
        request,
        "groups/notifications.html",
        {"notifications": person.notifications.select_related("group")[:100]},
    )


@allow(access.SIGNED_IN)
def preferences(request: HttpRequest) -> HttpResponse:
    """A person's settings for everything Groups tells them, on one page."""
    person = signed_in_user(request)
    prefs = services.preferences_of(person)
    mine = list(Member.objects.filter(user=person).select_related("group"))
    if request.method == "POST":
        if request.POST.get("action") == "renew":
            services.calendar_key_renew(user=person)
            messages.success(
                request, "Your calendar addresses are new; the old ones no longer work."
            )
            return see_other(reverse("groups:settings"))
        try:
            services.preferences_save(
                user=person,
                mail=request.POST.get("mail", ""),
                invitations=request.POST.get("invitations") == "yes",
                per_group={m.group_id: request.POST.get(f"group-{m.group_id}", "") for m in mine},
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, "Your settings are saved.")
            return see_other(reverse("groups:settings"))
    feed = settings.SITE_URL + reverse(
        "groups:my_calendar",
        args=[tokens.calendar_token(user_id=person.pk, key=prefs.calendar_key)],
    )
    return render(
        request,
        "groups/settings.html",
        {"prefs": prefs, "memberships": mine, "choices": Mail.choices, "feed": feed},
    )


# -- the doors email comes in and goes out by -------------------------------------------


@csrf_exempt
@allow(access.ANYONE)
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """RFC 8058: a mail program POSTs here (``List-Unsubscribe=One-Click``) with no
    sign-in and no cookie, so this needs neither; a person following the link gets a
    page with one button."""
    member_id = tokens.unsubscribe_read(token)
    member = Member.objects.select_related("group").filter(pk=member_id or 0).first()
    if member is None:
        raise Http404("This unsubscribe link is not one we sent, or you have left the group.")
    done = False
    if request.method == "POST":
        services.unsubscribe(member=member)
        done = True
    return render(request, "groups/unsubscribe.html", {"member": member, "done": done})


@csrf_exempt
@require_POST
@allow(access.ANYONE)
def inbound(request: HttpRequest) -> HttpResponse:
    """Mail from a provider's inbound webhook: the raw message as the body
    (``message/rfc822``) or as the form field ``email`` or ``body-mime``, with the
    recipients in ``to`` (else the message's own To and Cc). The provider proves itself
    with ``Authorization: Bearer <MAIL_INBOUND_SECRET>``."""
    secret = settings.MAIL_INBOUND_SECRET
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not secret or not constant_time_compare(given, secret):
        return HttpResponse("Unknown sender of mail.\n", status=401, content_type="text/plain")
    if (whole_number(request.headers.get("Content-Length")) or 0) > settings.MAIL_IN_MAX_BYTES:
        return HttpResponse("The email is too large.\n", status=413, content_type="text/plain")
    content_type = request.content_type or ""
    if content_type.startswith("multipart/") or content_type == "application/x-www-form-urlencoded":
        upload = request.FILES.get("email")
        raw = (
            upload.read()
            if upload
            else (request.POST.get("email") or request.POST.get("body-mime") or "").encode()
        )
        named = request.POST.get("to", "")
    else:
        raw, named = request.body, request.GET.get("to", "")
    if not raw.strip():
        return HttpResponse("No email in the request.\n", status=400, content_type="text/plain")
    recipients = [r.strip() for r in named.split(",") if r.strip()] or mailin.addressees(raw)
    outcomes = mailin.receive(raw, recipients=recipients)
    lines = [
        f"{o.recipient}: {o.outcome}{' (' + o.reason + ')' if o.reason else ''}" for o in outcomes
    ]
    return HttpResponse(
        "\n".join(lines or ["No recipient here."]) + "\n", content_type="text/plain"
    )
