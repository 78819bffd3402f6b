"""The record of a class: attendance page, replay and chat transcript."""

import datetime
import json

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from live.models import LiveConnection, LiveEvent
from live.record import REPLAY_PAGE_SIZE, replay_page
from lms.models import AuditLog
from tests.courses.factories import enrol, make_guardian, make_student

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


def connect(session, user, role, minutes, name):
    start = timezone.now() - datetime.timedelta(hours=1)
    LiveConnection.objects.create(
        session=session,
        user=user,
        role=role,
        channel_name=name,
        connected_at=start,
        last_seen_at=start + minutes * MINUTE,
        disconnected_at=start + minutes * MINUTE,
    )


def chat(session, user, text, role="student"):
    return LiveEvent.append(
        session.pk,
        LiveEvent.Kind.CHAT,
        sender=user,
        payload={"text": text, "role": role},
    )


@pytest.fixture
def attended(classroom):
    """The classroom with a second student; both attended, differently long."""
    classmate = make_student(classroom.school)
    classmate.first_name, classmate.last_name = "Ani", "Lestari"
    classmate.save()
    enrol(classroom.course, classmate)
    connect(classroom.session, classroom.student, "student", 45, "a")
    connect(classroom.session, classmate, "student", 20, "b")
    classroom.classmate = classmate
    return classroom


def test_attendance_page_teacher_sees_all(client, attended):
    client.force_login(attended.teacher)

    response = client.get(f"/live/{attended.session.pk}/attendance/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Budi Santoso" in body
    assert "Ani Lestari" in body
    assert "<svg" in body
    assert AuditLog.objects.filter(action="live.attendance_view").count() == 1


def test_attendance_page_parent_sees_own_child(client, attended):
    client.force_login(attended.parent)

    response = client.get(f"/live/{attended.session.pk}/attendance/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Budi Santoso" in body
    assert "Ani Lestari" not in body


def test_attendance_page_student_sees_self(client, attended):
    client.force_login(attended.classmate)

    response = client.get(f"/live/{attended.session.pk}/attendance/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Ani Lestari" in body
    assert "Budi Santoso" not in body


def test_attendance_page_other_parent_is_forbidden(client, attended):
    stranger_child = make_student(attended.school)
    enrol(attended.other_course, stranger_child)
    client.force_login(make_guardian(stranger_child))

    response = client.get(f"/live/{attended.session.pk}/attendance/")

    assert response.status_code == 403


@pytest.mark.parametrize("who", ["outsider", "operator"])
def test_attendance_page_forbidden_outside(client, attended, who):
    client.force_login(getattr(attended, who))

    response = client.get(f"/live/{attended.session.pk}/attendance/")

    assert response.status_code == 403


def test_replay_events_in_order(client, classroom):
    chat(classroom.session, classroom.student, "Selamat pagi, Bu!")
    LiveEvent.append(
        classroom.session.pk,
        LiveEvent.Kind.DRAW,
        sender=classroom.teacher,
        payload={
            "op": "strokes",
            "strokes": [{"id": "s1", "color": "#000000", "width": 4, "points": [1, 2]}],
            "role": "teacher",
        },
    )
    chat(classroom.session, classroom.teacher, "Pagi!", role="teacher")
    client.force_login(classroom.student)

    response = client.get(f"/live/{classroom.session.pk}/replay/events.json")

    data = response.json()
    types = [entry["message"]["type"] for entry in data["events"]]
    seqs = [entry["message"]["seq"] for entry in data["events"]]
    offsets = [entry["offset_ms"] for entry in data["events"]]
    assert response.status_code == 200
    assert types == ["session", "chat", "draw", "chat"]
    assert seqs == sorted(seqs)
    assert offsets == sorted(offsets)
    assert data["next"] is None
    assert data["events"][1]["message"]["text"] == "Selamat pagi, Bu!"


def test_replay_pages_follow_next(classroom):
    for number in range(REPLAY_PAGE_SIZE + 3):
        chat(classroom.session, classroom.student, f"pesan {number}")

    first = replay_page(classroom.session)
    second = replay_page(classroom.session, after=first["next"])

    assert len(first["events"]) == REPLAY_PAGE_SIZE
    assert first["next"] == first["events"][-1]["message"]["seq"]
    assert second["next"] is None
    # The open-state event and every chat message, each once.
    assert len(first["events"]) + len(second["events"]) == REPLAY_PAGE_SIZE + 4


def test_replay_events_bad_after_is_rejected(client, classroom):
    client.force_login(classroom.student)

    response = client.get(f"/live/{classroom.session.pk}/replay/events.json?after=abc")

    message = "after must be a sequence number of 0 or more."
    with translation.override("id"):
        indonesian = gettext(message)
    assert response.status_code == 400
    assert indonesian != message
    assert response.json()["error"] in (message, indonesian)


@pytest.mark.parametrize("who", ["parent", "outsider", "operator"])
def test_replay_forbidden_to_non_participants(client, classroom, who):
    client.force_login(getattr(classroom, who))

    page = client.get(f"/live/{classroom.session.pk}/replay/")
    events = client.get(f"/live/{classroom.session.pk}/replay/events.json")
    transcript = client.get(f"/live/{classroom.session.pk}/chat.txt")

    assert page.status_code == 403
    assert events.status_code == 403
    assert transcript.status_code == 403


def test_replay_page_lists_timeline_without_script(client, classroom):
    chat(classroom.session, classroom.student, "<b>tebal</b>")
    client.force_login(classroom.teacher)

    response = client.get(f"/live/{classroom.session.pk}/replay/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "&lt;b&gt;tebal&lt;/b&gt;" in body
    assert "<b>tebal</b>" not in body
    assert "replay.js" in body


def test_transcript_is_plain_text(client, classroom):
    chat(classroom.session, classroom.student, "Satu\nBudi Santoso: palsu")
    chat(classroom.session, classroom.teacher, "Dua", role="teacher")
    client.force_login(classroom.student)

    response = client.get(f"/live/{classroom.session.pk}/chat.txt")

    lines = response.content.decode("utf-8").splitlines()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert len(lines) == 3
    assert lines[1].endswith("] Budi Santoso: Satu Budi Santoso: palsu")
    assert lines[2].endswith("] Siti Rahayu: Dua")


def test_replay_after_class_ends(client, classroom):
    chat(classroom.session, classroom.student, "Terima kasih")
    classroom.session.end(by=classroom.teacher)
    client.force_login(classroom.student)

    response = client.get(f"/live/{classroom.session.pk}/replay/events.json")

    data = json.loads(response.content)
    texts = [entry["message"].get("text") for entry in data["events"]]
    assert response.status_code == 200
    assert "Terima kasih" in texts
