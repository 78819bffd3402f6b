"""Public admission information and the parents' registration pages."""

from django.urls import path

from .. import public_views
from . import views

urlpatterns = [
    path("help/", public_views.help_page, name="help"),
    path(
        "periods/<int:pk>/information/",
        public_views.information,
        name="information",
    ),
    path("periods/<int:pk>/register/", views.consent, name="register"),
    path("periods/<int:pk>/register/form/", views.register, name="register_form"),
    path("my-applications/", views.applications, name="applications"),
    path("my-applications/<str:number>/", views.application, name="application"),
    path("my-applications/<str:number>/receipt/", views.receipt, name="receipt"),
    path("my-applications/<str:number>/fix/", views.correct, name="correct"),
    path(
        "my-applications/<str:number>/documents/<int:pk>/",
        views.document,
        name="document",
    ),
]
