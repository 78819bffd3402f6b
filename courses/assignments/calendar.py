"""Due dates of assignments for the calendar page and iCal feed."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from courses.api import courses_for
from courses.calendar_types import CalendarEvent

from .models import Assignment, Extension


def events_for(user, start, end):
    """
    Return the due dates between ``start`` and ``end`` that ``user`` follows.

    Teachers and students get the assignments of their courses, guardians
    those of their children's. A student's or child's extended due date
    replaces the assignment's own.
    """
    if user is None or not user.is_authenticated:
        return []
    people = [user]
    people += list(
        get_user_model().objects.filter(guardian_links__guardian=user).distinct()
    )
    events = []
    seen = set()
    for person in people:
        courses = courses_for(person)
        extensions = {
            extension.assignment_id: extension.due_at
            for extension in Extension.objects.filter(
                student=person, assignment__course__in=courses
            )
        }
        extended = [pk for pk, due in extensions.items() if start <= due < end]
        assignments = Assignment.objects.filter(course__in=courses).filter(
            Q(due_at__gte=start, due_at__lt=end) | Q(pk__in=extended)
        )
        for assignment in assignments.select_related("course"):
            due_at = extensions.get(assignment.pk, assignment.due_at)
            if not start <= due_at < end:
                continue
            title = assignment.title
            if person.pk != user.pk:
                title = f"{title} ({person.get_full_name() or person.username})"
            key = (assignment.pk, person.pk if person.pk != user.pk else None)
            if key in seen:
                continue
            seen.add(key)
            events.append(
                CalendarEvent(
                    title=title,
                    starts_at=due_at,
                    url=assignment.get_absolute_url(),
                    kind="assignment",
                    course_title=assignment.course.title,
                )
            )
    events.sort(key=lambda event: event.starts_at)
    return events
