"""
Hands, polls and teacher controls through the plain forms of the join page.

The forms are for browsers without JavaScript. They run the same actions as
the websocket messages, so each test checks what the database and the event
log keep after an accepted or rejected post, and the message on the page.
"""

import gzip
import html
import socket

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.test import Client
from django.urls import reverse

from live import classroom as actions
from live import post_budget, services
from live.errors import error_message
from live.models import (
    LiveEvent,
    LiveSession,
    Poll,
    PollAnswer,
    RaisedHand,
    Removal,
    SessionState,
)
from live.protocol import ErrorCode
from tests.courses.factories import enrol, make_student

from .conftest import make_session

pytestmark = pytest.mark.django_db

TOOLS = "#classroom-tools"


def url(session, name):
    return reverse(f"live:{name}", args=[session.pk])


def page_after(client, session, name, data=None):
    """Post ``data`` to a classroom form, follow the redirect, return the page."""
    response = client.post(url(session, name), data or {}, follow=True)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def notices(page):
    """Return the text of the page's messages, after a post."""
    if '<ul class="messages"' not in page:
        return ""
    block = page.split('<ul class="messages"', 1)[1].split("</ul>", 1)[0]
    return html.unescape(block)


def tools(page):
    """Return the text of the classroom tools section for browsers without JS."""
    block = page.split("data-live-forms", 1)[1].split("</section>", 1)[0]
    return html.unescape(block)


def event_count(session, kind=None):
    events = LiveEvent.objects.filter(session=session)
    if kind is not None:
        events = events.filter(kind=kind)
    return events.count()


def open_poll(classroom, live_results=True):
    event = actions.open_poll(
        classroom.session.pk,
        classroom.teacher,
        "Berapa 1/2 + 1/4?",
        ["1/4", "3/4"],
        live_results,
    )
    return Poll.objects.get(pk=event.payload["poll"]["id"])


# The hand of a student.


def test_hand_raise_and_lower(client, classroom):
    session = classroom.session
    client.force_login(classroom.student)

    response = client.post(url(session, "hand_raise"))
    assert response.status_code == 302
    assert response["Location"] == url(session, "session") + TOOLS
    hand = RaisedHand.objects.get(session=session, user=classroom.student)
    assert hand.lowered_at is None
    event = LiveEvent.objects.get(session=session, kind=LiveEvent.Kind.HAND)
    assert event.payload["op"] == "raise"
    assert event.seq == session.last_seq + 1

    page = client.get(url(session, "session")).content.decode()
    assert "Tangan Anda terangkat." in notices(page)
    assert "Turunkan tangan" in tools(page)
    assert "Budi Santoso" in tools(page)

    page = page_after(client, session, "hand_lower")
    assert "Tangan diturunkan." in notices(page)
    assert "Angkat tangan" in tools(page)
    hand.refresh_from_db()
    assert hand.lowered_at is not None
    assert hand.lowered_by == classroom.student
    assert event_count(session, LiveEvent.Kind.HAND) == 2


def test_hand_raise_twice_stores_once(client, classroom):
    client.force_login(classroom.student)
    client.post(url(classroom.session, "hand_raise"))
    page = page_after(client, classroom.session, "hand_raise")
    assert error_message(ErrorCode.HAND_ALREADY_RAISED) in notices(page)
    assert RaisedHand.objects.count() == 1
    assert event_count(classroom.session, LiveEvent.Kind.HAND) == 1


def test_hand_lower_not_raised(client, classroom):
    client.force_login(classroom.student)
    page = page_after(client, classroom.session, "hand_lower")
    assert error_message(ErrorCode.HAND_NOT_RAISED) in notices(page)
    assert event_count(classroom.session, LiveEvent.Kind.HAND) == 0


def test_hand_raise_by_teacher_rejected(client, classroom):
    client.force_login(classroom.teacher)
    page = page_after(client, classroom.session, "hand_raise")
    expected = error_message(ErrorCode.NOT_A_STUDENT, {"user": classroom.teacher.pk})
    assert expected in notices(page)
    assert RaisedHand.objects.count() == 0


