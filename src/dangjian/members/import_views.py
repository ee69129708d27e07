"""The roster import in the browser: upload → preview (validated in the background, nothing written) → confirm →
the import itself as a background job. The rules live in members.importer; these views only move files and jobs."""

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dangjian.core.forms import BootstrapFormMixin
from dangjian.core.jobs import job_poll, job_start
from dangjian.core.models import Job
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.orgs.forms import org_label
from dangjian.orgs.models import Organization

from .importer import absent_note
from .importer.jobs import IMPORT_KIND
from .importer.reading import READABLE_SUFFIXES, FileReadError, check_suffix
from .roster import BRANCH_FIELD, ROSTER_COLUMNS

ERR_FILE_SIZE = "文件过大（上限 {limit} MB），请拆分后分批导入"
#: Error rows listed on the page (the downloadable error report has them all).
MAX_SHOWN_ERRORS = 500


class ImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label="花名册文件",
        help_text=f"支持 {'、'.join(sorted(READABLE_SUFFIXES))}（CSV 为 UTF-8、GBK 或 Excel 的“Unicode 文本”）",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(READABLE_SUFFIXES))}),
    )
    org = forms.ModelChoiceField(
        label="导入到党支部",
        help_text="选定后，文件可以没有“所在党支部”列（或不填），填了的须为该党支部；不选时按文件中的“所在党支部”导入",
        queryset=Organization.objects.none(),
        required=False,
    )
    update = forms.BooleanField(label="按公民身份号码更新已有党员（不勾选时，已登记的号码视为错误）", required=False)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs
        self.fields["org"].label_from_instance = org_label

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_suffix(upload.name)
        except FileReadError as error:
            raise forms.ValidationError(error.message) from None
        limit = settings.IMPORT_MAX_FILE_MB  # the importer refuses a bigger file too (the command line's)
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(ERR_FILE_SIZE.format(limit=limit))
        return upload


def _import_job(request, pk: int) -> Job:
    return get_object_or_404(Job.objects.visible_to(request.user).filter(kind=IMPORT_KIND), pk=pk)


def _branches(user):
    """The branches the form offers: those the user may change (and import into), not dissolved."""
    return Organization.objects.changeable_by(user).active().filter(kind="branch")


def _reupload_form(request, job: Job) -> ImportForm:
    """The upload form again, with the options of the job that failed (the file has to be chosen anew)."""
    initial = {"org": job.params.get("org_id"), "update": bool(job.params.get("update"))}
    return ImportForm(initial=initial, orgs=_branches(request.user))


def member_import(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.CHANGE)
    form = ImportForm(request.POST or None, request.FILES or None, orgs=_branches(request.user))
    if request.method == "POST" and form.is_valid():
        org = form.cleaned_data["org"]
        job = job_start(
            acting_user=request.user,
            kind=IMPORT_KIND,
            title=f"花名册导入预检：{form.cleaned_data['file'].name}",
            params={
                "org_id": org.pk if org else None,
                "update": form.cleaned_data["update"],
                "dry_run": True,
                "filename": form.cleaned_data["file"].name,
            },
            input_file=form.cleaned_data["file"],
        )
        return redirect("members:import_job", job.pk)
    recent = Job.objects.visible_to(request.user).filter(kind=IMPORT_KIND)[:10]
    status = 400 if form.is_bound and form.errors else 200
    required = "、".join(c.header for c in ROSTER_COLUMNS if c.required and c.field != BRANCH_FIELD)
    context = {"form": form, "recent": recent, "required_columns": required}
    return render(request, "members/import_form.html", context, status=status)


def member_import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A preview (dry run) or an import, with its progress while it runs and its report when done."""
    job = _import_job(request, pk)
    notice = job_poll(job)  # a job whose worker died is marked failed here; a job nobody started says why
    template = "members/import_job.html#job" if request.htmx else "members/import_job.html"
    context = {"job": job, "notice": notice, "report": None}
    if job.is_finished:
        report = job.result or {}
        errors = report.get("errors", [])
        row_errors = [e for e in errors if e["row"]]
        # A file-level error (row 0: the file unreadable, no rows, a refusal) is a message, not a row of the table;
        # with no bad rows the first one is the summary's (job.message), not said twice.
        file_errors = [e["message"] for e in errors if not e["row"]]
        context |= {
            "report": report,
            "absent_note": absent_note(
                absent=report.get("absent_columns", []), missing=report.get("missing_columns", [])
            ),
            "file_errors": file_errors if row_errors else file_errors[1:],
            "row_errors": row_errors[:MAX_SHOWN_ERRORS],
        }
        if job.status == Job.Status.FAILED or not report.get("ok"):
            context["form"] = _reupload_form(request, job)
    return render(request, template, context)


@require_POST
def member_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Run the previewed file for real. Only a clean, finished preview can be confirmed; the rows are validated again
    inside the import (the database may have changed since the preview)."""
    preview = _import_job(request, pk)
    if not (preview.params.get("dry_run") and preview.is_finished and preview.result.get("ok") and preview.input_file):
        # (A preview whose file was deleted after the retention period cannot be confirmed: upload it again.)
        raise Http404
    require_capability(request.user, Capability.CHANGE)
    job = job_start(
        acting_user=request.user,
        kind=IMPORT_KIND,
        title=preview.title.replace("预检", ""),
        params={**preview.params, "dry_run": False, "preview_job": preview.pk},
        input_file=preview.input_file,
    )
    return redirect("members:import_job", job.pk)
