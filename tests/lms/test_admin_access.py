"""Who reaches Django's admin and Wagtail's admin."""

import pytest
from django.test import Client

from lms.models import Membership

from .factories import make_guardian, make_member, make_school, make_student, make_user

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_django_admin_lets_superuser_in():
    superuser = make_user("root", is_staff=True, is_superuser=True)

    response = logged_in(superuser).get("/django-admin/")

    assert response.status_code == 200
    assert "/django-admin/lms/user/" in response.content.decode()


def test_django_admin_turns_away_staff():
    staff = make_user("staf", is_staff=True)

    response = logged_in(staff).get("/django-admin/")
    users = logged_in(staff).get("/django-admin/lms/user/")

    assert response.status_code == 302
    assert response.url.startswith("/django-admin/login/")
    assert users.status_code == 302


def test_django_admin_turns_away_city_admin():
    admin = make_user("dinas", is_staff=True, is_city_admin=True)

    response = logged_in(admin).get("/django-admin/")

    assert response.status_code == 302


@pytest.mark.parametrize(
    "role",
    [
        Membership.Role.TEACHER,
        Membership.Role.LIBRARIAN,
        Membership.Role.OPERATOR,
    ],
)
def test_wagtail_admin_lets_staff_roles_in(role):
    user = make_member(make_school(), role, "staf")

    response = logged_in(user).get("/admin/")

    assert response.status_code == 200


def test_wagtail_admin_lets_city_admin_in():
    admin = make_user("dinas", is_city_admin=True)

    assert logged_in(admin).get("/admin/").status_code == 200


def test_wagtail_admin_turns_away_student_and_parent():
    student = make_student(make_school(), "andi")
    parent = make_guardian(student, "ibu")

    for user in (student, parent):
        response = logged_in(user).get("/admin/")
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")
