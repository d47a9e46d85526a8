from __future__ import annotations

from django.contrib import admin

from commonground.groups.models import Group, Inbound


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    """Site admins see that a group exists and how to reach it, never its talk."""

    list_display = ["name", "kind", "visibility", "confidential", "created_at"]
    fields = ("name", "slug", "kind", "visibility", "confidential", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Inbound)
class InboundAdmin(admin.ModelAdmin):
    """Every email that came in and what became of it, for working out mail problems."""

    list_display = ["received_at", "outcome", "sender", "recipient", "subject"]
    list_filter = ["outcome"]
    search_fields = ["sender", "recipient", "message_id"]
    readonly_fields = [f.name for f in Inbound._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
