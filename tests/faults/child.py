"""
Build test data in a database that only a child process can reach.

Run as ``python -m tests.faults.child quiz`` with ``DATABASE_URL`` pointing
at a private server. The command prints one JSON object with the ids and the
login cookie that the test needs.
"""

import json
import sys

import django


def log_in(user):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def build_quiz(questions=8):
    """Create a course, a quiz of short-answer questions and a started attempt."""
    from courses.quizzes import services
    from courses.quizzes.models import Question
    from tests.quizzes.helpers import make_classroom, make_question, make_quiz

    _teacher, course, (student,) = make_classroom(students=1)
    bank = [
        make_question(
            course,
            Question.Kind.SHORT,
            f"Soal nomor {number}",
            accepted_answers=[f"jawaban {number}"],
        )
        for number in range(1, questions + 1)
    ]
    quiz = make_quiz(course, bank)
    attempt = services.start_attempt(quiz, student)
    return {
        "attempt": attempt.pk,
        "questions": attempt.question_ids(),
        "cookie": log_in(student),
    }


def build_live_class():
    """Create a course with a teacher and a student, and open a live session."""
    import datetime

    from django.utils import timezone

    from live.models import LiveSession
    from tests.quizzes.helpers import make_classroom

    teacher, course, (student,) = make_classroom(students=1)
    now = timezone.now()
    session = LiveSession.objects.create(
        course_id=course.pk,
        teacher=teacher,
        title="Kelas langsung pecahan",
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=2),
    )
    session.open(by=teacher)
    return {
        "session": session.pk,
        "course_path": course.get_url_parts()[2],
        "teacher": teacher.pk,
        "student": student.pk,
        "teacher_cookie": log_in(teacher),
        "student_cookie": log_in(student),
    }


def build_library_file(pages=500):
    """Upload a PDF of ``pages`` pages to a library and queue its extraction."""
    from django.core.files.base import ContentFile

    from library import filetypes
    from library.models import AccessLevel
    from library.uploads import ItemMetadata, create_item
    from lms.models import Membership
    from tests.factories import make_home
    from tests.faults.documents import many_page_pdf
    from tests.library.conftest import make_library, make_person, make_school

    school = make_school("SMP Negeri 1 Contoh")
    library = make_library(make_home(), school, "perpustakaan-1")
    teacher = make_person("guru", school, Membership.Role.TEACHER)
    metadata = ItemMetadata(
        title="Buku tebal",
        item_type="ebook",
        language="id",
        licence="cc-by",
        access_level=AccessLevel.CITY,
        creators=[("Penulis", "")],
    )
    item_file = create_item(
        library,
        metadata,
        ContentFile(many_page_pdf(pages), name="buku tebal.pdf"),
        user=teacher,
        content_type=filetypes.PDF,
        publish=True,
    )
    return {"item_file": item_file.pk}


def build_registration():
    """
    Open an admission period and log in a parent who has given consent.

    Return the period, the session cookie and the form fields without the
    document uploads, which the test adds itself.
    """
    from django.conf import settings
    from django.test import Client

    from tests.factories import make_user
    from tests.ppdb.registration_factories import (
        form_data,
        give_consent,
        make_registration_period,
    )

    period = make_registration_period()
    # The test host name "testserver" is not in ALLOWED_HOSTS outside pytest.
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(make_user())
    give_consent(client, period)
    fields = {
        key: value
        for key, value in form_data(period).items()
        if not key.startswith("document_")
    }
    return {
        "period": period.pk,
        "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "fields": fields,
    }


BUILDERS = {
    "registration": build_registration,
    "quiz": build_quiz,
    "live": build_live_class,
    "library_file": build_library_file,
}


def main(argv):
    django.setup()
    builder = BUILDERS[argv[1]]
    sys.stdout.write(json.dumps(builder()) + "\n")


if __name__ == "__main__":
    main(sys.argv)
