"""Quiz windows on a person's calendar."""

from django.db.models import Q
from django.urls import reverse

from courses.api import courses_for
from courses.calendar_types import CalendarEvent

from .models import Quiz


def events_for(user, start, end):
    """
    Return a ``CalendarEvent`` per quiz window of ``user`` between the times.

    A window counts when it overlaps [start, end). Quizzes without an open
    or close time have no place on a calendar and are left out.
    """
    quizzes = (
        Quiz.objects.filter(course__in=courses_for(user))
        .exclude(opens_at=None, closes_at=None)
        .filter(Q(opens_at__lt=end) | Q(opens_at=None))
        .filter(Q(closes_at__gte=start) | Q(closes_at=None))
        .select_related("course")
        .order_by("opens_at", "closes_at", "pk")
    )
    events = []
    for quiz in quizzes:
        starts_at = quiz.opens_at or quiz.closes_at
        events.append(
            CalendarEvent(
                title=quiz.title,
                starts_at=starts_at,
                ends_at=quiz.closes_at if quiz.opens_at else None,
                url=reverse("quizzes:detail", args=[quiz.pk]),
                kind="quiz",
                course_title=quiz.course.title,
            )
        )
    return events
