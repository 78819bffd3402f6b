"""
Build people, schools, school years, class groups and course pages for tests.

Suites build their people, schools and courses with these ``make_*``
helpers. Each one saves what it builds and returns it, and names and
numbers default to unique values so calls do not collide. ``tests.lms.factories`` and
``tests.courses.factories`` re-export these names for older imports.
"""

import datetime
import itertools

from django.utils import timezone
from wagtail.models import Page, Site

from courses.models import CourseIndexPage, CoursePage, Enrolment, LessonPage
from lms.models import (
    AcademicYear,
    ClassGroup,
    GuardianLink,
    HomePage,
    Membership,
    School,
    Semester,
    User,
)

PASSWORD = "belajar-rahasia-123"
_sequence = itertools.count(1)


# People and schools


def make_user(username=None, password=PASSWORD, **fields):
    """Create an active person with ``password``. ``fields`` set model fields."""
    username = username or f"user{next(_sequence)}"
    return User.objects.create_user(username=username, password=password, **fields)


def make_school(name=None, level=School.Level.SMP, npsn=None, **fields):
    number = next(_sequence)
    fields.setdefault("kecamatan_code", "32.76.01")
    return School.objects.create(
        npsn=npsn or f"{20200000 + number:08d}",
        name=name or f"SMP Negeri {number}",
        level=level,
        **fields,
    )


def add_role(user, school, role):
    Membership.objects.get_or_create(user=user, school=school, role=role)
    user.refresh_from_db()
    return user


def make_member(school, role, username=None, **fields):
    """Create a person with ``role`` in ``school``."""
    return add_role(make_user(username, **fields), school, role)


def make_teacher(school, username=None, **fields):
    return make_member(school, Membership.Role.TEACHER, username, **fields)


def make_student(school, username=None, **fields):
    return make_member(school, Membership.Role.STUDENT, username, **fields)


def make_operator(school, username=None, **fields):
    return make_member(school, Membership.Role.OPERATOR, username, **fields)


def make_guardian(
    child, username=None, relation=GuardianLink.Relation.GUARDIAN, **fields
):
    guardian = make_user(username, **fields)
    GuardianLink.objects.create(guardian=guardian, child=child, relation=relation)
    guardian.refresh_from_db()
    return guardian


# School years and class groups


def make_year(start_year, *, is_current=False):
    return AcademicYear.objects.create(
        name=f"{start_year}/{start_year + 1}",
        starts_on=datetime.date(start_year, 7, 1),
        ends_on=datetime.date(start_year + 1, 6, 30),
        is_current=is_current,
    )


def current_year(today=None):
    """Return the academic year and semester that contain ``today``."""
    today = today or timezone.localdate()
    start_year = today.year if today.month >= 7 else today.year - 1
    year = AcademicYear.for_start_year(start_year)
    if not AcademicYear.objects.filter(is_current=True).exists():
        AcademicYear.objects.filter(pk=year.pk).update(is_current=True)
        year.refresh_from_db()
    odd, _created = Semester.objects.get_or_create(
        academic_year=year,
        number=Semester.Number.ODD,
        defaults={
            "starts_on": datetime.date(start_year, 7, 1),
            "ends_on": datetime.date(start_year, 12, 31),
        },
    )
    even, _created = Semester.objects.get_or_create(
        academic_year=year,
        number=Semester.Number.EVEN,
        defaults={
            "starts_on": datetime.date(start_year + 1, 1, 1),
            "ends_on": datetime.date(start_year + 1, 6, 30),
        },
    )
    return year, (odd if today <= odd.ends_on else even)


def make_class_group(school, year, name="7A", grade=7, students=()):
    group = ClassGroup.objects.create(
        school=school, academic_year=year, name=name, grade=grade
    )
    group.students.add(*students)
    return group


# Pages and enrolments


def make_home():
    """Return the site's home page, creating it and pointing the site at it."""
    home = HomePage.objects.first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Beranda", slug="beranda"))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True
        )
    else:
        site.root_page = home
        site.save()
    return home


def make_course_index(school, home=None):
    home = home or make_home()
    index = CourseIndexPage(
        title=f"Kelas {school.name}", slug=f"kelas-{school.npsn}", school=school
    )
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def make_course(
    index,
    teachers=(),
    title=None,
    subject="Matematika",
    grade=7,
    code="",
    semester=None,
    class_group=None,
    publish=True,
):
    year, current = current_year()
    semester = semester or current
    number = next(_sequence)
    course = CoursePage(
        title=title or f"{subject} {grade} ({number})",
        slug=f"kursus-{number}",
        subject=subject,
        grade=grade,
        academic_year=semester.academic_year,
        semester=semester,
        class_group=class_group,
        code=code,
        live=publish,
    )
    course.teachers = list(teachers)
    index.add_child(instance=course)
    if publish:
        course.save_revision().publish()
    return course


def make_lesson(parent, title="Pecahan", text="Pecahan adalah bagian dari utuh."):
    number = next(_sequence)
    lesson = LessonPage(
        title=title,
        slug=f"pelajaran-{number}",
        summary=text[:100],
        body=[
            ("heading", "Pengantar"),
            ("paragraph", f"<p>{text}</p>"),
            ("callout", {"kind": "tip", "text": "<p>Kerjakan latihan.</p>"}),
        ],
    )
    parent.add_child(instance=lesson)
    lesson.save_revision().publish()
    return lesson


def enrol(course, student, method=Enrolment.Method.MANUAL):
    return course.enrol(student, method)
