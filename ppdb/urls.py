from django.urls import include, path

from . import views

app_name = "ppdb"

urlpatterns = [
    path("", views.index, name="index"),
    path("periods/<int:pk>/", views.period, name="period"),
    path("", include("ppdb.registration.urls")),
]
