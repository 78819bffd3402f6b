"""
The S3 file store stopped during uploads, and the check for orphaned files.

Uploads go to a private moto S3 server on 127.0.0.1. While it is stopped,
a library upload and an assignment submission must tell the person that
the file was not saved, and leave no row that names a missing file.
``check_storage`` must list the files that no row names and the rows whose
file is gone.
"""

import io
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from wagtail.documents import get_document_model

from courses.assignments import services as assignment_services
from courses.assignments.models import Submission
from library.models import ItemFile, LibraryItemPage
from lms.models import Membership
from tests.assignments.helpers import PDF_BYTES, World
from tests.assignments.helpers import upload as assignment_upload
from tests.factories import make_home
from tests.library.conftest import (
    make_library,
    make_person,
    make_school,
    pdf_upload,
    upload_data,
)

from .services import MotoS3Server

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def own_s3(settings, monkeypatch):
    """Point the default storage at a private moto S3 server and return the server."""
    import boto3

    # No credential or region lookups may leave the machine, and a refused
    # connection is tried twice, not botocore's default five times.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "uji")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "uji")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    # moto keeps its buckets per process, so each test gets a bucket of its own.
    bucket = f"unggahan-uji-{uuid.uuid4().hex[:12]}"
    server = MotoS3Server()
    server.start()
    try:
        boto3.client(
            "s3",
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="uji",
            aws_secret_access_key="uji",
        ).create_bucket(Bucket=bucket)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": bucket,
                    "endpoint_url": server.url,
                    "region_name": "us-east-1",
                    "access_key": "uji",
                    "secret_key": "uji",
                    "default_acl": "private",
                    "file_overwrite": False,
                },
            },
        }
        yield server
    finally:
        server.stop()


@pytest.fixture
def library_upload(client, django_capture_on_commit_callbacks):
    """
    Return ``(library, teacher, post)``: ``post(data)`` uploads as the teacher.

    The extraction task is queued on commit, so the commit callbacks run as
    they would after a real request.
    """
    school = make_school("SMP Negeri 1 Contoh")
    library = make_library(make_home(), school, "perpustakaan-1")
    teacher = make_person("guru", school, Membership.Role.TEACHER)
    client.force_login(teacher)

    def post(data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("library:upload"), data)

    return library, teacher, post


def library_rows():
    return (
        LibraryItemPage.objects.count(),
        ItemFile.objects.count(),
        get_document_model().objects.count(),
    )


def test_library_upload_while_s3_down(own_s3, library_upload):
    library, _teacher, post = library_upload

    own_s3.stop()
    failed = post(upload_data(library, pdf_upload()))
    rows_after_failure = library_rows()
    own_s3.start()
    retried = post(upload_data(library, pdf_upload()))

    assert failed.status_code == 503
    assert failed["Retry-After"]
    assert failed.context["form"].has_error("file", "storage_unavailable")
    assert "Penyimpanan berkas tidak dapat dihubungi" in failed.text
    assert rows_after_failure == (0, 0, 0)
    assert retried.status_code == 302
    assert library_rows() == (1, 1, 1)
    item_file = ItemFile.objects.get()
    assert default_storage.exists(item_file.document.file.name)


def test_assignment_submit_while_s3_down(own_s3, client):
    world = World()
    assignment = world.assignment()
    url = reverse("assignments:detail", args=[assignment.pk])
    client.force_login(world.student)

    own_s3.stop()
    failed = client.post(url, {"file": assignment_upload("laporan.pdf", PDF_BYTES)})
    rows_after_failure = Submission.objects.count()
    own_s3.start()
    retried = client.post(url, {"file": assignment_upload("laporan.pdf", PDF_BYTES)})

    assert failed.status_code == 503
    assert failed.context["form"].has_error("__all__", "storage_unavailable")
    assert "Penyimpanan berkas tidak dapat dihubungi" in failed.text
    assert rows_after_failure == 0
    assert retried.status_code == 302
    submission = Submission.objects.get()
    assert submission.version == 1
    assert default_storage.exists(submission.file.name)


def run_check(*arguments):
    output = io.StringIO()
    call_command("check_storage", *arguments, stdout=output, verbosity=1)
    return output.getvalue()


def test_check_storage_lists_orphans(own_s3, library_upload):
    library, _teacher, post = library_upload
    post(upload_data(library, pdf_upload("tetap.pdf")))
    post(upload_data(library, pdf_upload("hilang.pdf")))
    world = World()
    submission = assignment_services.submit(
        world.assignment(),
        world.student,
        upload=assignment_upload("laporan.pdf", PDF_BYTES),
    )
    lost = ItemFile.objects.get(original_name="hilang.pdf").document
    default_storage.delete(lost.file.name)
    orphan = default_storage.save(
        "private/assignments/999/tertinggal.pdf", ContentFile(PDF_BYTES)
    )

    output = run_check("--min-age", "0")
    recent_only = run_check()

    assert f"orphaned file: {orphan}\n" in output
    assert (
        f"orphaned row: wagtaildocs.Document pk={lost.pk} field=file "
        f"file={lost.file.name}\n"
    ) in output
    assert submission.file.name not in output
    assert "2 orphaned files" not in output
    assert "1 orphaned files, 1 rows with a missing file" in output
    assert "orphaned file:" not in recent_only
    assert "0 orphaned files, 1 rows with a missing file, 1 unreferenced" in (
        recent_only
    )


def test_check_storage_while_s3_down(own_s3):
    own_s3.stop()

    with pytest.raises(Exception) as raised:
        run_check("--min-age", "0")

    assert "Could not connect" in str(raised.value)
