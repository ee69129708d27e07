from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "dangjian.voice"
    label = "voice"
    verbose_name = "党员之声"
