from django.urls import path

from . import case_views, overview_views, probation_views, views

app_name = "development"

# the records: list, new, one person's file, steps, reviews, documents (views.py)
urlpatterns = [
    path("", views.applicant_list, name="list"),
    path("export/", views.applicant_export, name="export"),
    path("new/", views.applicant_create, name="create"),
    path("<int:pk>/", views.applicant_detail, name="detail"),
    path("<int:pk>/edit/", views.applicant_edit, name="edit"),
    path("<int:pk>/step/", views.step_record, name="step"),
    path("<int:pk>/review/", views.review_add, name="review_add"),
    path("<int:pk>/end/", views.applicant_end, name="end"),
    path("<int:pk>/documents/", views.document_add, name="document_add"),
    path("<int:pk>/docx/", views.applicant_person_file, name="person_file"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
]

# the overview: funnel by stage, due and overdue steps, yearly statistics (overview_views.py)
urlpatterns += [
    path("funnel/", overview_views.funnel, name="funnel"),
    path("due/", overview_views.due_list, name="due"),
    path("due/export/", overview_views.due_export, name="due_export"),
    path("stats/", overview_views.stats_view, name="stats"),
    path("stats/export/", overview_views.stats_export, name="stats_export"),
]

# 预备党员 on the roster: the 转正 procedure (probation_views.py)
urlpatterns += [
    path("probation/", probation_views.probation_list, name="probation"),
    path("probation/export/", probation_views.probation_export, name="probation_export"),
    path("probation/start/<int:pk>/", probation_views.probation_start, name="probation_start"),
]

# 出口: cases of unqualified members (case_views.py)
urlpatterns += [
    path("cases/", case_views.case_list, name="cases"),
    path("cases/export/", case_views.cases_export, name="cases_export"),
    path("cases/candidates/", case_views.candidates, name="candidates"),
    path("cases/new/", case_views.case_create, name="case_create"),
    path("cases/<int:pk>/", case_views.case_detail, name="case"),
    path("cases/<int:pk>/action/", case_views.case_action, name="case_action"),
    path("cases/<int:pk>/measure/", case_views.case_measure, name="case_measure"),
    path("cases/<int:pk>/close/", case_views.case_close, name="case_close"),
    path("cases/<int:pk>/upload/", case_views.case_upload, name="case_upload"),
]
