"""The parents' daily digest by e-mail and through a fake SMS gateway."""

import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from courses.models import Announcement, GuardianPreference, Notification
from courses.notify import notify

from .factories import (
    enrol,
    make_course,
    make_course_index,
    make_guardian,
    make_school,
    make_student,
    make_user,
)

pytestmark = pytest.mark.django_db


class FakeGateway(ThreadingHTTPServer):
    """An SMS/WhatsApp webhook on loopback that records what it receives."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), GatewayHandler)
        self.received = []
        # Phone numbers for which the gateway responds with 500, or not at all.
        self.failing = set()
        self.hanging = set()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/send"


class GatewayHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers["Content-Length"])
        payload = json.loads(self.rfile.read(length))
        payload["authorization"] = self.headers.get("Authorization")
        if payload["to"] in self.server.hanging:
            time.sleep(2)
        status = 500 if payload["to"] in self.server.failing else 202
        if status == 202:
            self.server.received.append(payload)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = FakeGateway()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NOTIFY_GATEWAY_URL = server.url
    settings.NOTIFY_GATEWAY_TOKEN = "rahasia-gateway"
    settings.NOTIFY_GATEWAY_TIMEOUT = 0.5
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def families():
    school = make_school()
    course = make_course(make_course_index(school), title="IPA 7")
    children = []
    for _i in range(3):
        child = make_student(school)
        enrol(course, child)
        children.append(child)
    parents = [make_guardian(child) for child in children]
    return course, children, parents


def run_digest():
    out, err = io.StringIO(), io.StringIO()
    call_command("send_parent_digest", stdout=out, stderr=err)
    return out.getvalue()


def choose(parent, channel, phone=""):
    GuardianPreference.objects.update_or_create(
        guardian=parent, defaults={"channel": channel, "phone": phone}
    )


def test_email_digest_lists_grades_and_announcements(families):
    course, children, parents = families
    parents[0].email = "ibu@example.test"
    parents[0].save()
    notify([children[0]], "grade", "Nilai tugas 1: 90", "/g/")
    Announcement.objects.create(course=course, title="Ulangan Senin", body="<p>x</p>")

    summary = run_digest()

    messages = [message for message in mail.outbox if message.to == [parents[0].email]]
    assert len(messages) == 1
    assert "Nilai tugas 1: 90" in messages[0].body
    assert "IPA 7: Ulangan Senin" in messages[0].body
    assert "digests sent" in summary
    assert GuardianPreference.objects.get(guardian=parents[0]).last_sent_at


def test_nothing_new_sends_nothing(families):
    _course, _children, parents = families
    parents[0].email = "ibu@example.test"
    parents[0].save()

    summary = run_digest()

    assert mail.outbox == []
    assert "0 digests sent, 3 with nothing new" in summary


def test_sms_and_whatsapp_through_gateway(families, gateway):
    _course, children, parents = families
    choose(parents[0], "sms", "081200000001")
    choose(parents[1], "whatsapp", "081200000002")
    choose(parents[2], "none")
    for child in children:
        notify([child], "grade", f"Nilai {child.username}", "/g/")

    summary = run_digest()

    received = {payload["to"]: payload for payload in gateway.received}
    assert set(received) == {"081200000001", "081200000002"}
    assert received["081200000001"]["channel"] == "sms"
    assert received["081200000002"]["channel"] == "whatsapp"
    assert f"Nilai {children[0].username}" in received["081200000001"]["text"]
    assert received["081200000001"]["authorization"] == "Bearer rahasia-gateway"
    assert "2 digests sent" in summary
    assert "1 skipped" in summary


def test_gateway_failure_does_not_stop_others(families, gateway, caplog):
    _course, children, parents = families
    choose(parents[0], "sms", "081200000001")
    choose(parents[1], "sms", "081200000002")
    choose(parents[2], "sms", "081200000003")
    gateway.failing.add("081200000001")
    gateway.hanging.add("081200000002")
    for child in children:
        notify([child], "reply", "Balasan baru", "/r/")

    summary = run_digest()

    assert [payload["to"] for payload in gateway.received] == ["081200000003"]
    assert "1 digests sent" in summary
    assert "2 failed" in summary
    failures = [r for r in caplog.records if r.getMessage().startswith("digest failed")]
    assert len(failures) == 2
    assert "HTTP 500" in failures[0].getMessage()
    # A failed digest is retried the next day with the same news.
    assert not GuardianPreference.objects.get(guardian=parents[0]).last_sent_at


def test_sms_without_gateway_is_skipped(families, settings):
    settings.NOTIFY_GATEWAY_URL = ""
    _course, children, parents = families
    choose(parents[0], "sms", "081200000001")
    notify([children[0]], "grade", "Nilai", "/g/")

    summary = run_digest()

    assert "1 skipped" in summary


def test_preference_page_saves_choice(client, families):
    _course, _children, parents = families
    client.force_login(parents[0])
    url = reverse("courses:digest_preference")

    response = client.post(url, {"channel": "whatsapp", "phone": "+62 812-3456-7890"})

    assert response.status_code == 302
    preference = GuardianPreference.objects.get(guardian=parents[0])
    assert preference.channel == "whatsapp"
    assert preference.phone == "081234567890"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"channel": "sms", "phone": ""}, "phone_required"),
        ({"channel": "whatsapp", "phone": "12ab"}, "invalid_phone"),
        ({"channel": "pigeon", "phone": ""}, "invalid_choice"),
    ],
)
def test_preference_page_rejects_bad_input(client, families, data, code):
    _course, _children, parents = families
    client.force_login(parents[0])

    response = client.post(reverse("courses:digest_preference"), data)

    assert response.status_code == 400
    form = response.context["form"]
    assert form.has_error("phone", code=code) or form.has_error("channel", code=code)
    assert not GuardianPreference.objects.exists()


def test_preference_page_only_for_parents(client):
    client.force_login(make_user())
    response = client.get(reverse("courses:digest_preference"))
    assert response.status_code == 403


def test_unread_notification_digest_marks_nothing_read(families):
    _course, children, parents = families
    parents[0].email = "ibu@example.test"
    parents[0].save()
    notify([children[0]], "reply", "Balasan", "/r/")
    run_digest()
    assert Notification.objects.get().read_at is None
