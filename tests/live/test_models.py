"""Live sessions and the sequence numbers of their event log."""

import threading

import pytest
from django.db import IntegrityError, close_old_connections, connection
from django.utils import timezone

from live.eventlog import SlidingWindowLimiter
from live.models import (
    InvalidTransition,
    LiveEvent,
    LiveSession,
    RateLimited,
    SessionEnded,
    SessionState,
)

from .conftest import make_session

CHAT = LiveEvent.Kind.CHAT


@pytest.mark.django_db
def test_append_numbers_events_per_session(classroom):
    session = classroom.session
    other = make_session(classroom.other_course, classroom.other_teacher)
    first = LiveEvent.append(session.pk, CHAT, sender=classroom.student)
    second = LiveEvent.append(session.pk, CHAT, sender=classroom.teacher)
    elsewhere = LiveEvent.append(other.pk, CHAT, sender=classroom.other_teacher)

    # Opening each session took sequence number 1.
    assert (first.seq, second.seq) == (2, 3)
    assert elsewhere.seq == 2
    session.refresh_from_db()
    assert session.last_seq == 3


@pytest.mark.django_db
def test_append_to_ended_session_raises(classroom):
    session = classroom.session
    session.end(by=classroom.teacher)
    with pytest.raises(SessionEnded):
        LiveEvent.append(session.pk, CHAT, sender=classroom.student)
    assert LiveEvent.objects.filter(kind=CHAT).count() == 0
    session.refresh_from_db()
    assert session.last_seq == 2


def test_rate_limiter_counts_per_key(monkeypatch):
    now = [100.0]
    monkeypatch.setattr("live.eventlog.time.monotonic", lambda: now[0])
    limiter = SlidingWindowLimiter()
    for _number in range(3):
        limiter.hit("student", 3, 60)
    with pytest.raises(RateLimited) as caught:
        limiter.hit("student", 3, 60)
    assert (caught.value.limit, caught.value.window_seconds) == (3, 60)
    # The limit is per key: the teacher may still write.
    limiter.hit("teacher", 3, 60)


def test_rate_limiter_window_slides(monkeypatch):
    now = [100.0]
    monkeypatch.setattr("live.eventlog.time.monotonic", lambda: now[0])
    limiter = SlidingWindowLimiter()
    for _number in range(3):
        limiter.hit("student", 3, 5)
    now[0] += 4.9
    with pytest.raises(RateLimited):
        limiter.hit("student", 3, 5)
    now[0] += 0.2
    limiter.hit("student", 3, 5)


@pytest.mark.django_db
def test_event_log_is_append_only(classroom):
    event = LiveEvent.append(classroom.session.pk, CHAT, payload={"text": "a"})
    event.payload = {"text": "changed"}
    with pytest.raises(PermissionError):
        event.save()
    event.refresh_from_db()
    assert event.payload == {"text": "a"}


@pytest.mark.django_db
def test_duplicate_seq_rejected_by_database(classroom):
    session = classroom.session
    with pytest.raises(IntegrityError):
        LiveEvent.objects.create(session=session, seq=1, kind=CHAT)


@pytest.mark.django_db
def test_open_and_end_change_state(classroom):
    session = make_session(classroom.course, classroom.teacher, state="scheduled")
    assert session.state == SessionState.SCHEDULED

    opened = session.open(by=classroom.teacher)
    assert session.state == SessionState.OPEN
    assert session.opened_at is not None
    assert (opened.seq, opened.kind) == (1, "state")
    assert opened.payload == {
        "state": "open",
        "opened_at": session.opened_at.isoformat(),
        "ended_at": None,
    }

    ended = session.end(by=classroom.teacher)
    assert session.state == SessionState.ENDED
    assert session.ended_at >= session.opened_at
    assert ended.seq == 2


@pytest.mark.django_db
def test_invalid_transitions_raise(classroom):
    session = classroom.session
    with pytest.raises(InvalidTransition):
        session.open()
    session.end()
    with pytest.raises(InvalidTransition):
        session.end()
    with pytest.raises(InvalidTransition):
        session.open()
    assert session.events.count() == 2


@pytest.mark.django_db
def test_scheduled_session_can_be_cancelled(classroom):
    session = make_session(classroom.course, classroom.teacher, state="scheduled")
    session.end(by=classroom.teacher)
    assert session.state == SessionState.ENDED
    assert session.opened_at is None


@pytest.mark.django_db
def test_session_must_end_after_start(classroom):
    now = timezone.now()
    with pytest.raises(IntegrityError):
        LiveSession.objects.create(
            course_id=classroom.course.pk,
            teacher=classroom.teacher,
            title="x",
            starts_at=now,
            ends_at=now,
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_get_distinct_numbers(classroom):
    session = classroom.session
    threads_count, per_thread = 4, 10
    failures = []
    barrier = threading.Barrier(threads_count)

    def append_many():
        try:
            barrier.wait(timeout=10)
            for _number in range(per_thread):
                LiveEvent.append(session.pk, CHAT, sender=classroom.student)
        except Exception as error:  # noqa: BLE001 - reported by the test below
            failures.append(repr(error))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=append_many) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    seqs = list(
        LiveEvent.objects.filter(session=session, kind=CHAT).values_list(
            "seq", flat=True
        )
    )
    expected = threads_count * per_thread
    assert sorted(seqs) == list(range(2, expected + 2))
    session.refresh_from_db()
    assert session.last_seq == expected + 1
