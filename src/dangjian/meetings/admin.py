from django.contrib import admin

from .models import Meeting, Talk


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["topic", "org", "starts_at", "status", "review_state"]
    list_filter = ["status", "review_state"]
    raw_id_fields = ["org", "host", "recorder", "lecturer"]


@admin.register(Talk)
class TalkAdmin(admin.ModelAdmin):
    list_display = ["held_on", "org", "talker", "talkee", "kind"]
    raw_id_fields = ["org", "talker", "talkee"]
