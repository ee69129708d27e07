"""Django admin for superusers. Model validation (ID checksum, birth date/gender agreement) applies here too."""

from django.contrib import admin

from .models import Member, StatusChange, Transfer
from .services import fill_pinyin


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "gender", "org", "category", "status"]
    list_filter = ["status", "category", "gender"]
    search_fields = ["name", "name_pinyin", "name_initials"]
    raw_id_fields = ["org", "group", "user"]

    def save_model(self, request, obj, form, change):
        fill_pinyin(obj)
        super().save_model(request, obj, form, change)


admin.site.register(StatusChange)
admin.site.register(Transfer)
