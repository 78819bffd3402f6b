"""Submission workflow: students submit, the school's reviewers decide."""

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.models import (
    GroupCollectionPermission,
    GroupPagePermission,
    TaskState,
    WorkflowState,
)

from courses.models import Notification
from library import workflow
from library.models import AccessLevel, LibraryItemPage
from lms.models import Membership

from .conftest import make_person, pdf_upload, upload_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def librarian(school):
    return make_person(
        "pustakawan", school, Membership.Role.LIBRARIAN, email="pustaka@example.test"
    )


@pytest.fixture
def submitted(library, student, librarian, upload):
    """Return the draft item that the student uploaded, waiting for review."""
    student.email = "siswa@example.test"
    student.save()
    response = upload(student, upload_data(library, pdf_upload()))
    assert response.status_code == 302
    return LibraryItemPage.objects.get(owner=student)


def mail_to(address):
    return [message for message in mail.outbox if address in message.to]


def decide(client, user, item, action, comment="", capture=None):
    client.force_login(user)
    url = reverse("library:review_item", args=[item.pk])
    data = {"action": action, "comment": comment}
    if capture is None:
        return client.post(url, data)
    with capture(execute=True):
        return client.post(url, data)


def test_student_upload_starts_workflow(submitted, librarian):
    state = submitted.current_workflow_state
    # Wagtail's own submission mail reaches the reviewers.
    assert len(mail_to("pustaka@example.test")) == 1

    assert not submitted.live
    assert state is not None
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name.startswith(workflow.WORKFLOW_PREFIX)
    assert Notification.objects.filter(
        recipient=librarian, url=reverse("library:review")
    ).exists()


def test_reviewer_group_has_school_permissions(library, submitted, librarian):
    group = librarian.groups.get(name__startswith=workflow.REVIEWER_GROUP_PREFIX)
    library.refresh_from_db()

    page_codenames = set(
        GroupPagePermission.objects.filter(group=group, page=library).values_list(
            "permission__codename", flat=True
        )
    )
    collection_codenames = set(
        GroupCollectionPermission.objects.filter(
            group=group, collection=library.collection
        ).values_list("permission__codename", flat=True)
    )
    assert page_codenames == {"add_page", "change_page", "publish_page"}
    assert collection_codenames == {
        "add_document",
        "change_document",
        "choose_document",
    }
    assert submitted.permissions_for_user(librarian).can_publish()


def test_review_list_shows_submission(submitted, librarian, client):
    client.force_login(librarian)

    response = client.get(reverse("library:review"))

    assert response.status_code == 200
    assert [item.pk for item in response.context["items"]] == [submitted.pk]
    assert submitted.title in response.content.decode()


def test_approve_publishes_and_notifies(
    submitted, student, librarian, client, django_capture_on_commit_callbacks
):
    response = decide(
        client,
        librarian,
        submitted,
        "approve",
        "Bagus sekali.",
        django_capture_on_commit_callbacks,
    )

    submitted.refresh_from_db()
    assert response.status_code == 302
    assert submitted.live
    assert submitted.current_workflow_state is None
    notification = Notification.objects.get(recipient=student)
    assert submitted.title in notification.title
    assert notification.url == submitted.url
    to_student = mail_to("siswa@example.test")
    assert len(to_student) == 1
    assert "Bagus sekali." in to_student[0].body
    assert submitted.url in to_student[0].body


def test_reject_keeps_draft_and_sends_comment(
    submitted, student, librarian, client, django_capture_on_commit_callbacks
):
    response = decide(
        client,
        librarian,
        submitted,
        "reject",
        "Tambahkan daftar pustaka.",
        django_capture_on_commit_callbacks,
    )

    submitted.refresh_from_db()
    assert response.status_code == 302
    assert not submitted.live
    state = WorkflowState.objects.get(object_id=str(submitted.pk))
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert Notification.objects.filter(
        recipient=student, url=reverse("library:my_uploads")
    ).exists()
    to_student = mail_to("siswa@example.test")
    assert len(to_student) == 1
    assert "Tambahkan daftar pustaka." in to_student[0].body
    assert reverse("library:my_uploads") in to_student[0].body


def test_rejected_item_shows_comment_and_resubmits(
    submitted, student, librarian, client
):
    decide(client, librarian, submitted, "reject", "Perbaiki abstrak.")
    client.force_login(student)

    page = client.get(reverse("library:my_uploads"))
    response = client.post(reverse("library:resubmit_upload", args=[submitted.pk]))

    assert "Perbaiki abstrak." in page.content.decode()
    assert response.status_code == 302
    state = submitted.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.status == TaskState.STATUS_IN_PROGRESS


