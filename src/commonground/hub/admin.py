"""Site administration for the Hub: the shared vocabulary (sectors, themes and their rules),
sources and comments. Day-to-day source work has its own pages under /hub/sources/."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from commonground.hub import services
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


class SourceCheckInline(admin.TabularInline):
    model = SourceCheck
    extra = 0
    can_delete = False
    fields = ("checked_at", "outcome", "status_code", "message", "new_items", "duration_ms")
    readonly_fields = fields
    ordering = ["-checked_at"]

    def has_add_permission(self, request: HttpRequest, obj: Source | None = None) -> bool:
        return False


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "state", "last_outcome", "last_checked_at", "next_check_at"]
    list_filter = ["state", "last_outcome", "sectors"]
    search_fields = ["title", "feed_url", "site_url"]
    filter_horizontal = ["sectors"]
    readonly_fields = [
        "host",
        "last_checked_at",
        "last_success_at",
        "last_outcome",
        "last_message",
        "failures",
        "check_interval",
        "added_by",
        "added_at",
    ]
    inlines = [SourceCheckInline]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["title", "published_at", "first_seen_at"]
    search_fields = ["title", "link"]
    date_hierarchy = "published_at"
    readonly_fields = ["link", "title", "content", "text", "author", "published_at", "story"]
    exclude = ["sources", "themes"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # items come from harvests


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["item", "author", "created_at", "hidden_at"]
    list_filter = ["hidden_at"]
    search_fields = ["body"]
    raw_id_fields = ["item", "parent", "author", "hidden_by"]
