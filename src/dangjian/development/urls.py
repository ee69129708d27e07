from django.urls import path

from . import case_views, overview_views, probation_views, views

app_name = "development"

# the records: list, new, one person's file, steps, reviews, documents (views.py)
urlpatterns = [
    path("", views.applicant_list, name="list"),
    path("<int:pk>/", overview_views.detail_placeholder, name="detail"),  # placeholder: the pipeline lane's detail
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
]

# 出口: cases of unqualified members (case_views.py)
urlpatterns += [
    path("cases/", case_views.case_list, name="cases"),
]
