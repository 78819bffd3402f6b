"""
Review of submitted library items before they are published.

Each school's library gets a Wagtail workflow, "Library review: <NPSN>",
with one group approval task for the group "Library reviewers: <NPSN>".
The group's members are the school's librarians or, where the school has
none, its operators, kept in step with their memberships. The group may
add, change and publish pages under the school's library index page and
add, change and choose documents in the school's collection, so reviewers
of one school cannot publish another school's items.

Reviewers approve or reject in the Wagtail admin or on the library's own
review page (``library.review_views``). Either way the submitter gets an
in-app notification and an e-mail with the reviewer's comment.
"""

import logging
from functools import partial
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import (
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)
from wagtail.signals import page_published, workflow_approved, workflow_rejected

from courses.notify import Notification, notify
from lms.models import Membership, School

from .models import LibraryIndexPage, LibraryItemPage

logger = logging.getLogger(__name__)

REVIEWER_GROUP_PREFIX = "Library reviewers: "
WORKFLOW_PREFIX = "Library review: "
REVIEWER_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]
REVIEWER_COLLECTION_PERMISSIONS = [
    "add_document",
    "change_document",
    "choose_document",
]
# NOTE: the notification model has no kind for review outcomes, so they
# are sent as announcements.
NOTIFICATION_KIND = Notification.Kind.ANNOUNCEMENT


def reviewer_ids(school):
    """Return the ids of ``school``'s librarians, or of its operators if it has none."""
    for role in (Membership.Role.LIBRARIAN, Membership.Role.OPERATOR):
        ids = list(
            Membership.objects.filter(school=school, role=role)
            .values_list("user_id", flat=True)
            .distinct()
        )
        if ids:
            return ids
    # NOTE: a school with neither librarians nor operators leaves its
    # submissions to superusers, the only others Wagtail lets approve them.
    return []


def reviewer_group_name(school):
    return f"{REVIEWER_GROUP_PREFIX}{school.npsn}"


def reviewer_group(school):
    """Return the reviewer group of ``school`` with its current members, creating it."""
    group, created = Group.objects.get_or_create(name=reviewer_group_name(school))
    group.user_set.set(reviewer_ids(school))
    if created:
        logger.info("library reviewer group created school=%s", school.pk)
    return group


def sync_reviewer_group(school):
    """Update the reviewer group of ``school`` if it exists already."""
    if Group.objects.filter(name=reviewer_group_name(school)).exists():
        reviewer_group(school)


@transaction.atomic
def attach_review_workflow(index):
    """
    Give a school's library index its review workflow and reviewer permissions.

    Idempotent. Return the workflow, or ``None`` for the city-wide library,
    whose uploads only city admins publish.
    """
    if index.school_id is None:
        return None
    school = index.school
    group = reviewer_group(school)
    name = f"{WORKFLOW_PREFIX}{school.npsn}"
    workflow, created = Workflow.objects.get_or_create(name=name)
    if created or not workflow.workflow_tasks.exists():
        task = GroupApprovalTask.objects.create(name=name)
        task.groups.set([group])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    _grant_permissions(group, index)
    if created:
        logger.info("library review workflow created index=%s", index.pk)
    return workflow


def _grant_permissions(group, index):
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailcore",
        codename__in=REVIEWER_PAGE_PERMISSIONS,
    ):
        GroupPagePermission.objects.get_or_create(
            group=group, page=index, permission=permission
        )
    collection = index.get_collection()
    for permission in Permission.objects.filter(
        content_type__app_label="wagtaildocs",
        codename__in=REVIEWER_COLLECTION_PERMISSIONS,
    ):
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=permission
        )


def submit_for_review(item, user):
    """
    Start the review workflow of ``item``, a draft, and tell the reviewers.

    Return the workflow state, or ``None`` when the item's library has no
    review workflow (the city-wide library).
    """
    index = item.get_parent().specific
    workflow = attach_review_workflow(index)
    if workflow is None:
        return None
    state = workflow.start(item, user)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("New library item to review: %(title)s") % {"title": item.title}
    notify(
        reviewer_ids(item.school), NOTIFICATION_KIND, title, reverse("library:review")
    )
    logger.info(
        "library item submitted for review item=%s user=%s workflow_state=%s",
        item.pk,
        user.pk,
        state.pk,
    )
    return state


def current_task_state(item):
    """Return the task state of ``item`` that waits for a decision, or ``None``."""
    state = item.current_workflow_task_state
    if state is None or state.status != TaskState.STATUS_IN_PROGRESS:
        return None
    return state


def can_review(user, item):
    """Return whether ``user`` may approve or reject ``item`` now."""
    state = current_task_state(item)
    if state is None or not user.is_authenticated:
        return False
    return any(
        action == "approve"
        for action, *_rest in state.task.specific.get_actions(item, user)
    )


def review(item, user, action, comment=""):
    """
    Approve (which publishes) or reject ``item`` as ``user``, with a comment.

    The caller checks ``can_review`` first. Return the finished task state.
    """
    if action not in ("approve", "reject"):
        raise ValueError(f"unknown review action {action!r}")
    state = current_task_state(item)
    state.task.specific.on_action(state, user, action, comment=comment)
    logger.info(
        "library item reviewed item=%s reviewer=%s action=%s", item.pk, user.pk, action
    )
    return state


