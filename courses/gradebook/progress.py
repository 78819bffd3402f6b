"""Read a student's lesson progress in a course for the parent page."""

from courses.models import LessonPage, LessonProgress


def course_progress(course, student):
    """Return ``(done, total)``: the lessons ``student`` finished in ``course``."""
    lessons = LessonPage.objects.live().descendant_of(course)
    total = lessons.count()
    done = LessonProgress.objects.filter(
        student=student, lesson__in=lessons, completed_at__isnull=False
    ).count()
    return done, total
