from django.urls import path

from . import notification_views, views

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
]
