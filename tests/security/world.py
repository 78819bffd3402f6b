"""
Build the people and objects that the access matrix requests pages about.

School A runs a course taught by ``teacher``, in which ``student`` (the
child of ``parent``) and ``classmate`` (the child of ``other_parent``) are
enrolled. ``other_teacher`` teaches another course of school A.
``other_student`` and ``other_operator`` belong to school B. Every object
the URLs point at (submission, attempt, thread, live session, ...) belongs
to the course of school A and, where it is personal, to ``student``.
"""

import datetime
import hashlib
from types import SimpleNamespace

from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from wagtail.documents.models import Document

from courses.assignments.models import Assignment, Submission
from courses.gradebook import api as gradebook
from courses.gradebook.models import CalendarFeed
from courses.models import Announcement, Notification, Post, Thread, UnitPage
from courses.quizzes.models import Question
from courses.quizzes.services import save_answer, start_attempt
from library.models import AccessLevel, ItemFile, LibraryIndexPage, LibraryItemPage
from live.models import LiveSession
from lms.models import LoginLock
from ppdb.models import ApplicationDocument, Complaint, Objection, PeriodSchool
from tests.factories import (
    current_year,
    enrol,
    make_class_group,
    make_course,
    make_course_index,
    make_guardian,
    make_home,
    make_lesson,
    make_operator,
    make_school,
    make_student,
    make_teacher,
    make_user,
)
from tests.ppdb.factories import make_period
from tests.ppdb.verification_helpers import make_application
from tests.quizzes.helpers import make_quiz

ROLES = (
    "anonymous",
    "student",
    "other_student",
    "teacher",
    "other_teacher",
    "parent",
    "other_parent",
    "operator",
    "other_operator",
    "city_admin",
)


def build_world():
    """Create the matrix's people and objects and return them as attributes."""
    world = SimpleNamespace(anonymous=None)
    _build_people(world)
    _build_pages(world)
    _build_coursework(world)
    _build_library(world)
    _build_live_and_ppdb(world)
    return world


def _build_people(world):
    world.school = make_school()
    world.other_school = make_school()
    world.student = make_student(world.school)
    world.classmate = make_student(world.school)
    world.other_student = make_student(world.other_school)
    world.teacher = make_teacher(world.school)
    world.other_teacher = make_teacher(world.school)
    world.parent = make_guardian(world.student)
    world.other_parent = make_guardian(world.classmate)
    world.operator = make_operator(world.school)
    world.other_operator = make_operator(world.other_school)
    world.city_admin = make_user(is_city_admin=True)
    year, _semester = current_year()
    world.class_group = make_class_group(
        world.school, year, students=[world.student, world.classmate]
    )
    world.login_lock = LoginLock.objects.create(
        scope=LoginLock.Scope.ACCOUNT,
        account_key=world.student.username,
        user=world.student,
        locked_until=timezone.now() + datetime.timedelta(minutes=15),
    )
    world.calendar_feed = CalendarFeed.objects.create(user=world.student)
    Notification.objects.create(
        recipient=world.student, kind=Notification.Kind.GRADE, title="Info"
    )


def _build_pages(world):
    world.home = make_home()
    world.course_index = make_course_index(world.school)
    world.course = make_course(world.course_index, teachers=[world.teacher])
    world.other_course = make_course(world.course_index, teachers=[world.other_teacher])
    enrol(world.course, world.student)
    enrol(world.course, world.classmate)
    enrol(world.other_course, world.other_student)
    world.unit = UnitPage(title="Bab 1", slug="bab-1")
    world.course.add_child(instance=world.unit)
    world.unit.save_revision().publish()
    world.lesson = make_lesson(world.course)


