from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "dangjian.development"
    label = "development"
    verbose_name = "发展党员"
    # No url_prefix yet: the app has no pages (urls.py) or API (api.py); its rules come first.
