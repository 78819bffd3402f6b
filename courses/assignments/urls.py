from django.urls import path

from . import rubric_views, views

app_name = "assignments"

urlpatterns = [
    path("course/<int:course_id>/", views.course_assignments, name="course"),
    path("course/<int:course_id>/new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/rubric/", rubric_views.rubric_edit, name="rubric"),
    path("<int:pk>/rubric/delete/", rubric_views.rubric_delete, name="rubric_delete"),
    path("<int:pk>/submissions/", views.submissions, name="submissions"),
    path("<int:pk>/extension/", views.extension, name="extension"),
    path("<int:pk>/student/<int:student_id>/", views.student_work, name="student_work"),
    path("submission/<int:pk>/grade/", views.grade, name="grade"),
    path("submission/<int:pk>/file/", views.download, name="download"),
]
