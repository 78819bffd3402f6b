from django.urls import include, path

from . import views

app_name = "ppdb"

urlpatterns = [
    path("", views.index, name="index"),
    path("periods/<int:pk>/", views.period, name="period"),
    path("", include("ppdb.registration.urls")),
    path("", include("ppdb.selection.urls")),
    path("office/", include("ppdb.admin_views.urls")),
    path("verification/", include("ppdb.verification.urls")),
    path("", include("ppdb.aftermath.urls")),
]
