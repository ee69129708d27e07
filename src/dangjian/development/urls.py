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
    path("<int:pk>/file.docx", views.applicant_person_file, name="person_file"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
]

# the overview: funnel by stage, due and overdue steps, yearly statistics (overview_views.py)
urlpatterns += [
    path("funnel/", overview_views.funnel, name="funnel"),
    path("due/", overview_views.due_list, name="due"),
]

# 预备党员 on the roster: the 转正 procedure (probation_views.py)
urlpatterns += [
    path("probation/", probation_views.probation_list, name="probation"),
]

# 出口: cases of unqualified members (case_views.py)
urlpatterns += [
    path("cases/", case_views.case_list, name="cases"),
]
