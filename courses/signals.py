"""
Keep the courses' Django groups in step with courses and memberships.

Course pages also keep their teachers' names and the names of their class
group, semester and academic year in their route data, which is used only
under the current generation of the page tree, so a change of those names
replaces the generation.
"""

import logging

from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from wagtail.signals import page_published

from lms.models import AcademicYear, ClassGroup, Membership, Semester
from lms.page_routes import forget_routes_on_commit

from .models import CoursePage, LessonPage, Notification
from .notify import notify
from .permissions import delete_teacher_group
from .workflow import sync_operator_group

logger = logging.getLogger(__name__)


@receiver(post_delete, sender=CoursePage)
def course_deleted(sender, instance, **kwargs):
    delete_teacher_group(instance.pk)


# The fields that str(user) shows (see lms.models.User.__str__).
USER_NAME_FIELDS = frozenset({"first_name", "last_name", "username"})


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def teacher_renamed(sender, instance, raw=False, created=False, **kwargs):
    update_fields = kwargs.get("update_fields")
    if raw or created:
        return
    # A login saves last_login alone, which no page shows.
    if update_fields is not None and not USER_NAME_FIELDS & set(update_fields):
        return
    if instance.taught_courses.exists():
        forget_routes_on_commit()


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def teacher_deleted(sender, instance, **kwargs):
    # Deleting a teacher's account removes them from their courses without
    # saving the course pages.
    if instance.taught_courses.exists():
        forget_routes_on_commit()


@receiver([post_save, post_delete], sender=AcademicYear)
@receiver([post_save, post_delete], sender=Semester)
@receiver([post_save, post_delete], sender=ClassGroup)
def term_changed(sender, instance, raw=False, **kwargs):
    # Deleting a class group also clears it from its courses by a queryset
    # update, which saves no page.
    if not raw:
        forget_routes_on_commit()


@receiver([post_save, post_delete], sender=Membership)
def membership_changed(sender, instance, raw=False, **kwargs):
    # The group is rebuilt from the memberships that remain, so a deleted
    # membership (or user) is never added back.
    if not raw and instance.role == Membership.Role.OPERATOR:
        sync_operator_group(instance.school)


@receiver(page_published, sender=LessonPage)
def lesson_published(sender, instance, **kwargs):
    """Tell the course's students about a lesson published for the first time."""
    course = instance.get_course()
    if course is None or not course.live:
        return
    url = instance.url or ""
    # Later publications are edits of material the students already know of.
    if Notification.objects.filter(
        kind=Notification.Kind.NEW_MATERIAL, url=url
    ).exists():
        return
    from .api import enrolled_students

    count = notify(
        enrolled_students(course),
        Notification.Kind.NEW_MATERIAL,
        f"{course.title}: {instance.title}",
        url,
    )
    logger.info(
        "new lesson announced lesson=%s course=%s students=%s",
        instance.pk,
        course.pk,
        count,
    )
