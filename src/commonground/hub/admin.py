"""Site administration for the Hub: the shared vocabulary (sectors, themes and their rules),
sources and comments. Day-to-day source work has its own pages under /hub/sources/.

Sources are added and changed through ``source_add`` and ``source_update``, so the
address checks hold here too; comments are hidden and shown again through the
moderation services, which record who hid them. Items come from harvests.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from commonground import access
from commonground.accounts.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceModelAdmin
from commonground.accounts.selectors import signed_in_user
from commonground.hub import rules, services
from commonground.hub.models import Comment, Item, Sector, Source, SourceCheck, Theme


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "keywords"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["reapply"]

    @admin.action(description="Apply the keyword and category rules to every stored item")
    def reapply(self, request: HttpRequest, queryset: QuerySet[Theme]) -> None:
        for theme in queryset:
            count = services.themes_reapply(theme=theme)
            self.message_user(
                request,
                f"“{theme.name}” now marks {count} item{'' if count == 1 else 's'} by its rules.",
                messages.SUCCESS,
            )


class SourceCheckInline(ReadOnlyInline):
    model = SourceCheck
    fields = ["checked_at", "outcome", "status_code", "message", "new_items", "duration_ms"]
    ordering = ["-checked_at"]


# What the harvester keeps about a source: shown, never edited.
HARVEST_STATE = [
    "host",
    "next_check_at",
    "last_checked_at",
    "last_success_at",
    "last_outcome",
    "last_message",
    "failures",
    "check_interval",
    "added_by",
    "added_at",
]


@admin.register(Source)
class SourceAdmin(ServiceModelAdmin):
    """Retire a source (its state) rather than delete it: its items and history stay."""

    list_display = ["title", "state", "last_outcome", "last_checked_at", "next_check_at"]
    list_filter = ["state", "last_outcome", "sectors"]
    search_fields = ["title", "feed_url", "site_url"]
    filter_horizontal = ["sectors"]

    def get_fields(self, request: HttpRequest, obj: Source | None = None) -> tuple[str, ...]:
        if obj is None:  # what source_add takes
            return ("feed_url", "title", "site_url", "sectors")
        return ("feed_url", "title", "site_url", "description", "sectors", "state", *HARVEST_STATE)

    def get_inlines(self, request: HttpRequest, obj: Source | None) -> list[type[Any]]:
        return [] if obj is None else [SourceCheckInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Source | None = None) -> list[str]:
        return [] if obj is None else ["feed_url", *HARVEST_STATE]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm[Any]]:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form.base_fields["title"].required = False  # source_add uses the address
        return form

    def has_delete_permission(self, request: HttpRequest, obj: Source | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Source, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            # A fresh row: source_update compares the new state with the stored one.
            services.source_update(
                source=Source.objects.get(pk=obj.pk),
                title=data["title"],
                site_url=data["site_url"],
                description=data["description"],
                sectors=data["sectors"],
                active=data["state"] == Source.State.ACTIVE,
            )
            return
        added = services.source_add(
            feed_url=data["feed_url"],
            by=signed_in_user(request),
            title=data["title"],
            site_url=data["site_url"],
            sectors=data["sectors"],
        )
        # The admin goes on with its own object (its messages, log and redirect).
        obj.pk = added.pk
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Not form.save_m2m(): the services set the sectors. The checks save nothing.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    """Items come from harvests: shown here, changed only by the next harvest."""

    list_display = ["title", "published_at", "first_seen_at"]
    search_fields = ["title", "link"]
    date_hierarchy = "published_at"
    exclude = ["sources", "themes"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Item | None = None) -> bool:
        return False


class ModerationForm(ActionForm):
    reason = forms.CharField(required=False, max_length=300, label="Reason (for hiding)")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    """Comments are hidden and shown again, never edited or deleted: a deleted comment
    would take its replies with it, and hiding records who did it and why."""

    list_display = ["__str__", "item", "author", "created_at", "hidden_at", "hidden_by"]
    list_filter = [("hidden_at", admin.EmptyFieldListFilter)]
    list_select_related = ["thread", "author", "hidden_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        return super().get_queryset(request).prefetch_related("thread__hub_items")

    search_fields = ["body"]
    action_form = ModerationForm
    actions = ["hide", "restore"]

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return access.may(request.user, rules.MODERATE)

    @admin.action(description="Hide the selected comments", permissions=["moderate"])
    def hide(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        by = signed_in_user(request)
        reason = request.POST.get("reason", "")
        shown = list(queryset.filter(hidden_at__isnull=True))
        for comment in shown:
            services.comment_hide(comment=comment, by=by, reason=reason)
        self.message_user(request, f"Hidden: {len(shown)}.", messages.SUCCESS)

    @admin.action(description="Show the selected comments again", permissions=["moderate"])
    def restore(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        hidden = list(queryset.filter(hidden_at__isnull=False))
        for comment in hidden:
            services.comment_restore(comment=comment)
        self.message_user(request, f"Shown again: {len(hidden)}.", messages.SUCCESS)
