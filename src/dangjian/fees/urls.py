from django.urls import path

from . import views

app_name = "fees"

urlpatterns = [
    # ledger: a month's lines per branch
    path("", views.ledger_view, name="ledger"),
]

# --- lane selfapi: a member's own page ---
from . import mine_views  # noqa: E402

urlpatterns += [
    path("mine/", mine_views.mine_view, name="mine"),
]
