"""The poll record page, and the join page of a removed student."""

import pytest
from django.urls import reverse

from live import classroom as actions
from lms.models import AuditLog
from tests.courses.factories import enrol, make_student

pytestmark = pytest.mark.django_db


def polls_url(session):
    return reverse("live:polls", args=[session.pk])


def ask_and_answer(classroom):
    """Ask two polls. The student answers the first one, which then closes."""
    session_id = classroom.session.pk
    first = actions.open_poll(
        session_id, classroom.teacher, "Berapa 1/2 + 1/4?", ["1/4", "3/4"]
    ).payload["poll"]["id"]
    actions.answer_poll(session_id, classroom.student, "student", first, 1)
    actions.close_poll(session_id, classroom.teacher, first)
    actions.open_poll(
        session_id, classroom.teacher, "Siap ujian?", ["Ya", "Belum"], False
    )


def test_poll_record_lists_results_and_answers(client, classroom):
    ask_and_answer(classroom)
    client.force_login(classroom.teacher)
    response = client.get(polls_url(classroom.session))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Berapa 1/2 + 1/4?" in page
    assert "Siap ujian?" in page
    assert "Budi Santoso" in page
    assert '<meter min="0" max="100" value="100">' in page
    assert "<script" not in page.split("</header>", 1)[1]
    entry = AuditLog.objects.get(action="live.poll_answers_view")
    assert entry.actor == classroom.teacher
    assert entry.object_id == str(classroom.session.pk)


@pytest.mark.parametrize("person", ["student", "parent", "outsider", "other_teacher"])
def test_poll_record_teachers_only(client, classroom, person):
    ask_and_answer(classroom)
    client.force_login(getattr(classroom, person))
    response = client.get(polls_url(classroom.session))
    assert response.status_code == 403
    assert "Budi Santoso" not in response.content.decode()
    assert not AuditLog.objects.filter(action="live.poll_answers_view").exists()


def test_poll_record_without_polls(client, classroom):
    client.force_login(classroom.teacher)
    response = client.get(polls_url(classroom.session))
    assert response.status_code == 200
    assert "polls" in response.content.decode().lower()


def test_join_page_links_poll_record_for_teacher(client, classroom):
    client.force_login(classroom.teacher)
    page = client.get(reverse("live:session", args=[classroom.session.pk]))
    assert polls_url(classroom.session) in page.content.decode()
    assert "/static/live/classroom-controls.js" in page.content.decode()

    client.force_login(classroom.student)
    page = client.get(reverse("live:session", args=[classroom.session.pk]))
    assert polls_url(classroom.session) not in page.content.decode()
    assert "data-hand-toggle" in page.content.decode()


def test_removed_student_refused_by_pages(client, classroom, settings):
    settings.LANGUAGE_CODE = "en"
    other = make_student(classroom.school)
    enrol(classroom.course, other)
    actions.remove_participant(classroom.session.pk, classroom.teacher, other.pk)
    client.force_login(other)
    response = client.get(reverse("live:session", args=[classroom.session.pk]))
    assert response.status_code == 403
    assert "removed you from this live class" in response.content.decode()
    response = client.post(
        reverse("live:chat", args=[classroom.session.pk]), {"text": "Halo"}
    )
    assert response.status_code == 403

    client.force_login(classroom.student)
    response = client.get(reverse("live:session", args=[classroom.session.pk]))
    assert response.status_code == 200
