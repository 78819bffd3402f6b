"""URLs of the education office's pages, in the ``ppdb`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.periods, name="office_periods"),
    path("periods/<int:pk>/seats/", views.seats, name="office_seats"),
    path("periods/<int:pk>/schools/add/", views.add_school, name="office_add_school"),
    path(
        "periods/<int:pk>/schools/<int:school_pk>/",
        views.edit_school,
        name="office_edit_school",
    ),
]
