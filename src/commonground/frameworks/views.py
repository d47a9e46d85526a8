"""Frameworks' pages: the frameworks and their files, and self-assessment rounds."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from commonground import access
from commonground.access import allow
from commonground.accounts.models import Organisation, User
from commonground.accounts.selectors import signed_in_user
from commonground.frameworks import agreement, exports, rules, selectors, services
from commonground.frameworks.content import FrameworkError, read_bytes, schema
from commonground.frameworks.models import (
    Action,
    Engagement,
    FrameworkVersion,
    Rater,
    Round,
    Team,
)
from commonground.lib import ratelimit
from commonground.lib.pdf import PdfUnavailable
from commonground.lib.qr import qr_svg
from commonground.lib.text import whole_number
from commonground.lib.views import download, see_other, wants_json

MAX_UPLOAD = 300_000
# Opening a room's code: plenty for people typing it, too few to guess one among 31^6.
CODE_TRIES = "60/10m"


@allow(access.ANYONE)
def frameworks(request: HttpRequest) -> HttpResponse:
    person = request.user
    return render(
        request,
        "frameworks/frameworks.html",
        {
            "frameworks": selectors.frameworks_listed(),
            "organisations": access.scopes_where(person, rules.TAKE_PART, Organisation),
            "rounds": selectors.rounds_for_user(person)[:20],
            "can_run": selectors.organisations_to_run(person).exists(),
            "can_load": access.may(person, rules.LOAD),
        },
    )


@allow(access.ANYONE)
def framework(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_framework(slug)
    version = selectors.latest(found)
    return render(
        request,
        "frameworks/framework.html",
        {
            "framework": found,
            "version": version,
            "dimensions": selectors.dimensions(version),
            "versions": found.versions.order_by("-version"),
            "rounds": selectors.rounds_for_user(request.user).filter(version__framework=found),
            "can_run": selectors.organisations_to_run(request.user).exists(),
        },
    )


@allow(access.ANYONE)
def framework_file(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A published version exactly as it was loaded."""
    version = selectors.get_version(selectors.get_framework(slug), number)
    return download(
        version.source.encode(),
        content_type="application/yaml; charset=utf-8",
        filename=f"{slug}-v{number}.yaml",
    )


@allow(access.ANYONE)
def schema_file(request: HttpRequest) -> HttpResponse:
    import json

    response = HttpResponse(
        json.dumps(schema(), indent=2, ensure_ascii=False),
        content_type="application/schema+json; charset=utf-8",
    )
    return response


