"""Remove a course's teacher group when the course is deleted."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import CoursePage
from .permissions import delete_teacher_group


@receiver(post_delete, sender=CoursePage)
def course_deleted(sender, instance, **kwargs):
    delete_teacher_group(instance.pk)
