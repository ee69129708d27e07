from django.urls import path

from . import views

app_name = "fees"

urlpatterns = [
    # ledger: a month's lines per branch
    path("", views.ledger_view, name="ledger"),
]
