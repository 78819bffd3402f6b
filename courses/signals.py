"""Keep the courses' Django groups in step with courses and memberships."""

import logging

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published

from lms.models import Membership

from .models import CoursePage, LessonPage, Notification
from .notify import notify
from .permissions import delete_teacher_group
from .workflow import sync_operator_group

logger = logging.getLogger(__name__)


@receiver(post_delete, sender=CoursePage)
def course_deleted(sender, instance, **kwargs):
    delete_teacher_group(instance.pk)


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
