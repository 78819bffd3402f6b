"""
Slides in a live class: a teacher shows pages of a PDF and everybody follows.

The consumer tests go through the full ASGI stack. Pages are rendered by the
real worker process (pypdfium2) into the test's own MEDIA_ROOT.
"""

import io

import pytest
from channels.db import database_sync_to_async
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfWriter
from wagtail.documents import get_document_model

from courses import api as courses_api
from library.models import AccessLevel, ItemFile, LibraryIndexPage, LibraryItemPage
from live import slide_worker, slides
from live.models import LiveEvent, SlideDeck, SlidePosition
from live.protocol import ErrorCode, ProtocolError
from tests.factories import make_home, make_lesson

from .conftest import ORIGIN, session_cookie
from .test_consumer import join, receive_until

Document = get_document_model()
WEBP_MAGIC = b"WEBP"


def pdf_bytes(pages=3):
    writer = PdfWriter()
    for _number in range(pages):
        writer.add_blank_page(width=842, height=595)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_document(title, content, name="slides.pdf"):
    document = Document(title=title)
    document.file.save(name, ContentFile(content), save=False)
    document.save()
    return document


def lesson_with(course, *blocks):
    lesson = make_lesson(course, title="Pecahan senilai")
    lesson.body = list(blocks)
    lesson.save_revision().publish()
    return lesson


def make_library_file(owner, school, access_level, content):
    library = LibraryIndexPage(
        title="Perpustakaan", slug=f"perpustakaan-{school.pk}", school=school
    )
    make_home().add_child(instance=library)
    library.save_revision().publish()
    item = LibraryItemPage(
        title="Modul pecahan", slug="modul-pecahan", access_level=access_level
    )
    library.add_child(instance=item)
    item.save_revision().publish()
    document = make_document("Modul pecahan", content, "modul.pdf")
    return ItemFile.objects.create(
        item=item,
        document=document,
        original_name="modul.pdf",
        size=len(content),
        sha256="0" * 64,
        content_type="application/pdf",
        uploaded_by=owner,
    )


@pytest.fixture
def decks(classroom):
    """Put a 3-page PDF and a text file in a lesson; one PDF in another course."""
    pdf = make_document("Pecahan senilai", pdf_bytes(3))
    text = make_document("Catatan", b"Bukan PDF.\n", name="catatan.txt")
    lesson_with(
        classroom.course,
        ("document", pdf),
        ("attachment", {"document": text, "description": "Catatan guru"}),
    )
    foreign = make_document("IPA", pdf_bytes(1))
    lesson_with(classroom.other_course, ("document", foreign))
    return pdf, text, foreign


async def stored_slides(session):
    return await database_sync_to_async(
        LiveEvent.objects.filter(session=session, kind="slide").count
    )()


async def position_version(session):
    position = await database_sync_to_async(
        SlidePosition.objects.filter(session=session).first
    )()
    return position.version if position else 0


# The worker and the course lookup.


def test_worker_renders_one_page_as_webp(tmp_path):
    path = tmp_path / "deck.pdf"
    path.write_bytes(pdf_bytes(3))
    output = tmp_path / "page.webp"

    result = slide_worker.render(str(path), 2, 480, str(output))

    assert result == {"status": "ok", "page_count": 3}
    image = output.read_bytes()
    assert image[8:12] == WEBP_MAGIC
    from PIL import Image

    with Image.open(output) as picture:
        assert max(picture.size) == 480


def test_worker_rejects_bad_input(tmp_path):
    not_pdf = tmp_path / "notes.pdf"
    not_pdf.write_bytes(b"%PDF-1.4\nthis is no pdf\n")
    pdf = tmp_path / "deck.pdf"
    pdf.write_bytes(pdf_bytes(2))
    output = str(tmp_path / "page.webp")

    assert slide_worker.render(str(not_pdf), 1, 480, output)["error"] == "not_pdf"
    out_of_range = slide_worker.render(str(pdf), 3, 480, output)
    assert out_of_range["error"] == "page_out_of_range"
    assert out_of_range["page_count"] == 2


