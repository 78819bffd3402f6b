"""Lesson progress: the lessons a student has opened and finished, per course."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, connections, models, transaction
from django.utils import timezone

from .models import LessonPage, LessonProgress, table_sql
from .outline import stored_lesson_links

# How often a student's last visit to one lesson is written down.
SEEN_RESOLUTION = datetime.timedelta(minutes=5)

# Passed to record_seen when the caller has not read the progress row.
UNKNOWN = object()


def course_lessons(course):
    """Return the live lessons of ``course`` in reading order (tree order)."""
    return LessonPage.objects.descendant_of(course).live().order_by("path")


def record_seen(student, lesson, existing=UNKNOWN):
    """
    Note that ``student`` opened ``lesson`` now; return the progress row.

    ``existing`` is the row as the caller has just read it, or ``None`` when
    there is none. By default it is read here.
    """
    now = timezone.now()
    if existing is UNKNOWN:
        existing = LessonProgress.objects.filter(student=student, lesson=lesson).first()
    if existing is not None and now - existing.last_seen_at < SEEN_RESOLUTION:
        # A reload within minutes changes nothing worth a write per request.
        return existing
    updated = LessonProgress.objects.filter(student=student, lesson=lesson).update(
        last_seen_at=now
    )
    if not updated:
        try:
            with transaction.atomic():
                LessonProgress.objects.create(
                    student=student, lesson=lesson, last_seen_at=now
                )
        except IntegrityError:
            # A second request of the same student created the row first.
            pass
    return LessonProgress.objects.get(student=student, lesson=lesson)


def mark_done(student, lesson):
    """Mark ``lesson`` done for ``student``, keeping the first completion time."""
    progress = record_seen(student, lesson)
    if progress.completed_at is None:
        progress.completed_at = progress.last_seen_at
        progress.save(update_fields=["completed_at"])
    return progress


@dataclass
class CourseProgress:
    """A student's progress through the lessons of one course."""

    done: int
    total: int
    continue_lesson: LessonPage | None
    done_ids: frozenset

    @property
    def percent(self):
        return round(100 * self.done / self.total) if self.total else 0


def progress_for(student, course, lessons=None):
    """
    Return the ``CourseProgress`` of ``student`` in ``course``.

    ``lessons`` may be lesson pages or any objects with their ``pk``, such
    as ``courses.outline.PageLink``; ``continue_lesson`` is one of them.

    The lesson to continue with is the one last opened that is not done.
    Without one it is the first lesson not done, and ``None`` when all are.
    """
    lessons = list(course_lessons(course) if lessons is None else lessons)
    rows = LessonProgress.objects.filter(
        student=student, lesson_id__in=[lesson.pk for lesson in lessons]
    )
    done_ids = frozenset(row.lesson_id for row in rows if row.completed_at)
    open_rows = [row for row in rows if row.completed_at is None]
    # The same order as the route query of ``annotate_course_progress``.
    last_open = max(open_rows, key=lambda row: (row.last_seen_at, row.pk), default=None)
    last_open_id = last_open.lesson_id if last_open is not None else None
    return progress_from(lessons, done_ids, last_open_id)


def progress_from(lessons, done_ids, last_open_id):
    """
    Return the ``CourseProgress`` through ``lessons`` from the progress rows.

    ``done_ids`` are the ids of the lessons done, and ``last_open_id`` is the
    lesson last opened and not done, or ``None``. Ids of lessons that are
    not in ``lessons`` are ignored.
    """
    by_id = {lesson.pk: lesson for lesson in lessons}
    done_ids = frozenset(done_ids) & by_id.keys()
    continue_lesson = by_id.get(last_open_id)
    if continue_lesson is None:
        continue_lesson = next(
            (lesson for lesson in lessons if lesson.pk not in done_ids), None
        )
    return CourseProgress(
        done=len(done_ids),
        total=len(lessons),
        continue_lesson=continue_lesson,
        done_ids=done_ids,
    )


# The aggregate that joins a column of ids into one comma-separated string,
# per database vendor. On other databases the course page reads the
# progress rows with a query of their own.
ID_LIST_AGGREGATES = {
    "postgresql": "string_agg(CAST(lesson_id AS text), ',')",
    "sqlite": "group_concat(lesson_id, ',')",
}


def annotate_course_progress(queryset, request, course_id):
    """
    Add the viewer's progress through course ``course_id`` to ``queryset``.

    The course page's route query uses it, so that the page needs no query
    of its own for the progress rows. The lessons counted are the live ones
    that the route data links to. Before the route data has them, the
    queryset comes back unchanged and ``progress_for`` reads the rows.
    ``annotated_progress`` reads the two annotations.
    """
    aggregate = ID_LIST_AGGREGATES.get(connections[queryset.db].vendor)
    links = stored_lesson_links(request, course_id)
    if aggregate is None or not links:
        return queryset
    lesson_ids = [link.pk for link in links]
    placeholders = ", ".join(["%s"] * len(lesson_ids))
    rows = f"FROM {{table}} WHERE student_id = %s AND lesson_id IN ({placeholders})"
    params = (request.user.pk, *lesson_ids)
    return queryset.annotate(
        viewer_done_lesson_ids=table_sql(
            f"SELECT {aggregate} {rows} AND completed_at IS NOT NULL",
            LessonProgress,
            params,
            models.TextField(),
        ),
        # Ordered as in progress_for, by the latest visit and then the newest row.
        viewer_last_open_lesson_id=table_sql(
            f"SELECT lesson_id {rows} AND completed_at IS NULL "
            "ORDER BY last_seen_at DESC, id DESC LIMIT 1",
            LessonProgress,
            params,
            models.BigIntegerField(),
        ),
    )


def annotated_progress(course, lessons):
    """
    Return the ``CourseProgress`` that ``annotate_course_progress`` loaded.

    Return ``None`` when ``course`` was loaded without it.
    """
    if not hasattr(course, "viewer_done_lesson_ids"):
        return None
    done_ids = {
        int(lesson_id)
        for lesson_id in (course.viewer_done_lesson_ids or "").split(",")
        if lesson_id
    }
    return progress_from(lessons, done_ids, course.viewer_last_open_lesson_id)


def class_overview(course, students):
    """
    Return ``(lessons, rows)`` for the teacher's table of a class.

    Each row is ``(student, cells, done_count)`` where each cell is the
    ``LessonProgress`` of that lesson, or ``None`` when never opened.
    """
    lessons = list(course_lessons(course))
    students = list(students)
    progress = {
        (row.student_id, row.lesson_id): row
        for row in LessonProgress.objects.filter(
            lesson__in=lessons, student__in=students
        )
    }
    rows = []
    for student in students:
        cells = [progress.get((student.pk, lesson.pk)) for lesson in lessons]
        done = sum(1 for cell in cells if cell and cell.completed_at)
        rows.append((student, cells, done))
    return lessons, rows
