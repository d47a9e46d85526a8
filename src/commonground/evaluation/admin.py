"""Site administration for evaluation: programmes and forms, and nothing of the evidence.

Site administrators run the site; they are not a programme's evaluators. The public
form promises that answers are seen only by them, so responses and answers, imports,
interviews and their notes, observations, codings and suggestions have no page here,
and nothing that would list them (deleting a programme, a form or an organisation
shows what goes with it) is offered. A programme's objectives and activities and a
form's questions are shown read-only: their services keep positions, tallies and the
answers already given.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from commonground.accounts.admin import ReadOnlyInline, ServiceModelAdmin
from commonground.evaluation import services
from commonground.evaluation.models import Activity, EvaluationForm, Objective, Programme, Question


class ObjectiveInline(ReadOnlyInline):
    model = Objective
    fields = ["position", "text"]


class ActivityInline(ReadOnlyInline):
    model = Activity
    fields = ["title", "kind", "starts_on", "ends_on", "participants"]


class QuestionInline(ReadOnlyInline):
    model = Question
    fields = ["position", "text", "kind", "code", "required"]


class EvaluationAdmin(ServiceModelAdmin):
    """Rows made and removed on the evaluation pages only, and no link to those pages."""

    view_on_site = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Programme)
class ProgrammeAdmin(EvaluationAdmin):
    list_display = ["title", "organisation", "starts_on", "ends_on"]
    list_filter = ["organisation"]
    list_select_related = ["organisation"]
    search_fields = ["title"]
    fields = ["title", "organisation", "summary", "starts_on", "ends_on", "created_at"]
    readonly_fields = ["organisation", "created_at"]
    inlines = [ObjectiveInline, ActivityInline]

    def save_model(self, request: HttpRequest, obj: Programme, form: Any, change: bool) -> None:
        data = form.cleaned_data
        services.programme_update(
            programme=obj,
            title=data["title"],
            summary=data["summary"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        )


@admin.register(EvaluationForm)
class EvaluationFormAdmin(EvaluationAdmin):
    list_display = ["title", "programme", "accepting", "closes_at"]
    list_select_related = ["programme"]
    search_fields = ["title"]
    fields = ["title", "programme", "introduction", "activities", "accepting", "closes_at"]
    readonly_fields = ["programme"]
    filter_horizontal = ["activities"]
    inlines = [QuestionInline]
    actions = ["new_link"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm[Any]]:
        form = super().get_form(request, obj, change=change, **kwargs)
        activities = form.base_fields.get("activities")
        if obj is not None and isinstance(activities, forms.ModelMultipleChoiceField):
            # form_update takes only the programme's own activities.
            activities.queryset = obj.programme.activities.all()
        return form

    def save_model(
        self, request: HttpRequest, obj: EvaluationForm, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        services.form_update(
            form=obj,
            title=data["title"],
            introduction=data["introduction"],
            activities=data["activities"],
            accepting=data["accepting"],
            closes_at=data["closes_at"],
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Not form.save_m2m(): form_update set the activities. The questions save nothing.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description="Give the selected forms a new public link (the old one stops)")
    def new_link(self, request: HttpRequest, queryset: QuerySet[EvaluationForm]) -> None:
        for found in queryset:
            services.form_new_link(form=found)
        self.message_user(
            request, "New links made: send them to the people still to answer.", messages.SUCCESS
        )
