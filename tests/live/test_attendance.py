"""Attendance of a live class: connected time across reconnects, and its CSV."""

import datetime

import pytest
from django.utils import timezone

from live.attendance import merged_seconds, session_attendance
from live.models import LiveConnection
from lms.models import AuditLog

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


def connect(classroom, user, role, start, end, name):
    LiveConnection.objects.create(
        session=classroom.session,
        user=user,
        role=role,
        channel_name=name,
        connected_at=start,
        last_seen_at=end,
        disconnected_at=end,
    )


def test_merged_seconds_counts_overlap_once():
    start = timezone.now()
    intervals = [
        (start, start + 10 * MINUTE),
        (start + 5 * MINUTE, start + 12 * MINUTE),
        (start + 20 * MINUTE, start + 25 * MINUTE),
    ]
    assert merged_seconds(intervals) == 17 * 60
    assert merged_seconds([]) == 0


def test_attendance_sums_reconnects(classroom):
    start = timezone.now() - datetime.timedelta(hours=1)
    student = classroom.student
    connect(classroom, student, "student", start, start + 10 * MINUTE, "a")
    # A second tab, open during the first connection.
    connect(classroom, student, "student", start + 2 * MINUTE, start + 4 * MINUTE, "b")
    connect(
        classroom, student, "student", start + 15 * MINUTE, start + 20 * MINUTE, "c"
    )
    connect(classroom, classroom.teacher, "teacher", start, start + 30 * MINUTE, "d")

    rows = session_attendance(classroom.session)
    assert [row.user for row in rows] == [classroom.teacher, student]
    entry = rows[1]
    assert entry.seconds == 15 * 60
    assert entry.first_join == start
    assert entry.last_leave == start + 20 * MINUTE
    assert entry.connections == 3


def test_open_connection_counts_to_last_heartbeat(classroom):
    start = timezone.now() - datetime.timedelta(hours=1)
    LiveConnection.objects.create(
        session=classroom.session,
        user=classroom.student,
        role="student",
        channel_name="open",
        connected_at=start,
        last_seen_at=start + 7 * MINUTE,
    )
    (entry,) = session_attendance(classroom.session)
    assert entry.seconds == 7 * 60


def test_attendance_csv_for_teacher(client, classroom):
    start = timezone.now() - datetime.timedelta(hours=1)
    connect(classroom, classroom.student, "student", start, start + 45 * MINUTE, "a")
    client.force_login(classroom.teacher)
    response = client.get(f"/live/{classroom.session.pk}/attendance.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert len(lines) == 2
    assert "Budi Santoso,student,45.0," in lines[1]
    assert AuditLog.objects.filter(action="live.attendance_export").count() == 1


@pytest.mark.parametrize("who", ["student", "parent", "outsider"])
def test_attendance_csv_only_for_teachers(client, classroom, who):
    client.force_login(getattr(classroom, who))
    response = client.get(f"/live/{classroom.session.pk}/attendance.csv")
    assert response.status_code == 403
