"""
Uploads: the site-wide size limits while a body arrives, and files that
could run script in a browser, which no upload path stores.
"""

import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.test import RequestFactory, override_settings
from django.test.client import encode_multipart
from django.urls import reverse

from courses.assignments.models import Submission
from library.models import ItemFile
from lms.uploads import UploadBackstopHandler

from .world import client_as

BOUNDARY = "BoUnDaRy"
HTML = b"<!doctype html><script>alert(document.cookie)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


class RecordingHandler(FileUploadHandler):
    """Record how many bytes of each file reach the handlers after the backstop."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = {}

    def receive_data_chunk(self, raw_data, start):
        self.received[self.field_name] = self.received.get(self.field_name, 0) + len(
            raw_data
        )
        return raw_data

    def file_complete(self, file_size):
        return None


def multipart_request(user, files):
    """Return a POST request carrying ``files`` (``{field: bytes}``) for ``user``."""
    data = {
        name: SimpleUploadedFile(f"{name}.bin", content)
        for name, content in files.items()
    }
    data["judul"] = "tugas"
    request = RequestFactory().generic(
        "POST",
        "/halaman/",
        encode_multipart(BOUNDARY, data),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    request.user = user
    return request


def parse(request):
    """Parse the body through the backstop and the default handlers."""
    recorder = RecordingHandler(request)
    request.upload_handlers.insert(1, recorder)
    files = request.FILES
    return files, recorder.received


@pytest.mark.django_db
def test_anonymous_file_is_dropped(caplog):
    request = multipart_request(AnonymousUser(), {"berkas": b"x" * 1000})

    with caplog.at_level(logging.WARNING, logger="lms.uploads"):
        files, received = parse(request)

    assert "berkas" not in files
    assert received == {}
    assert request.POST["judul"] == "tugas"
    assert "upload skipped over the site-wide limit" in caplog.text


@pytest.mark.django_db
def test_backstop_is_first_handler(world):
    request = multipart_request(world.student, {})

    assert isinstance(request.upload_handlers[0], UploadBackstopHandler)


@pytest.mark.django_db
def test_file_within_limit_is_kept(world):
    request = multipart_request(world.student, {"berkas": b"x" * 1000})

    files, _received = parse(request)

    assert files["berkas"].size == 1000


@pytest.mark.django_db
@override_settings(UPLOAD_MAX_FILE_SIZE=100_000)
def test_file_over_limit_stops_streaming(world):
    request = multipart_request(world.student, {"berkas": b"x" * 1_000_000})

    files, received = parse(request)

    assert "berkas" not in files
    # The chunk that crosses the limit is dropped, so the handlers that
    # store the file receive no more than the limit.
    assert received.get("berkas", 0) <= 100_000


@pytest.mark.django_db
@override_settings(UPLOAD_MAX_FILE_SIZE=200_000, UPLOAD_MAX_REQUEST_SIZE=250_000)
def test_request_total_over_limit_drops_rest(world):
    request = multipart_request(
        world.student,
        {"pertama": b"a" * 150_000, "kedua": b"b" * 150_000, "ketiga": b"c" * 150_000},
    )

    files, _received = parse(request)

    assert files["pertama"].size == 150_000
    assert "kedua" not in files
    assert "ketiga" not in files


# Files that could run script, on each upload path


def library_upload_data(world, name, content):
    return {
        "library": world.library.pk,
        "title": "Karya tulis contoh",
        "creators": "Siti Rahma",
        "item_type": "research_paper",
        "language": "id",
        "issued": "2024-05-01",
        "abstract": "Ringkasan singkat.",
        "subjects": "sains",
        "licence": "cc-by",
        "access_level": "public",
        "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content",
    [("halaman.html", HTML), ("gambar.svg", SVG), ("samaran.pdf", HTML)],
)
def test_library_rejects_scriptable_file(world, name, content):
    before = ItemFile.objects.count()

    response = client_as(world, "teacher").post(
        reverse("library:upload"), library_upload_data(world, name, content)
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert ItemFile.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content",
    [("halaman.html", HTML), ("gambar.svg", SVG), ("samaran.pdf", SVG)],
)
def test_assignment_rejects_scriptable_file(world, name, content):
    before = Submission.objects.count()

    response = client_as(world, "student").post(
        reverse("assignments:detail", args=[world.assignment.pk]),
        {"text": "", "file": SimpleUploadedFile(name, content)},
    )

    assert response.status_code == 400
    assert Submission.objects.count() == before


def test_wagtail_images_reject_svg():
    """
    Image renditions and originals are served from the site's media route,
    so the image library must not take SVG, which can carry script.
    """
    from wagtail.images.utils import get_allowed_image_extensions

    assert "svg" not in get_allowed_image_extensions()
