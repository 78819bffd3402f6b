"""Keep the courses' Django groups in step with courses and memberships."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from lms.models import Membership

from .models import CoursePage
from .permissions import delete_teacher_group
from .workflow import sync_operator_group


@receiver(post_delete, sender=CoursePage)
def course_deleted(sender, instance, **kwargs):
    delete_teacher_group(instance.pk)


@receiver([post_save, post_delete], sender=Membership)
def membership_changed(sender, instance, raw=False, **kwargs):
    # The group is rebuilt from the memberships that remain, so a deleted
    # membership (or user) is never added back.
    if not raw and instance.role == Membership.Role.OPERATOR:
        sync_operator_group(instance.school)
