from django.urls import path

from . import case_views, overview_views, probation_views, views

app_name = "development"

# the records: list, new, one person's file, steps, reviews, documents (views.py)
urlpatterns = [
    path("", views.applicant_list, name="list"),
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
