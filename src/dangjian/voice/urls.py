from django.urls import path  # noqa: F401  (each section below adds its pages)

app_name = "voice"

urlpatterns = []

# ── proposals: 党员提案 — submit, review, assign, reply, rate; the public list; statistics (proposal_views.py)

# ── commitments: 承诺践诺 and departments' 服务承诺 (commitment_views.py, promise_views.py)

# ── inquiries: the 首问负责 register and its chains (inquiry_views.py)

# ── surveys: questionnaires, answering, who has answered, results (survey_views.py, answer_views.py)

# ── consultations: 座谈会/个别交流 and the 问题清单 (consultation_views.py, problem_views.py)
