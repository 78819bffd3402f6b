"""The profile page and the language a person reads the site in."""

import pytest
from django.conf import settings
from django.urls import reverse

from lms.models import User

from .factories import make_guardian, make_operator, make_school, make_student

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return make_school(npsn="20212345", name="SMP Negeri 1 Depok")


def test_profile_masks_nisn(client, school):
    student = make_student(school, "andi", nisn="0012345678", email="andi@example.org")
    client.force_login(student)

    response = client.get(reverse("accounts:profile"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "******5678" in content
    assert "0012345678" not in content
    assert "andi@example.org" in content
    assert "SMP Negeri 1 Depok" in content
    assert reverse("accounts:password_change") in content


def test_profile_lists_children_and_guardians(client, school):
    child = make_student(school, "andi", first_name="Andi")
    parent = make_guardian(child, "ibu", first_name="Ibu Ani", phone="081211112222")

    client.force_login(parent)
    parent_page = client.get(reverse("accounts:profile"))
    client.force_login(child)
    child_page = client.get(reverse("accounts:profile"))

    assert [link.child for link in parent_page.context["children"]] == [child]
    assert "Andi" in parent_page.content.decode()
    assert "081211112222" in parent_page.content.decode()
    assert [link.guardian for link in child_page.context["guardians"]] == [parent]
    assert "Ibu Ani" in child_page.content.decode()


def test_profile_links_operator_to_school_accounts(client, school):
    operator = make_operator(school, "operator")
    client.force_login(operator)

    response = client.get(reverse("accounts:profile"))

    url = reverse("accounts:school_accounts", kwargs={"npsn": school.npsn})
    assert url in response.content.decode()


def test_profile_needs_login(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_profile_saves_language(client, school):
    student = make_student(school, "andi")
    client.force_login(student)

    response = client.post(reverse("accounts:profile"), {"language": "en"})

    assert response.status_code == 302
    assert User.objects.get(pk=student.pk).language == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("accounts:profile"))
    assert page.headers["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode()


def test_profile_rejects_unknown_language(client, school):
    student = make_student(school, "andi", language="id")
    client.force_login(student)

    response = client.post(reverse("accounts:profile"), {"language": "xx"})

    assert response.status_code == 400
    codes = [e.code for e in response.context["form"].errors.as_data()["language"]]
    assert codes == ["invalid_choice"]
    assert User.objects.get(pk=student.pk).language == "id"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_saved_language_applies_without_cookie(client, school):
    student = make_student(school, "andi", language="en")
    client.force_login(student)

    response = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="id")

    assert response.headers["Content-Language"] == "en"


def test_default_is_indonesian_for_english_browser(client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en")

    assert response.headers["Content-Language"] == "id"
    assert '<html lang="id">' in response.content.decode()


def test_language_switch_to_english_and_back(client):
    login_url = reverse("accounts:login")

    to_english = client.post(
        reverse("set_language"), {"language": "en", "next": login_url}
    )
    english = client.get(login_url)
    to_indonesian = client.post(
        reverse("set_language"), {"language": "id", "next": login_url}
    )
    indonesian = client.get(login_url, HTTP_ACCEPT_LANGUAGE="en")

    assert to_english.status_code == 302
    assert to_english.url == login_url
    assert english.headers["Content-Language"] == "en"
    assert '<html lang="en">' in english.content.decode()
    assert to_indonesian.status_code == 302
    assert indonesian.headers["Content-Language"] == "id"
    assert '<html lang="id">' in indonesian.content.decode()


def test_language_switch_offers_the_other_language(client):
    response = client.get(reverse("accounts:login"))

    content = response.content.decode()
    assert reverse("set_language") in content
    assert 'name="language" value="en"' in content
    assert 'name="language" value="id"' not in content
