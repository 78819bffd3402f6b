"""URLs of the school operator's verification pages, in the ``ppdb`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.queue, name="verification_queue"),
    path("<str:number>/", views.application, name="verification_application"),
    path("<str:number>/decide/", views.decide, name="verification_decide"),
    path(
        "<str:number>/documents/<int:document_pk>/",
        views.document,
        name="verification_document",
    ),
]