def test_worker_runs_without_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "rahasia-produksi")
    monkeypatch.setenv("DATABASE_URL", "postgres://lms:sandi@127.0.0.1/lms")
    calls = []
    real_run = slides.subprocess.run

    def recording_run(command, **kwargs):
        calls.append(kwargs)
        return real_run(command, **kwargs)

    monkeypatch.setattr(slides.subprocess, "run", recording_run)
    pdf = tmp_path / "deck.pdf"
    pdf.write_bytes(pdf_bytes(1))

    result = slides.run_worker(str(pdf), 1, str(tmp_path / "page.webp"))

    assert result == {"status": "ok", "page_count": 1}
    environment = calls[0]["env"]
    assert "SECRET_KEY" not in environment
    assert "DATABASE_URL" not in environment
    assert not any("sandi" in value for value in environment.values())


def test_render_limits_turn_into_render_failed(tmp_path, settings):
    pdf = tmp_path / "deck.pdf"
    pdf.write_bytes(pdf_bytes(1))
    # Too little address space even to start the renderer.
    settings.LIVE_SLIDE_RENDER_MEMORY_BYTES = 16 * 1024 * 1024
    with pytest.raises(ProtocolError) as raised:
        slides.render_page(str(pdf), "a" * 64, 1, "Dek")
    assert raised.value.code == ErrorCode.RENDER_FAILED

    settings.LIVE_SLIDE_RENDER_MEMORY_BYTES = slides.RENDER_MEMORY_BYTES
    settings.LIVE_SLIDE_RENDER_TIMEOUT_SECONDS = 0.001
    with pytest.raises(ProtocolError) as raised:
        slides.render_page(str(pdf), "b" * 64, 1, "Dek")
    assert raised.value.code == ErrorCode.RENDER_FAILED


@pytest.mark.django_db
def test_lesson_documents_lists_document_and_attachment(classroom, decks):
    pdf, text, foreign = decks
    documents = courses_api.lesson_documents(classroom.course)
    assert [document.pk for document in documents] == [pdf.pk, text.pk]
    assert slides.course_pdfs(classroom.session) == [pdf]


# Showing slides over the websocket.


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_channel_layer")
async def test_teacher_shows_and_turns_course_slides(classroom, decks):
    pdf, _text, _foreign = decks
    session = classroom.session
    teacher, _welcome = await join(session, classroom.teacher)
    student, _welcome = await join(session, classroom.student)

    await teacher.send_json_to(
        {"type": "slide_show", "source": "course", "document": pdf.pk, "ref": "s1"}
    )
    ack = await receive_until(teacher, "ack")
    assert ack["ref"] == "s1"
    for socket in (teacher, student):
        slide = await receive_until(socket, "slide")
        assert slide["seq"] == ack["seq"]
        assert slide["page"] == 1
        assert slide["version"] == 1
        assert slide["deck"]["title"] == "Pecahan senilai"
        assert slide["deck"]["pages"] == 3
        assert slide["deck"]["source"] == "course"
        assert slide["from"]["id"] == classroom.teacher.pk

    await teacher.send_json_to({"type": "slide_page", "page": 3})
    for socket in (teacher, student):
        slide = await receive_until(socket, "slide")
        assert slide["page"] == 3
        assert slide["version"] == 2
    assert slide["image"].startswith(
        reverse("live:slide_image", args=[session.pk, slide["deck"]["id"], 3])
    )
    assert await stored_slides(session) == 2
    await student.disconnect()
    await teacher.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_channel_layer")
