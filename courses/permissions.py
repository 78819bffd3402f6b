"""
Wagtail admin rights of teachers over their own courses.

Each course has a Django group, "Course teachers: <page id>", whose members
are the course's teachers and which may add, change and publish pages in
that course's subtree. Teachers reach the admin through the role group
``lms.roles.TEACHER``; these per-course groups decide which pages they edit.
"""

import logging

from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission

logger = logging.getLogger(__name__)

TEACHER_GROUP_PREFIX = "Course teachers: "
TEACHER_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]


def teacher_group_name(course_id):
    return f"{TEACHER_GROUP_PREFIX}{course_id}"


def sync_teacher_group(course, requires_review=None):
    """
    Create or update the group of ``course`` so it matches its teachers.

    Where the school requires review, the group may not publish, so the
    teachers' changes go through the school's review workflow.
    """
    group, created = Group.objects.get_or_create(name=teacher_group_name(course.pk))
    if requires_review is None:
        index = course.get_parent()
        requires_review = bool(getattr(index.specific, "requires_review", False))
    codenames = [
        codename
        for codename in TEACHER_PAGE_PERMISSIONS
        if not (requires_review and codename == "publish_page")
    ]
    permissions = Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=codenames
    )
    for permission in permissions:
        GroupPagePermission.objects.get_or_create(
            group=group, page_id=course.pk, permission=permission
        )
    GroupPagePermission.objects.filter(group=group, page_id=course.pk).exclude(
        permission__in=permissions
    ).delete()
    teachers = list(course.teachers.all())
    group.user_set.set(teachers)
    if created:
        logger.info("course teacher group created course=%s", course.pk)
    return group


def delete_teacher_group(course_id):
    """Delete the group of a deleted course and, with it, its page permissions."""
    deleted, _counts = Group.objects.filter(name=teacher_group_name(course_id)).delete()
    if deleted:
        logger.info("course teacher group deleted course=%s", course_id)
