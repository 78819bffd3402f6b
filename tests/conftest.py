"""
Fixtures shared by the whole suite: real services, a live daphne, a browser.

A test that needs PostgreSQL, Redis or chromium skips with the reason when
the service is absent, except under CI (``CI=true``), where a missing
service fails the run instead of hiding behind a skip.
"""

import os
import shutil
import socket
import tempfile
from functools import partial
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connections

from tests.database_snapshot import DatabaseSnapshot, install_snapshot_reset

IN_CI = os.environ.get("CI", "").lower() == "true"
# The pass that checks the embedded default (SQLite, in-memory channel
# layer) leaves out PostgreSQL and Redis on purpose, even under CI.
EMBEDDED_PASS = os.environ.get("EMBEDDED_PASS", "").lower() == "true"
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")

# The command line options of every headless chromium that the tests start.
CHROMIUM_ARGUMENTS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--window-size=1280,900",
)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def require(condition, reason, *, embedded_skips=False):
    """
    Skip the test when ``condition`` is false; fail instead under CI.

    ``embedded_skips`` marks a requirement that the embedded-default pass
    leaves out on purpose, so it skips there even under CI.
    """
    if condition:
        return
    if embedded_skips and EMBEDDED_PASS:
        pytest.skip(f"{reason} (left out of the embedded-default pass)")
    if IN_CI:
        pytest.fail(f"{reason} (CI=true, so a missing service is a failure)")
    pytest.skip(reason)


def port_open(host, port, timeout=1.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """
    Create the test databases and end transactional tests from a snapshot.

    The snapshot reset (see ``tests/database_snapshot.py``) replaces Django's
    ``flush`` and ``post_migrate`` after each transactional test, which took
    seconds per test on PostgreSQL.
    """
    with django_db_blocker.unblock():
        snapshots = {
            alias: DatabaseSnapshot(alias)
            for alias in connections
            if DatabaseSnapshot.supports(alias)
        }
    with pytest.MonkeyPatch.context() as monkeypatch:
        install_snapshot_reset(monkeypatch, snapshots)
        yield
    with django_db_blocker.unblock():
        for snapshot in snapshots.values():
            snapshot.drop()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Give every test its own MEDIA_ROOT, so uploads never touch media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


def restore_wagtail_root():
    """
    Recreate the default locale, root page and root collection after a flush.

    Transactional tests end by truncating every table, which also removes
    the rows that Wagtail's migrations created, and the page tree and
    document collections need them.
    """
    from django.contrib.contenttypes.models import ContentType
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if Page.get_first_root_node() is None:
        Page.add_root(
            instance=Page(
                title="Root",
                slug="root",
                content_type=ContentType.objects.get_for_model(Page),
            )
        )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


@pytest.fixture(autouse=True)
def _wagtail_root(request):
    """
    Give every database test Wagtail's root page and default locale.

    A transactional test that ran earlier may have truncated them, and
    tests that build pages would then fail depending on their order.
    """
    uses_database = request.node.get_closest_marker("django_db") is not None or (
        {"db", "transactional_db"} & set(request.fixturenames)
    )
    if uses_database:
        request.getfixturevalue("_django_db_helper")
        restore_wagtail_root()


@pytest.fixture
def postgres():
    """Require the suite to be running on PostgreSQL."""
    engine = settings.DATABASES["default"]["ENGINE"]
    require(
        "postgresql" in engine,
        "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms",
        embedded_skips=True,
    )


@pytest.fixture
def redis_url():
    """Return the URL of a reachable Redis server."""
    url = os.environ.get("REDIS_URL", "")
    require(
        bool(url),
        "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0",
        embedded_skips=True,
    )
    parsed = urlparse(url)
    require(
        port_open(parsed.hostname or "127.0.0.1", parsed.port or 6379),
        f"needs Redis, but nothing answers at {url}",
    )
    return url


@pytest.fixture
def corpus_dir():
    """Return the folder of shared test material (PDFs, OAI-PMH responses)."""
    path = Path(settings.CORPUS_DIR)
    require(path.is_dir(), f"needs the test corpus at {path} (setting CORPUS_DIR)")
    return path


def _prepare_daphne_child():
    """
    Give a forked daphne child a working executor.

    asgiref runs Django's synchronous code on one shared executor thread. When
    an earlier test started that thread, the fork copies the executor but not
    the thread, so the child would queue every request to a thread that does
    not exist. A fresh executor starts its own thread.

    The child needs no database set-up: the test run has already pointed
    the settings at the test database before the fork, and the executor
    thread opens connections of its own.
    """
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import SyncToAsync

    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)


@pytest.fixture
def daphne_server(transactional_db):
    """
    Serve the platform with daphne in a child process on 127.0.0.1.

    The child uses the test database, so data created by the test (and
    committed, hence ``transactional_db``) is visible to it. Yield the base
    URL, ``http://127.0.0.1:PORT``.
    """
    from channels.testing.live import make_application
    from daphne.testing import DaphneProcess
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.db import connections

    for connection in connections.all():
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            pytest.fail("daphne_server needs a file-backed test database")

    get_application = partial(make_application, static_wrapper=ASGIStaticFilesHandler)
    process = DaphneProcess("127.0.0.1", get_application, setup=_prepare_daphne_child)
    process.start()
    try:
        while not process.ready.wait(timeout=1):
            if not process.is_alive():
                raise RuntimeError("daphne stopped before it was ready")
        yield f"http://127.0.0.1:{process.port.value}"
    finally:
        process.terminate()
        process.join(timeout=10)


@pytest.fixture
def browser():
    """Return a headless chromium driven by Debian's chromedriver."""
    require(
        shutil.which(CHROMEDRIVER) is not None and shutil.which(CHROMIUM) is not None,
        f"needs chromium and chromedriver ({CHROMIUM}, {CHROMEDRIVER}); "
        "install Debian's chromium and chromium-driver",
    )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in CHROMIUM_ARGUMENTS:
        options.add_argument(argument)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