async def test_late_joiner_and_resumed_client_get_current_slide(classroom, decks):
    pdf, _text, _foreign = decks
    session = classroom.session
    teacher, welcome = await join(session, classroom.teacher)
    before = welcome["last_seq"]
    await teacher.send_json_to(
        {"type": "slide_show", "source": "course", "document": pdf.pk, "page": 2}
    )
    shown = await receive_until(teacher, "slide")

    # A late joiner gets a snapshot right after the welcome.
    student, _welcome = await join(session, classroom.student)
    snapshot = await student.receive_json_from(timeout=5)
    assert snapshot["type"] == "slide"
    assert snapshot["seq"] is None
    assert snapshot["page"] == 2
    assert snapshot["version"] == shown["version"]
    assert snapshot["image"] == shown["image"]

    # A client that resumes from before the slide gets the logged event.
    await student.send_json_to({"type": "resume", "last_seq": before, "ref": "r"})
    replayed = await receive_until(student, "slide")
    assert replayed["seq"] == shown["seq"]
    assert replayed["page"] == 2
    resumed = await receive_until(student, "resumed")
    assert resumed["ref"] == "r"

    await teacher.send_json_to({"type": "slide_stop"})
    stopped = await receive_until(student, "slide")
    assert stopped["deck"] is None
    assert stopped["image"] is None
    assert stopped["version"] == shown["version"] + 1
    await student.disconnect()
    await teacher.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_channel_layer")
async def test_teacher_shows_library_pdf(classroom):
    item_file = await database_sync_to_async(make_library_file)(
        classroom.teacher, classroom.school, AccessLevel.CITY, pdf_bytes(2)
    )
    teacher, _welcome = await join(classroom.session, classroom.teacher)
    await teacher.send_json_to(
        {"type": "slide_show", "source": "library", "document": item_file.pk}
    )
    slide = await receive_until(teacher, "slide")
    assert slide["deck"]["source"] == "library"
    assert slide["deck"]["title"] == "Modul pecahan"
    assert slide["deck"]["pages"] == 2
    await teacher.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_channel_layer")
async def test_bad_slide_requests_are_rejected(classroom, decks):
    pdf, text, foreign = decks
    closed_file = await database_sync_to_async(make_library_file)(
        classroom.student, classroom.school, AccessLevel.PEOPLE, pdf_bytes(1)
    )
    session = classroom.session
    teacher, _welcome = await join(session, classroom.teacher)
    student, _welcome = await join(session, classroom.student)

    cases = [
        (student, {"source": "course", "document": pdf.pk}, "teacher_only"),
        (teacher, {"source": "web", "document": pdf.pk}, "invalid_choice"),
        (teacher, {"source": "course", "document": 0}, "out_of_range"),
        (teacher, {"source": "course", "document": 999_999}, "document_not_found"),
        (teacher, {"source": "course", "document": foreign.pk}, "document_not_allowed"),
        (teacher, {"source": "library", "document": 999_999}, "document_not_found"),
        (
            teacher,
            {"source": "library", "document": closed_file.pk},
            "document_not_allowed",
        ),
        (teacher, {"source": "course", "document": text.pk}, "not_pdf"),
        (
            teacher,
            {"source": "course", "document": pdf.pk, "page": 4},
            "page_out_of_range",
        ),
    ]
    for socket, fields, code in cases:
        await socket.send_json_to({"type": "slide_show", "ref": code, **fields})
        error = await receive_until(socket, "error")
        assert (error["code"], error["ref"]) == (code, code)
        assert error["message"]

    await teacher.send_json_to({"type": "slide_page", "page": 2, "ref": "p"})
    error = await receive_until(teacher, "error")
    assert error["code"] == "no_slides"

    # Nothing was logged or shown, and the connections stay open.
    assert await stored_slides(session) == 0
    assert await position_version(session) == 0
    await teacher.send_json_to(
        {"type": "slide_show", "source": "course", "document": pdf.pk}
    )
    await receive_until(teacher, "slide")
    await receive_until(student, "slide")
    await teacher.send_json_to({"type": "slide_page", "page": 4, "ref": "p4"})
    error = await receive_until(teacher, "error")
    assert error["code"] == "page_out_of_range"
    assert "3" in error["message"]
    await student.send_json_to({"type": "slide_page", "page": 2})
    assert (await receive_until(student, "error"))["code"] == "teacher_only"
    assert await stored_slides(session) == 1
    assert await position_version(session) == 1
    await student.disconnect()
    await teacher.disconnect()


# The page image view.


