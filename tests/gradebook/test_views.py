import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from courses.gradebook import api
from courses.gradebook.models import Grade, GradeChange, GradeItem, TotalOverride
from tests.factories import PASSWORD


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def course_url(name, setup, *args):
    return reverse(f"gradebook:{name}", args=[setup.course.pk, *args])


@pytest.mark.django_db
def test_teacher_sees_gradebook_with_chart(client, setup):
    api.record_score(setup.item, setup.student, 80, by=setup.teacher)
    response = login(client, setup.teacher).get(course_url("course", setup))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tugas 1" in body
    assert "<svg" in body
    assert "<script" not in body
    assert "80" in body


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["student", "guardian", "other"])
def test_gradebook_forbidden_to_non_staff(client, setup, who):
    response = login(client, getattr(setup, who)).get(course_url("course", setup))
    assert response.status_code == 403


@pytest.mark.django_db
def test_operator_views_but_cannot_grade(client, setup):
    login(client, setup.operator)
    assert client.get(course_url("course", setup)).status_code == 200
    url = course_url("score", setup, setup.student.pk, setup.item.pk)
    response = client.post(url, {f"item{setup.item.pk}-score": "90"})
    assert response.status_code == 403
    assert not Grade.objects.exists()


@pytest.mark.django_db
def test_teacher_saves_score_and_feedback(client, setup):
    login(client, setup.teacher)
    url = course_url("score", setup, setup.student.pk, setup.item.pk)
    prefix = f"item{setup.item.pk}"
    response = client.post(
        url, {f"{prefix}-score": "91,5", f"{prefix}-feedback": "Bagus sekali"}
    )
    assert response.status_code == 302
    grade = Grade.objects.get(item=setup.item, student=setup.student)
    assert grade.score == Decimal("91.50")
    assert grade.feedback == "Bagus sekali"
    change = GradeChange.objects.get()
    assert change.changed_by == setup.teacher


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "code"),
    [("150", "score_range"), ("-3", "score_range"), ("sembilan", "invalid_score")],
)
def test_bad_score_rejected(client, setup, value, code):
    login(client, setup.teacher)
    url = course_url("score", setup, setup.student.pk, setup.item.pk)
    response = client.post(url, {f"item{setup.item.pk}-score": value})
    assert response.status_code == 400
    form = next(
        entry["score_form"]
        for entry in response.context["entries"]
        if entry["item"] == setup.item
    )
    assert form.has_error("score", code)
    assert not Grade.objects.exists()
    assert not GradeChange.objects.exists()


@pytest.mark.django_db
def test_override_without_reason_rejected(client, setup):
    api.record_score(setup.item, setup.student, 60, by=setup.teacher)
    login(client, setup.teacher)
    url = course_url("override", setup, setup.student.pk, setup.item.pk)
    prefix = f"override{setup.item.pk}"
    response = client.post(url, {f"{prefix}-value": "75", f"{prefix}-reason": ""})
    assert response.status_code == 400
    assert Grade.objects.get().override is None
    assert GradeChange.objects.count() == 1
    response = client.post(
        url, {f"{prefix}-value": "75", f"{prefix}-reason": "Remedial"}
    )
    assert response.status_code == 302
    grade = Grade.objects.get()
    assert grade.override == Decimal("75.00")
    assert grade.effective_score == Decimal("75.00")
    assert GradeChange.objects.count() == 2


@pytest.mark.django_db
def test_total_override_without_reason_rejected(client, setup):
    login(client, setup.teacher)
    url = course_url("total", setup, setup.student.pk)
    response = client.post(url, {"total-value": "88", "total-reason": " "})
    assert response.status_code == 400
    assert response.context["total_form"].has_error("reason", "reason_required")
    assert not TotalOverride.objects.exists()
    response = client.post(url, {"total-value": "101", "total-reason": "x"})
    assert response.status_code == 400
    assert response.context["total_form"].has_error("value", "score_range")
    assert not TotalOverride.objects.exists()
    response = client.post(url, {"total-value": "88", "total-reason": "Ujian ulang"})
    assert response.status_code == 302
    assert TotalOverride.objects.get().total == Decimal("88.00")


@pytest.mark.django_db
def test_student_sees_own_grades_only(client, setup):
    api.record_score(
        setup.item, setup.student, 70, by=setup.teacher, feedback="Perbaiki bab 2"
    )
    api.record_score(setup.item, setup.other, 95, by=setup.teacher)
    login(client, setup.student)
    response = client.get(course_url("mine", setup))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Perbaiki bab 2" in body
    assert "Kuis 1" not in body  # not graded yet, so not released
    response = client.get(course_url("student_grades", setup, setup.other.pk))
    assert response.status_code == 403


@pytest.mark.django_db
def test_guardian_sees_own_child_only(client, setup):
    login(client, setup.guardian)
    own = client.get(course_url("student_grades", setup, setup.student.pk))
    assert own.status_code == 200
    other = client.get(course_url("student_grades", setup, setup.other.pk))
    assert other.status_code == 403


@pytest.mark.django_db
def test_student_outside_course_forbidden(client, setup):
    from tests.factories import make_student

    outsider = make_student(setup.school)
    response = login(client, outsider).get(course_url("mine", setup))
    assert response.status_code == 403


