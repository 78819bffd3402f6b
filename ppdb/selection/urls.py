"""URLs of selection runs and results, included in the ``ppdb`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("periods/<int:pk>/ranking/", views.ranking, name="ranking"),
    path(
        "periods/<int:pk>/ranking/<str:npsn>/<str:track>/",
        views.ranking_program,
        name="ranking_program",
    ),
    path("applications/<int:pk>/result/", views.result, name="result"),
    path("selection/periods/<int:pk>/runs/", views.runs, name="runs"),
    path(
        "selection/periods/<int:pk>/reports/",
        views.period_reports,
        name="reports",
    ),
    path("selection/runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("selection/runs/<int:pk>/publish/", views.run_publish, name="run_publish"),
    path("selection/runs/<int:pk>/compare/", views.run_compare, name="run_compare"),
    path(
        "selection/runs/<int:pk>/export/<str:audience>.<str:file_format>",
        views.run_export,
        name="run_export",
    ),
]