def test_hand_rate_limited(client, classroom, settings):
    settings.LIVE_HAND_RATE_LIMIT = 2
    settings.LIVE_HAND_RATE_WINDOW_SECONDS = 60
    client.force_login(classroom.student)
    client.post(url(classroom.session, "hand_raise"))
    client.post(url(classroom.session, "hand_lower"))
    page = page_after(client, classroom.session, "hand_raise")
    assert error_message(
        ErrorCode.RATE_LIMITED, {"limit": 2, "seconds": 60}
    ) in notices(page)
    assert not RaisedHand.objects.filter(lowered_at__isnull=True).exists()
    assert event_count(classroom.session, LiveEvent.Kind.HAND) == 2


def add_classmate(classroom):
    classmate = make_student(classroom.school)
    classmate.first_name, classmate.last_name = "Ani", "Lestari"
    classmate.save()
    enrol(classroom.course, classmate)
    return classmate


def test_student_may_not_lower_another_hand(client, classroom):
    classmate = add_classmate(classroom)
    actions.raise_hand(classroom.session.pk, classmate, "student")
    client.force_login(classroom.student)
    response = client.post(url(classroom.session, "hand_lower"), {"user": classmate.pk})
    assert response.status_code == 403
    assert "Hanya guru kelas langsung ini" in response.content.decode()
    assert RaisedHand.objects.get(user=classmate).lowered_at is None


def test_teacher_sees_queue_and_lowers_hands(client, classroom):
    classmate = add_classmate(classroom)
    session = classroom.session
    actions.raise_hand(session.pk, classroom.student, "student")
    actions.raise_hand(session.pk, classmate, "student")
    client.force_login(classroom.teacher)

    page = client.get(url(session, "session")).content.decode()
    queue = page.split("data-forms-hands", 1)[1].split("</ol>", 1)[0]
    assert queue.index("Budi Santoso") < queue.index("Ani Lestari")

    page = page_after(client, session, "hand_lower", {"user": classroom.student.pk})
    hand = RaisedHand.objects.get(user=classroom.student)
    assert hand.lowered_by == classroom.teacher
    assert RaisedHand.objects.get(user=classmate).lowered_at is None

    page = page_after(client, session, "hands_lower_all")
    assert "Semua tangan diturunkan." in notices(page)
    assert not RaisedHand.objects.filter(lowered_at__isnull=True).exists()
    assert "Tidak ada yang mengangkat tangan." in tools(page)


@pytest.mark.parametrize("value", ["abc", "0", "-1", str(2**63)])
def test_hand_lower_bad_user(client, classroom, value):
    actions.raise_hand(classroom.session.pk, classroom.student, "student")
    client.force_login(classroom.teacher)
    page = page_after(client, classroom.session, "hand_lower", {"user": value})
    assert notices(page) != ""
    assert RaisedHand.objects.get().lowered_at is None
    assert event_count(classroom.session, LiveEvent.Kind.HAND) == 1


# Polls.


def test_teacher_asks_poll(client, classroom):
    session = classroom.session
    client.force_login(classroom.teacher)
    response = client.post(
        url(session, "poll_open"),
        {
            "question": "  Berapa 1/2 + 1/4?  ",
            "options": "1/4\r\n\r\n  3/4  \r\n",
            "live_results": "on",
        },
    )
    assert response.status_code == 302
    poll = Poll.objects.get(session=session)
    assert poll.question == "Berapa 1/2 + 1/4?"
    assert [option.text for option in actions.poll_options(poll)] == ["1/4", "3/4"]
    assert poll.show_results == Poll.Show.LIVE
    event = LiveEvent.objects.get(session=session, kind=LiveEvent.Kind.POLL)
    assert event.payload["op"] == "open"


