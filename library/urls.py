from django.urls import path

from . import views

app_name = "library"

urlpatterns = [
    path("", views.search, name="search"),
    path("upload/", views.upload, name="upload"),
    path("my-uploads/", views.my_uploads, name="my_uploads"),
    path("files/<int:pk>/download/", views.download, name="download"),
]