@pytest.mark.django_db
def test_slide_image_served_to_participants_only(classroom, decks):
    pdf, _text, _foreign = decks
    session = classroom.session
    deck = SlideDeck.objects.create(
        session=session,
        source="course",
        document=pdf,
        title=pdf.title,
        page_count=3,
        file_hash="f" * 64,
    )
    url = reverse("live:slide_image", args=[session.pk, deck.pk, 2])

    client = Client()
    client.force_login(classroom.student)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert b"".join(response.streaming_content)[8:12] == WEBP_MAGIC
    assert "private" in response["Cache-Control"]

    for outsider in (classroom.outsider, classroom.parent, classroom.operator):
        client.force_login(outsider)
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302

    client.force_login(classroom.teacher)
    missing_page = reverse("live:slide_image", args=[session.pk, deck.pk, 4])
    assert client.get(missing_page).status_code == 404
    other_session = reverse("live:slide_image", args=[session.pk + 1, deck.pk, 1])
    assert client.get(other_session).status_code == 404


@pytest.mark.django_db
def test_slide_image_of_unreadable_file_is_an_error(classroom):
    broken = make_document("Rusak", b"%PDF-1.4\nrusak\n")
    deck = SlideDeck.objects.create(
        session=classroom.session,
        source="course",
        document=broken,
        title="Rusak",
        page_count=1,
        file_hash="e" * 64,
    )
    client = Client()
    client.force_login(classroom.student)
    response = client.get(
        reverse("live:slide_image", args=[classroom.session.pk, deck.pk, 1])
    )
    assert response.status_code == 503
    assert "Rusak" in response.content.decode()


@pytest.mark.django_db
def test_session_page_shows_current_slide(classroom, decks):
    pdf, text, _foreign = decks
    session = classroom.session
    deck = SlideDeck.objects.create(
        session=session,
        source="course",
        document=pdf,
        title=pdf.title,
        page_count=3,
        file_hash="d" * 64,
    )
    SlidePosition.objects.create(session=session, deck=deck, page=2, version=4)
    image = reverse("live:slide_image", args=[session.pk, deck.pk, 2])
    client = Client()

    client.force_login(classroom.student)
    page = client.get(reverse("live:session", args=[session.pk])).content.decode()
    assert f'src="{image}?v={"d" * 16}"' in page
    assert 'data-version="4"' in page
    assert "data-slide-form" not in page

    client.force_login(classroom.teacher)
    page = client.get(reverse("live:session", args=[session.pk])).content.decode()
    assert "data-slide-form" in page
    # Only the slide form's own list: the page's other forms list people.
    slide_form = page[page.index("data-slide-form") :]
    document_list = slide_form[: slide_form.index("</select>")]
    assert f'<option value="{pdf.pk}">' in document_list
    assert f'<option value="{text.pk}">' not in document_list


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_channel_layer")
async def test_low_data_client_gets_slides(classroom, decks):
    from channels.testing import WebsocketCommunicator
    from django.conf import settings

    from lms.asgi import application

    pdf, _text, _foreign = decks
    session = classroom.session
    teacher, _welcome = await join(session, classroom.teacher)
    cookie = await database_sync_to_async(session_cookie)(classroom.student)
    student = WebsocketCommunicator(
        application,
        f"/ws/live/{session.pk}/?low_data=1",
        headers=[
            (b"origin", ORIGIN.encode()),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
        ],
    )
    connected, _subprotocol = await student.connect(timeout=5)
    assert connected
    welcome = await student.receive_json_from(timeout=5)
    assert welcome["type"] == "welcome"

    await teacher.send_json_to(
        {"type": "slide_show", "source": "course", "document": pdf.pk}
    )
    slide = await receive_until(student, "slide")
    assert slide["page"] == 1
    assert slide["image"]
    await student.disconnect()
    await teacher.disconnect()


@pytest.mark.django_db
def test_deleted_deck_keeps_slide_version(classroom, decks):
    pdf, _text, _foreign = decks
    deck = SlideDeck.objects.create(
        session=classroom.session,
        source="course",
        document=pdf,
        title=pdf.title,
        page_count=3,
        file_hash="c" * 64,
    )
    SlidePosition.objects.create(session=classroom.session, deck=deck, version=6)

    pdf.delete()

    position = SlidePosition.objects.get(session=classroom.session)
    assert position.deck is None
    assert position.version == 6
    assert slides.snapshot(classroom.session.pk) is None
