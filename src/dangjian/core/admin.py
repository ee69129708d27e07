from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import RoleGrant, User


@admin.register(User)
class DangjianUserAdmin(UserAdmin):
    fieldsets = [*UserAdmin.fieldsets, ("姓名", {"fields": ["full_name"]})]
    list_display = ["username", "full_name", "is_active", "is_superuser"]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "org", "revoked_at"]
    list_filter = ["role"]
