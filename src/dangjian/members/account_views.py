"""Pages that make logins for members: one from the member's page, or every member of a branch without one."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.core.credentials import credentials_page
from dangjian.core.forms import BootstrapFormMixin, LongSelect
from dangjian.core.generic import form_error
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.orgs.models import Organization

from .accounts import BULK_MAX, member_login_create, member_logins_create, members_without_login
from .models import Member
from .selectors import member_get

PREVIEW_ROWS = 200


class LoginsForm(BootstrapFormMixin, forms.Form):
    org = forms.ModelChoiceField(label="党组织", queryset=None, widget=LongSelect, help_text="其下在册、尚无账号的党员")

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs
        self.fields["org"].label_from_instance = lambda o: f"{'　' * (o.depth - 1)}{o.name}"


@require_POST
def member_login_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        member = member_get(fetched_by=request.user, pk=pk, capability=Capability.MANAGE_GRANTS)
    except Member.DoesNotExist:
        raise Http404 from None
    try:
        credential = member_login_create(acting_user=request.user, member=member)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("members:detail", pk=member.pk)
    return credentials_page(
        request,
        [credential],
        title="登录账号的初始密码",
        note=f"已为 {member.name} 创建登录账号（角色：党员）。",
        back_url=reverse("members:detail", args=[member.pk]),
    )


def member_logins_view(request: HttpRequest) -> HttpResponse:
    """Logins for every member of a chosen org (and below) who has none: a preview (GET ?org=), then one POST."""
    require_capability(request.user, Capability.MANAGE_GRANTS)
    orgs = Organization.objects.restrict(request.user, Capability.MANAGE_GRANTS).active()
    org_id = request.POST.get("org") or request.GET.get("org") or ""
    if org_id and (not org_id.isdigit() or not orgs.filter(pk=int(org_id)).exists()):
        raise Http404  # an org outside the scope: as if it did not exist
    data = request.POST if request.method == "POST" else (request.GET if "org" in request.GET else None)
    form = LoginsForm(data, orgs=orgs)
    pending: list[Member] = []
    total = 0
    if form.is_valid():
        org = form.cleaned_data["org"]
        if request.method == "POST":
            try:
                credentials = member_logins_create(acting_user=request.user, org=org)
            except (ValidationError, PermissionDenied) as error:
                form_error(form, error if isinstance(error, ValidationError) else ValidationError(str(error)))
            else:
                if not credentials:
                    messages.info(request, f"{org.name} 没有需要创建登录账号的在册党员")
                    return redirect(f"{reverse('members:logins')}?org={org.pk}")
                return credentials_page(
                    request,
                    credentials,
                    title="批量创建的登录账号",
                    note=f"已为 {org.name} 的 {len(credentials)} 名党员创建登录账号（角色：党员）。",
                    back_url=reverse("core:grants"),
                )
        without = members_without_login(fetched_by=request.user, org=org)
        total = without.count()
        pending = list(without[:PREVIEW_ROWS])
    context = {"form": form, "pending": pending, "total": total, "bulk_max": BULK_MAX, "preview_rows": PREVIEW_ROWS}
    return render(request, "members/member_logins.html", context, status=400 if form.errors else 200)
