"""我的学时: a member's own 学时 of a year against their requirement, what counted and what did not (and why), their
self-reports, and the form to report study — designed for a phone. Reads only the logged-in user's own rows (their
Member via user.member), in a fixed number of queries whatever their history (MemberYear holds the sums)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.generic import post_action, submit
from dangjian.members.models import Member

from . import selectors, services
from .models import Report
from .report_forms import ReportForm

NO_MEMBER = "您的账号未关联党员信息"
ERR_YEAR = "年份应为 {first} 年至 {last} 年之间的四位数字"
#: The years the switcher offers, this one first.
YEARS_SHOWN = 6


def own_member(user):
    """The user's own member record, or None (a login of staff who are not members here)."""
    return getattr(user, "member", None) if user.is_authenticated else None


def parse_year(value: str | None, today_year: int) -> tuple[int, str]:
    """?year=: (the year, "") when it is one from YEAR_MIN to this year; (this year, the message) otherwise."""
    value = (value or "").strip()
    if not value:
        return today_year, ""
    if value.isascii() and value.isdigit() and len(value) == 4 and selectors.YEAR_MIN <= int(value) <= today_year:
        return int(value), ""
    return today_year, ERR_YEAR.format(first=selectors.YEAR_MIN, last=today_year)


def _no_member(request: HttpRequest, title: str) -> HttpResponse:
    return render(request, "study/mine_no_member.html", {"title": title, "no_member": NO_MEMBER})


def mine(request: HttpRequest) -> HttpResponse:
    """我的学时 of ?year= (this year by default)."""
    member = own_member(request.user)
    if member is None:
        return _no_member(request, "我的学时")
    today = clock.today()
    year, error = parse_year(request.GET.get("year"), today.year)
    try:
        figures = selectors.my_year(fetched_by=request.user, member=member, year=year)
    except Member.DoesNotExist:
        return _no_member(request, "我的学时")
    context = {
        "title": "我的学时",
        "member": member,
        "year": year,
        "years": list(range(today.year, max(today.year - YEARS_SHOWN, selectors.YEAR_MIN - 1), -1)),
        "error": error,
        "y": figures,
        "this_year": year == today.year,
    }
    return render(request, "study/mine.html", context)


def _file_error(refused: ValidationError) -> ValidationError:
    """The attachment check names its field "file": here it is the certificate."""
    if hasattr(refused, "error_dict") and "file" in refused.error_dict:
        refused.error_dict["certificate"] = refused.error_dict.pop("file")
    return refused


def report_create(request: HttpRequest) -> HttpResponse:
    """申报自学学时: the phone form; the report waits for the branch's 认定 and counts nothing until then."""
    member = own_member(request.user)
    if member is None:
        return _no_member(request, "申报自学学时")
    form = ReportForm(request.POST or None, request.FILES or None, initial={"studied_on": clock.today()})

    def action(**data):
        try:
            return services.submit_report(by=request.user, **data)
        except ValidationError as refused:
            raise _file_error(refused) from None

    report = submit(request, form, action)
    if report is not None:
        messages.success(request, f"已提交：{report.course}（{report.hours} 学时），待所在党支部认定")
        return redirect(f"{reverse('study:mine')}?year={report.studied_on.year}")
    context = {"title": "申报自学学时", "form": form, "member": member}
    return render(request, "study/report_form.html", context, status=400 if form.is_bound and form.errors else 200)


@require_POST
def report_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The member takes back their own report while it waits (anyone else's: 404)."""
    member = own_member(request.user)
    if member is None:
        raise Http404
    report = Report.objects.visible_to(request.user).filter(pk=pk, member=member).first()
    if report is None:
        raise Http404
    return post_action(
        request,
        lambda: services.withdraw_report(by=request.user, report=report),
        success=f"已撤回：{report.course}",
        done_url=f"{reverse('study:mine')}?year={report.studied_on.year}",
    )
