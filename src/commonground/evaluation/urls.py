from __future__ import annotations

from django.urls import path

from commonground.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("evaluate/", views.programmes, name="programmes"),
    path("evaluate/new/", views.programme_create, name="programme_create"),
    path("evaluate/programmes/<int:pk>/", views.programme, name="programme"),
    path("evaluate/programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("evaluate/programmes/<int:pk>/objectives/", views.objective_add, name="objective_add"),
    path(
        "evaluate/programmes/<int:pk>/objectives/<int:objective_id>/remove/",
        views.objective_remove,
        name="objective_remove",
    ),
    path("evaluate/programmes/<int:pk>/activities/add/", views.activity_add, name="activity_add"),
    path("evaluate/activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("evaluate/activities/<int:pk>/remove/", views.activity_remove, name="activity_remove"),
    path("evaluate/programmes/<int:pk>/forms/add/", views.form_add, name="form_add"),
    path("evaluate/forms/<int:pk>/", views.form_detail, name="form"),
    path("evaluate/forms/<int:pk>/settings/", views.form_edit, name="form_edit"),
    path("evaluate/forms/<int:pk>/new-link/", views.form_new_link, name="form_new_link"),
    path("evaluate/forms/<int:pk>/enter/", views.enter, name="enter"),
    path("evaluate/forms/<int:pk>/results/", views.results, name="results"),
    path("evaluate/forms/<int:pk>/statistics.csv", views.statistics_csv, name="statistics_csv"),
    path("evaluate/forms/<int:pk>/responses.csv", views.responses_csv, name="responses_csv"),
    path("evaluate/forms/<int:pk>/import/", views.import_start, name="import_start"),
    path("evaluate/imports/<int:pk>/", views.import_detail, name="import"),
    path("evaluate/imports/<int:pk>/rejected.csv", views.import_rejects, name="import_rejects"),
    path("evaluate/questions/<int:pk>/remove/", views.question_remove, name="question_remove"),
    path("respond/<str:key>/", views.respond, name="respond"),
    path("respond/<str:key>/thanks/", views.respond_thanks, name="respond_thanks"),
]
