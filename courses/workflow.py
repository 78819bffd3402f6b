"""
Review before publishing: a Wagtail workflow per school that requires it.

A school that sets ``CourseIndexPage.requires_review`` gets a workflow,
"Review by school operator: <NPSN>", with one group approval task for the
group "School operators: <NPSN>". The group's members are the school's
operators, kept in step with their memberships. The course teachers of
such a school lose the right to publish, so their edits go to the
operators, whose approval publishes them.
"""

import logging

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from lms.models import Membership

logger = logging.getLogger(__name__)

OPERATOR_GROUP_PREFIX = "School operators: "
WORKFLOW_PREFIX = "Review by school operator: "
REVIEWER_PERMISSIONS = ["change_page", "publish_page"]


def operator_group(school):
    """Return the group of ``school``'s operators, synchronised, creating it."""
    group, created = Group.objects.get_or_create(
        name=f"{OPERATOR_GROUP_PREFIX}{school.npsn}"
    )
    operators = Membership.objects.filter(
        school=school, role=Membership.Role.OPERATOR
    ).values_list("user_id", flat=True)
    group.user_set.set(list(operators))
    if created:
        logger.info("school operator group created school=%s", school.pk)
    return group


def sync_operator_group(school):
    """Update the operator group of ``school`` when it exists already."""
    if Group.objects.filter(name=f"{OPERATOR_GROUP_PREFIX}{school.npsn}").exists():
        operator_group(school)


@transaction.atomic
def apply_review_setting(index):
    """
    Attach or detach the review workflow of a course index, as it requires.

    Return the workflow when review is required, else ``None``. The
    teachers' groups of the school's courses are updated to match.
    """
    from .models import CoursePage
    from .permissions import sync_teacher_group

    workflow = None
    if index.requires_review:
        name = f"{WORKFLOW_PREFIX}{index.school.npsn}"
        workflow, created = Workflow.objects.get_or_create(name=name)
        if created or not workflow.workflow_tasks.exists():
            task = GroupApprovalTask.objects.create(name=name)
            task.groups.set([operator_group(index.school)])
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        WorkflowPage.objects.update_or_create(
            page=index, defaults={"workflow": workflow}
        )
        # Reviewers open the pages they review in the admin's editor, which
        # needs page permissions on the school's courses.
        group = operator_group(index.school)
        for permission in Permission.objects.filter(
            content_type__app_label="wagtailcore", codename__in=REVIEWER_PERMISSIONS
        ):
            GroupPagePermission.objects.get_or_create(
                group=group, page=index, permission=permission
            )
        logger.info("review workflow attached index=%s", index.pk)
    else:
        deleted, _counts = WorkflowPage.objects.filter(page=index).delete()
        if deleted:
            logger.info("review workflow detached index=%s", index.pk)
    for course in CoursePage.objects.child_of(index):
        sync_teacher_group(course, requires_review=index.requires_review)
    return workflow
