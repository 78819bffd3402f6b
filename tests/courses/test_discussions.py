"""Announcements, discussion threads, replies, moderation and sanitising."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from courses.models import Announcement, Notification, Post, Thread

from .factories import (
    enrol,
    make_course,
    make_course_index,
    make_guardian,
    make_lesson,
    make_school,
    make_student,
    make_teacher,
)
from .xss_payloads import XSS_PAYLOADS

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum():
    school = make_school()
    index = make_course_index(school)
    teacher = make_teacher(school)
    course = make_course(index, teachers=[teacher])
    lesson = make_lesson(course)
    student = make_student(school)
    classmate = make_student(school)
    enrol(course, student)
    enrol(course, classmate)
    guardian = make_guardian(student)
    return {
        "school": school,
        "teacher": teacher,
        "course": course,
        "lesson": lesson,
        "student": student,
        "classmate": classmate,
        "guardian": guardian,
    }


def announcements_url(course):
    return reverse("courses:announcements", args=[course.pk])


def threads_url(course):
    return reverse("courses:threads", args=[course.pk])


def start_thread(client, user, course, title="Tanya", body="Bagaimana caranya?"):
    client.force_login(user)
    response = client.post(threads_url(course), {"title": title, "body": body})
    return response


def test_teacher_announces_and_notifies(client, forum):
    client.force_login(forum["teacher"])

    response = client.post(
        announcements_url(forum["course"]),
        {"title": "Ulangan", "body": "Ulangan hari Senin.\n\nBelajar bab 2."},
    )

    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert announcement.body == "<p>Ulangan hari Senin.</p>\n\n<p>Belajar bab 2.</p>"
    recipients = set(
        Notification.objects.filter(kind="announcement").values_list(
            "recipient_id", flat=True
        )
    )
    assert recipients == {
        forum["student"].pk,
        forum["classmate"].pk,
        forum["guardian"].pk,
    }


def test_students_and_guardians_read_announcements(client, forum):
    Announcement.objects.create(
        course=forum["course"], author=forum["teacher"], title="Libur", body="<p>x</p>"
    )
    for user in (forum["student"], forum["guardian"]):
        client.force_login(user)
        response = client.get(announcements_url(forum["course"]))
        assert response.status_code == 200
        assert "Libur" in response.content.decode()
        assert response.context["form"] is None


def test_student_cannot_announce(client, forum):
    client.force_login(forum["student"])
    response = client.post(
        announcements_url(forum["course"]), {"title": "Palsu", "body": "x"}
    )
    assert response.status_code == 403
    assert not Announcement.objects.exists()


def test_outsiders_refused(client, forum):
    other_school = make_school()
    outsider = make_student(other_school)
    other_parent = make_guardian(make_student(forum["school"]))
    for user in (outsider, other_parent):
        client.force_login(user)
        assert client.get(announcements_url(forum["course"])).status_code == 403
        assert client.get(threads_url(forum["course"])).status_code == 403
        assert client.get(forum["course"].url).status_code == 403


def test_guardian_cannot_open_discussions(client, forum):
    client.force_login(forum["guardian"])
    assert client.get(threads_url(forum["course"])).status_code == 403


def test_thread_and_reply_notify_author(client, forum):
    response = start_thread(client, forum["student"], forum["course"])
    thread = Thread.objects.get()
    assert response["Location"] == reverse("courses:thread", args=[thread.pk])
    assert thread.posts.count() == 1

    client.force_login(forum["classmate"])
    url = reverse("courses:thread", args=[thread.pk])
    response = client.post(url, {"body": "Pakai rumus luas."})

    assert response.status_code == 302
    assert thread.posts.count() == 2
    notification = Notification.objects.get(kind="reply")
    assert notification.recipient == forum["student"]
    assert notification.url == url


def test_own_reply_does_not_notify(client, forum):
    start_thread(client, forum["student"], forum["course"])
    thread = Thread.objects.get()
    client.post(reverse("courses:thread", args=[thread.pk]), {"body": "Tambahan."})
    assert not Notification.objects.filter(kind="reply").exists()


def test_thread_per_lesson(client, forum):
    client.force_login(forum["student"])
    lesson = forum["lesson"]
    client.post(
        threads_url(forum["course"]),
        {"title": "Soal 3", "body": "Sulit.", "lesson": lesson.pk},
    )
    start_thread(client, forum["student"], forum["course"], title="Umum")

    response = client.get(threads_url(forum["course"]), {"lesson": lesson.pk})

    assert [thread.title for thread in response.context["threads"]] == ["Soal 3"]
    assert Thread.objects.get(title="Soal 3").lesson_id == lesson.pk


def test_thread_for_foreign_lesson_is_404(client, forum):
    other = make_course(make_course_index(make_school()))
    foreign_lesson = make_lesson(other)
    client.force_login(forum["student"])
    response = client.post(
        threads_url(forum["course"]),
        {"title": "x", "body": "y", "lesson": foreign_lesson.pk},
    )
    assert response.status_code == 404
    assert not Thread.objects.exists()


def test_empty_post_rejected(client, forum):
    response = start_thread(
        client, forum["student"], forum["course"], body="<script></script>"
    )
    assert response.status_code == 400
    assert response.context["form"].has_error("body", code="empty")
    assert not Thread.objects.exists()


def test_locked_thread_refuses_reply(client, forum):
    start_thread(client, forum["student"], forum["course"])
    thread = Thread.objects.get()
    client.force_login(forum["teacher"])
    client.post(
        reverse("courses:thread_moderate", args=[thread.pk]), {"action": "lock"}
    )
    thread.refresh_from_db()
    assert thread.is_locked

    client.force_login(forum["classmate"])
    response = client.post(
        reverse("courses:thread", args=[thread.pk]), {"body": "Masih boleh?"}
    )

    assert response.status_code == 400
    assert response.context["form"].has_error("__all__", code="locked")
    assert thread.posts.count() == 1


def test_hidden_post_invisible_to_students(client, forum):
    start_thread(client, forum["student"], forum["course"], body="Kata kasar")
    post = Post.objects.get()
    client.force_login(forum["teacher"])
    client.post(reverse("courses:post_moderate", args=[post.pk]), {"action": "hide"})
    post.refresh_from_db()
    assert post.is_hidden

    client.force_login(forum["classmate"])
    response = client.get(reverse("courses:thread", args=[post.thread_id]))
    assert "Kata kasar" not in response.content.decode()

    client.force_login(forum["teacher"])
    response = client.get(reverse("courses:thread", args=[post.thread_id]))
    assert "Kata kasar" in response.content.decode()


def test_hidden_thread_is_404_for_students(client, forum):
    start_thread(client, forum["student"], forum["course"])
    thread = Thread.objects.get()
    client.force_login(forum["teacher"])
    client.post(
        reverse("courses:thread_moderate", args=[thread.pk]), {"action": "hide"}
    )
    client.force_login(forum["classmate"])
    assert client.get(reverse("courses:thread", args=[thread.pk])).status_code == 404


def test_students_cannot_moderate(client, forum):
    start_thread(client, forum["classmate"], forum["course"])
    thread = Thread.objects.get()
    post = Post.objects.get()
    client.force_login(forum["student"])

    response = client.post(
        reverse("courses:thread_moderate", args=[thread.pk]), {"action": "lock"}
    )
    assert response.status_code == 403
    response = client.post(
        reverse("courses:post_moderate", args=[post.pk]), {"action": "hide"}
    )
    assert response.status_code == 403
    thread.refresh_from_db()
    post.refresh_from_db()
    assert not thread.is_locked
    assert not post.is_hidden


ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote"}
ALLOWED_TAGS |= {"code", "pre"}


class MarkupCollector(HTMLParser):
    """Collect the tags and attributes that a browser would build."""

    def __init__(self):
        super().__init__()
        self.tags = []
        self.attributes = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)


def assert_harmless(html):
    collector = MarkupCollector()
    collector.feed(html)
    assert set(collector.tags) <= ALLOWED_TAGS, html
    for tag, name, value in collector.attributes:
        assert (tag, name) == ("a", "href"), html
        scheme = value.split(":", 1)[0].strip().lower() if ":" in value else ""
        assert scheme in ("", "http", "https", "mailto"), html


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_post_payload_is_cleaned(client, forum, payload):
    start_thread(client, forum["student"], forum["course"], body=f"Halo {payload}")
    post = Post.objects.get()

    assert_harmless(post.body)
    response = client.get(reverse("courses:thread", args=[post.thread_id]))
    rendered = response.content.decode()
    marker = '<div class="post-body">'
    body_start = rendered.index(marker) + len(marker)
    shown = rendered[body_start : rendered.index("</div>", body_start)]
    assert_harmless(shown)
