from django.urls import path  # noqa: F401  (each section below adds its pages)

from . import (
    answer_views,
    commitment_views,
    consultation_views,
    inquiry_views,
    problem_views,
    promise_views,
    proposal_views,
    survey_views,
)

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
    path("proposals/<int:pk>/problem/", proposal_views.proposal_problem, name="proposal_problem"),
    path("proposals/<int:pk>/<slug:name>/", proposal_views.proposal_move, name="proposal_move"),
    path("proposals/files/<int:pk>/", proposal_views.proposal_file, name="proposal_file"),
]

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
urlpatterns += [
    path("surveys/", survey_views.survey_list, name="surveys"),
    path("surveys/export/", survey_views.survey_list_export, name="surveys_export"),
    path("surveys/new/", survey_views.survey_create, name="survey_create"),
    path("surveys/mine/", answer_views.my_surveys, name="my_surveys"),
    path("surveys/<int:pk>/", survey_views.survey_detail, name="survey"),
    path("surveys/<int:pk>/edit/", survey_views.survey_edit, name="survey_edit"),
    path("surveys/<int:pk>/delete/", survey_views.survey_delete, name="survey_delete"),
    path("surveys/<int:pk>/open/", survey_views.survey_open, name="survey_open"),
    path("surveys/<int:pk>/close/", survey_views.survey_close, name="survey_close"),
    path("surveys/<int:pk>/questions/add/", survey_views.question_add, name="survey_question_add"),
    path("surveys/questions/<int:pk>/edit/", survey_views.question_edit, name="survey_question_edit"),
    path("surveys/questions/<int:pk>/delete/", survey_views.question_delete, name="survey_question_delete"),
    path("surveys/questions/<int:pk>/move/", survey_views.question_move, name="survey_question_move"),
    path("surveys/<int:pk>/results/", survey_views.survey_results, name="survey_results"),
    path("surveys/<int:pk>/results/export/", survey_views.survey_results_export, name="survey_results_export"),
    path("surveys/<int:pk>/answer/", answer_views.survey_answer, name="survey_answer"),
]

# ── consultations: 座谈会/个别交流 and the 问题清单 (consultation_views.py, problem_views.py)
urlpatterns += [
    path("consultations/", consultation_views.consultation_list, name="consultations"),
    path("consultations/export/", consultation_views.consultation_export, name="consultations_export"),
    path("consultations/new/", consultation_views.consultation_create, name="consultation_create"),
    path("consultations/<int:pk>/", consultation_views.consultation_detail, name="consultation"),
    path("consultations/<int:pk>/edit/", consultation_views.consultation_edit, name="consultation_edit"),
    path("consultations/<int:pk>/opinions/new/", consultation_views.opinion_add, name="opinion_add"),
    path("opinions/<int:pk>/edit/", consultation_views.opinion_edit, name="opinion_edit"),
    path("opinions/<int:pk>/delete/", consultation_views.opinion_delete, name="opinion_delete"),
    path("opinions/<int:pk>/problem/", consultation_views.opinion_problem, name="opinion_problem"),
    path("problems/", problem_views.problem_list, name="problems"),
    path("problems/export/", problem_views.problem_export, name="problems_export"),
    path("problems/summary/", problem_views.problem_summary, name="problem_summary"),
    path("problems/new/", problem_views.problem_create, name="problem_create"),
    path("problems/<int:pk>/", problem_views.problem_detail, name="problem"),
    path("problems/<int:pk>/edit/", problem_views.problem_edit, name="problem_edit"),
    path("problems/<int:pk>/start/", problem_views.problem_start, name="problem_start"),
    path("problems/<int:pk>/finish/", problem_views.problem_finish, name="problem_finish"),
    path("problems/<int:pk>/reopen/", problem_views.problem_reopen, name="problem_reopen"),
]