@allow(rules.LOAD)
def upload(request: HttpRequest) -> HttpResponse:
    """Add a framework, or a new version of one, from its file (site admins)."""
    problems: list[str] = []
    if request.method == "POST":
        given = request.FILES.get("file")
        if given is None:
            problems = ["Choose a framework file (.yaml) to upload."]
        elif given.size is None or given.size > MAX_UPLOAD:
            problems = [f"The file is larger than {MAX_UPLOAD // 1000} kB."]
        else:
            try:
                spec = read_bytes(given.name or "upload.yaml", given.read(MAX_UPLOAD + 1))
                loaded = services.framework_load(spec, by=signed_in_user(request))
            except FrameworkError as exc:
                problems = exc.problems
            else:
                messages.success(request, str(loaded))
                return see_other(reverse("frameworks:framework", args=[spec.key]))
    return render(
        request,
        "frameworks/upload.html",
        {"problems": problems, "max_kb": MAX_UPLOAD // 1000},
        status=400 if problems else 200,
    )


# -- rounds ------------------------------------------------------------------------------


class RoundForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        error_messages={"required": "Choose the organisation whose members rate."},
        help_text="Its members rate. A partnership of several organisations is one "
        "organisation in Common Ground, with members from each.",
    )
    version = forms.ModelChoiceField(
        queryset=FrameworkVersion.objects.none(), label="Framework", empty_label=None
    )
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="Such as “Spring 2027 review”. Left empty, it is named after the "
        "framework and the month.",
    )
    closes_at = forms.DateTimeField(
        required=False,
        label="Closes",
        help_text="Optional. Ratings can be changed until then; you can also close it by hand.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    named = forms.BooleanField(
        required=False,
        label="Show who gave each rating",
        help_text="Left unticked, ratings are shown without names (the default).",
    )

    def __init__(self, *args: Any, person: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organisation"]
        field.queryset = selectors.organisations_to_run(person)
        if len(field.queryset) == 1:
            field.empty_label = None
        latest = [selectors.latest(f).pk for f in selectors.frameworks() if f.versions.exists()]
        version: Any = self.fields["version"]
        version.queryset = FrameworkVersion.objects.filter(pk__in=latest).order_by("title")


@allow(access.SIGNED_IN)
def round_open(request: HttpRequest) -> HttpResponse:
    person = signed_in_user(request)
    form = RoundForm(request.POST or None, person=person)
    if not request.POST and "framework" in request.GET:
        chosen = selectors.frameworks().filter(slug=request.GET["framework"]).first()
        if chosen is not None:
            form.initial["version"] = selectors.latest(chosen).pk
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.round_open(
                organisation=data["organisation"],
                version=data["version"],
                title=data["title"],
                closes_at=data["closes_at"],
                anonymous=not data["named"],
                by=person,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Round opened. Send its address to the members who rate.")
            return see_other(made.get_absolute_url())
    return render(
        request,
        "frameworks/round_open.html",
        {"form": form, "can_run": form.fields["organisation"].queryset.exists()},  # type: ignore[attr-defined]
        status=400 if form.errors else 200,
    )


@allow(rules.TAKE_PART, on=Round)
def round_page(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_round_for_user(user=request.user, pk=pk)
    runs = access.may(request.user, rules.RUN, found.organisation)
    joined, complete = selectors.progress(found)
    shown = selectors.results(found) if found.revealed_at else None
    compass = selectors.compass(found, shown) if shown is not None else None
    return render(
        request,
        "frameworks/round.html",
        {
            "round": found,
            "runs": runs,
            "joined": joined,
            "complete": complete,
            "results": shown,
            "compass": compass,
            # A link once used is not shown again: in an anonymous round, not even the
            # facilitator opens a partner's ratings.
            "links": found.raters.filter(person__isnull=True, ratings__isnull=True).distinct()
            if runs
            else (),
            "mine": found.raters.filter(person=request.user.pk).first(),
            "formula": agreement.FORMULA,
            "formula_dimension": agreement.FORMULA_DIMENSION,
        },
    )


@allow(rules.TAKE_PART, on=Round)
def round_change(request: HttpRequest, pk: int) -> HttpResponse:
    """How each statement's ratings moved from round to round."""
    found = selectors.get_round_for_user(user=request.user, pk=pk)
    return render(
        request,
        "frameworks/change.html",
        {"round": found, "change": selectors.change(found)},
    )


def _given(request: HttpRequest, version: FrameworkVersion) -> list[services.Given]:
    given = []
    for s in selectors.statements_of(version):
        raw = request.POST.get(f"rate-{s.key}", "")
        evidence = request.POST.get(f"evidence-{s.key}", "")
        value = whole_number(raw)
        given.append(services.Given(s, value, dont_know=raw == "dont-know", evidence=evidence))
    return given


def _rating_page(request: HttpRequest, rater: Rater, *, action: str) -> HttpResponse:
    found = rater.round
    problems: list[str] = []
    if request.method == "POST":
        try:
            saved = services.ratings_save(rater=rater, given=_given(request, found.version))
        except ValidationError as exc:
            problems = exc.messages
            if wants_json(request):
                return JsonResponse({"message": " ".join(problems)}, status=400)
        else:
            if wants_json(request):  # the page's script, saving each rating as it is given
                return JsonResponse({"saved": saved, "said": _rated_said(rater)})
            messages.success(request, f"Saved: {saved} rating{'s' if saved != 1 else ''}.")
            return see_other(action)
    ratings = selectors.own_ratings(rater)
    dimensions = selectors.dimensions(found.version)
    for d in dimensions:
        for s in d.listed:  # type: ignore[attr-defined]
            s.mine = ratings.get(s.pk)
    return render(
        request,
        "frameworks/rate.html",
        {
            "round": found,
            "rater": rater,
            "dimensions": dimensions,
            "points": found.version.points,
            "action": action,
            "problems": problems,
            "rated_said": _rated_said(rater, ratings),
        },
        status=400 if problems else 200,
    )


def _rated_said(rater: Rater, ratings: dict[int, Any] | None = None) -> str:
    found = selectors.own_ratings(rater) if ratings is None else ratings
    rated = sum(1 for r in found.values() if r.rated)
    total = len(selectors.statements_of(rater.round.version))
    return f"You have rated {rated} of {total} statements."


@allow(rules.TAKE_PART, on=Round)
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_round_for_user(user=request.user, pk=pk)
    person = signed_in_user(request)
    if not found.is_open:
        closed = "This round has closed; its ratings can no longer change."
        if wants_json(request):
            return JsonResponse({"message": closed}, status=410)
        messages.info(request, closed)
        return see_other(found.get_absolute_url())
    # A member becomes a rater with their first save, not by opening the page.
    rater = found.raters.filter(person=person).first()
    if rater is None:
        rater = (
            services.rater_join(round=found, person=person)
            if request.method == "POST"
            else Rater(round=found, person=person, name=person.name)
        )
    return _rating_page(request, rater, action=reverse("frameworks:rate", args=[pk]))


@allow(access.ANYONE)
def rate_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """A partner without an account rates here, by the link the facilitator sent."""
    rater = selectors.rater_by_token(token)
    if not rater.round.is_open:
        if wants_json(request):
            return JsonResponse({"message": "This round has closed."}, status=410)
        return render(request, "frameworks/closed.html", {"round": rater.round}, status=410)
    return _rating_page(request, rater, action=reverse("frameworks:rate_by_link", args=[token]))


@require_POST
@allow(rules.RUN, on=Round)
def round_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_round_for_user(user=request.user, pk=pk, rule=rules.RUN)
    services.round_reveal(round=found)
    messages.success(request, "Everyone's ratings are now shown to the round's members.")
    return see_other(found.get_absolute_url() + "#results")


@require_POST
@allow(rules.RUN, on=Round)
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_round_for_user(user=request.user, pk=pk, rule=rules.RUN)
    services.round_close(round=found)
    messages.success(request, "Round closed: ratings can no longer change.")
    return see_other(found.get_absolute_url())


@require_POST
@allow(rules.RUN, on=Round)
def rater_invite(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_round_for_user(user=request.user, pk=pk, rule=rules.RUN)
    try:
        made = services.rater_invite(
            round=found,
            name=request.POST.get("name", ""),
            role=request.POST.get("role", ""),
            organisation=request.POST.get("organisation", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"A rating link for {made.name} is listed below: send it.")
    return see_other(found.get_absolute_url() + "#links")


@require_POST
@allow(rules.RUN, on=Round)
def agree(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    found = selectors.get_round_for_user(user=request.user, pk=pk, rule=rules.RUN)
    statement = found.version.statements.filter(key=key).first()
    if statement is None:
        messages.error(request, "That statement is not in this round's framework.")
        return see_other(found.get_absolute_url())
    raw = request.POST.get("value", "")
    try:
        services.agreed_record(
            round=found,
            statement=statement,
            value=whole_number(raw),
            reason=request.POST.get("reason", ""),
            by=signed_in_user(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Agreed rating recorded.")
    return see_other(f"{found.get_absolute_url()}#s-{statement.key}")


# -- the work plan -----------------------------------------------------------------------


@allow(rules.TAKE_PART, on=Round)
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The organisation's work plan on this framework and, for its facilitators, actions
    drafted from this round's weakest and most contested statements."""
    found = selectors.get_round_for_user(user=request.user, pk=pk)
    runs = access.may(request.user, rules.RUN, found.organisation)
    shown = selectors.results(found) if found.revealed_at else None
    return render(
        request,
        "frameworks/plan.html",
        {
            "round": found,
            "runs": runs,
            "actions": selectors.plan(found),
            "statements": selectors.statements_by_lineage(found),
            "drafts": selectors.drafts(shown) if shown is not None and runs else [],
            "formats": exports.FORMATS,
        },
    )


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@require_POST
@allow(rules.RUN, on=Round)
def plan_keep(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_round_for_user(user=request.user, pk=pk, rule=rules.RUN)
    kept = [
        services.Kept(
            lineage=lineage,
            title=request.POST.get(f"title-{lineage}", ""),
            success=request.POST.get(f"success-{lineage}", ""),
            owner=request.POST.get(f"owner-{lineage}", ""),
            starts_on=_date(request.POST.get(f"starts-{lineage}", "")),
            due_on=_date(request.POST.get(f"due-{lineage}", "")),
        )
        for lineage in request.POST.getlist("keep")
    ]
    if not kept:
        messages.error(request, "Tick “Keep” beside the actions to add to the plan.")
        return see_other(reverse("frameworks:plan", args=[pk]) + "#drafts")
    try:
        made = services.plan_keep(round=found, kept=kept, by=signed_in_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return see_other(reverse("frameworks:plan", args=[pk]) + "#drafts")
    messages.success(request, f"{len(made)} action{'s' if len(made) != 1 else ''} added.")
    return see_other(reverse("frameworks:plan", args=[pk]))


@allow(rules.TAKE_PART, on=Round)
def plan_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    found = selectors.get_round_for_user(user=request.user, pk=pk)
    if fmt not in exports.FORMATS:
        raise Http404("No such format.")
    try:
        data, name = exports.plan(found, fmt, site=request.build_absolute_uri("/").rstrip("/"))
    except PdfUnavailable as exc:
        messages.error(request, f"The PDF could not be made here. {exc}.")
        return see_other(reverse("frameworks:plan", args=[pk]))
    return download(data, content_type=exports.FORMATS[fmt], filename=name)


@allow(rules.TAKE_PART, on=Action)
def action(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_action_for_user(user=request.user, pk=pk)
    runs = access.may(request.user, rules.RUN, found.organisation)
    if request.method == "POST":
        try:
            services.action_update(
                action=found,
                status=request.POST.get("status", found.status),
                text=request.POST.get("text", ""),
                by=signed_in_user(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Update added.")
        return see_other(found.get_absolute_url())
    texts = {}
    if found.round is not None:
        texts = {k: s.text for k, s in selectors.statements_by_lineage(found.round).items()}
    return render(
        request,
        "frameworks/action.html",
        {
            "action": found,
            "runs": runs,
            "updates": found.updates.select_related("written_by"),
            "statuses": found.Status.choices,
            "serves": [texts.get(k, k) for k in found.lineages],
            "programmes": selectors.programmes_for(found) if runs else (),
        },
    )


@require_POST
@allow(rules.RUN, on=Action)
def action_activity(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_action_for_user(user=request.user, pk=pk, rule=rules.RUN)
    chosen = whole_number(request.POST.get("programme"))
    programme = selectors.programmes_for(found).filter(pk=chosen).first() if chosen else None
    if programme is None:
        messages.error(request, "Choose one of the organisation's programmes.")
        return see_other(found.get_absolute_url())
    try:
        activity = services.action_to_activity(
            action=found, programme=programme, by=signed_in_user(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return see_other(found.get_absolute_url())
    messages.success(request, f"“{activity.title}” is now an activity of {programme.title}.")
    return see_other(found.get_absolute_url())


# -- a live workshop ---------------------------------------------------------------------


def _join_link(request: HttpRequest, found: Round) -> str:
    return request.build_absolute_uri(reverse("frameworks:join", args=[found.code]))


@allow(rules.RUN, on=Round)
def workshop(request: HttpRequest, pk: int) -> HttpResponse:
    """The facilitator's screen in the room: the short link and its QR code to put up, how
    many have rated (it updates itself), the reveal, and paper sheets typed in."""
    found = selectors.get_round_for_user(user=request.user, pk=pk, rule=rules.RUN)
    if request.method == "POST":
        if request.POST.get("stop"):
            services.workshop_stop(round=found)
            messages.success(request, "The code no longer lets anyone join.")
            return see_other(found.get_absolute_url())
        try:
            services.workshop_start(round=found)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return see_other(reverse("frameworks:workshop", args=[pk]))
    link = _join_link(request, found) if found.code else ""
    joined, complete = selectors.progress(found)
    return render(
        request,
        "frameworks/workshop.html",
        {
            "round": found,
            "link": link,
            "qr": qr_svg(link) if link else "",
            "joined": joined,
            "complete": complete,
            "statements": found.version.statements.order_by("position"),
        },
    )


@allow(rules.RUN, on=Round)
def workshop_count(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_round_for_user(user=request.user, pk=pk, rule=rules.RUN)
    joined, complete = selectors.progress(found)
    return render(
        request,
        "frameworks/includes/workshop_count.html",
        {"round": found, "joined": joined, "complete": complete},
    )


@require_POST
@allow(rules.RUN, on=Round)
def paper(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_round_for_user(user=request.user, pk=pk, rule=rules.RUN)
    try:
        rater = services.paper_sheet(
            round=found,
            name=request.POST.get("name", ""),
            organisation=request.POST.get("organisation", ""),
            role=request.POST.get("role", ""),
            ratings=request.POST.get("ratings", ""),
        )
    except ValidationError as exc:
        messages.error(request, "The sheet was not added: " + " ".join(exc.messages))
    else:
        messages.success(request, f"{rater.name}'s sheet added.")
    return see_other(reverse("frameworks:workshop", args=[pk]) + "#paper")


@allow(access.ANYONE)
def join(request: HttpRequest, code: str) -> HttpResponse:
    """Where the short code leads: a member goes to rate; anyone else in the room gives a
    name and rates by a link of their own."""
    if not ratelimit.allow(
        action="frameworks-code", key=ratelimit.client_network(request), rates=CODE_TRIES
    ):
        return render(request, "frameworks/closed.html", {"too_many": True}, status=429)
    found = selectors.round_by_code(code)
    if not found.is_open:
        return render(request, "frameworks/closed.html", {"round": found}, status=410)
    person = request.user
    if isinstance(person, User) and access.may(person, rules.TAKE_PART, found.organisation):
        return see_other(reverse("frameworks:rate", args=[found.pk]))
    problems = []
    if request.method == "POST":
        try:
            rater = services.workshop_join(
                round=found,
                name=request.POST.get("name", ""),
                organisation=request.POST.get("organisation", ""),
                sent_from=ratelimit.client_network(request),
            )
        except ValidationError as exc:
            problems = exc.messages
        else:
            return see_other(reverse("frameworks:rate_by_link", args=[rater.token]))
    return render(
        request,
        "frameworks/join.html",
        {"round": found, "problems": problems},
        status=400 if problems else 200,
    )


@allow(access.ANYONE)
def rate_status(request: HttpRequest, token: str) -> HttpResponse:
    """Whether the ratings have been revealed yet: the rating page asks every second."""
    rater = selectors.rater_by_token(token)
    return render(
        request, "frameworks/includes/reveal_status.html", {"round": rater.round, "rater": rater}
    )


@allow(access.ANYONE)
def rate_results(request: HttpRequest, token: str) -> HttpResponse:
    """What a rater without an account sees once revealed: the round's medians, never who
    rated what."""
    rater = selectors.rater_by_token(token)
    found = rater.round
    if found.revealed_at is None:
        return see_other(reverse("frameworks:rate_by_link", args=[token]))
    shown = selectors.results(found)
    compass = selectors.compass(found, shown, earlier=False)  # this round only
    return render(
        request,
        "frameworks/rate_results.html",
        {"round": found, "rater": rater, "results": shown, "compass": compass},
    )


# -- the coverage map ----------------------------------------------------------------------


def _map_version(request: HttpRequest) -> FrameworkVersion:
    wanted = request.GET.get("framework") or request.POST.get("framework") or ""
    chosen = selectors.frameworks().filter(slug=wanted).first() or (
        selectors.frameworks().filter(slug="empowerment-dimensions").first()
        or selectors.frameworks().first()
    )
    if chosen is None:
        raise Http404("No frameworks have been loaded yet.")
    return selectors.latest(chosen)


@allow(rules.TAKE_PART, on=Organisation)
def coverage(request: HttpRequest, slug: str) -> HttpResponse:
    """Where the organisation's work fits: each team's dimensions, the gaps, and the level
    at which each community is engaged now and the aim."""
    organisation = selectors.get_organisation_for_user(user=request.user, slug=slug)
    version = _map_version(request)
    return render(
        request,
        "frameworks/coverage.html",
        {
            "organisation": organisation,
            "map": selectors.coverage(organisation, version),
            "frameworks": [f for f in selectors.frameworks() if f.slug != "engagement-levels"],
            "runs": access.may(request.user, rules.RUN, organisation),
            "kinds": Team.Kind.choices,
        },
    )


@require_POST
@allow(rules.RUN, on=Organisation)
def coverage_change(request: HttpRequest, slug: str) -> HttpResponse:
    """One change to the map: a team added, Evaluate's activities brought in, a team's
    dimensions ticked, a community's engagement added or taken off."""
    organisation = selectors.get_organisation_for_user(user=request.user, slug=slug, rule=rules.RUN)
    version = _map_version(request)
    change = request.POST.get("change", "")
    teams = Team.objects.filter(organisation=organisation)
    chosen = whole_number(request.POST.get("team"))
    team = teams.filter(pk=chosen).first() if chosen is not None else None
    try:
        if change == "team":
            made = services.team_add(
                organisation=organisation,
                name=request.POST.get("name", ""),
                kind=request.POST.get("kind", "team"),
            )
            messages.success(request, f"“{made.name}” is on the map: tick what it works on.")
        elif change == "activities":
            added = services.team_activities_add(organisation=organisation)
            messages.success(request, f"{added} activit{'y' if added == 1 else 'ies'} added.")
        elif change == "dimensions" and team is not None:
            services.team_dimensions(
                team=team, version=version, keys=request.POST.getlist("dimension")
            )
            messages.success(request, f"Saved what “{team.name}” works on.")
        elif change == "engagement" and team is not None:
            now, aim = request.POST.get("now", ""), request.POST.get("aim", "")
            services.engagement_add(
                team=team,
                community=request.POST.get("community", ""),
                level_now=whole_number(now) or 0,
                level_aim=whole_number(aim) or 0,
            )
            messages.success(request, "Community added.")
        elif change == "forget" and (gone := whole_number(request.POST.get("engagement"))):
            Engagement.objects.filter(team__organisation=organisation, pk=gone).delete()
            messages.success(request, "Community taken off the map.")
        else:
            messages.error(request, "That change could not be made; reload the page and try again.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    where = reverse("frameworks:coverage", args=[organisation.slug])
    return see_other(f"{where}?framework={version.framework.slug}")
