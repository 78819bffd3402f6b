"""
Demo courses: a course index per school, its courses and two lessons each.

Every school of the demo city gets courses for its first class group (grade
7 in an SMP, grade 4 in an SD), taught by the school's teachers, with the
group's students enrolled. Pages are looked up by slug before they are
created, so a second run adds nothing.
"""

import logging

from django.utils.text import slugify
from django.utils.translation import gettext as _

from .demo_lessons import LESSONS
from .models import CourseIndexPage, CoursePage, Enrolment, LessonPage

logger = logging.getLogger(__name__)

# Subjects per school level, with the prefix of their join codes.
SUBJECTS = {
    "SMP": [("Matematika", "MTK"), ("IPA", "IPA"), ("Bahasa Indonesia", "BIN")],
    "SD": [("Matematika", "MTK"), ("Bahasa Indonesia", "BIN")],
}

DESCRIPTIONS = {
    "Matematika": "<p>Bernalar dengan bilangan, bentuk, dan data lewat "
    "soal-soal dari kehidupan sehari-hari.</p>",
    "IPA": "<p>Mengamati alam sekitar, melakukan percobaan sederhana, dan "
    "menjelaskan hasilnya.</p>",
    "Bahasa Indonesia": "<p>Membaca, menulis, dan berbicara dalam bahasa "
    "Indonesia yang baik untuk berbagai keperluan.</p>",
}


def build(world, stdout):
    """Build the demo courses of every school in ``world``."""
    counts = {"courses": 0, "lessons": 0}
    enrolments_before = Enrolment.objects.count()
    for school in world.schools:
        index = _course_index(world, school)
        groups = world.class_groups.get(school.npsn) or []
        if not groups:
            continue
        group = groups[0]
        teachers = world.teachers.get(school.npsn) or []
        for position, (subject, prefix) in enumerate(SUBJECTS.get(school.level, [])):
            teacher = teachers[position % len(teachers)] if teachers else None
            course, created = _course(
                world, index, school, group, subject, prefix, teacher
            )
            counts["courses"] += int(created)
            for lesson in LESSONS[(subject, school.level)]:
                counts["lessons"] += _lesson(course, lesson, teacher)
            # Publishing a course enrols its class group, and this call
            # catches up with students added to the group since.
            course.enrol_class_group()
    counts["enrolments"] = Enrolment.objects.count() - enrolments_before
    stdout.write(
        _(
            "%(courses)s courses, %(lessons)s lessons and %(enrolments)s "
            "enrolments created."
        )
        % counts
    )
    logger.info(
        "demo courses built courses=%s lessons=%s enrolments=%s",
        counts["courses"],
        counts["lessons"],
        counts["enrolments"],
    )


def _course_index(world, school):
    index = CourseIndexPage.objects.filter(school=school).first()
    if index is not None:
        return index
    index = CourseIndexPage(
        title=f"Kelas daring {school.name}",
        slug=slugify(f"kelas {school.name}"),
        school=school,
        intro="<p>Materi pelajaran dari guru-guru kami.</p>",
    )
    world.home.add_child(instance=index)
    index.save_revision().publish()
    return index


def _course(world, index, school, group, subject, prefix, teacher):
    slug = slugify(f"{subject} {group.name}")
    course = CoursePage.objects.child_of(index).filter(slug=slug).first()
    if course is not None:
        return course, False
    course = CoursePage(
        title=f"{subject} {group.name}",
        slug=slug,
        subject=subject,
        grade=group.grade,
        class_group=group,
        academic_year=world.year,
        semester=world.semester,
        description=DESCRIPTIONS[subject],
        # A readable code per school, for example MTK701 for the
        # mathematics course of grade 7 in the school whose NPSN ends in 01.
        code=f"{prefix}{group.grade}{school.npsn[-2:]}",
    )
    if CoursePage.objects.filter(code=course.code).exists():
        course.code = ""
    course.teachers = [teacher] if teacher else []
    index.add_child(instance=course)
    course.save_revision().publish()
    return course, True


def _lesson(course, lesson, teacher):
    if LessonPage.objects.child_of(course).filter(slug=lesson["slug"]).exists():
        return 0
    page = LessonPage(
        title=lesson["title"],
        slug=lesson["slug"],
        summary=lesson["summary"],
        body=lesson["body"],
        owner=teacher,
    )
    course.add_child(instance=page)
    page.save_revision(user=teacher).publish()
    return 1
