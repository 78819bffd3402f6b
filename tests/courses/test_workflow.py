"""A school that requires review: teachers submit, operators approve."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import GroupPagePermission, WorkflowPage

from courses.models import LessonPage
from courses.permissions import teacher_group_name
from courses.workflow import OPERATOR_GROUP_PREFIX
from lms.models import Membership

from .factories import (
    PASSWORD,
    make_course,
    make_course_index,
    make_operator,
    make_school,
    make_teacher,
)
from .test_admin import add_lesson_url, lesson_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed_school():
    school = make_school()
    index = make_course_index(school)
    operator = make_operator(school, "operator_sekolah")
    teacher = make_teacher(school, "guru_ditinjau")
    course = make_course(index, teachers=[teacher])
    index.requires_review = True
    index.save()
    return school, index, operator, teacher, course


def test_review_attaches_workflow_and_group(reviewed_school):
    school, index, operator, _teacher, course = reviewed_school

    workflow_page = WorkflowPage.objects.get(page=index)
    task = workflow_page.workflow.tasks.get().specific
    group = Group.objects.get(name=f"{OPERATOR_GROUP_PREFIX}{school.npsn}")
    assert list(task.groups.all()) == [group]
    assert list(group.user_set.all()) == [operator]
    teacher_permissions = GroupPagePermission.objects.filter(
        group__name=teacher_group_name(course.pk)
    ).values_list("permission__codename", flat=True)
    assert "publish_page" not in teacher_permissions
    assert "change_page" in teacher_permissions


def test_operator_group_follows_memberships(reviewed_school):
    school, _index, operator, _teacher, _course = reviewed_school
    group = Group.objects.get(name=f"{OPERATOR_GROUP_PREFIX}{school.npsn}")
    newcomer = make_operator(school)

    assert set(group.user_set.all()) == {operator, newcomer}

    Membership.objects.filter(user=operator, school=school).delete()
    assert list(group.user_set.all()) == [newcomer]


def test_teacher_lesson_goes_to_moderation(client, reviewed_school):
    _school, _index, operator, teacher, course = reviewed_school
    client.login(username=teacher.username, password=PASSWORD)
    client.post(add_lesson_url(course), lesson_form("Pecahan", "pecahan"))
    lesson = LessonPage.objects.get(slug="pecahan")
    edit_url = reverse("wagtailadmin_pages:edit", args=(lesson.pk,))

    publish = lesson_form("Pecahan", "pecahan")
    publish["action-publish"] = "publish"
    client.post(edit_url, publish)
    lesson.refresh_from_db()
    assert not lesson.live

    submit = lesson_form("Pecahan", "pecahan")
    submit["action-submit"] = "submit"
    response = client.post(edit_url, submit)
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert not lesson.live
    state = lesson.current_workflow_state
    assert state is not None
    assert state.status == "in_progress"

    client.logout()
    client.login(username=operator.username, password=PASSWORD)
    task_state = state.current_task_state
    response = client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=(lesson.pk, "approve", task_state.pk),
        ),
        {"comment": ""},
    )
    assert response.status_code in (200, 302), response
    task_state.refresh_from_db()
    lesson.refresh_from_db()
    assert lesson.live
    state.refresh_from_db()
    assert state.status == "approved"


def test_clearing_review_detaches_workflow(reviewed_school):
    _school, index, _operator, _teacher, course = reviewed_school
    index.requires_review = False
    index.save()

    assert not WorkflowPage.objects.filter(page=index).exists()
    assert GroupPagePermission.objects.filter(
        group__name=teacher_group_name(course.pk),
        permission__codename="publish_page",
    ).exists()
