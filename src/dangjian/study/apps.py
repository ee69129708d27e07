from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "dangjian.study"
    label = "study"
    verbose_name = "学习培训"
    # No url_prefix yet: the app has no pages (urls.py) or API (api.py); its rules come first.
