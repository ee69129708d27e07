from django.urls import path

from . import central_views, mine_views, plan_views, progress_views, report_views, session_views

app_name = "study"

# progress: the tree's 学时 rolled up, the members' list with who is behind, its export (progress_views.py)
urlpatterns = [
    path("", progress_views.progress, name="progress"),
    path("members/", progress_views.member_list, name="members"),
    path("members/export/", progress_views.member_export, name="members_export"),
]

# sessions: a meeting carrying 学时; planned here or an existing 党课/主题党日 counted (session_views.py)
urlpatterns += [
    path("sessions/", session_views.session_list, name="sessions"),
    path("sessions/export/", session_views.session_export, name="sessions_export"),
    path("sessions/new/", session_views.session_create, name="session_create"),
    path("sessions/count/", session_views.countable_meetings, name="countable"),
    path("sessions/count/<int:pk>/", session_views.count_meeting, name="count_meeting"),
    path("sessions/<int:pk>/", session_views.session_detail, name="session"),
    path("sessions/<int:pk>/edit/", session_views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/remove/", session_views.session_remove, name="session_remove"),
]

# 中心组: speeches and outcomes of a session, the outcomes' 转化 (central_views.py)
urlpatterns += [
    path("central/", central_views.central_list, name="central"),
    path("sessions/<int:pk>/speeches/add/", central_views.speech_add, name="speech_add"),
    path("speeches/<int:pk>/delete/", central_views.speech_delete, name="speech_delete"),
    path("sessions/<int:pk>/outcomes/add/", central_views.outcome_add, name="outcome_add"),
    path("outcomes/", central_views.outcome_list, name="outcomes"),
    path("outcomes/export/", central_views.outcome_export, name="outcomes_export"),
    path("outcomes/<int:pk>/edit/", central_views.outcome_edit, name="outcome_edit"),
]

# the yearly training plan of an org (plan_views.py)
urlpatterns += [
    path("plan/", plan_views.plan, name="plan"),
    path("plan/export/", plan_views.plan_export, name="plan_export"),
    path("plan/new/", plan_views.item_create, name="plan_create"),
    path("plan/<int:pk>/edit/", plan_views.item_edit, name="plan_edit"),
    path("plan/<int:pk>/delete/", plan_views.item_delete, name="plan_delete"),
]

# self-reported study: the branch's review (report_views.py)
urlpatterns += [
    path("reports/", report_views.report_list, name="reports"),
    path("reports/export/", report_views.report_export, name="reports_export"),
    path("reports/<int:pk>/", report_views.report_detail, name="report"),
    path("reports/<int:pk>/review/", report_views.report_review, name="report_review"),
    path("reports/<int:pk>/certificate/", report_views.certificate, name="certificate"),
]

# a member's own 学时 and reports, on a phone (mine_views.py)
urlpatterns += [
    path("mine/", mine_views.mine, name="mine"),
    path("mine/report/", mine_views.report_create, name="report_create"),
    path("mine/reports/<int:pk>/withdraw/", mine_views.report_withdraw, name="report_withdraw"),
]
