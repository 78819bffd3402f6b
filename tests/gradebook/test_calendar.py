import datetime

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from courses.calendar_types import CalendarEvent
from courses.gradebook.ical import fold, render_calendar
from courses.gradebook.models import CalendarFeed
from live.models import LiveSession
from tests.factories import PASSWORD, make_student


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def make_live(setup, starts_at, title="Kelas daring pecahan"):
    return LiveSession.objects.create(
        course=setup.course,
        teacher=setup.teacher,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1),
    )


def test_fold_limits_octets():
    line = "SUMMARY:" + "Ujian akhir semester — matematika ✓ " * 6
    folded = fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    for part in parts:
        assert len(part.encode("utf-8")) <= 75
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(part[1:] if i else part for i, part in enumerate(parts)) == line


def test_render_calendar_parses():
    starts_at = datetime.datetime(2026, 8, 17, 7, 30, tzinfo=datetime.UTC)
    events = [
        CalendarEvent(
            title="Tugas; bab 1, pecahan\nbagian 2 " + "x" * 80,
            starts_at=starts_at,
            url="/courses/assignments/1/",
            kind="assignment",
            course_title="Matematika 7",
        ),
        CalendarEvent(
            title="Kuis",
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=2),
            kind="quiz",
        ),
    ]
    text = render_calendar(
        events, name="Kalender", domain="sekolah.test", base_url="https://x.test"
    )
    assert "\r\n" in text
    assert "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    parsed = icalendar.Calendar.from_ical(text)
    vevents = list(parsed.walk("VEVENT"))
    assert len(vevents) == 2
    first = vevents[0]
    assert str(first["SUMMARY"]).startswith("Tugas; bab 1, pecahan\nbagian 2")
    assert first["DTSTART"].dt == starts_at
    assert str(first["URL"]) == "https://x.test/courses/assignments/1/"
    assert "DTSTAMP" in first
    assert vevents[0]["UID"] != vevents[1]["UID"]
    assert vevents[1]["DTEND"].dt == starts_at + datetime.timedelta(hours=2)


@pytest.mark.django_db
def test_calendar_page_lists_live_class(client, setup):
    starts_at = timezone.now() + datetime.timedelta(hours=2)
    make_live(setup, starts_at)
    month = timezone.localtime(starts_at).strftime("%Y-%m")
    response = login(client, setup.student).get(
        reverse("gradebook:calendar"), {"month": month}
    )
    assert response.status_code == 200
    assert "Kelas daring pecahan" in response.content.decode()
    assert "<script" not in response.content.decode()


@pytest.mark.django_db
def test_calendar_page_parent_sees_child_events(client, setup):
    starts_at = timezone.now() + datetime.timedelta(hours=2)
    make_live(setup, starts_at)
    month = timezone.localtime(starts_at).strftime("%Y-%m")
    response = login(client, setup.guardian).get(
        reverse("gradebook:calendar"), {"month": month}
    )
    body = response.content.decode()
    assert "Kelas daring pecahan (Ayu)" in body


@pytest.mark.django_db
def test_calendar_page_outsider_sees_nothing(client, setup):
    starts_at = timezone.now() + datetime.timedelta(hours=2)
    make_live(setup, starts_at)
    outsider = make_student(setup.school)
    month = timezone.localtime(starts_at).strftime("%Y-%m")
    response = login(client, outsider).get(
        reverse("gradebook:calendar"), {"month": month}
    )
    assert "Kelas daring pecahan" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["2026-13", "kemarin", "1850-01"])
def test_calendar_page_invalid_month(client, setup, month):
    response = login(client, setup.student).get(
        reverse("gradebook:calendar"), {"month": month}
    )
    assert response.status_code == 400
    messages = [str(m) for m in response.context["messages"]]
    assert any(month in message for message in messages)


@pytest.mark.django_db
def test_ical_feed_and_revocation(client, setup):
    make_live(setup, timezone.now() + datetime.timedelta(days=3))
    login(client, setup.student)
    client.get(reverse("gradebook:calendar"))
    feed = CalendarFeed.objects.get(user=setup.student)
    client.logout()
    url = reverse("gradebook:ical", args=[feed.token])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    parsed = icalendar.Calendar.from_ical(response.content)
    summaries = [str(event["SUMMARY"]) for event in parsed.walk("VEVENT")]
    assert any(s.startswith("Kelas daring pecahan") for s in summaries)

    login(client, setup.student)
    response = client.post(reverse("gradebook:regenerate_feed"))
    assert response.status_code == 302
    client.logout()
    assert client.get(url).status_code == 404
    feed.refresh_from_db()
    assert client.get(reverse("gradebook:ical", args=[feed.token])).status_code == 200


@pytest.mark.django_db
def test_ical_unknown_token_404(client, setup):
    response = client.get(reverse("gradebook:ical", args=["tidak-ada"]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_regenerate_needs_post(client, setup):
    login(client, setup.student)
    assert client.get(reverse("gradebook:regenerate_feed")).status_code == 405
