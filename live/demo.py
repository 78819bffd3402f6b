"""
Demo live classes: one open now and one scheduled for tomorrow.

Both belong to the first course taught by a teacher of the first school
that has courses. Running ``build`` again finds them by course and title
instead of creating more.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from courses import api as courses_api

from .models import LiveSession, SessionState

OPEN_TITLE = "Kelas langsung: tanya jawab materi minggu ini"
SCHEDULED_TITLE = "Kelas langsung: persiapan ulangan harian"


def first_taught_course(world):
    """Return ``(teacher, course)`` for the first school with a taught course."""
    for school in world.schools:
        for teacher in world.teachers.get(school.npsn, []):
            for course in courses_api.courses_for(teacher):
                if courses_api.course_role(teacher, course) == "teacher":
                    return teacher, course
    return None, None


def build(world, stdout):
    teacher, course = first_taught_course(world)
    if course is None:
        stdout.write(_("No live classes: no school has a course with a teacher."))
        return

    now = timezone.now().replace(second=0, microsecond=0)
    open_session, created = LiveSession.objects.get_or_create(
        course_id=course.pk,
        title=OPEN_TITLE,
        defaults={
            "teacher": teacher,
            "starts_at": now,
            "ends_at": now + datetime.timedelta(minutes=90),
        },
    )
    if created:
        open_session.open(by=teacher)

    tomorrow = timezone.localtime(now + datetime.timedelta(days=1)).replace(
        hour=9, minute=0
    )
    LiveSession.objects.get_or_create(
        course_id=course.pk,
        title=SCHEDULED_TITLE,
        defaults={
            "teacher": teacher,
            "starts_at": tomorrow,
            "ends_at": tomorrow + datetime.timedelta(hours=1),
            "state": SessionState.SCHEDULED,
        },
    )
    stdout.write(
        _("Live classes for %(course)s: one open now, one tomorrow at 09:00.")
        % {"course": course.title}
    )
