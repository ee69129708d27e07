from django.urls import path  # noqa: F401  (each section below adds its pages)

from . import commitment_views, promise_views

app_name = "voice"

urlpatterns = []

# ── proposals: 党员提案 — submit, review, assign, reply, rate; the public list; statistics (proposal_views.py)

# ── commitments: 承诺践诺 and departments' 服务承诺 (commitment_views.py, promise_views.py)
urlpatterns += [
    path("commitments/", commitment_views.commitment_list, name="commitments"),
    path("commitments/export/", commitment_views.commitment_export, name="commitments_export"),
    path("commitments/<int:pk>/", commitment_views.commitment_detail, name="commitment"),
    path("commitments/<int:pk>/edit/", commitment_views.commitment_edit, name="commitment_edit"),
    path("commitments/<int:pk>/fulfil/", commitment_views.commitment_fulfil, name="commitment_fulfil"),
    path("commitments/<int:pk>/grade/", commitment_views.commitment_grade, name="commitment_grade"),
    path("fulfilments/<int:pk>/evidence/", commitment_views.evidence, name="fulfilment_evidence"),
    path("commitments/mine/", commitment_views.my_commitment, name="my_commitment"),
    path("commitments/mine/publish/", commitment_views.my_commitment_publish, name="my_commitment_publish"),
    path("commitments/org/", commitment_views.org_commitment, name="org_commitment"),
    path("commitments/org/publish/", commitment_views.org_commitment_publish, name="org_commitment_publish"),
    path("promises/", promise_views.promise_list, name="promises"),
    path("promises/export/", promise_views.promise_export, name="promises_export"),
    path("promises/public/", promise_views.promise_public, name="promises_public"),
    path("promises/new/", promise_views.promise_create, name="promise_create"),
    path("promises/<int:pk>/edit/", promise_views.promise_edit, name="promise_edit"),
    path("promises/<int:pk>/toggle/", promise_views.promise_toggle, name="promise_toggle"),
]

# ── inquiries: the 首问负责 register and its chains (inquiry_views.py)

# ── surveys: questionnaires, answering, who has answered, results (survey_views.py, answer_views.py)

# ── consultations: 座谈会/个别交流 and the 问题清单 (consultation_views.py, problem_views.py)