def test_poll_without_live_results(client, classroom):
    client.force_login(classroom.teacher)
    client.post(
        url(classroom.session, "poll_open"),
        {"question": "Siap ujian?", "options": "Ya\nBelum"},
    )
    assert Poll.objects.get().show_results == Poll.Show.END


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"question": "", "options": "Ya\nTidak"}, "Pertanyaan kosong"),
        ({"question": "   ", "options": "Ya\nTidak"}, "Pertanyaan kosong"),
        ({"question": "q" * 301, "options": "Ya\nTidak"}, "301 karakter"),
        ({"question": "\u202e\u2066", "options": "Ya\nTidak"}, "Pesan kosong"),
        ({"question": "Siap?", "options": ""}, "Pilihan belum diisi"),
        ({"question": "Siap?", "options": "Ya"}, "count"),
        ({"question": "Siap?", "options": "Ya\n ya "}, "duplicate"),
        ({"question": "Siap?", "options": "Ya\n" + "x" * 101}, "too_long"),
        ({"question": "Siap?", "options": "\n".join("abcdefghijk")}, "count"),
    ],
)
def test_poll_open_rejects_bad_input(client, classroom, data, expected):
    client.force_login(classroom.teacher)
    response = client.post(url(classroom.session, "poll_open"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert expected in notices(page) + tools(page)
    if data["question"].strip():
        # The typed question stays in the form.
        assert data["question"].strip() in tools(page)
    assert Poll.objects.count() == 0
    assert event_count(classroom.session, LiveEvent.Kind.POLL) == 0


def test_poll_open_while_another_is_open(client, classroom):
    open_poll(classroom)
    client.force_login(classroom.teacher)
    response = client.post(
        url(classroom.session, "poll_open"),
        {"question": "Siap ujian?", "options": "Ya\nBelum"},
    )
    assert response.status_code == 400
    assert error_message(ErrorCode.POLL_ALREADY_OPEN) in response.content.decode()
    assert Poll.objects.count() == 1


def test_student_answers_poll_once(client, classroom):
    poll = open_poll(classroom)
    session = classroom.session
    client.force_login(classroom.student)

    page = client.get(url(session, "session")).content.decode()
    assert "Berapa 1/2 + 1/4?" in tools(page)
    assert 'type="radio" name="option" value="1"' in tools(page)

    page = page_after(client, session, "poll_answer", {"poll": poll.pk, "option": 1})
    assert "Jawaban Anda tersimpan." in notices(page)
    assert "(jawaban Anda)" in tools(page)
    answer = PollAnswer.objects.get(poll=poll)
    assert answer.user == classroom.student
    assert answer.option.position == 1
    # Live results: the student sees the counts.
    assert '<meter min="0" max="100" value="100">' in tools(page)
    assert 'type="radio"' not in tools(page)

    page = page_after(client, session, "poll_answer", {"poll": poll.pk, "option": 0})
    assert error_message(ErrorCode.ALREADY_ANSWERED) in notices(page)
    assert PollAnswer.objects.count() == 1
    poll.refresh_from_db()
    assert poll.answer_count == 1


def test_results_hidden_until_close(client, classroom):
    poll = open_poll(classroom, live_results=False)
    session = classroom.session
    client.force_login(classroom.student)
    page = page_after(client, session, "poll_answer", {"poll": poll.pk, "option": 0})
    assert "Hasil ditampilkan saat guru menutup jajak pendapat." in tools(page)
    assert "<meter" not in tools(page)

    teacher = Client()
    teacher.force_login(classroom.teacher)
    page = teacher.get(url(session, "session")).content.decode()
    assert '<meter min="0" max="100" value="100">' in tools(page)
    page = page_after(teacher, session, "poll_close", {"poll": poll.pk})
    assert "Jajak pendapat ditutup." in notices(page)
    poll.refresh_from_db()
    assert poll.closed_at is not None

    page = client.get(url(session, "session")).content.decode()
    assert "Jajak pendapat ditutup. Hasil akhir:" in tools(page)
    assert '<meter min="0" max="100" value="100">' in tools(page)


@pytest.mark.parametrize(
    "data",
    [{}, {"poll": "x", "option": "0"}, {"poll": "1", "option": "10"}],
)
def test_poll_answer_bad_input(client, classroom, data):
    open_poll(classroom)
    client.force_login(classroom.student)
    page = page_after(client, classroom.session, "poll_answer", data)
    assert "Pilih salah satu jawaban" in notices(page)
    assert PollAnswer.objects.count() == 0


def test_poll_answer_out_of_range(client, classroom):
    poll = open_poll(classroom)
    client.force_login(classroom.student)
    page = page_after(
        client, classroom.session, "poll_answer", {"poll": poll.pk, "option": 2}
    )
    expected = error_message(
        ErrorCode.OUT_OF_RANGE, {"field": "option", "min": 0, "max": 1}
    )
    assert expected in notices(page)
    assert PollAnswer.objects.count() == 0


def test_poll_answer_to_closed_poll(client, classroom):
    poll = open_poll(classroom)
    actions.close_poll(classroom.session.pk, classroom.teacher, poll.pk)
    client.force_login(classroom.student)
    page = page_after(
        client, classroom.session, "poll_answer", {"poll": poll.pk, "option": 0}
    )
    assert error_message(ErrorCode.POLL_CLOSED) in notices(page)
    assert PollAnswer.objects.count() == 0


def test_poll_of_another_session(client, classroom):
    other = make_session(classroom.course, classroom.teacher, title="Kelas lain")
    event = actions.open_poll(other.pk, classroom.teacher, "Lain?", ["a", "b"])
    poll_id = event.payload["poll"]["id"]
    client.force_login(classroom.teacher)
    page = page_after(client, classroom.session, "poll_close", {"poll": poll_id})
    assert error_message(ErrorCode.POLL_NOT_FOUND, {"poll": poll_id}) in notices(page)
    assert Poll.objects.get(pk=poll_id).closed_at is None


# Teacher controls.


def test_chat_mute_blocks_student_chat_form(client, classroom):
    session = classroom.session
    teacher = Client()
    teacher.force_login(classroom.teacher)
    page = page_after(teacher, session, "chat_mute", {"muted": "1"})
    assert "Obrolan dinonaktifkan untuk siswa." in notices(page)
    assert LiveSession.objects.get(pk=session.pk).chat_muted
    assert (
        LiveEvent.objects.get(kind=LiveEvent.Kind.CONTROL).payload["op"] == "chat_muted"
    )

    client.force_login(classroom.student)
    page = page_after(client, session, "chat", {"text": "halo"})
    assert error_message(ErrorCode.CHAT_MUTED) in notices(page)
    assert event_count(session, LiveEvent.Kind.CHAT) == 0

    # The teacher may still write.
    teacher.post(url(session, "chat"), {"text": "Dengarkan dulu."})
    assert event_count(session, LiveEvent.Kind.CHAT) == 1

    page_after(teacher, session, "chat_mute", {"muted": "0"})
    assert not LiveSession.objects.get(pk=session.pk).chat_muted
    client.post(url(session, "chat"), {"text": "halo"})
    assert event_count(session, LiveEvent.Kind.CHAT) == 2


@pytest.mark.parametrize("value", ["", "yes", "2"])
def test_chat_mute_bad_value(client, classroom, value):
    client.force_login(classroom.teacher)
    page_after(client, classroom.session, "chat_mute", {"muted": value})
    assert not LiveSession.objects.get(pk=classroom.session.pk).chat_muted
    assert event_count(classroom.session, LiveEvent.Kind.CONTROL) == 0


def test_teacher_removes_student(client, classroom):
    session = classroom.session
    actions.raise_hand(session.pk, classroom.student, "student")
    client.force_login(classroom.teacher)
    page = client.get(url(session, "session")).content.decode()
    assert f'<option value="{classroom.student.pk}">Budi Santoso</option>' in tools(
        page
    )

    page = page_after(client, session, "remove", {"user": classroom.student.pk})
    assert "Budi Santoso dikeluarkan dari kelas langsung." in notices(page)
    assert Removal.objects.filter(session=session, user=classroom.student).exists()
    assert RaisedHand.objects.get().lowered_at is not None
    assert f'<option value="{classroom.student.pk}">' not in tools(page)

    student = Client()
    student.force_login(classroom.student)
    response = student.get(url(session, "session"))
    assert response.status_code == 403
    response = student.post(url(session, "hand_raise"))
    assert response.status_code == 403
    assert RaisedHand.objects.filter(lowered_at__isnull=True).count() == 0


@pytest.mark.parametrize("person", ["teacher", "outsider"])
def test_remove_only_students_of_session(client, classroom, person):
    target = getattr(classroom, person)
    client.force_login(classroom.teacher)
    page = page_after(client, classroom.session, "remove", {"user": target.pk})
    assert error_message(ErrorCode.NOT_A_STUDENT, {"user": target.pk}) in notices(page)
    assert Removal.objects.count() == 0


def test_remove_bad_input(client, classroom):
    client.force_login(classroom.teacher)
    page = page_after(client, classroom.session, "remove", {"user": "Budi"})
    assert "Pilih siswa yang akan dikeluarkan." in notices(page)
    assert Removal.objects.count() == 0


def test_teacher_ends_class_from_page(client, classroom):
    poll = open_poll(classroom)
    client.force_login(classroom.teacher)
    page = page_after(client, classroom.session, "end")
    assert "Kelas langsung telah berakhir." in notices(page)
    session = LiveSession.objects.get(pk=classroom.session.pk)
    assert session.state == SessionState.ENDED
    poll.refresh_from_db()
    assert poll.closed_at is not None
    assert "data-live-forms" not in page


# Reloading without JavaScript.


def reload_meta(session, seconds=30):
    path = url(session, "session")
    return (
        f'<noscript><meta http-equiv="refresh" content="{seconds}; url={path}">'
        "</noscript>"
    )


def test_open_page_reloads_without_javascript(client, classroom, settings):
    settings.LIVE_NOSCRIPT_REFRESH_SECONDS = 45
    client.force_login(classroom.student)
    page = client.get(url(classroom.session, "session")).content.decode()
    # Inside noscript, so that the page of the JavaScript client never reloads.
    assert reload_meta(classroom.session, 45) in page
    assert page.count('http-equiv="refresh"') == 1
    assert "dimuat ulang setiap 45 detik" in page
    assert 'href="?refresh=off"' in page


def test_paused_page_does_not_reload(client, classroom):
    client.force_login(classroom.student)
    response = client.get(url(classroom.session, "session"), {"refresh": "off"})
    page = response.content.decode()
    assert 'http-equiv="refresh"' not in page
    assert f'href="{url(classroom.session, "session")}" data-refresh-resume' in page


@pytest.mark.parametrize("state", ["scheduled", "ended"])
def test_page_not_open_does_not_reload(client, classroom, state):
    session = make_session(classroom.course, classroom.teacher, state=state)
    client.force_login(classroom.student)
    page = client.get(url(session, "session")).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert "data-refresh-resume" not in page


def test_rejected_poll_page_does_not_reload(client, classroom):
    client.force_login(classroom.teacher)
    response = client.post(
        url(classroom.session, "poll_open"), {"question": "Siap?", "options": "Ya"}
    )
    assert response.status_code == 400
    assert 'http-equiv="refresh"' not in response.content.decode()


# EDGE, the fastest 2G, carries at most about 237 kbit/s (four timeslots of
# 59.2 kbit/s), about 30 kB/s, and a crowded cell far less. A page that
# reloads every 30 seconds must therefore stay small. Measured with this
# test's data on Django 5.2: 4.4 kB compressed (26 kB raw) for the student,
# 5.4 kB (31 kB raw) for the teacher.
PAGE_BUDGET_BYTES = 8_000


@pytest.mark.parametrize("person", ["student", "teacher"])
def test_full_page_fits_reload_budget(client, classroom, settings, person):
    settings.LIVE_CHAT_RATE_LIMIT = 100
    session = classroom.session
    for number in range(60):
        text = f"Pesan {number}: kerjakan soal pecahan di halaman {number + 10}."
        services.post_chat(session.pk, classroom.teacher, "teacher", text)
    actions.raise_hand(session.pk, classroom.student, "student")
    open_poll(classroom)
    client.force_login(getattr(classroom, person))

    response = client.get(url(session, "session"), HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    page = gzip.decompress(response.content).decode()
    # The page shows the newest 50 messages of the 60.
    assert "Pesan 59:" in page
    assert "Pesan 9:" not in page
    assert len(response.content) <= PAGE_BUDGET_BYTES


# Permissions and the state of the session.

STUDENT_FORMS = [
    ("hand_raise", {}),
    ("hand_lower", {}),
    ("poll_answer", {"poll": 1, "option": 0}),
]
TEACHER_FORMS = [
    ("hands_lower_all", {}),
    ("poll_open", {"question": "Siap?", "options": "Ya\nBelum"}),
    ("poll_close", {"poll": 1}),
    ("chat_mute", {"muted": "1"}),
    ("remove", {"user": 1}),
    ("end", {}),
]


def stored_state(session):
    session = LiveSession.objects.get(pk=session.pk)
    return (
        event_count(session),
        RaisedHand.objects.count(),
        Poll.objects.count(),
        PollAnswer.objects.count(),
        Removal.objects.count(),
        session.chat_muted,
        session.state,
    )


@pytest.mark.parametrize(("name", "data"), STUDENT_FORMS + TEACHER_FORMS)
@pytest.mark.parametrize("person", ["outsider", "parent", "other_teacher", "operator"])
def test_forms_forbidden_for_non_participants(client, classroom, person, name, data):
    open_poll(classroom)
    before = stored_state(classroom.session)
    client.force_login(getattr(classroom, person))
    response = client.post(url(classroom.session, name), data)
    assert response.status_code == 403
    assert stored_state(classroom.session) == before


@pytest.mark.parametrize(("name", "data"), STUDENT_FORMS + TEACHER_FORMS)
def test_forms_redirect_anonymous(client, classroom, name, data):
    before = stored_state(classroom.session)
    response = client.post(url(classroom.session, name), data)
    assert response.status_code == 302
    login = reverse("accounts:login")
    assert response["Location"] == f"{login}?next={url(classroom.session, name)}"
    assert stored_state(classroom.session) == before


@pytest.mark.parametrize(("name", "data"), TEACHER_FORMS)
def test_teacher_forms_forbidden_for_student(client, classroom, name, data):
    actions.raise_hand(classroom.session.pk, classroom.student, "student")
    open_poll(classroom)
    before = stored_state(classroom.session)
    client.force_login(classroom.student)
    response = client.post(url(classroom.session, name), data)
    assert response.status_code == 403
    assert stored_state(classroom.session) == before


@pytest.mark.parametrize(("name", "data"), STUDENT_FORMS + TEACHER_FORMS)
def test_forms_require_post(client, classroom, name, data):
    client.force_login(classroom.teacher)
    response = client.get(url(classroom.session, name), data)
    assert response.status_code == 405


def test_forms_require_csrf_token(classroom):
    client = Client(enforce_csrf_checks=True)
    client.force_login(classroom.student)
    response = client.post(url(classroom.session, "hand_raise"))
    assert response.status_code == 403
    assert RaisedHand.objects.count() == 0


def test_forms_after_class_ended(client, classroom):
    classroom.session.end(by=classroom.teacher)
    client.force_login(classroom.student)
    page = page_after(client, classroom.session, "hand_raise")
    assert error_message(ErrorCode.SESSION_ENDED) in notices(page)
    assert RaisedHand.objects.count() == 0


def test_errors_in_english(client, classroom, settings):
    client.force_login(classroom.student)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = page_after(client, classroom.session, "hand_lower")
    assert "This hand is not raised." in notices(page)


def test_scheduled_class_accepts_hands(client, classroom):
    scheduled = make_session(classroom.course, classroom.teacher, state="scheduled")
    client.force_login(classroom.student)
    page = page_after(client, scheduled, "hand_raise")
    assert "Tangan Anda terangkat." in notices(page)
    assert RaisedHand.objects.filter(session=scheduled).count() == 1


# The budget of form posts.

# 3 posts per person, refilled at one post in 20 seconds, so the window is
# 60 seconds, which is longer than any of these tests takes.
BUDGET = {"limit": 3, "seconds": 60}


@pytest.fixture
def small_budget(settings):
    settings.LIVE_FRAME_BURST = 3
    settings.LIVE_FRAME_RATE = 0.05


def spend_budget(session, person):
    for _post in range(BUDGET["limit"]):
        post_budget.spend(session.pk, person.pk)


BUDGETED_FORMS = (
    [("student", name, data) for name, data in STUDENT_FORMS]
    + [("student", "chat", {"text": "halo"})]
    + [("teacher", name, data) for name, data in TEACHER_FORMS]
)


@pytest.mark.usefixtures("small_budget")
@pytest.mark.parametrize(("person", "name", "data"), BUDGETED_FORMS)
def test_form_over_budget_stores_nothing(client, classroom, person, name, data):
    actions.raise_hand(classroom.session.pk, classroom.student, "student")
    open_poll(classroom)
    user = getattr(classroom, person)
    spend_budget(classroom.session, user)
    before = stored_state(classroom.session)
    client.force_login(user)

    response = client.post(url(classroom.session, name), data, follow=True)

    page = response.content.decode()
    assert error_message(ErrorCode.RATE_LIMITED, BUDGET) in notices(page)
    assert stored_state(classroom.session) == before


@pytest.mark.usefixtures("small_budget")
def test_budget_counts_each_post(client, classroom):
    session = classroom.session
    client.force_login(classroom.student)
    for name in ["hand_raise", "hand_lower", "hand_raise"]:
        page = page_after(client, session, name)
        assert "Tangan" in notices(page)
    before = stored_state(session)

    page = page_after(client, session, "hand_lower")

    expected = "Anda hanya dapat mengirim paling banyak 3 pesan dalam 60 detik."
    assert expected in notices(page)
    assert stored_state(session) == before
    assert RaisedHand.objects.filter(lowered_at__isnull=True).count() == 1


@pytest.mark.usefixtures("small_budget")
def test_budget_limits_only_its_person(client, classroom):
    session = classroom.session
    classmate = add_classmate(classroom)
    spend_budget(session, classroom.student)

    client.force_login(classmate)
    page = page_after(client, session, "hand_raise")
    assert "Tangan Anda terangkat." in notices(page)
    page = page_after(client, session, "chat", {"text": "Saya juga bertanya"})
    assert notices(page) == ""
    assert event_count(session, LiveEvent.Kind.CHAT) == 1

    client.force_login(classroom.teacher)
    page = page_after(client, session, "chat_mute", {"muted": "1"})
    assert "Obrolan dinonaktifkan untuk siswa." in notices(page)
    assert LiveSession.objects.get(pk=session.pk).chat_muted


def test_budget_in_english(client, classroom, settings):
    settings.LIVE_FRAME_BURST = 2
    settings.LIVE_FRAME_RATE = 0.1
    for _post in range(2):
        post_budget.spend(classroom.session.pk, classroom.student.pk)
    client.force_login(classroom.student)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = page_after(client, classroom.session, "hand_raise")
    assert "You can send at most 2 messages in 20 seconds." in notices(page)
    assert RaisedHand.objects.count() == 0


def test_budget_without_redis_stores_nothing(client, classroom, settings):
    # A loopback port that nothing listens on, so the connection is refused.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    before = stored_state(classroom.session)
    client.force_login(classroom.student)

    page = page_after(client, classroom.session, "hand_raise")

    assert error_message(ErrorCode.UNAVAILABLE) in notices(page)
    assert stored_state(classroom.session) == before


# Fan-out to connected sockets.


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_channel_layer")
async def test_form_actions_reach_open_sockets(classroom):
    from .test_classroom import join, next_of

    session = classroom.session
    socket, _welcome = await join(session, classroom.teacher)
    client = Client()
    await database_sync_to_async(client.force_login)(classroom.student)

    response = await sync_to_async(client.post)(url(session, "hand_raise"))
    assert response.status_code == 302
    hand = await next_of(socket, "hand")
    assert hand["op"] == "raise"
    assert hand["user"]["id"] == classroom.student.pk
    stored = await database_sync_to_async(
        LiveEvent.objects.filter(session=session, kind=LiveEvent.Kind.HAND).get
    )()
    assert hand["seq"] == stored.seq

    teacher = Client()
    await database_sync_to_async(teacher.force_login)(classroom.teacher)
    await sync_to_async(teacher.post)(
        url(session, "poll_open"), {"question": "Siap?", "options": "Ya\nBelum"}
    )
    poll = await next_of(socket, "poll")
    assert poll["op"] == "open"
    assert poll["poll"]["options"] == ["Ya", "Belum"]

    await sync_to_async(client.post)(
        url(session, "poll_answer"), {"poll": poll["poll"]["id"], "option": 1}
    )
    results = await next_of(socket, "poll")
    assert results["op"] == "results"
    assert results["counts"] == [0, 1]
    await socket.disconnect()
