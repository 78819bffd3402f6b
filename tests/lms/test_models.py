"""Schools, the audit log and the role groups of the core models."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from lms import audit, roles
from lms.models import AuditLog, GuardianLink, Membership, School, User

from .factories import make_guardian, make_member, make_school, make_student, make_user

pytestmark = pytest.mark.django_db


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["npsn", "name", "level", "status", "kecamatan_code"]


def school_data(**overrides):
    return {
        "npsn": "20212345",
        "name": "SMP Negeri 1 Depok",
        "level": "SMP",
        "status": "negeri",
        "kecamatan_code": "32.76.01",
        **overrides,
    }


def group_names(user):
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def test_school_form_accepts_valid_npsn():
    form = SchoolForm(data=school_data())

    assert form.is_valid(), form.errors
    form.save()
    assert School.objects.get().npsn == "20212345"


@pytest.mark.parametrize("npsn", ["2021234", "2021234A", "ABCDEFGH", "2021 234"])
def test_school_form_rejects_wrong_npsn(npsn):
    form = SchoolForm(data=school_data(npsn=npsn))

    assert not form.is_valid()
    codes = [error.code for error in form.errors.as_data()["npsn"]]
    assert "npsn_format" in codes
    assert not School.objects.exists()


@pytest.mark.parametrize("npsn", ["2021234", "2021234A", "202123456"])
def test_school_full_clean_rejects_wrong_npsn(npsn):
    school = School(**school_data(npsn=npsn))

    with pytest.raises(ValidationError) as error:
        school.full_clean()

    assert "npsn_format" in [e.code for e in error.value.error_dict["npsn"]]
    assert not School.objects.exists()


def test_npsn_error_names_the_value():
    form = SchoolForm(data=school_data(npsn="12AB"))

    form.is_valid()

    assert any("12AB" in message for message in form.errors["npsn"])


def test_audit_log_is_append_only():
    actor = make_user("operator")
    entry = audit.record("test.action", actor=actor, note="first")

    with pytest.raises(PermissionError):
        AuditLog.objects.filter(pk=entry.pk).update(action="changed")
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    with pytest.raises(PermissionError):
        entry.delete()
    entry.action = "changed"
    with pytest.raises(PermissionError):
        entry.save()

    stored = AuditLog.objects.get()
    assert stored.action == "test.action"
    assert stored.actor == actor
    assert stored.details == {"note": "first"}


def test_membership_gives_and_takes_role_group():
    school = make_school()
    teacher = make_member(school, Membership.Role.TEACHER, "guru")

    assert group_names(teacher) == {roles.TEACHER}

    Membership.objects.create(user=teacher, school=school, role="operator")
    assert group_names(teacher) == {roles.TEACHER, roles.OPERATOR}

    Membership.objects.filter(user=teacher, role="teacher").get().delete()
    assert group_names(teacher) == {roles.OPERATOR}


def test_guardian_link_gives_parent_group():
    child = make_student(make_school(), "andi")
    parent = make_guardian(child, "ibu")

    assert group_names(parent) == {roles.PARENT}
    assert group_names(child) == {roles.STUDENT}

    GuardianLink.objects.get().delete()
    assert group_names(parent) == set()


def test_city_admin_flag_gives_group():
    user = make_user("dinas")
    assert group_names(user) == set()

    user.is_city_admin = True
    user.save()
    assert group_names(user) == {roles.CITY_ADMIN}

    user.is_city_admin = False
    user.save()
    assert group_names(user) == set()


def test_role_groups_reach_wagtail_admin():
    school = make_school()
    teacher = make_member(school, Membership.Role.TEACHER, "guru")
    student = make_student(school, "andi")

    assert User.objects.get(pk=teacher.pk).has_perm("wagtailadmin.access_admin")
    assert not User.objects.get(pk=student.pk).has_perm("wagtailadmin.access_admin")


def test_deleting_city_admin_with_membership():
    school = make_school()
    admin = make_member(school, Membership.Role.OPERATOR, "dinas", is_city_admin=True)

    with transaction.atomic():
        admin.delete()

    assert not User.objects.filter(username="dinas").exists()
    assert not Membership.objects.exists()


def test_deleting_users_by_queryset():
    school = make_school()
    make_member(school, Membership.Role.TEACHER, "guru", is_city_admin=True)

    with transaction.atomic():
        User.objects.filter(username="guru").delete()

    assert not User.objects.exists()


def test_deleting_child_updates_guardian_groups():
    child = make_student(make_school(), "andi")
    parent = make_guardian(child, "ibu")
    assert group_names(parent) == {roles.PARENT}

    child.delete()

    assert group_names(parent) == set()


def test_deleting_school_updates_member_groups():
    school = make_school()
    teacher = make_member(school, Membership.Role.TEACHER, "guru")

    school.delete()

    assert group_names(teacher) == set()


def test_guardian_link_cannot_point_to_self():
    student = make_student(make_school(), "andi")

    with pytest.raises(IntegrityError), transaction.atomic():
        GuardianLink.objects.create(guardian=student, child=student)

    assert not GuardianLink.objects.exists()


def test_empty_identifiers_do_not_collide():
    first = make_user("satu", nisn="", phone="")
    second = make_user("dua", nisn="", phone="")

    assert first.nisn is None
    assert second.phone is None
