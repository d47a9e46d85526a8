from __future__ import annotations

from django.urls import path

from commonground.learning import views

app_name = "learning"

urlpatterns = [
    path("", views.courses, name="courses"),
    path("journal/", views.journal, name="journal"),
    path("upload/", views.course_upload, name="upload"),
    path("research/", views.research, name="research"),
    path("research/<slug:slug>/", views.research_course, name="research_course"),
    path("research/<slug:slug>/export.zip", views.research_export, name="research_export"),
    path("cohorts/<int:pk>/", views.cohort, name="cohort"),
    path("shares/", views.shares, name="shares"),
    path("shares/new/", views.share_create, name="share_create"),
    path("shares/<int:pk>/withdraw/", views.share_withdraw, name="share_withdraw"),
    path("shared/<str:token>/", views.shared, name="shared"),
    path("journal.<str:fmt>", views.journal_export, name="journal_export"),
    path("<slug:slug>/", views.course, name="course"),
    path("<slug:slug>/research-consent/", views.consent, name="consent"),
    path("<slug:slug>/cohort/", views.cohort_start, name="cohort_start"),
    path("<slug:slug>/<slug:chapter>/", views.chapter, name="chapter"),
    path("<slug:slug>/<slug:chapter>/finish/", views.finish, name="finish"),
    path("<slug:slug>/<slug:chapter>/answer/<slug:key>/", views.answer, name="answer"),
]