def test_reject_without_comment_is_invalid(submitted, librarian, client, settings):
    settings.LANGUAGE_CODE = "id"

    response = decide(client, librarian, submitted, "reject", "  ")

    submitted.refresh_from_db()
    assert response.status_code == 400
    form = next(
        item.review_form
        for item in response.context["items"]
        if item.pk == submitted.pk
    )
    assert form.has_error("comment", code="comment_required")
    assert submitted.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS


def test_unknown_action_is_invalid(submitted, librarian, client):
    response = decide(client, librarian, submitted, "delete")

    assert response.status_code == 400
    assert LibraryItemPage.objects.filter(pk=submitted.pk, live=False).exists()


def test_other_school_librarian_refused(submitted, other_school, other_library, client):
    stranger = make_person("pustakawan.lain", other_school, Membership.Role.LIBRARIAN)
    workflow.attach_review_workflow(other_library)

    listing = decide(client, stranger, submitted, "approve")
    client.force_login(stranger)
    review_page = client.get(reverse("library:review"))

    submitted.refresh_from_db()
    assert listing.status_code == 403
    assert not submitted.live
    assert review_page.status_code == 200
    assert review_page.context["items"] == []
    assert not submitted.permissions_for_user(stranger).can_publish()


@pytest.mark.parametrize("who", ["student", "teacher"])
def test_non_reviewers_refused(submitted, student, teacher, client, who):
    person = {"student": student, "teacher": teacher}[who]

    response = decide(client, person, submitted, "approve")
    client.force_login(person)
    listing = client.get(reverse("library:review"))

    submitted.refresh_from_db()
    assert response.status_code == 403
    assert listing.status_code == 403
    assert not submitted.live


def test_operator_reviews_without_librarian(library, school, student, upload, client):
    operator = make_person("operator", school, Membership.Role.OPERATOR)
    upload(student, upload_data(library, pdf_upload()))
    item = LibraryItemPage.objects.get(owner=student)

    response = decide(client, operator, item, "approve")

    item.refresh_from_db()
    assert response.status_code == 302
    assert item.live


def test_new_librarian_replaces_operator(library, school, submitted, librarian):
    operator = make_person("operator", school, Membership.Role.OPERATOR)
    later = make_person("pustakawan.baru", school, Membership.Role.LIBRARIAN)

    assert workflow.can_review(later, submitted)
    assert workflow.can_review(librarian, submitted)
    assert not workflow.can_review(operator, submitted)

    Membership.objects.filter(user__in=[librarian, later]).delete()
    operator.refresh_from_db()

    assert workflow.can_review(type(operator).objects.get(pk=operator.pk), submitted)


def test_teacher_upload_skips_review(library, teacher, upload):
    upload(teacher, upload_data(library, pdf_upload(), access_level=AccessLevel.SCHOOL))

    item = LibraryItemPage.objects.get(owner=teacher)
    assert item.live
    assert item.current_workflow_state is None


def test_approval_in_wagtail_admin_notifies(submitted, student, librarian, client):
    state = workflow.current_task_state(submitted)
    client.force_login(librarian)
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[submitted.pk, "approve", state.pk],
    )

    response = client.post(url, {"comment": "Disetujui di admin."})

    submitted.refresh_from_db()
    assert response.status_code in (200, 302)
    assert submitted.live
    assert Notification.objects.filter(recipient=student).exists()


def test_library_pages_link_review_for_reviewers(submitted, student, librarian, client):
    client.force_login(librarian)
    reviewer_page = client.get(reverse("library:search"))
    client.force_login(student)
    student_page = client.get(reverse("library:search"))

    assert reverse("library:review") in reviewer_page.content.decode()
    assert reverse("library:school_usage") in reviewer_page.content.decode()
    assert reverse("library:review") not in student_page.content.decode()
    assert reverse("library:school_usage") not in student_page.content.decode()


def test_mail_failure_keeps_approval(
    submitted,
    librarian,
    client,
    monkeypatch,
    caplog,
    django_capture_on_commit_callbacks,
):
    from smtplib import SMTPException

    def broken_send_mail(*args, **kwargs):
        raise SMTPException("server refused")

    monkeypatch.setattr(workflow, "send_mail", broken_send_mail)

    response = decide(
        client,
        librarian,
        submitted,
        "approve",
        capture=django_capture_on_commit_callbacks,
    )

    submitted.refresh_from_db()
    assert response.status_code == 302
    assert submitted.live
    assert "library review mail failed" in caplog.text
