import pytest

from courses.gradebook import api
from tests.factories import (
    enrol,
    make_course,
    make_course_index,
    make_guardian,
    make_operator,
    make_school,
    make_student,
    make_teacher,
)


class Setup:
    """A course with a teacher, an operator, two students and a guardian."""

    def __init__(self):
        self.school = make_school()
        self.teacher = make_teacher(self.school)
        self.operator = make_operator(self.school)
        self.student = make_student(self.school)
        self.student.first_name = "Ayu"
        self.student.nisn = "0081234567"
        self.student.save()
        self.other = make_student(self.school)
        self.other.first_name = "Bima"
        self.other.save()
        self.index = make_course_index(self.school)
        self.course = make_course(self.index, teachers=[self.teacher])
        enrol(self.course, self.student)
        enrol(self.course, self.other)
        self.guardian = make_guardian(self.student)
        self.other_guardian = make_guardian(self.other)
        self.item = api.register_item(self.course, "assignment:1", "Tugas 1", 100)
        self.quiz = api.register_item(self.course, "quiz:1", "Kuis 1", 10)


@pytest.fixture
def setup(db):
    return Setup()
