"""Site administration for people and organisations, and the base every app's admin uses.

The admin writes only through the services, as the site's own pages do: a row
whose writes have rules is shown read-only here, or its form and actions call
the service that keeps the rules. Memberships are changed by an organisation's
admins on its members page, where the last admin is protected.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from commonground.accounts import services
from commonground.accounts.models import ApiToken, Invitation, Membership, Organisation, User

# Where a service's refusal waits on the request while the form is shown again.
_REFUSAL = "_commonground_admin_refusal"


def _refusing(form: type[ModelForm[Any]], refusal: ValidationError) -> type[ModelForm[Any]]:
    """``form`` that fails with ``refusal`` once its own checks pass."""

    def clean(self: ModelForm[Any]) -> dict[str, Any]:
        form.clean(self)
        # Plain messages: the service's sentences belong to the form, not to a field.
        raise ValidationError(refusal.messages)

    return type(form.__name__, (form,), {"clean": clean})


class ServiceModelAdmin(admin.ModelAdmin):
    """An admin whose ``save_model``, ``delete_model`` and actions call services.

    A ``ValidationError`` a service raises while saving rolls the save back (the
    admin's add and change views run in one transaction) and the form comes back
    as typed, with the service's sentence on it; one raised while deleting comes
    back as an error message on the object's page. Never a server error.
    """

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as refusal:
            if request.method != "POST":
                raise
            setattr(request, _REFUSAL, refusal)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm[Any]]:
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, _REFUSAL, None)
        return form if refusal is None else _refusing(form, refusal)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as refusal:
            for message in refusal.messages:
                self.message_user(request, message, messages.ERROR)
            change = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[quote(object_id)],
                current_app=self.admin_site.name,
            )
            return HttpResponseRedirect(change)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the admin lists and shows, and changes only through its actions (which call
    the services): never added, edited or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown beside their parent, changed only on the site's own pages."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ["user", "held", "joined"]
    readonly_fields = ["held"]

    @admin.display(description="Roles")
    def held(self, membership: Membership) -> str:
        return membership.role_names

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user")


@admin.register(User)
class UserAdmin(ServiceModelAdmin, BaseUserAdmin):
    """People: their profile, whether they may sign in, and their site-wide permissions."""

    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name", "job_title", "about")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A sign-in address is changed by its owner, who confirms the new one by email.
        return [] if obj is None else ["email", "last_login", "date_joined"]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Deleting goes one person at a time through account_delete, which may refuse.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            services.profile_update(
                user=obj, name=obj.name, job_title=obj.job_title, about=obj.about
            )

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        # Erases their data in every part and refuses to leave an organisation without
        # an admin, as deleting their own account does.
        services.account_delete(user=obj)


@admin.register(Organisation)
class OrganisationAdmin(ServiceModelAdmin):
    """Organisations are made on the site by the person who becomes their first admin, and
    are not deleted here: that would take their evaluation evidence with them."""

    list_display = ["name", "kind", "slug", "created"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug", "kind", "description", "website", "created"]
    readonly_fields = ["slug", "created"]
    inlines = [MembershipInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        data = form.cleaned_data
        services.organisation_update(
            organisation=obj,
            name=data["name"],
            kind=data["kind"],
            description=data["description"],
            website=data["website"],
        )


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitations are sent by an organisation's admins; here they can be withdrawn or
    sent again."""

    list_display = ["email", "organisation", "role", "created", "expires", "status"]
    list_filter = ["role"]
    search_fields = ["email", "organisation__name"]
    list_select_related = ["organisation"]
    actions = ["withdraw", "send_again"]

    @admin.action(description="Withdraw the selected invitations")
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        for invitation in queryset:
            services.invitation_revoke(invitation=invitation)
        self.message_user(request, "Withdrawn: their links no longer work.", messages.SUCCESS)

    @admin.action(description="Send the selected invitations again")
    def send_again(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        for invitation in queryset.select_related("organisation"):
            try:
                services.invitation_resend(invitation=invitation)
            except ValidationError as refusal:
                self.message_user(
                    request, f"{invitation.email}: {refusal.messages[0]}", messages.ERROR
                )
            else:
                self.message_user(request, f"Sent again to {invitation.email}.", messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are made by their owners, who see the secret once; here they can be revoked."""

    list_display = ["name", "user", "prefix", "created", "last_used", "revoked_at"]
    search_fields = ["name", "user__email", "prefix"]
    list_select_related = ["user"]
    exclude = ["token_hash"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            services.api_token_revoke(token=token)
        self.message_user(request, "Revoked: they no longer open the API.", messages.SUCCESS)
