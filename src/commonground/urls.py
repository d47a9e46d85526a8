from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import path

from commonground import access, parts, views
from commonground.api import views as api_views
from commonground.api.api import api

admin.site.site_header = "Common Ground administration"
admin.site.site_title = "Common Ground administration"
admin.site.index_title = "Site administration"
# The admin's own sign-in page would skip verification, rate limits and two-step
# sign-in: send people to ours instead.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
# Django's admin checks its own: staff only, and each model's permissions.
access.allow_outside(access.SITE_ADMIN, ["admin:*"])

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("healthz", views.health, name="health"),
    path("api/v1/docs/", api_views.docs, name="api_docs"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # Each part's pages, and the common addresses it answers by redirecting.
    *parts.url_patterns(),
]
