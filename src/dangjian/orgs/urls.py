from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.org_tree_view, name="tree"),
    path("new/", views.org_create, name="create"),
    path("<int:pk>/", views.org_detail, name="detail"),
    path("<int:pk>/edit/", views.org_edit, name="edit"),
    path("<int:pk>/move/", views.org_move, name="move"),
    path("<int:pk>/dissolve/", views.org_dissolve, name="dissolve"),
    path("<int:pk>/terms/new/", views.term_create, name="term_create"),
    path("terms/<int:pk>/seats/new/", views.seat_add, name="seat_add"),
    path("seats/<int:pk>/end/", views.seat_end, name="seat_end"),
]
