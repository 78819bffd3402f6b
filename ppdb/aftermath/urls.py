from django.urls import path

from . import views

# Included into the ppdb namespace by ppdb/urls.py.
urlpatterns = [
    path(
        "my-applications/<str:number>/after/",
        views.aftermath,
        name="aftermath",
    ),
    path(
        "my-applications/<str:number>/objection/",
        views.file_objection,
        name="file_objection",
    ),
    path(
        "my-applications/<str:number>/re-register/",
        views.re_register,
        name="re_register",
    ),
    path(
        "my-applications/<str:number>/withdraw/",
        views.withdraw,
        name="withdraw",
    ),
    path("periods/<int:pk>/complaints/", views.complaints, name="complaints"),
    path(
        "office/periods/<int:pk>/complaints/",
        views.office_complaints,
        name="office_complaints",
    ),
    path(
        "office/complaints/<int:pk>/answer/",
        views.answer_complaint,
        name="answer_complaint",
    ),
    path(
        "office/periods/<int:pk>/objections/",
        views.office_objections,
        name="office_objections",
    ),
    path(
        "office/objections/<int:pk>/answer/",
        views.answer_objection,
        name="answer_objection",
    ),
    path(
        "office/applications/<str:number>/cancel/",
        views.cancel,
        name="cancel",
    ),
]
