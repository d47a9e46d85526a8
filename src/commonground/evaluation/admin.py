from __future__ import annotations

from django.contrib import admin

from commonground.evaluation.models import Activity, EvaluationForm, Objective, Programme, Question


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0


class ActivityInline(admin.StackedInline):
    model = Activity
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "starts_on", "ends_on"]
    list_filter = ["organisation"]
    search_fields = ["title"]
    inlines = [ObjectiveInline, ActivityInline]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(EvaluationForm)
class EvaluationFormAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "accepting", "closes_at"]
    search_fields = ["title"]
    inlines = [QuestionInline]