def pending_reviews(user):
    """Return the draft items waiting for a decision that ``user`` may review."""
    if not user.is_authenticated:
        return []
    states = TaskState.objects.filter(
        status=TaskState.STATUS_IN_PROGRESS,
        workflow_state__status=WorkflowState.STATUS_IN_PROGRESS,
        workflow_state__content_type=ContentType.objects.get_for_model(LibraryItemPage),
    )
    if not user.is_superuser:
        tasks = GroupApprovalTask.objects.filter(
            groups__in=user.groups.filter(name__startswith=REVIEWER_GROUP_PREFIX)
        )
        states = states.filter(task__in=tasks)
    item_ids = [
        int(pk) for pk in states.values_list("workflow_state__object_id", flat=True)
    ]
    return list(
        LibraryItemPage.objects.filter(pk__in=item_ids)
        .select_related("school", "owner")
        .prefetch_related("creators", "files")
        .order_by("latest_revision_created_at", "pk")
    )


def _notify_submitter(workflow_state, approved):
    item = workflow_state.content_object.specific
    submitter = workflow_state.requested_by
    if not isinstance(item, LibraryItemPage) or submitter is None:
        return

    task_state = workflow_state.current_task_state
    comment = task_state.comment if task_state is not None else ""
    link = item.url if approved else reverse("library:my_uploads")

    # Messages are stored and mailed in the site's language, as the
    # submitter's own language is not known here.
    with translation.override(settings.LANGUAGE_CODE):
        if approved:
            title = _("Your library item “%(title)s” is published.")
        else:
            title = _("Your library item “%(title)s” needs changes.")
        title = title % {"title": item.title}
        body = [title]
        if comment:
            body.append(_("Comment from the reviewer:") + "\n" + comment)
    body.append(settings.WAGTAILADMIN_BASE_URL.rstrip("/") + link)

    notify([submitter], NOTIFICATION_KIND, title, link)
    if submitter.email:
        transaction.on_commit(
            partial(_send_mail, title, "\n\n".join(body), submitter.email)
        )
    logger.info(
        "library review outcome sent item=%s submitter=%s approved=%s",
        item.pk,
        submitter.pk,
        approved,
    )


def _send_mail(subject, body, recipient):
    try:
        send_mail(subject, body, None, [recipient])
    except (OSError, SMTPException):
        logger.exception("library review mail failed subject=%r", subject)


@receiver(workflow_approved)
def item_approved(sender, instance, user=None, **kwargs):
    _notify_submitter(instance, approved=True)


@receiver(workflow_rejected)
def item_rejected(sender, instance, user=None, **kwargs):
    _notify_submitter(instance, approved=False)


@receiver(page_published)
def library_published(sender, instance, **kwargs):
    """Attach the review workflow when a school's library is published."""
    if isinstance(instance, LibraryIndexPage) and instance.school_id:
        attach_review_workflow(instance)


@receiver([post_save, post_delete], sender=Membership)
def membership_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    school = School.objects.filter(pk=instance.school_id).first()
    if school is not None:
        sync_reviewer_group(school)


def review_status(item):
    """
    Return the review state of a submitted item for its uploader, or ``None``.

    The result has ``status`` ("in_progress" or "needs_changes") and the
    reviewer's ``comment`` when changes were requested.
    """
    state = item.current_workflow_state
    if state is None:
        return None
    comment = ""
    if state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        comment = state.current_task_state.comment
    return {"status": state.status, "comment": comment}


def resubmit(item, user):
    """
    Restart the review of ``item`` after changes were requested.

    Return the workflow state, or ``None`` if the item is not waiting for
    changes.
    """
    state = item.current_workflow_state
    if state is None or state.status != WorkflowState.STATUS_NEEDS_CHANGES:
        return None
    state.resume(user)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Library item resubmitted for review: %(title)s") % {
            "title": item.title
        }
    notify(
        reviewer_ids(item.school), NOTIFICATION_KIND, title, reverse("library:review")
    )
    logger.info("library item resubmitted item=%s user=%s", item.pk, user.pk)
    return state


class _SkipLibraryItems:
    """
    Skip Wagtail's own outcome mail for library items.

    The submitter gets ``_notify_submitter``'s mail instead, which carries
    the reviewer's comment and a link that students can open. Wagtail's
    mail links to its admin, which students cannot reach.
    """

    def can_handle(self, instance, **kwargs):
        content_type = ContentType.objects.get_for_model(LibraryItemPage)
        if getattr(instance, "content_type_id", None) == content_type.pk:
            return False
        return super().can_handle(instance, **kwargs)


def replace_wagtail_outcome_mails():
    """
    Connect Wagtail's approval and rejection mails with library items left out.

    Each replacement is connected under the ``dispatch_uid`` that Wagtail's
    admin uses, after disconnecting any handler under that id. This works
    whether Wagtail's admin app registered its handlers before or after this
    runs, because a signal connects only one receiver per ``dispatch_uid``.
    """
    from wagtail.admin.mail import (
        WorkflowStateApprovalEmailNotifier,
        WorkflowStateRejectionEmailNotifier,
    )

    class ApprovalNotifier(_SkipLibraryItems, WorkflowStateApprovalEmailNotifier):
        pass

    class RejectionNotifier(_SkipLibraryItems, WorkflowStateRejectionEmailNotifier):
        pass

    for signal, notifier, uid in (
        (
            workflow_approved,
            ApprovalNotifier(),
            "workflow_state_approved_email_notification",
        ),
        (
            workflow_rejected,
            RejectionNotifier(),
            "workflow_state_rejected_email_notification",
        ),
    ):
        signal.disconnect(sender=WorkflowState, dispatch_uid=uid)
        signal.connect(notifier, sender=WorkflowState, dispatch_uid=uid, weak=False)
