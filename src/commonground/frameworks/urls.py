from __future__ import annotations

from django.urls import path

from commonground.frameworks import views

app_name = "frameworks"

urlpatterns = [
    path("", views.frameworks, name="frameworks"),
    path("schema.json", views.schema_file, name="schema"),
    path("upload/", views.upload, name="upload"),
    path("rounds/new/", views.round_open, name="round_open"),
    path("rounds/<int:pk>/", views.round_page, name="round"),
    path("rounds/<int:pk>/rate/", views.rate, name="rate"),
    path("rounds/<int:pk>/change/", views.round_change, name="change"),
    path("rounds/<int:pk>/plan/", views.plan, name="plan"),
    path("rounds/<int:pk>/plan/keep/", views.plan_keep, name="plan_keep"),
    path("rounds/<int:pk>/plan.<str:fmt>", views.plan_export, name="plan_export"),
    path("actions/<int:pk>/", views.action, name="action"),
    path("actions/<int:pk>/activity/", views.action_activity, name="action_activity"),
    path("rounds/<int:pk>/reveal/", views.round_reveal, name="reveal"),
    path("rounds/<int:pk>/close/", views.round_close, name="close"),
    path("rounds/<int:pk>/links/", views.rater_invite, name="invite"),
    path("rounds/<int:pk>/agreed/<slug:key>/", views.agree, name="agree"),
    path("rounds/<int:pk>/workshop/", views.workshop, name="workshop"),
    path("rounds/<int:pk>/workshop/count/", views.workshop_count, name="workshop_count"),
    path("rounds/<int:pk>/paper/", views.paper, name="paper"),
    path("j/<str:code>/", views.join, name="join"),
    path("coverage/<slug:slug>/", views.coverage, name="coverage"),
    path("coverage/<slug:slug>/change/", views.coverage_change, name="coverage_change"),
    path("rate/<str:token>/", views.rate_by_link, name="rate_by_link"),
    path("rate/<str:token>/status/", views.rate_status, name="rate_status"),
    path("rate/<str:token>/results/", views.rate_results, name="rate_results"),
    path("<slug:slug>/", views.framework, name="framework"),
    path("<slug:slug>/v<int:number>.yaml", views.framework_file, name="file"),
]
