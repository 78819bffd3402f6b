from django.urls import path

from . import calendar_views, views

app_name = "gradebook"

urlpatterns = [
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path(
        "calendar/new-address/",
        calendar_views.regenerate_feed,
        name="regenerate_feed",
    ),
    path("ical/<str:token>.ics", calendar_views.ical_feed, name="ical"),
    path("parent/", calendar_views.parent_page, name="parent"),
    path("parent/<int:child_id>/", calendar_views.parent_page, name="child"),
    path("course/<int:course_id>/", views.gradebook, name="course"),
    path("course/<int:course_id>/manage/", views.manage, name="manage"),
    path(
        "course/<int:course_id>/items/<int:item_id>/delete/",
        views.delete_item,
        name="delete_item",
    ),
    path(
        "course/<int:course_id>/export.csv",
        views.export,
        {"file_format": "csv"},
        name="export_csv",
    ),
    path(
        "course/<int:course_id>/export.xlsx",
        views.export,
        {"file_format": "xlsx"},
        name="export_xlsx",
    ),
    path("course/<int:course_id>/mine/", views.student_view, name="mine"),
    path(
        "course/<int:course_id>/students/<int:student_id>/",
        views.student_view,
        name="student_grades",
    ),
    path(
        "course/<int:course_id>/students/<int:student_id>/grade/",
        views.grade_student,
        name="student",
    ),
    path(
        "course/<int:course_id>/students/<int:student_id>/items/<int:item_id>/score/",
        views.save_score,
        name="score",
    ),
    path(
        "course/<int:course_id>/students/<int:student_id>/items/<int:item_id>/override/",
        views.save_override,
        name="override",
    ),
    path(
        "course/<int:course_id>/students/<int:student_id>/total/",
        views.save_override,
        name="total",
    ),
]
