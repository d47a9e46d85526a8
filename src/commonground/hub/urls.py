from __future__ import annotations

from django.urls import path

from commonground.hub import demo, views

app_name = "hub"

urlpatterns = [
    path("", views.index, name="index"),
    path("feed.<str:fmt>", views.index, name="feed"),
    path("search/", views.search_view, name="search"),
    path("search/feed.<str:fmt>", views.search_view, name="search_feed"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("items/<int:pk>/themes/", views.item_theme, name="item_theme"),
    path("comments/<int:pk>/report/", views.comment_report, name="comment_report"),
    path("comments/<int:pk>/hide/", views.comment_hide, name="comment_hide"),
    path("comments/<int:pk>/restore/", views.comment_restore, name="comment_restore"),
    path("comments/<int:pk>/dismiss/", views.report_dismiss, name="report_dismiss"),
    path("moderation/", views.moderation, name="moderation"),
    path("sources/", views.sources, name="sources"),
    path("sources.opml", views.sources_opml, name="sources_opml"),
    path("sources/add/", views.source_add, name="source_add"),
    path("sources/import/", views.sources_import, name="sources_import"),
    path("sources/<int:pk>/", views.source, name="source"),
    path("sources/<int:pk>/feed.<str:fmt>", views.source, name="source_feed"),
    path("sources/<int:pk>/edit/", views.source_edit, name="source_edit"),
    path("sources/<int:pk>/check/", views.source_check, name="source_check"),
    path("sectors/<slug:slug>/", views.sector, name="sector"),
    path("sectors/<slug:slug>/feed.<str:fmt>", views.sector, name="sector_feed"),
    path("themes/<slug:slug>/", views.theme, name="theme"),
    path("themes/<slug:slug>/feed.<str:fmt>", views.theme, name="theme_feed"),
    path("following/", views.following, name="following"),
    path("following/reset-feed/", views.feed_key_reset, name="feed_key_reset"),
    path("following/<str:key>/feed.<str:fmt>", views.personal_feed, name="personal_feed"),
    path("follow/", views.follow, name="follow"),
    path("follows/<int:pk>/remove/", views.unfollow, name="unfollow"),
    # The demonstration hubs' feeds, served only when Common Ground runs as the demo.
    path("demo-feeds/<slug:name>", demo.feed, name="demo_feed"),
]
