"""Live classes on a person's calendar."""

from django.urls import reverse

from courses.api import courses_for
from courses.calendar_types import CalendarEvent

from .models import LiveSession


def events_for(user, start, end):
    """
    Return a ``CalendarEvent`` per live class of ``user`` between the times.

    A class counts when it overlaps [start, end). The courses are those that
    ``user`` teaches or is enrolled in, as ``courses.api.courses_for`` gives.
    """
    course_ids = courses_for(user).values("pk")
    sessions = (
        LiveSession.objects.filter(
            course_id__in=course_ids, starts_at__lt=end, ends_at__gt=start
        )
        .select_related("course")
        .order_by("starts_at", "pk")
    )
    return [
        CalendarEvent(
            title=session.title,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            url=reverse("live:session", args=[session.pk]),
            kind="live",
            course_title=session.course.title,
        )
        for session in sessions
    ]
