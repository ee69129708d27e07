from django.urls import path  # noqa: F401  (each section below adds its pages)

from . import proposal_views

app_name = "voice"

urlpatterns = []

# ── proposals: 党员提案 — submit, review, assign, reply, rate; the public list; statistics (proposal_views.py)
urlpatterns += [
    path("proposals/", proposal_views.proposal_list, name="proposals"),
    path("proposals/export/", proposal_views.proposal_export, name="proposals_export"),
    path("proposals/mine/", proposal_views.my_proposals, name="my_proposals"),
    path("proposals/new/", proposal_views.proposal_create, name="proposal_create"),
    path("proposals/public/", proposal_views.proposals_public, name="proposals_public"),
    path("proposals/stats/", proposal_views.proposal_stats, name="proposal_stats"),
    path("proposals/stats/export/", proposal_views.proposal_stats_export, name="proposal_stats_export"),
    path("proposals/<int:pk>/", proposal_views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/<slug:name>/", proposal_views.proposal_move, name="proposal_move"),
    path("proposals/files/<int:pk>/", proposal_views.proposal_file, name="proposal_file"),
]

# ── commitments: 承诺践诺 and departments' 服务承诺 (commitment_views.py, promise_views.py)

# ── inquiries: the 首问负责 register and its chains (inquiry_views.py)

# ── surveys: questionnaires, answering, who has answered, results (survey_views.py, answer_views.py)

# ── consultations: 座谈会/个别交流 and the 问题清单 (consultation_views.py, problem_views.py)
