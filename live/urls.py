from django.urls import path

from . import classroom_views, poll_views, record_views, slide_views, views

app_name = "live"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create_session, name="create"),
    path("<int:session_id>/", views.session_detail, name="session"),
    path("<int:session_id>/chat/", views.post_chat, name="chat"),
    path("<int:session_id>/polls/", poll_views.poll_record, name="polls"),
    path("<int:session_id>/hand/raise/", classroom_views.hand_raise, name="hand_raise"),
    path("<int:session_id>/hand/lower/", classroom_views.hand_lower, name="hand_lower"),
    path(
        "<int:session_id>/hands/lower-all/",
        classroom_views.hands_lower_all,
        name="hands_lower_all",
    ),
    path("<int:session_id>/poll/open/", classroom_views.poll_open, name="poll_open"),
    path(
        "<int:session_id>/poll/answer/",
        classroom_views.poll_answer,
        name="poll_answer",
    ),
    path("<int:session_id>/poll/close/", classroom_views.poll_close, name="poll_close"),
    path("<int:session_id>/chat/mute/", classroom_views.chat_mute, name="chat_mute"),
    path("<int:session_id>/remove/", classroom_views.remove, name="remove"),
    path("<int:session_id>/open/", views.open_session, name="open"),
    path("<int:session_id>/end/", views.end_session, name="end"),
    path(
        "<int:session_id>/slides/<int:deck_id>/<int:page>.webp",
        slide_views.slide_image,
        name="slide_image",
    ),
    path(
        "<int:session_id>/attendance/",
        record_views.attendance_page,
        name="attendance",
    ),
    path("<int:session_id>/replay/", record_views.replay, name="replay"),
    path(
        "<int:session_id>/replay/events.json",
        record_views.replay_events,
        name="replay_events",
    ),
    path(
        "<int:session_id>/chat.txt",
        record_views.transcript,
        name="transcript",
    ),
    path(
        "<int:session_id>/attendance.csv",
        views.attendance_csv,
        name="attendance_csv",
    ),
]
