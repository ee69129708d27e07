from django.urls import path  # noqa: F401  (each section below adds its pages)

from . import answer_views, survey_views

app_name = "voice"

urlpatterns = []

# ── proposals: 党员提案 — submit, review, assign, reply, rate; the public list; statistics (proposal_views.py)

# ── commitments: 承诺践诺 and departments' 服务承诺 (commitment_views.py, promise_views.py)

# ── inquiries: the 首问负责 register and its chains (inquiry_views.py)

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
