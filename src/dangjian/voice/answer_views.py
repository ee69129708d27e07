"""待填问卷 on a phone: the surveys waiting for the user's answer (as a member, or for an org they keep), and the
answer form — anonymity stated at the top before any question. A survey not sent to the user answers 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dangjian.core.params import id_param

from . import surveys
from .survey_forms import AnswerForm


def my_surveys(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        raise Http404
    context = {"title": "待填问卷", "waiting": surveys.waiting_for(request.user)}
    return render(request, "voice/survey_mine.html", context)


def survey_answer(request: HttpRequest, pk: int) -> HttpResponse:
    found = surveys.answerable_or_none(request.user, pk, id_param(request, "org"))
    if found is None:
        raise Http404
    survey, org = found
    questions = surveys.questions_of(survey)
    answered = surveys.has_answered(request.user, survey, org)
    is_open = surveys.is_open(survey)
    form = AnswerForm(request.POST or None, questions=questions) if is_open and not answered else None
    status = 200
    if form is not None and request.method == "POST":
        if form.is_valid():
            try:
                surveys.answer(by=request.user, survey=survey, answers=form.answers(), org=org)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "问卷已提交，感谢您的参与")
                return redirect(reverse("voice:my_surveys"))
        status = 400
    context = {
        "title": survey.title,
        "s": survey,
        "org": org,
        "form": form,
        "answered": answered,
        "is_open": is_open,
        "n_questions": len(questions),
    }
    return render(request, "voice/survey_answer.html", context, status=status)
