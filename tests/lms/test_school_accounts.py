"""A school operator unlocks accounts, resets passwords and prints login cards."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lms import lockout
from lms.accounts.passwords import temporary_password
from lms.models import AuditLog, LoginLock, Membership, User

from .factories import (
    PASSWORD,
    make_class_group,
    make_guardian,
    make_member,
    make_operator,
    make_school,
    make_student,
    make_user,
    make_year,
)
from .helpers import attempt, is_logged_in

pytestmark = pytest.mark.django_db

TEMPORARY_PASSWORD_RE = re.compile(r"[a-z]+-[a-z]+-\d{4}")


@pytest.fixture
def world():
    """Two schools, each with an operator; school A has a class of students."""
    school_a = make_school(npsn="20212345", name="SMP Negeri 1 Depok")
    school_b = make_school(npsn="20298765", name="SMP Negeri 2 Depok")
    year = make_year(2026, is_current=True)
    students = [
        make_student(school_a, "andi", first_name="Andi", nisn="0011111111"),
        make_student(school_a, "bunga", first_name="Bunga", nisn="0022222222"),
    ]
    return {
        "a": school_a,
        "b": school_b,
        "operator_a": make_operator(school_a, "operator-a"),
        "operator_b": make_operator(school_b, "operator-b"),
        "teacher_a": make_member(school_a, Membership.Role.TEACHER, "guru-a"),
        "students": students,
        "group": make_class_group(school_a, year, "7A", 7, students),
        "student_b": make_student(school_b, "citra"),
    }


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def lock_out(user):
    """Lock ``user``'s account as repeated failed logins would."""
    key = lockout.account_key(user, user.username)
    LoginLock.objects.create(
        scope=LoginLock.Scope.ACCOUNT,
        account_key=key,
        user=user,
        locked_until=timezone.now() + datetime.timedelta(minutes=15),
    )
    assert lockout.check(key, None).is_lock


def unlock_url(school, person):
    return reverse(
        "accounts:unlock_person", kwargs={"npsn": school.npsn, "user_id": person.pk}
    )


def reset_url(school, person):
    return reverse(
        "accounts:reset_password", kwargs={"npsn": school.npsn, "user_id": person.pk}
    )


def cards_url(school, group):
    return reverse(
        "accounts:login_cards", kwargs={"npsn": school.npsn, "group_id": group.pk}
    )


def test_temporary_password_is_readable():
    passwords = {temporary_password() for _ in range(50)}

    assert all(TEMPORARY_PASSWORD_RE.fullmatch(password) for password in passwords)
    assert len(passwords) > 45


def test_operator_sees_school_accounts(world):
    andi = world["students"][0]
    lock_out(andi)
    url = reverse("accounts:school_accounts", kwargs={"npsn": world["a"].npsn})

    response = logged_in(world["operator_a"]).get(url, {"q": "and"})

    assert response.status_code == 200
    assert [lock.user for lock in response.context["locks"]] == [andi]
    assert response.context["found"] == [andi]
    assert andi.pk in response.context["resettable"]
    assert cards_url(world["a"], world["group"]) in response.content.decode()


@pytest.mark.parametrize("who", ["operator_b", "teacher_a", "student"])
def test_school_accounts_forbidden_to_others(world, who):
    user = world["students"][0] if who == "student" else world[who]
    url = reverse("accounts:school_accounts", kwargs={"npsn": world["a"].npsn})

    assert logged_in(user).get(url).status_code == 403


