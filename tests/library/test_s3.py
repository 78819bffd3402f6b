"""Library files on S3 storage, against moto's S3 server on 127.0.0.1."""

import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from library import filetypes
from library.demo import minimal_pdf
from library.models import AccessLevel, ItemFile
from library.uploads import ItemMetadata, create_item

from ..conftest import free_port

pytestmark = pytest.mark.django_db

BUCKET = "perpustakaan-uji"
EXPIRE_SECONDS = 120


@pytest.fixture
def s3_storage(settings, monkeypatch):
    """Point the default storage at a moto S3 server on a free local port."""
    import boto3
    from moto.server import ThreadedMotoServer

    # No credential or region lookups may leave the machine.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "uji")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "uji")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="uji",
            aws_secret_access_key="uji",
        ).create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "endpoint_url": endpoint,
                    "region_name": "us-east-1",
                    "access_key": "uji",
                    "secret_key": "uji",
                    "default_acl": "private",
                    "querystring_auth": True,
                    "querystring_expire": EXPIRE_SECONDS,
                    "file_overwrite": False,
                },
            },
        }
        yield endpoint
    finally:
        server.stop()


def signed_lifetime(query):
    """Return how many seconds a pre-signed URL stays valid (SigV4 or SigV2)."""
    if "X-Amz-Expires" in query:
        assert "X-Amz-Signature" in query
        return int(query["X-Amz-Expires"][0])
    assert "Signature" in query
    return int(query["Expires"][0]) - time.time()


def test_s3_download_redirects_to_signed_url(
    s3_storage, library, teacher, client, django_capture_on_commit_callbacks
):
    content = minimal_pdf("Awan", ["Awan kumulonimbus membawa hujan lebat."])
    metadata = ItemMetadata(
        title="Awan",
        item_type="article",
        language="id",
        licence="cc-by",
        access_level=AccessLevel.CITY,
        creators=[("Penulis", "")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        item_file = create_item(
            library,
            metadata,
            ContentFile(content, name="awan hujan.pdf"),
            user=teacher,
            content_type=filetypes.PDF,
            publish=True,
        )
    item_file.refresh_from_db()
    url = reverse("library:download", args=[item_file.pk])

    assert item_file.extraction_status == ItemFile.ExtractionStatus.DONE
    assert "kumulonimbus" in item_file.extracted_text
    assert client.get(url).status_code == 302
    assert client.get(url).url.startswith("/accounts/login/")

    client.force_login(teacher)
    response = client.get(url)

    assert response.status_code == 302
    signed = urlparse(response.url)
    query = parse_qs(signed.query)
    assert f"{signed.scheme}://{signed.netloc}" == s3_storage
    assert signed_lifetime(query) == pytest.approx(EXPIRE_SECONDS, abs=30)
    assert response["X-Content-Type-Options"] == "nosniff"
    with urllib.request.urlopen(response.url, timeout=10) as fetched:  # noqa: S310
        assert fetched.read() == content
        assert fetched.headers["Content-Type"] == "application/pdf"
        assert fetched.headers["Content-Disposition"].startswith("attachment;")
        assert "awan hujan.pdf" in fetched.headers["Content-Disposition"]


def test_s3_object_is_private(s3_storage, library, teacher):
    metadata = ItemMetadata(
        title="Pribadi",
        item_type="article",
        language="id",
        licence="cc-by",
        access_level=AccessLevel.SCHOOL,
        creators=[("Penulis", "")],
    )
    item_file = create_item(
        library,
        metadata,
        ContentFile(minimal_pdf("Pribadi", ["Isi."]), name="pribadi.pdf"),
        user=teacher,
        content_type=filetypes.PDF,
        publish=True,
    )
    unsigned = f"{s3_storage}/{BUCKET}/{item_file.document.file.name}"

    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(unsigned, timeout=10)  # noqa: S310

    assert error.value.code == 403
