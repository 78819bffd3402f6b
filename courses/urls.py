from django.urls import path

from . import (
    digest_views,
    discussion_views,
    enrolment_views,
    notification_views,
    progress_views,
    views,
)

app_name = "courses"

urlpatterns = [
    path("", views.index, name="index"),
    path("join/", views.join, name="join"),
    path("notifications/", notification_views.notifications, name="notifications"),
    path(
        "notifications/read/",
        notification_views.mark_read,
        name="notifications_read",
    ),
    path(
        "lessons/<int:lesson_id>/done/", progress_views.lesson_done, name="lesson_done"
    ),
    path(
        "lessons/<int:lesson_id>/offline/",
        progress_views.lesson_offline,
        name="lesson_offline",
    ),
    path(
        "<int:course_id>/progress/",
        progress_views.class_progress,
        name="class_progress",
    ),
    path(
        "<int:course_id>/announcements/",
        discussion_views.announcements,
        name="announcements",
    ),
    path("<int:course_id>/discussions/", discussion_views.threads, name="threads"),
    path(
        "discussions/<int:thread_id>/",
        discussion_views.thread_detail,
        name="thread",
    ),
    path(
        "discussions/<int:thread_id>/moderate/",
        discussion_views.moderate_thread,
        name="thread_moderate",
    ),
    path(
        "posts/<int:post_id>/moderate/",
        discussion_views.moderate_post,
        name="post_moderate",
    ),
    path("<int:course_id>/enrol/", enrolment_views.enrol, name="enrol"),
    path("digest/", digest_views.digest_preference, name="digest_preference"),
]
