"""Lesson progress: the lessons a student has opened and finished, per course."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import LessonPage, LessonProgress

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
    open_rows = sorted(
        (row for row in rows if row.completed_at is None),
        key=lambda row: row.last_seen_at,
        reverse=True,
    )
    by_id = {lesson.pk: lesson for lesson in lessons}
    continue_lesson = by_id[open_rows[0].lesson_id] if open_rows else None
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
