from django.urls import path

from . import views
from .usage import views as usage_views

app_name = "library"

urlpatterns = [
    path("", views.search, name="search"),
    path("upload/", views.upload, name="upload"),
    path("my-uploads/", views.my_uploads, name="my_uploads"),
    path("files/<int:pk>/download/", views.download, name="download"),
    path("items/<int:pk>/usage/", usage_views.item_usage, name="item_usage"),
    path("usage/", usage_views.school_usage, name="school_usage"),
]