def test_school_accounts_needs_login(world):
    url = reverse("accounts:school_accounts", kwargs={"npsn": world["a"].npsn})

    response = Client().get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_operator_unlocks_own_student(world):
    andi = world["students"][0]
    lock_out(andi)

    response = logged_in(world["operator_a"]).post(unlock_url(world["a"], andi))

    assert response.status_code == 302
    lock = LoginLock.objects.get()
    assert lock.lifted_by == world["operator_a"]
    assert not lock.is_active()
    entry = AuditLog.objects.get(action="login.unlocked")
    assert entry.actor == world["operator_a"]
    assert entry.subject == andi
    client = Client()
    assert attempt(client, "andi", PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_operator_unlocks_guardian_of_student(world):
    mother = make_guardian(world["students"][0], "ibu-andi")
    lock_out(mother)

    response = logged_in(world["operator_a"]).post(unlock_url(world["a"], mother))

    assert response.status_code == 302
    assert not LoginLock.objects.active().exists()


def test_other_school_operator_cannot_unlock(world):
    andi = world["students"][0]
    lock_out(andi)

    through_b = logged_in(world["operator_b"]).post(unlock_url(world["b"], andi))
    through_a = logged_in(world["operator_b"]).post(unlock_url(world["a"], andi))

    assert through_b.status_code == 403
    assert through_a.status_code == 403
    assert LoginLock.objects.active().count() == 1
    assert not AuditLog.objects.filter(action="login.unlocked").exists()


def test_operator_cannot_unlock_person_of_other_school(world):
    citra = world["student_b"]
    lock_out(citra)

    response = logged_in(world["operator_a"]).post(unlock_url(world["a"], citra))

    assert response.status_code == 403
    assert LoginLock.objects.active().count() == 1


def test_unlock_needs_post(world):
    andi = world["students"][0]

    response = logged_in(world["operator_a"]).get(unlock_url(world["a"], andi))

    assert response.status_code == 405


@pytest.mark.parametrize("flag", ["is_city_admin", "is_superuser"])
def test_city_admin_and_superuser_unlock_any_school(world, flag):
    admin = make_user("dinas", **{flag: True})
    citra = world["student_b"]
    lock_out(citra)

    response = logged_in(admin).post(unlock_url(world["b"], citra))

    assert response.status_code == 302
    assert not LoginLock.objects.active().exists()


def test_unknown_school_is_404(world):
    url = reverse("accounts:school_accounts", kwargs={"npsn": "99999999"})

    assert logged_in(world["operator_a"]).get(url).status_code == 404


def test_operator_resets_student_password(world):
    andi = world["students"][0]
    operator = logged_in(world["operator_a"])
    lock_out(andi)

    confirm = operator.get(reset_url(world["a"], andi))
    andi.refresh_from_db()
    assert confirm.status_code == 200
    assert andi.check_password(PASSWORD)

    response = operator.post(reset_url(world["a"], andi))

    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    password = response.context["password"]
    assert TEMPORARY_PASSWORD_RE.fullmatch(password)
    assert password in response.content.decode()
    andi.refresh_from_db()
    assert andi.check_password(password)
    assert andi.password_is_temporary
    assert not LoginLock.objects.active().exists()
    entry = AuditLog.objects.get(action="password.reset_by_operator")
    assert entry.actor == world["operator_a"]
    assert entry.subject == andi
    assert entry.details == {"school": world["a"].npsn, "via": "single"}
    assert password not in str(entry.details)

    student = Client()
    login = attempt(student, "0011111111", password)
    assert login.status_code == 302
    assert login.url == reverse("accounts:password_change")


def test_operator_resets_guardian_password(world):
    mother = make_guardian(world["students"][0], "ibu-andi", phone="081299990000")

    response = logged_in(world["operator_a"]).post(reset_url(world["a"], mother))

    assert response.status_code == 200
    mother.refresh_from_db()
    assert mother.check_password(response.context["password"])


def test_operator_cannot_reset_staff_password(world):
    teacher = world["teacher_a"]

    response = logged_in(world["operator_a"]).post(reset_url(world["a"], teacher))

    teacher.refresh_from_db()
    assert response.status_code == 403
    assert teacher.check_password(PASSWORD)


def test_operator_cannot_reset_student_who_teaches_elsewhere(world):
    andi = world["students"][0]
    Membership.objects.create(
        user=andi, school=world["b"], role=Membership.Role.LIBRARIAN
    )

    response = logged_in(world["operator_a"]).post(reset_url(world["a"], andi))

    andi.refresh_from_db()
    assert response.status_code == 403
    assert andi.check_password(PASSWORD)


@pytest.mark.parametrize("who", ["operator_b", "student"])
def test_reset_password_forbidden_to_others(world, who):
    andi, bunga = world["students"]
    user = bunga if who == "student" else world[who]

    response = logged_in(user).post(reset_url(world["a"], andi))

    andi.refresh_from_db()
    assert response.status_code == 403
    assert andi.check_password(PASSWORD)
    assert not AuditLog.objects.filter(action="password.reset_by_operator").exists()


def test_login_cards_confirm_changes_nothing(world):
    response = logged_in(world["operator_a"]).get(cards_url(world["a"], world["group"]))

    assert response.status_code == 200
    assert list(response.context["eligible"]) == world["students"]
    for student in world["students"]:
        student.refresh_from_db()
        assert student.check_password(PASSWORD)


def test_login_cards_print_new_passwords(world):
    outsider = make_user("tamu", first_name="Tamu")
    world["group"].students.add(outsider)

    response = logged_in(world["operator_a"]).post(
        cards_url(world["a"], world["group"])
    )

    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    content = response.content.decode()
    assert "login_cards.css" in content
    cards = response.context["cards"]
    assert [card["student"] for card in cards] == world["students"]
    for card in cards:
        student = User.objects.get(pk=card["student"].pk)
        assert student.check_password(card["password"])
        assert student.password_is_temporary
        for text in (student.first_name, student.username, student.nisn, "7A"):
            assert text in content
        assert card["password"] in content
    assert list(response.context["skipped"]) == [outsider]
    outsider.refresh_from_db()
    assert outsider.check_password(PASSWORD)
    entries = AuditLog.objects.filter(action="password.reset_by_operator")
    assert sorted(entries.values_list("subject", flat=True)) == sorted(
        student.pk for student in world["students"]
    )
    assert {entry.details["via"] for entry in entries} == {"login_cards"}


@pytest.mark.parametrize("who", ["operator_b", "student"])
def test_login_cards_forbidden_to_others(world, who):
    user = world["students"][0] if who == "student" else world[who]

    response = logged_in(user).post(cards_url(world["a"], world["group"]))

    assert response.status_code == 403
    for student in world["students"]:
        student.refresh_from_db()
        assert student.check_password(PASSWORD)


def test_login_cards_of_other_school_group_is_404(world):
    response = logged_in(world["operator_b"]).post(
        cards_url(world["b"], world["group"])
    )

    assert response.status_code == 404


def test_city_locks_page_lists_and_lifts(world):
    admin = make_user("dinas", is_city_admin=True)
    address_lock = LoginLock.objects.create(
        scope=LoginLock.Scope.ADDRESS,
        ip_address="198.51.100.7",
        locked_until=timezone.now() + datetime.timedelta(minutes=5),
    )
    client = logged_in(admin)

    page = client.get(reverse("accounts:login_locks"))
    lift = client.post(
        reverse("accounts:lift_lock", kwargs={"lock_id": address_lock.pk})
    )

    assert page.status_code == 200
    assert "198.51.100.7" in page.content.decode()
    assert lift.status_code == 302
    address_lock.refresh_from_db()
    assert address_lock.lifted_by == admin
    assert AuditLog.objects.filter(action="login.unlocked", actor=admin).exists()


def test_city_locks_page_forbidden_to_operator(world):
    client = logged_in(world["operator_a"])

    assert client.get(reverse("accounts:login_locks")).status_code == 403
