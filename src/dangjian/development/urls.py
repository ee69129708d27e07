from django.urls import path

from . import views

app_name = "development"

urlpatterns = [
    path("", views.applicant_list, name="list"),
]
