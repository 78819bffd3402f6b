from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from courses.gradebook import api
from courses.gradebook.models import (
    Grade,
    GradeCategory,
    GradeChange,
    GradeItem,
    TotalOverride,
)
from tests.factories import (
    enrol,
    make_course,
    make_course_index,
    make_school,
    make_student,
    make_teacher,
)


@pytest.fixture
def course_setup(db):
    school = make_school()
    teacher = make_teacher(school)
    student = make_student(school)
    course = make_course(make_course_index(school), teachers=[teacher])
    enrol(course, student)
    return course, teacher, student


def test_register_item_idempotent(course_setup):
    course, _teacher, _student = course_setup
    first = api.register_item(course, "quiz:7", "Kuis 1", 10)
    second = api.register_item(course, "quiz:7", "Kuis 1 (revisi)", 20)
    assert first.pk == second.pk
    assert GradeItem.objects.filter(course=course).count() == 1
    second.refresh_from_db()
    assert second.title == "Kuis 1 (revisi)"
    assert second.max_score == Decimal("20")


def test_record_score_writes_history(course_setup):
    course, teacher, student = course_setup
    item = api.register_item(course, "assignment:1", "Tugas 1", 100)
    api.record_score(item, student, "80", by=None)
    api.record_score(item, student, "87,5", by=teacher, reason="regraded")
    grade = Grade.objects.get(item=item, student=student)
    assert grade.score == Decimal("87.50")
    changes = list(GradeChange.objects.filter(item=item).order_by("pk"))
    assert [(c.old_value, c.new_value) for c in changes] == [
        (None, Decimal("80.00")),
        (Decimal("80.00"), Decimal("87.50")),
    ]
    assert changes[1].changed_by == teacher
    assert changes[1].reason == "regraded"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("101", "score_range"),
        ("-1", "score_range"),
        ("abc", "invalid_score"),
        ("nan", "invalid_score"),
        ("Infinity", "invalid_score"),
    ],
)
def test_record_score_rejects_bad_value(course_setup, value, code):
    course, teacher, student = course_setup
    item = api.register_item(course, "assignment:1", "Tugas 1", 100)
    with pytest.raises(ValidationError) as caught:
        api.record_score(item, student, value, by=teacher)
    assert caught.value.code == code
    assert not Grade.objects.filter(item=item).exists()
    assert not GradeChange.objects.exists()


def test_override_requires_reason(course_setup):
    course, teacher, student = course_setup
    item = api.register_item(course, "assignment:1", "Tugas 1", 100)
    api.record_score(item, student, 70, by=None)
    with pytest.raises(ValidationError) as caught:
        api.set_override(item, student, 90, by=teacher, reason="  ")
    assert caught.value.code == "reason_required"
    grade = Grade.objects.get(item=item, student=student)
    assert grade.override is None
    assert GradeChange.objects.count() == 1


def test_total_override_and_history(course_setup):
    course, teacher, student = course_setup
    api.set_total_override(course, student, "95", by=teacher, reason="remedial")
    api.set_total_override(course, student, "", by=teacher, reason="undo")
    assert not TotalOverride.objects.exists()
    changes = list(GradeChange.objects.order_by("pk"))
    assert [(c.old_value, c.new_value) for c in changes] == [
        (None, Decimal("95.00")),
        (Decimal("95.00"), None),
    ]


def test_grade_change_append_only(course_setup):
    course, teacher, student = course_setup
    item = api.register_item(course, "assignment:1", "Tugas 1", 100)
    api.record_score(item, student, 70, by=teacher)
    change = GradeChange.objects.get()
    change.reason = "edited"
    with pytest.raises(ValueError):
        change.save()
    with pytest.raises(ValueError):
        change.delete()


def test_remove_item_deletes_grades(course_setup):
    course, _teacher, student = course_setup
    item = api.register_item(course, "quiz:3", "Kuis", 10)
    api.record_score(item, student, 5, by=None)
    api.remove_item(course, "quiz:3")
    assert not GradeItem.objects.exists()
    assert not Grade.objects.exists()
    assert GradeChange.objects.get().item_title == "Kuis"


def test_register_item_keeps_teacher_category(course_setup):
    course, _teacher, _student = course_setup
    item = api.register_item(course, "assignment:4", "Tugas 4", 100)
    category = GradeCategory.objects.create(course=course, name="Tugas", weight=40)
    item.category = category
    item.save()
    again = api.register_item(course, "assignment:4", "Tugas 4", 100)
    assert again.category == category
