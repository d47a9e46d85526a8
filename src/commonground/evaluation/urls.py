from __future__ import annotations

from django.urls import path

from commonground.evaluation.views import coding, outcomes, programmes, responses

app_name = "evaluation"

urlpatterns = [
    path("evaluate/", programmes.programmes, name="programmes"),
    path("evaluate/new/", programmes.programme_create, name="programme_create"),
    path("evaluate/programmes/<int:pk>/", programmes.programme, name="programme"),
    path("evaluate/programmes/<int:pk>/edit/", programmes.programme_edit, name="programme_edit"),
    path(
        "evaluate/programmes/<int:pk>/objectives/", programmes.objective_add, name="objective_add"
    ),
    path(
        "evaluate/programmes/<int:pk>/objectives/<int:objective_id>/remove/",
        programmes.objective_remove,
        name="objective_remove",
    ),
    path(
        "evaluate/programmes/<int:pk>/activities/add/", programmes.activity_add, name="activity_add"
    ),
    path("evaluate/activities/<int:pk>/edit/", programmes.activity_edit, name="activity_edit"),
    path(
        "evaluate/activities/<int:pk>/register/",
        programmes.activity_register,
        name="activity_register",
    ),
    path(
        "evaluate/activities/<int:pk>/remove/", programmes.activity_remove, name="activity_remove"
    ),
    path("evaluate/programmes/<int:pk>/forms/add/", responses.form_add, name="form_add"),
    path("evaluate/forms/<int:pk>/", responses.form_detail, name="form"),
    path("evaluate/forms/<int:pk>/settings/", responses.form_edit, name="form_edit"),
    path("evaluate/forms/<int:pk>/new-link/", responses.form_new_link, name="form_new_link"),
    path("evaluate/forms/<int:pk>/enter/", responses.enter, name="enter"),
    path("evaluate/forms/<int:pk>/results/", responses.results, name="results"),
    path(
        "evaluate/forms/<int:pk>/statistics.<str:fmt>",
        responses.statistics_table,
        name="statistics_table",
    ),
    path(
        "evaluate/forms/<int:pk>/responses.<str:fmt>",
        responses.responses_table,
        name="responses_table",
    ),
    path("evaluate/forms/<int:pk>/import/", responses.import_start, name="import_start"),
    path("evaluate/imports/<int:pk>/", responses.import_detail, name="import"),
    path("evaluate/imports/<int:pk>/rejected.csv", responses.import_rejects, name="import_rejects"),
    path("evaluate/questions/<int:pk>/remove/", responses.question_remove, name="question_remove"),
    path("evaluate/questions/<int:pk>/edit/", responses.question_edit, name="question_edit"),
    path("evaluate/questions/<int:pk>/move/", responses.question_move, name="question_move"),
    path("evaluate/programmes/<int:pk>/interviews/", coding.interviews, name="interviews"),
    path("evaluate/guides/<int:pk>/", coding.guide, name="guide"),
    path(
        "evaluate/guides/<int:pk>/interviews/add/",
        coding.interview_add,
        name="interview_add",
    ),
    path("evaluate/interviews/<int:pk>/", coding.interview, name="interview"),
    path("evaluate/notes/<int:pk>/edit/", coding.note_edit, name="note_edit"),
    path(
        "evaluate/observations/<int:pk>/edit/",
        coding.observation_edit,
        name="observation_edit",
    ),
    path(
        "evaluate/programmes/<int:pk>/observations/add/",
        coding.observation_add,
        name="observation_add",
    ),
    path("evaluate/programmes/<int:pk>/codebook/", coding.codebook, name="codebook"),
    path("evaluate/programmes/<int:pk>/codebook.qdc", coding.codebook_qdc, name="codebook_qdc"),
    path("evaluate/programmes/<int:pk>/project.qdpx", coding.project_qdpx, name="project_qdpx"),
    path(
        "evaluate/programmes/<int:pk>/project-import/",
        coding.project_import,
        name="project_import",
    ),
    path("evaluate/codes/<int:pk>/", coding.code_edit, name="code_edit"),
    path("evaluate/codes/<int:pk>/remove/", coding.code_remove, name="code_remove"),
    path("evaluate/programmes/<int:pk>/coding/", coding.texts, name="texts"),
    path(
        "evaluate/programmes/<int:pk>/coding/<str:kind>/<int:text_id>/",
        coding.text,
        name="text",
    ),
    path("evaluate/codings/<int:pk>/remove/", coding.coding_remove, name="coding_remove"),
    path(
        "evaluate/programmes/<int:pk>/suggestions/",
        coding.suggestions_refresh,
        name="suggestions_refresh",
    ),
    path("evaluate/suggestions/<int:pk>/", coding.suggestion_decide, name="suggestion_decide"),
    path("evaluate/programmes/<int:pk>/quotes/", coding.quotes, name="quotes"),
    path("evaluate/programmes/<int:pk>/judgements/", outcomes.judgements, name="judgements"),
    path("evaluate/objectives/<int:pk>/judgement/", outcomes.judgement_edit, name="judgement"),
    path("evaluate/programmes/<int:pk>/outcomes/", outcomes.outcomes, name="outcomes"),
    path("evaluate/<str:kind>s/<int:pk>/figures/", outcomes.figure_add, name="figure_add"),
    path("evaluate/programmes/<int:pk>/report/", outcomes.report, name="report"),
    path("evaluate/programmes/<int:pk>/report.pdf", outcomes.report_pdf, name="report_pdf"),
    path("evaluate/programmes/<int:pk>/report.docx", outcomes.report_docx, name="report_docx"),
    path("evaluate/programmes/<int:pk>/report/<str:key>/", outcomes.section_edit, name="section"),
    path("respond/<str:key>/", responses.respond, name="respond"),
    path("respond/<str:key>/thanks/", responses.respond_thanks, name="respond_thanks"),
]
