from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import CommitteeSeat, CommitteeTerm, Organization


@admin.register(Organization)
class OrganizationAdmin(TreeAdmin):
    form = movenodeform_factory(Organization)
    list_display = ["name", "kind", "code", "department", "dissolved_on"]


admin.site.register(CommitteeTerm)
admin.site.register(CommitteeSeat)
