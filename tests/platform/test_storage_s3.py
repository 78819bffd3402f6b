"""
Uploads through S3 storage, against moto's S3 server on 127.0.0.1.

The storage options are the ones ``lms/settings/base.py`` builds from the
environment. boto3 reaches the server over HTTP, as it would reach a real
object store. The test fixes every AWS variable itself and points the AWS
config files at /dev/null, so nothing from this machine's AWS setup, and
no instance-metadata lookup, takes part.
"""

import os
import time
import urllib.request
import uuid
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage, storages
from storages.backends.s3 import S3Storage

from .helpers import read_settings

REGION = "ap-southeast-3"
ACCESS_KEY = "moto-access-key"
SECRET_KEY = "moto-secret-key"
MAX_URL_LIFETIME_SECONDS = 600


@pytest.fixture
def aws_environment(monkeypatch):
    """Replace every AWS variable of this process with test values."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    variables = {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return variables


@pytest.fixture
def s3_endpoint(aws_environment):
    """Serve moto's S3 on a free port of 127.0.0.1 and return its URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket():
    # moto keeps its buckets per process, across server restarts.
    return f"belajar-media-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def s3_storage(settings, s3_endpoint, aws_environment, bucket):
    """Switch the default storage to the S3 options that base.py builds."""
    values = read_settings(
        "lms.settings.base",
        ["STORAGES"],
        AWS_STORAGE_BUCKET_NAME=bucket,
        AWS_S3_ENDPOINT_URL=s3_endpoint,
        AWS_S3_REGION_NAME=REGION,
        **aws_environment,
    )
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    storages_setting = dict(settings.STORAGES)
    storages_setting["default"] = values["STORAGES"]["default"]
    settings.STORAGES = storages_setting
    yield client

    listing = client.list_objects_v2(Bucket=bucket)
    for item in listing.get("Contents", []):
        client.delete_object(Bucket=bucket, Key=item["Key"])
    client.delete_bucket(Bucket=bucket)


def test_s3_options_come_from_environment(s3_storage, s3_endpoint, bucket):
    storage = storages["default"]

    assert isinstance(storage, S3Storage)
    assert storage.bucket_name == bucket
    assert storage.endpoint_url == s3_endpoint
    assert storage.region_name == REGION
    assert storage.default_acl == "private"
    assert storage.querystring_auth is True
    assert storage.file_overwrite is False


def test_s3_save_read_and_presigned_url(s3_storage, bucket):
    content = "Materi IPA kelas 7: fotosintesis – daun hijau.\n".encode()

    name = default_storage.save("lessons/ipa-7.txt", ContentFile(content))

    with default_storage.open(name, "rb") as stored:
        assert stored.read() == content
    head = s3_storage.head_object(Bucket=bucket, Key=name)
    assert head["ContentLength"] == len(content)
    assert default_storage.exists(name)

    url = default_storage.url(name)
    query = parse_qs(urlparse(url).query)
    if "X-Amz-Expires" in query:
        lifetime = int(query["X-Amz-Expires"][0])
    else:
        lifetime = int(query["Expires"][0]) - int(time.time())
    assert 0 < lifetime <= MAX_URL_LIFETIME_SECONDS
    assert "X-Amz-Signature" in query or "Signature" in query
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        assert response.read() == content


def test_s3_save_does_not_overwrite(s3_storage):
    first = default_storage.save("library/laporan.pdf", ContentFile(b"%PDF-1 one"))
    second = default_storage.save("library/laporan.pdf", ContentFile(b"%PDF-1 two"))

    assert first != second
    assert default_storage.open(first).read() == b"%PDF-1 one"
    assert default_storage.open(second).read() == b"%PDF-1 two"


def test_s3_storage_reset_after_override(s3_storage, settings):
    assert isinstance(default_storage, S3Storage)

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }

    # Django's setting_changed handler drops the cached storages, so both the
    # registry and the lazy default_storage build the new backend.
    assert isinstance(storages["default"], FileSystemStorage)
    assert isinstance(default_storage, FileSystemStorage)
