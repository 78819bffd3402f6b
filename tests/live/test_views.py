"""The pages of live classes: the list, the join page and the teacher's forms."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from live.models import LiveEvent, LiveSession, SessionState

from .conftest import make_session

pytestmark = pytest.mark.django_db


def session_url(session, name="live:session"):
    return reverse(name, args=[session.pk])


def test_join_page_for_enrolled_student(client, classroom):
    client.force_login(classroom.student)
    response = client.get(session_url(classroom.session))
    assert response.status_code == 200
    page = response.content.decode()
    assert classroom.session.title in page
    assert "Matematika 7A" in page
    assert f'data-ws-path="/ws/live/{classroom.session.pk}/"' in page
    assert f'data-live-session="{classroom.session.pk}"' in page
    assert "/static/live/classroom.js" in page
    # The page carries no inline script.
    assert "<script>" not in page


def test_join_page_forbidden_for_other_course(client, classroom):
    client.force_login(classroom.outsider)
    response = client.get(session_url(classroom.session))
    assert response.status_code == 403
    assert "IPA 7B" not in response.content.decode()
    assert "Matematika 7A" in response.content.decode()


@pytest.mark.parametrize("person", ["parent", "operator", "other_teacher"])
def test_join_page_forbidden_for_non_participants(client, classroom, person):
    client.force_login(getattr(classroom, person))
    response = client.get(session_url(classroom.session))
    assert response.status_code == 403


def test_join_page_redirects_anonymous(client, classroom):
    url = session_url(classroom.session)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_join_page_unknown_session_404(client, classroom):
    client.force_login(classroom.student)
    response = client.get(reverse("live:session", args=[classroom.session.pk + 99]))
    assert response.status_code == 404


def test_join_page_shows_countdown_when_scheduled(client, classroom):
    starts_at = timezone.now() + datetime.timedelta(hours=2, minutes=1)
    scheduled = make_session(
        classroom.course,
        classroom.teacher,
        state="scheduled",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1),
    )
    client.force_login(classroom.student)
    page = client.get(session_url(scheduled)).content.decode()
    assert "data-countdown=" in page
    assert "Dimulai dalam 2" in page


def test_join_page_shows_chat_history_escaped(client, classroom):
    LiveEvent.append(
        classroom.session.pk,
        LiveEvent.Kind.CHAT,
        sender=classroom.student,
        payload={"text": "<b>lihat</b> https://depok.go.id", "role": "student"},
    )
    client.force_login(classroom.teacher)
    page = client.get(session_url(classroom.session)).content.decode()
    assert "&lt;b&gt;lihat&lt;/b&gt;" in page
    assert (
        '<a href="https://depok.go.id" rel="nofollow noopener">https://depok.go.id</a>'
        in page
    )


def test_teacher_sees_manage_buttons(client, classroom):
    client.force_login(classroom.teacher)
    page = client.get(session_url(classroom.session)).content.decode()
    assert session_url(classroom.session, "live:end") in page

    client.force_login(classroom.student)
    page = client.get(session_url(classroom.session)).content.decode()
    assert session_url(classroom.session, "live:end") not in page


def test_post_chat_without_javascript(client, classroom):
    client.force_login(classroom.student)
    response = client.post(
        session_url(classroom.session, "live:chat"), {"text": "  Saya hadir.  "}
    )
    assert response.status_code == 302
    assert response["Location"] == session_url(classroom.session) + "#chat"
    event = LiveEvent.objects.get(kind="chat")
    assert event.payload == {"text": "Saya hadir.", "role": "student"}
    assert event.sender == classroom.student


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Pesan kosong"),
        ("   ", "Pesan kosong"),
        ("a" * 1001, "Pesan terlalu panjang: 1001 karakter"),
        ("\u202e\u2066", "Pesan kosong"),
    ],
)
def test_post_chat_rejects_bad_text(client, classroom, text, message):
    client.force_login(classroom.student)
    response = client.post(
        session_url(classroom.session, "live:chat"), {"text": text}, follow=True
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert LiveEvent.objects.filter(kind="chat").count() == 0


def test_post_chat_rate_limited(client, classroom, settings):
    settings.LIVE_CHAT_RATE_LIMIT = 2
    settings.LIVE_CHAT_RATE_WINDOW_SECONDS = 60
    client.force_login(classroom.student)
    url = session_url(classroom.session, "live:chat")
    client.post(url, {"text": "satu"})
    client.post(url, {"text": "dua"})
    response = client.post(url, {"text": "tiga"}, follow=True)
    assert "paling banyak 2 pesan dalam 60 detik" in response.content.decode()
    assert LiveEvent.objects.filter(kind="chat").count() == 2


def test_post_chat_forbidden_for_outsider(client, classroom):
    client.force_login(classroom.outsider)
    response = client.post(
        session_url(classroom.session, "live:chat"), {"text": "halo"}
    )
    assert response.status_code == 403
    assert LiveEvent.objects.filter(kind="chat").count() == 0


def test_post_chat_to_ended_session(client, classroom):
    classroom.session.end(by=classroom.teacher)
    client.force_login(classroom.student)
    response = client.post(
        session_url(classroom.session, "live:chat"), {"text": "halo"}, follow=True
    )
    assert "Kelas langsung ini sudah berakhir." in response.content.decode()
    assert LiveEvent.objects.filter(kind="chat").count() == 0


def test_post_chat_requires_post(client, classroom):
    client.force_login(classroom.student)
    response = client.get(session_url(classroom.session, "live:chat"))
    assert response.status_code == 405


def test_teacher_opens_and_ends_session(client, classroom):
    scheduled = make_session(classroom.course, classroom.teacher, state="scheduled")
    client.force_login(classroom.teacher)

    response = client.post(session_url(scheduled, "live:open"))
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.state == SessionState.OPEN

    response = client.post(session_url(scheduled, "live:end"))
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.state == SessionState.ENDED


def test_course_teacher_may_end_colleague_session(client, classroom):
    colleague = classroom.other_teacher
    classroom.course.teachers.add(colleague)
    classroom.course.save()
    client.force_login(colleague)
    response = client.post(session_url(classroom.session, "live:end"))
    assert response.status_code == 302
    classroom.session.refresh_from_db()
    assert classroom.session.state == SessionState.ENDED


@pytest.mark.parametrize("person", ["student", "outsider", "parent", "operator"])
def test_others_may_not_end_session(client, classroom, person):
    client.force_login(getattr(classroom, person))
    response = client.post(session_url(classroom.session, "live:end"))
    assert response.status_code == 403
    classroom.session.refresh_from_db()
    assert classroom.session.state == SessionState.OPEN


def test_opening_ended_session_shows_error(client, classroom):
    classroom.session.end(by=classroom.teacher)
    client.force_login(classroom.teacher)
    response = client.post(session_url(classroom.session, "live:open"), follow=True)
    assert "Kelas langsung sudah berakhir." in response.content.decode()
    classroom.session.refresh_from_db()
    assert classroom.session.state == SessionState.ENDED


def test_index_lists_sessions_by_state(client, classroom):
    upcoming = make_session(
        classroom.course, classroom.teacher, state="scheduled", title="Besok"
    )
    ended = make_session(
        classroom.course, classroom.teacher, state="ended", title="Kemarin"
    )
    elsewhere = make_session(
        classroom.other_course, classroom.other_teacher, title="Kelas lain"
    )
    client.force_login(classroom.student)
    response = client.get(reverse("live:index"))
    assert response.status_code == 200
    sessions = {
        "open": response.context["open_sessions"],
        "upcoming": response.context["upcoming"],
        "ended": response.context["ended"],
    }
    assert sessions == {
        "open": [classroom.session],
        "upcoming": [upcoming],
        "ended": [ended],
    }
    assert elsewhere.title not in response.content.decode()
    assert reverse("live:create") not in response.content.decode()


def test_index_requires_login(client):
    response = client.get(reverse("live:index"))
    assert response.status_code == 302


def test_teacher_schedules_session(client, classroom):
    client.force_login(classroom.teacher)
    assert reverse("live:create") in client.get(reverse("live:index")).content.decode()
    starts_at = timezone.localtime() + datetime.timedelta(days=1)
    response = client.post(
        reverse("live:create"),
        {
            "course": classroom.course.pk,
            "title": "Persiapan ulangan",
            "starts_at": starts_at.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts_at + datetime.timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
        },
    )
    session = LiveSession.objects.get(title="Persiapan ulangan")
    assert response.status_code == 302
    assert response["Location"] == session_url(session)
    assert session.course_id == classroom.course.pk
    assert session.teacher == classroom.teacher
    assert session.state == SessionState.SCHEDULED


def schedule_form(course_id, starts_at, ends_at, title="Ulangan"):
    return {
        "course": course_id,
        "title": title,
        "starts_at": starts_at.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": ends_at.strftime("%Y-%m-%dT%H:%M"),
    }


def test_schedule_rejects_bad_input(client, classroom):
    client.force_login(classroom.teacher)
    now = timezone.localtime()
    cases = [
        (
            schedule_form(
                classroom.course.pk,
                now + datetime.timedelta(hours=2),
                now + datetime.timedelta(hours=1),
            ),
            "ends_at",
            "ends_before_start",
        ),
        (
            schedule_form(
                classroom.course.pk,
                now - datetime.timedelta(hours=3),
                now - datetime.timedelta(hours=2),
            ),
            "ends_at",
            "ends_in_past",
        ),
        (
            schedule_form(
                classroom.other_course.pk, now, now + datetime.timedelta(hours=1)
            ),
            "course",
            "invalid_choice",
        ),
        (
            schedule_form(classroom.course.pk, now, now, title=""),
            "title",
            "required",
        ),
    ]
    for data, field, code in cases:
        response = client.post(reverse("live:create"), data)
        assert response.status_code == 200, data
        assert response.context["form"].has_error(field, code), (
            field,
            response.context["form"].errors.as_data(),
        )
    assert LiveSession.objects.count() == 1


def test_schedule_forbidden_without_taught_course(client, classroom):
    client.force_login(classroom.student)
    response = client.get(reverse("live:create"))
    assert response.status_code == 403
    response = client.post(reverse("live:create"), {"title": "x"})
    assert response.status_code == 403
    assert LiveSession.objects.count() == 1
