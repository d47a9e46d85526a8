"""Pages for programmes: the list, setting one up and changing it, its objectives, and
its activities with what they cost. Thin views: parse, check access through
``selectors``, call a service, render; every action is a plain form post answered with
a 303, so it all works without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from commonground import access
from commonground.access import allow
from commonground.accounts.selectors import signed_in_user
from commonground.evaluation import rules, selectors, services
from commonground.evaluation.forms import ActivityForm, ObjectiveForm, ProgrammeForm
from commonground.evaluation.models import Activity, Programme
from commonground.groups import selectors as group_selectors
from commonground.lib.text import whole_number
from commonground.lib.views import press, see_other

# -- programmes ------------------------------------------------------------------------


@allow(access.SIGNED_IN)
def programmes(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "evaluation/programmes.html",
        {
            "programmes": selectors.programmes_for_user(request.user),
            "can_add": selectors.evaluating_organisations(request.user).exists(),
            "member_elsewhere": selectors.is_member_elsewhere(request.user),
        },
    )


@allow(access.SIGNED_IN)
def programme_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    organisations = selectors.evaluating_organisations(user)
    form = ProgrammeForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(by=user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Programme set up. Add its objectives and activities.")
            return see_other(programme.get_absolute_url())
    return render(
        request,
        "evaluation/programme_form.html",
        {"form": form, "heading": "New programme", "can_add": organisations.exists()},
    )


@allow(rules.EVALUATE, on=Programme)
def programme(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_programme_for_user(user=request.user, pk=pk)
    activities = list(found.activities.all())
    by_activity, by_kind, total = selectors.costs(activities)
    return render(
        request,
        "evaluation/programme.html",
        {
            "programme": found,
            "objectives": found.objectives.all(),
            "objective_form": ObjectiveForm(),
            "activities": activities,
            "costs_by_activity": by_activity,
            "costs_by_kind": by_kind,
            "costs_total": total,
            "forms": selectors.programme_forms(found),
        },
    )


@allow(rules.EVALUATE, on=Programme)
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_programme_for_user(user=request.user, pk=pk)
    form = ProgrammeForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(programme=found, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Programme saved.")
            return see_other(found.get_absolute_url())
    return render(
        request,
        "evaluation/programme_form.html",
        {"form": form, "heading": f"Edit {found.title}", "programme": found, "can_add": True},
    )


@require_POST
@allow(rules.EVALUATE, on=Programme)
def objective_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_programme_for_user(user=request.user, pk=pk)
    form = ObjectiveForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    return press(
        request,
        lambda: services.objective_add(programme=found, text=text),
        done="Objective added.",
        then=found.get_absolute_url() + "#objectives",
    )


@require_POST
@allow(rules.EVALUATE, on=Programme)
def objective_remove(request: HttpRequest, pk: int, objective_id: int) -> HttpResponse:
    found = selectors.get_programme_for_user(user=request.user, pk=pk)
    objective = found.objectives.filter(pk=objective_id).first()
    if objective is not None:
        services.objective_remove(objective=objective)
        messages.success(request, "Objective removed.")
    return see_other(found.get_absolute_url() + "#objectives")


# -- activities ------------------------------------------------------------------------


@allow(rules.EVALUATE, on=Programme)
def activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_programme_for_user(user=request.user, pk=pk)
    return _activity_page(request, found, None)


@allow(rules.EVALUATE, on=Activity)
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_activity_for_user(user=request.user, pk=pk)
    return _activity_page(request, activity.programme, activity)


def _activity_page(
    request: HttpRequest, programme: Programme, activity: Activity | None
) -> HttpResponse:
    form = ActivityForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_save(programme=programme, activity=activity, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Activity saved.")
            return see_other(programme.get_absolute_url() + "#activities")
    return render(
        request,
        "evaluation/activity_form.html",
        {
            "form": form,
            "programme": programme,
            "activity": activity,
            "series": group_selectors.series_to_link(request.user) if activity else [],
        },
    )


@require_POST
@allow(rules.EVALUATE, on=Activity)
def activity_register(request: HttpRequest, pk: int) -> HttpResponse:
    """Link the activity to a series of meetings in Groups (one the person facilitates),
    take its figures from the registers again, or stop."""
    activity = selectors.get_activity_for_user(user=request.user, pk=pk)
    back = reverse("evaluation:activity_edit", args=[activity.pk])
    action = request.POST.get("action", "link")
    if action == "unlink":
        services.activity_register_link(activity=activity, series=None)
        messages.success(request, "The figures are yours to edit again.")
    elif action == "sync":
        services.activity_register_sync(activity=activity)
        messages.success(request, "The figures are up to date with the registers.")
    else:
        chosen = (
            group_selectors.series_to_link(request.user)
            .filter(pk=whole_number(request.POST.get("series")) or 0)
            .first()
        )
        if chosen is None:
            messages.error(request, "Choose a series of meetings in a group you facilitate.")
        else:
            services.activity_register_link(activity=activity, series=chosen)
            messages.success(request, f"The figures now come from the registers of {chosen.title}.")
    return see_other(back)


@require_POST
@allow(rules.EVALUATE, on=Activity)
def activity_remove(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_activity_for_user(user=request.user, pk=pk)
    services.activity_remove(activity=activity)
    messages.success(request, f"{activity.title} removed.")
    return see_other(activity.programme.get_absolute_url() + "#activities")