@pytest.mark.django_db
def test_csv_export_columns(client, setup):
    api.record_score(setup.item, setup.student, "87.5", by=setup.teacher)
    api.record_score(setup.quiz, setup.student, 9, by=None)
    response = login(client, setup.teacher).get(course_url("export_csv", setup))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows[0]) == 6
    assert rows[0][3:5] == ["Tugas 1", "Kuis 1"]
    ayu = next(row for row in rows if row[1] == "Ayu")
    assert ayu[0] == "0081234567"
    assert ayu[3] == "87.50"
    assert ayu[4] == "9.00"
    # Both items are uncategorised: (87.5 + 9) / 110 = 87.73 %.
    assert ayu[5] == "87.73"


@pytest.mark.django_db
def test_xlsx_export_numbers(client, setup):
    api.record_score(setup.item, setup.student, "87.5", by=setup.teacher)
    response = login(client, setup.operator).get(course_url("export_xlsx", setup))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows[0]) == 6
    ayu = next(row for row in rows if row[1] == "Ayu")
    assert ayu[0] == "0081234567"
    assert ayu[3] == 87.5
    assert isinstance(ayu[5], float)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["student", "guardian"])
def test_export_forbidden_to_non_staff(client, setup, who):
    login(client, getattr(setup, who))
    assert client.get(course_url("export_csv", setup)).status_code == 403
    assert client.get(course_url("export_xlsx", setup)).status_code == 403


@pytest.mark.django_db
def test_manage_categories(client, setup):
    login(client, setup.teacher)
    url = course_url("manage", setup)
    response = client.post(
        url,
        {"action": "category", "category-name": "Ulangan", "category-weight": "40"},
    )
    assert response.status_code == 302
    category = setup.course.grade_categories.get()
    response = client.post(
        url,
        {"action": "category", "category-name": "ulangan", "category-weight": "10"},
    )
    assert response.status_code == 400
    assert response.context["category_form"].has_error("name", "duplicate_category")
    response = client.post(
        url, {"action": "item", "item": setup.item.pk, "category": category.pk}
    )
    assert response.status_code == 302
    assert GradeItem.objects.get(pk=setup.item.pk).category == category
    login(client, setup.operator)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_missing_as_zero_setting(client, setup):
    api.record_score(setup.item, setup.student, 80, by=setup.teacher)
    login(client, setup.teacher)
    response = client.get(course_url("course", setup))
    row = next(r for r in response.context["book"].rows if r.student == setup.student)
    assert row.total == Decimal("80.00")
    response = client.post(
        course_url("manage", setup),
        {
            "action": "settings",
            "settings-missing_counts_as_zero": "on",
            "settings-uncategorised_weight": "100",
        },
    )
    assert response.status_code == 302
    response = client.get(course_url("course", setup))
    row = next(r for r in response.context["book"].rows if r.student == setup.student)
    # 80 of the 110 points of both items: 72.727... rounds to 72.73.
    assert row.total == Decimal("72.73")


@pytest.mark.django_db
def test_grading_page_shows_history(client, setup):
    api.record_score(setup.item, setup.student, 60, by=setup.teacher)
    api.set_override(setup.item, setup.student, 70, by=setup.teacher, reason="Remidi")
    response = login(client, setup.teacher).get(
        course_url("student", setup, setup.student.pk)
    )
    assert response.status_code == 200
    history = list(response.context["history"])
    assert [change.field for change in history] == ["override", "score"]
    assert "Remidi" in response.content.decode()


@pytest.mark.django_db
def test_manual_item_add_and_delete(client, setup):
    login(client, setup.teacher)
    response = client.post(
        course_url("manage", setup),
        {"action": "new_item", "item-title": "Ujian tertulis", "item-max_score": "50"},
    )
    assert response.status_code == 302
    item = GradeItem.objects.get(title="Ujian tertulis")
    assert item.key.startswith("manual:")
    assert item.max_score == Decimal("50")
    api.record_score(item, setup.student, 45, by=setup.teacher)
    response = client.post(course_url("delete_item", setup, item.pk))
    assert response.status_code == 302
    assert not GradeItem.objects.filter(pk=item.pk).exists()
    assert GradeChange.objects.filter(item_title="Ujian tertulis").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("max_score", "code"),
    [("0", "min_value"), ("-5", "min_value"), ("banyak", "invalid"), ("", "required")],
)
def test_manual_item_bad_max_rejected(client, setup, max_score, code):
    login(client, setup.teacher)
    before = GradeItem.objects.count()
    response = client.post(
        course_url("manage", setup),
        {"action": "new_item", "item-title": "Ujian", "item-max_score": max_score},
    )
    assert response.status_code == 400
    assert response.context["item_form"].has_error("max_score", code)
    assert GradeItem.objects.count() == before


@pytest.mark.django_db
def test_source_item_cannot_be_deleted(client, setup):
    login(client, setup.teacher)
    response = client.post(course_url("delete_item", setup, setup.item.pk))
    assert response.status_code == 404
    assert GradeItem.objects.filter(pk=setup.item.pk).exists()


@pytest.mark.django_db
def test_manual_item_forbidden_to_student(client, setup):
    login(client, setup.student)
    response = client.post(
        course_url("manage", setup),
        {"action": "new_item", "item-title": "Ujian", "item-max_score": "10"},
    )
    assert response.status_code == 403
    assert GradeItem.objects.count() == 2
