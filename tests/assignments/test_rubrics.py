"""Teachers create, change and delete an assignment's rubric on its page."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from courses.assignments import services
from courses.assignments.models import Grade, Rubric, RubricCriterion, RubricLevel
from courses.gradebook.models import Grade as GradebookGrade
from courses.gradebook.models import GradeChange

from .test_grading import make_rubric


def rubric_url(assignment):
    return reverse("assignments:rubric", args=[assignment.pk])


def management(total, initial=0):
    return {
        "criteria-TOTAL_FORMS": str(total),
        "criteria-INITIAL_FORMS": str(initial),
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "20",
    }


def new_rubric_data(*criteria, title="Rubrik laporan"):
    """Return POST data that creates criteria given as (title, levels text)."""
    data = {"title": title, **management(len(criteria) + 1)}
    for number, (criterion, levels) in enumerate(criteria):
        data[f"criteria-{number}-title"] = criterion
        data[f"criteria-{number}-levels_text"] = levels
    return data


def existing_rubric_data(rubric, changes=None, regrade=False):
    """Return POST data that saves ``rubric`` as stored, with ``changes``."""
    criteria = list(rubric.criteria.all())
    data = {"title": rubric.title, **management(len(criteria) + 1, len(criteria))}
    for number, criterion in enumerate(criteria):
        data[f"criteria-{number}-id"] = str(criterion.pk)
        data[f"criteria-{number}-rubric"] = str(rubric.pk)
        data[f"criteria-{number}-title"] = criterion.title
        data[f"criteria-{number}-levels_text"] = "\n".join(
            f"{level.title} = {level.points}" for level in criterion.levels.all()
        )
    data.update(changes or {})
    if regrade:
        data["regrade"] = "on"
    return data


def error_codes(response):
    codes = {
        error.code
        for errors in response.context["form"].errors.as_data().values()
        for error in errors
    }
    formset = response.context["formset"]
    for form in formset.forms:
        for errors in form.errors.as_data().values():
            codes.update(error.code for error in errors)
    codes.update(error.code for error in formset.non_form_errors().as_data())
    return codes


def graded_submission(world, assignment, choices, returned=False):
    submission = services.submit(assignment, world.student, text="jawaban")
    grade = services.grade(submission, by=world.teacher, rubric_choices=choices)
    if returned:
        services.return_grade(grade, by=world.teacher)
    return grade


def test_teacher_creates_rubric(client, world):
    assignment = world.assignment(max_score=Decimal(100))
    client.force_login(world.teacher)
    assert client.get(rubric_url(assignment)).status_code == 200
    response = client.post(
        rubric_url(assignment),
        new_rubric_data(
            ("Isi", "Kurang = 10\nBaik = 60\nCukup = 30"),
            ("Tata tulis", "Kurang = 0\nBaik = 12,5"),
        ),
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    rubric = assignment.rubric
    assert rubric.title == "Rubrik laporan"
    assert [c.title for c in rubric.criteria.all()] == ["Isi", "Tata tulis"]
    content = rubric.criteria.get(title="Isi")
    assert list(content.levels.values_list("title", "points")) == [
        ("Kurang", 10),
        ("Cukup", 30),
        ("Baik", 60),
    ]
    assert assignment.max_score == Decimal("72.50")


@pytest.mark.parametrize(
    ("criteria", "code"),
    [
        ((("Isi", "Baik = -1"),), "points_out_of_range"),
        ((("Isi", "Baik = banyak"),), "invalid_points"),
        ((("Isi", "Baik = 1.005"),), "invalid_points"),
        ((("Isi", "Baik 4"),), "invalid_level"),
        ((("Isi", " = 4"),), "invalid_level"),
        ((("Isi", ""),), "no_levels"),
        ((("Isi", "Baik = 4\nbaik = 2"),), "duplicate_level"),
        ((("", "Baik = 4"),), "required"),
        ((("Isi", "Kurang = 0"),), "zero_total"),
        ((("Isi", "A = 9999\nB = 1"), ("Gaya", "A = 9999")), "total_too_large"),
        ((), "no_criteria"),
    ],
)
def test_invalid_rubric_stores_nothing(client, world, criteria, code):
    assignment = world.assignment(max_score=Decimal(100))
    client.force_login(world.teacher)
    response = client.post(rubric_url(assignment), new_rubric_data(*criteria))
    assert response.status_code == 400
    assert code in error_codes(response)
    assert not Rubric.objects.exists()
    assignment.refresh_from_db()
    assert assignment.rubric is None
    assert assignment.max_score == 100


def test_error_message_is_indonesian(client, world):
    assignment = world.assignment()
    client.force_login(world.teacher)
    response = client.post(
        rubric_url(assignment),
        new_rubric_data(("Isi", "Baik = -1")),
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert "harus antara 0 dan" in response.content.decode()


def test_unused_rubric_changes_freely(client, world):
    rubric, content, layout, levels = make_rubric(world)
    assignment = world.assignment(rubric=rubric, max_score=Decimal(100))
    client.force_login(world.teacher)
    data = existing_rubric_data(
        rubric,
        {
            "criteria-1-DELETE": "on",
            "criteria-0-levels_text": "Kurang = 10\nBaik = 50\nIstimewa = 80",
        },
    )
    response = client.post(rubric_url(assignment), data)
    assert response.status_code == 302
    assert list(rubric.criteria.values_list("title", flat=True)) == ["Isi"]
    assert content.levels.count() == 3
    assignment.refresh_from_db()
    assert assignment.max_score == 80


def test_level_rows_kept_when_count_same(client, world):
    rubric, content, _layout, levels = make_rubric(world)
    assignment = world.assignment(rubric=rubric)
    client.force_login(world.teacher)
    data = existing_rubric_data(
        rubric, {"criteria-0-levels_text": "Perlu bimbingan = 10\nBaik = 60"}
    )
    client.post(rubric_url(assignment), data)
    levels["content_low"].refresh_from_db()
    assert levels["content_low"].title == "Perlu bimbingan"


def test_graded_rubric_needs_regrade(client, world):
    rubric, content, layout, levels = make_rubric(world)
    assignment = world.assignment(rubric=rubric, max_score=Decimal(100))
    grade = graded_submission(
        world,
        assignment,
        {content.pk: levels["content_high"].pk, layout.pk: levels["layout_low"].pk},
    )
    client.force_login(world.teacher)
    data = existing_rubric_data(
        rubric, {"criteria-0-levels_text": "Kurang = 10\nBaik = 50"}
    )
    response = client.post(rubric_url(assignment), data)
    assert response.status_code == 400
    assert "rubric_used" in error_codes(response)
    levels["content_high"].refresh_from_db()
    assert levels["content_high"].points == 60
    grade.refresh_from_db()
    assert grade.score == 65


def test_graded_rubric_keeps_structure(client, world):
    rubric, content, layout, levels = make_rubric(world)
    assignment = world.assignment(rubric=rubric, max_score=Decimal(100))
    graded_submission(
        world,
        assignment,
        {content.pk: levels["content_high"].pk, layout.pk: levels["layout_low"].pk},
    )
    client.force_login(world.teacher)
    for changes in (
        {"criteria-1-DELETE": "on"},
        {"criteria-0-levels_text": "Kurang = 10\nCukup = 30\nBaik = 60"},
        {"criteria-2-title": "Kerapian", "criteria-2-levels_text": "Rapi = 5"},
    ):
        data = existing_rubric_data(rubric, changes, regrade=True)
        response = client.post(rubric_url(assignment), data)
        assert response.status_code == 400, changes
        assert "rubric_structure_locked" in error_codes(response)
    assert rubric.criteria.count() == 2
    assert RubricLevel.objects.filter(criterion__rubric=rubric).count() == 4


def test_graded_rubric_renames_without_regrade(client, world):
    rubric, content, layout, levels = make_rubric(world)
    assignment = world.assignment(rubric=rubric, max_score=Decimal(100))
    graded_submission(
        world,
        assignment,
        {content.pk: levels["content_high"].pk, layout.pk: levels["layout_low"].pk},
    )
    client.force_login(world.teacher)
    data = existing_rubric_data(
        rubric,
        {"title": "Rubrik baru", "criteria-1-title": "Kerapian"},
    )
    response = client.post(rubric_url(assignment), data)
    assert response.status_code == 302
    layout.refresh_from_db()
    assert layout.title == "Kerapian"


def test_regrade_recomputes_grades_and_gradebook(client, world):
    rubric, content, layout, levels = make_rubric(world)
    assignment = world.assignment(rubric=rubric, max_score=Decimal(100))
    grade = graded_submission(
        world,
        assignment,
        {content.pk: levels["content_high"].pk, layout.pk: levels["layout_low"].pk},
        returned=True,
    )
    client.force_login(world.teacher)
    data = existing_rubric_data(
        rubric,
        {
            "criteria-0-levels_text": "Kurang = 10\nBaik = 50",
            "criteria-1-levels_text": "Kurang = 10\nBaik = 50",
        },
        regrade=True,
    )
    response = client.post(rubric_url(assignment), data)
    assert response.status_code == 302
    grade.refresh_from_db()
    assert grade.raw_score == 60
    assert grade.score == 60
    assignment.refresh_from_db()
    assert assignment.max_score == 100
    book = GradebookGrade.objects.get(student=world.student)
    assert book.score == 60
    change = GradeChange.objects.filter(student=world.student).first()
    assert (change.old_value, change.new_value) == (65, 60)
    assert "Laporan" in change.reason


def test_regrade_keeps_late_penalty(client, world):
    rubric, content, layout, levels = make_rubric(world)
    assignment = world.assignment(rubric=rubric, max_score=Decimal(100))
    grade = graded_submission(
        world,
        assignment,
        {content.pk: levels["content_high"].pk, layout.pk: levels["layout_high"].pk},
    )
    Grade.objects.filter(pk=grade.pk).update(penalty_percent=10)
    client.force_login(world.teacher)
    data = existing_rubric_data(
        rubric, {"criteria-1-levels_text": "Kurang = 5\nBaik = 20"}, regrade=True
    )
    client.post(rubric_url(assignment), data)
    grade.refresh_from_db()
    assert grade.raw_score == 80
    assert grade.score == 72


def test_delete_unused_rubric(client, world):
    rubric, *_rest = make_rubric(world)
    assignment = world.assignment(rubric=rubric, max_score=Decimal(100))
    client.force_login(world.teacher)
    url = reverse("assignments:rubric_delete", args=[assignment.pk])
    assert client.get(url).status_code == 200
    assert Rubric.objects.exists()
    response = client.post(url)
    assert response.status_code == 302
    assert not Rubric.objects.exists()
    assert not RubricCriterion.objects.exists()
    assignment.refresh_from_db()
    assert assignment.rubric is None
    assert assignment.max_score == 100


def test_delete_graded_rubric_blocked(client, world):
    rubric, content, layout, levels = make_rubric(world)
    assignment = world.assignment(rubric=rubric, max_score=Decimal(100))
    graded_submission(
        world,
        assignment,
        {content.pk: levels["content_high"].pk, layout.pk: levels["layout_low"].pk},
    )
    client.force_login(world.teacher)
    url = reverse("assignments:rubric_delete", args=[assignment.pk])
    assert client.get(url).context["blocker"]
    client.post(url)
    assert Rubric.objects.filter(pk=rubric.pk).exists()


@pytest.mark.parametrize("who", ["student", "parent", "other_teacher"])
def test_outsiders_get_403(client, world, who):
    from tests.factories import make_teacher

    rubric, *_rest = make_rubric(world)
    assignment = world.assignment(rubric=rubric)
    user = make_teacher(world.school) if who == "other_teacher" else getattr(world, who)
    client.force_login(user)
    for url in (
        rubric_url(assignment),
        reverse("assignments:rubric_delete", args=[assignment.pk]),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, existing_rubric_data(rubric)).status_code == 403
    assert Rubric.objects.filter(pk=rubric.pk).exists()


def test_delete_needs_csrf_token(world):
    rubric, *_rest = make_rubric(world)
    assignment = world.assignment(rubric=rubric)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.teacher)
    response = client.post(reverse("assignments:rubric_delete", args=[assignment.pk]))
    assert response.status_code == 403
    assert Rubric.objects.exists()


def test_graded_assignment_keeps_its_rubric(client, world):
    from .test_notifications import FORM

    rubric, content, layout, levels = make_rubric(world)
    assignment = world.assignment(rubric=rubric, max_score=Decimal(100))
    graded_submission(
        world,
        assignment,
        {content.pk: levels["content_high"].pk, layout.pk: levels["layout_low"].pk},
    )
    other = Rubric.objects.create(course=world.course, title="Lain")
    client.force_login(world.teacher)
    url = reverse("assignments:edit", args=[assignment.pk])
    for choice in (str(other.pk), ""):
        response = client.post(url, {**FORM, "max_score": "100", "rubric": choice})
        assert response.status_code == 200
        errors = response.context["form"].errors.as_data()["rubric"]
        assert "graded_rubric_locked" in [error.code for error in errors]
    assignment.refresh_from_db()
    assert assignment.rubric == rubric
