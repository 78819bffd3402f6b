import pytest
from django.urls import reverse

from tests.lms.factories import make_guardian, make_school, make_student

pytestmark = pytest.mark.django_db


def test_menu_links_parent_to_children(client):
    child = make_student(make_school())
    parent = make_guardian(child)
    client.force_login(parent)

    response = client.get(reverse("accounts:profile"))

    assert reverse("gradebook:parent") in response.content.decode()
    assert reverse("gradebook:calendar") in response.content.decode()


def test_menu_hides_children_from_student(client):
    student = make_student(make_school())
    client.force_login(student)

    response = client.get(reverse("accounts:profile"))

    assert reverse("gradebook:parent") not in response.content.decode()
    assert reverse("courses:notifications") in response.content.decode()


def test_menu_absent_for_anonymous(client):
    response = client.get(reverse("accounts:login"))

    assert reverse("gradebook:calendar") not in response.content.decode()