def _build_coursework(world):
    now = timezone.now()
    world.assignment = Assignment.objects.create(
        course=world.course,
        title="Laporan praktikum",
        opens_at=now - datetime.timedelta(days=2),
        due_at=now + datetime.timedelta(days=2),
        allowed_types=["pdf"],
        max_file_size_mb=1,
        submission_kind=Assignment.SubmissionKind.BOTH,
        created_by=world.teacher,
    )
    world.submission = Submission(
        assignment=world.assignment,
        student=world.student,
        original_name="laporan.pdf",
        file_type="pdf",
    )
    world.submission.file.save(
        "laporan.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False
    )
    world.submission.save()

    world.question = Question.objects.create(
        course=world.course, kind=Question.Kind.ESSAY, text="Jelaskan fotosintesis."
    )
    world.quiz = make_quiz(world.course, [world.question])
    world.attempt = start_attempt(world.quiz, world.student)
    save_answer(world.attempt, world.question.pk, {"text": "Cahaya."})
    world.answer = world.attempt.answers.get()
    world.grade_item = gradebook.register_item(world.course, "matrix:1", "Tugas 1", 100)
    world.announcement = Announcement.objects.create(
        course=world.course, author=world.teacher, title="Info", body="<p>Hai</p>"
    )
    world.thread = Thread.objects.create(
        course=world.course, author=world.student, title="Pertanyaan"
    )
    world.post = Post.objects.create(
        thread=world.thread, author=world.student, body="<p>Bagaimana?</p>"
    )


def _build_library(world):
    world.library = LibraryIndexPage(
        title="Perpustakaan", slug="perpustakaan-matrix", school=world.school
    )
    world.home.add_child(instance=world.library)
    world.library.save_revision().publish()
    world.library_item = LibraryItemPage(
        title="Karya tulis",
        slug="karya-tulis",
        access_level=AccessLevel.SCHOOL,
        owner=world.student,
    )
    world.library.add_child(instance=world.library_item)
    world.library_item.save_revision().publish()
    content = b"%PDF-1.4\n%%EOF\n"
    document = Document(title="Karya tulis", uploaded_by_user=world.student)
    document.file.save("karya.pdf", ContentFile(content), save=False)
    document.save()
    world.document = document
    world.library_file = ItemFile.objects.create(
        item=world.library_item,
        document=document,
        original_name="karya.pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content_type="application/pdf",
        uploaded_by=world.student,
    )


def _build_live_and_ppdb(world):
    now = timezone.now()
    world.live_session = LiveSession.objects.create(
        course_id=world.course.pk,
        teacher=world.teacher,
        title="Kelas langsung",
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=1),
    )
    world.live_session.open(by=world.teacher)
    world.period = make_period()
    world.selection_run = _make_selection_run(world)
    _build_verification(world)


def _build_verification(world):
    """An application whose first choice is school A and second school B."""
    world.period_school = PeriodSchool.objects.create(
        period=world.period, school=world.school, capacity=32
    )
    other = PeriodSchool.objects.create(
        period=world.period, school=world.other_school, capacity=32
    )
    world.application = make_application(
        world.period, [world.period_school, other], parent=world.parent
    )
    world.application_document = ApplicationDocument(
        application=world.application,
        kind=ApplicationDocument.Kind.KK,
        original_name="kk.pdf",
        content_type="application/pdf",
        size=9,
        uploaded_by=world.parent,
    )
    world.application_document.file.save(
        "kk.pdf", ContentFile(b"%PDF-1.4\n"), save=True
    )
    world.complaint = Complaint.objects.create(
        period=world.period,
        author=world.parent,
        application=world.application,
        subject="Peta",
        body="Peta tidak tampil.",
    )
    world.objection = Objection.objects.create(
        application=world.application, author=world.parent, body="Jarak salah."
    )


def _make_selection_run(world):
    """A finished dry run of the period, with no results, for the run pages."""
    from ppdb.models import SelectionRun

    return SelectionRun.objects.create(
        period=world.period,
        number=1,
        status=SelectionRun.Status.SUCCEEDED,
        is_dry_run=True,
        started_by=world.city_admin,
        rules_toml="",
    )


def client_as(world, role):
    """Return a test client logged in as ``role`` through its session cookie."""
    client = Client()
    cookie = world.session_cookies[role]
    if cookie:
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    return client
