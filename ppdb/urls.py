from django.urls import path

from . import views

app_name = "ppdb"

urlpatterns = [
    path("", views.index, name="index"),
    path("periods/<int:pk>/", views.period, name="period"),
]
