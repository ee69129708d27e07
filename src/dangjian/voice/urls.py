from django.urls import path  # noqa: F401  (each section below adds its pages)

from . import inquiry_views

app_name = "voice"

urlpatterns = []

# ── proposals: 党员提案 — submit, review, assign, reply, rate; the public list; statistics (proposal_views.py)

# ── commitments: 承诺践诺 and departments' 服务承诺 (commitment_views.py, promise_views.py)

# ── inquiries: the 首问负责 register and its chains (inquiry_views.py)
urlpatterns += [
    path("inquiries/", inquiry_views.inquiry_list, name="inquiries"),
    path("inquiries/export/", inquiry_views.inquiry_export, name="inquiries_export"),
    path("inquiries/new/", inquiry_views.inquiry_create, name="inquiry_create"),
    path("inquiries/mine/", inquiry_views.my_inquiries, name="my_inquiries"),
    path("inquiries/stats/", inquiry_views.inquiry_stats, name="inquiry_stats"),
    path("inquiries/stats/export/", inquiry_views.inquiry_stats_export, name="inquiry_stats_export"),
    path("inquiries/<int:pk>/", inquiry_views.inquiry_detail, name="inquiry"),
    path("inquiries/<int:pk>/handoff/", inquiry_views.inquiry_handoff, name="inquiry_handoff"),
    path("inquiries/<int:pk>/close/", inquiry_views.inquiry_close, name="inquiry_close"),
]

# ── surveys: questionnaires, answering, who has answered, results (survey_views.py, answer_views.py)

# ── consultations: 座谈会/个别交流 and the 问题清单 (consultation_views.py, problem_views.py)
