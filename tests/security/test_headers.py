"""
Security headers on each kind of response: pages, the admins, stored files.

Pages the platform renders carry a Content Security Policy without inline
script or style. Wagtail's and Django's admins carry a looser one, and
stored files a sandbox that runs nothing. Every response carries the
clickjacking, referrer and content-type headers and a Permissions-Policy.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.http import FileResponse, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import get_resolver, resolve, reverse
from wagtail.documents.models import Document

from lms import policies
from lms.security import SecurityHeadersMiddleware

from .world import client_as

ROOT = Path(settings.BASE_DIR)


def directives(response, header="Content-Security-Policy"):
    """Parse a policy header into ``{directive: [sources]}``."""
    parsed = {}
    for part in response[header].split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


# Pages the platform renders, with the role that may see each.
PAGES = {
    "home": ("anonymous", lambda w: w.home.url),
    "course": ("student", lambda w: w.course.url),
    "lesson": ("student", lambda w: w.lesson.url),
    "live class": (
        "student",
        lambda w: reverse("live:session", args=[w.live_session.pk]),
    ),
    "library search": (
        "anonymous",
        lambda w: reverse("library:search") + "?q=tumbuhan",
    ),
    "ppdb index": ("anonymous", lambda w: reverse("ppdb:index")),
    "login": ("anonymous", lambda w: reverse("accounts:login")),
    "gradebook": ("teacher", lambda w: reverse("gradebook:course", args=[w.course.pk])),
    "not found": ("anonymous", lambda w: "/tidak-ada/"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_policy_forbids_inline_script(world, page):
    role, url_of = PAGES[page]

    response = client_as(world, role).get(url_of(world))

    assert response.status_code in (200, 404)
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_security_headers(world, page):
    role, url_of = PAGES[page]

    response = client_as(world, role).get(url_of(world))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Permissions-Policy" in response


@pytest.mark.django_db
def test_live_class_may_use_camera(world):
    path = reverse("live:session", args=[world.live_session.pk])

    response = client_as(world, "student").get(path)

    assert response.status_code == 200
    features = response["Permissions-Policy"]
    assert "camera=(self)" in features
    assert "microphone=(self)" in features
    assert "geolocation=()" in features


@pytest.mark.django_db
def test_other_pages_deny_camera(world):
    response = client_as(world, "student").get(world.lesson.url)

    features = response["Permissions-Policy"]
    assert "camera=()" in features
    assert "microphone=()" in features
    assert "display-capture=()" in features


@pytest.mark.django_db
def test_page_allows_own_websocket(world):
    response = client_as(world, "student").get(
        reverse("live:session", args=[world.live_session.pk])
    )

    assert "ws://testserver" in directives(response)["connect-src"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/", "/django-admin/login/"])
def test_admin_gets_looser_policy(world, path):
    response = client_as(world, "teacher").get(path)

    assert response.status_code == 200
    policy = directives(response)
    assert "'unsafe-inline'" in policy["script-src"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]


@pytest.mark.django_db
def test_static_files_keep_their_headers(world):
    response = Client().get(settings.STATIC_URL + "css/site.css")

    assert response.status_code == 200
    assert "Content-Security-Policy" not in response


# Stored files


def make_document(name, content):
    document = Document(title=name)
    document.file.save(name, ContentFile(content), save=False)
    document.save()
    return document


def stream(response):
    return b"".join(response.streaming_content)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content",
    [
        ("halaman.html", b"<script>alert(document.cookie)</script>"),
        ("gambar.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("data.xml", b"<?xml version='1.0'?><a/>"),
        ("skrip.js", b"alert(1)"),
    ],
)
def test_document_that_runs_script_is_inert(world, name, content):
    document = make_document(name, content)

    response = Client().get(document.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in directives(response)
    assert directives(response)["default-src"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert stream(response) == content


@pytest.mark.django_db
def test_document_pdf_stays_inline(world):
    document = make_document("modul.pdf", b"%PDF-1.4\n%%EOF\n")

    response = Client().get(document.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert directives(response)["default-src"] == ["'none'"]
    assert "sandbox" not in directives(response)


@pytest.fixture
def public_media_file():
    """
    Return a function that gives the path of a file on the public media route.

    The route's folder is MEDIA_ROOT as it was when lms.urls was imported,
    which may be another test module's. The files are removed afterwards.
    """
    created = []

    def path_of(name):
        match = resolve(settings.MEDIA_URL + name)
        path = Path(match.kwargs["document_root"]) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        created.append(path)
        return path

    yield path_of
    for path in created:
        path.unlink(missing_ok=True)


@pytest.mark.django_db
def test_media_svg_is_inert(world, public_media_file):
    if "FileSystemStorage" not in settings.STORAGES["default"]["BACKEND"]:
        pytest.skip("public media route exists only with file-system storage")
    image = public_media_file("images/gambar.svg")
    image.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')

    response = Client().get(settings.MEDIA_URL + "images/gambar.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in directives(response)


@pytest.mark.django_db
def test_media_png_is_sandboxed(world, public_media_file):
    if "FileSystemStorage" not in settings.STORAGES["default"]["BACKEND"]:
        pytest.skip("public media route exists only with file-system storage")
    image = public_media_file("images/foto.png")
    image.write_bytes(b"\x89PNG\r\n\x1a\n")

    response = Client().get(settings.MEDIA_URL + "images/foto.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert not response.get("Content-Disposition", "").startswith("attachment")
    assert "sandbox" in directives(response)


@pytest.mark.django_db
def test_library_download_is_sandboxed(world):
    path = reverse("library:download", args=[world.library_file.pk])

    response = client_as(world, "student").get(path)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in directives(response)
    assert directives(response)["default-src"] == ["'none'"]


@pytest.mark.django_db
def test_submission_download_is_sandboxed(world):
    path = reverse("assignments:download", args=[world.submission.pk])

    response = client_as(world, "teacher").get(path)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in directives(response)


@pytest.mark.django_db
def test_generated_export_keeps_page_policy(world):
    path = reverse("gradebook:export_csv", args=[world.course.pk])

    response = client_as(world, "teacher").get(path)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" not in directives(response)
    assert directives(response)["script-src"] == ["'self'"]


# The middleware on its own


def run_middleware(response, path="/halaman/"):
    request = RequestFactory().get(path)
    return SecurityHeadersMiddleware(lambda request: response)(request)


def test_report_only_setting_changes_header():
    with override_settings(CSP_REPORT_ONLY=True, CSP_REPORT_URI="/csp-report/"):
        response = run_middleware(HttpResponse("<p>halo</p>"))

    assert "Content-Security-Policy" not in response
    policy = directives(response, "Content-Security-Policy-Report-Only")
    assert policy["report-uri"] == ["/csp-report/"]


def test_view_policy_is_kept():
    page = HttpResponse("<p>halo</p>")
    page["Content-Security-Policy"] = "default-src 'none'"

    response = run_middleware(page)

    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_streamed_html_from_any_view_is_inert(tmp_path):
    stored = tmp_path / "x.html"
    stored.write_bytes(b"<script>alert(1)</script>")
    with stored.open("rb") as handle:
        file_response = FileResponse(handle, content_type="text/html")
        response = run_middleware(file_response, path="/unduh/")

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in directives(response)


def test_storage_origins_of_s3_endpoint():
    origins = policies.storage_origins(
        {"bucket_name": "media", "endpoint_url": "http://127.0.0.1:9000/"}
    )

    assert origins == ["http://127.0.0.1:9000", "http://media.127.0.0.1:9000"]


def test_storage_origins_of_aws_region():
    origins = policies.storage_origins(
        {"bucket_name": "media", "region_name": "ap-southeast-3"}
    )

    assert origins == [
        "https://media.s3.amazonaws.com",
        "https://media.s3.ap-southeast-3.amazonaws.com",
    ]


def test_storage_origins_of_file_system():
    assert policies.storage_origins({}) == []


@pytest.mark.parametrize(
    "content_type, expected",
    [
        ("text/html; charset=utf-8", True),
        ("IMAGE/SVG+XML", True),
        ("application/atom+xml", True),
        ("application/pdf", False),
        ("image/png", False),
        ("text/plain", False),
        ("", False),
    ],
)
def test_is_scriptable(content_type, expected):
    assert policies.is_scriptable(content_type) is expected


# Templates and CSRF

TEMPLATE_DIRS = [
    ROOT / "templates",
    *sorted(ROOT.glob("*/templates")),
    *sorted(ROOT.glob("*/*/templates")),
]
# Inline script, inline event handlers, javascript: addresses and inline
# style, which the page policy blocks.
INLINE_CODE_RE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:|\sstyle\s*=|<style",
    re.IGNORECASE,
)
# The offline lesson is a self-contained file that people save and open
# without the site, so it carries its own styles.
INLINE_CODE_ALLOWED = {"courses/templates/courses/lesson_offline.html"}


def template_files():
    for folder in TEMPLATE_DIRS:
        if ".venv" in folder.parts or "node_modules" in folder.parts:
            continue
        yield from sorted(folder.rglob("*.html"))


def test_templates_have_no_inline_code():
    found = []
    for template in template_files():
        relative = template.relative_to(ROOT).as_posix()
        if relative in INLINE_CODE_ALLOWED:
            continue
        text = template.read_text(encoding="utf-8")
        for match in INLINE_CODE_RE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{relative}:{line}: {match.group(0).strip()}")

    assert not found, "inline code that the page policy blocks:\n" + "\n".join(found)


# CSRF

# Project views that the CSRF middleware skips, with the reason.
CHECKS_TOKEN_ITSELF = (
    "installs its upload size limit before the body is read, then checks the "
    "CSRF token itself"
)
CSRF_EXEMPT_VIEWS = {
    "assignments:detail": CHECKS_TOKEN_ITSELF,
    "library:upload": CHECKS_TOKEN_ITSELF,
    "library:new_version": CHECKS_TOKEN_ITSELF,
    "ppdb:register_form": CHECKS_TOKEN_ITSELF,
    "ppdb:correct": CHECKS_TOKEN_ITSELF,
    "oai:endpoint": "OAI-PMH harvesters may POST without a session; every verb "
    "only reads",
}


def test_csrf_exempt_views_are_listed():
    from .test_access_matrix import is_project_view, walk_patterns

    exempt = {
        name or route
        for route, name, view in walk_patterns(get_resolver().url_patterns)
        if is_project_view(view) and getattr(view, "csrf_exempt", False)
    }

    assert exempt <= set(CSRF_EXEMPT_VIEWS), (
        f"views that skip the CSRF check without a reason in CSRF_EXEMPT_VIEWS: "
        f"{sorted(exempt - set(CSRF_EXEMPT_VIEWS))}"
    )


UPLOAD_POSTS = {
    "assignments:detail": ("student", lambda w: [w.assignment.pk]),
    "library:upload": ("teacher", lambda w: []),
    "library:new_version": ("operator", lambda w: [w.library_file.pk]),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(UPLOAD_POSTS))
def test_upload_view_checks_csrf_token(world, name):
    role, args_of = UPLOAD_POSTS[name]
    path = reverse(name, args=args_of(world))
    checking = client_as(world, role)
    checking.handler.enforce_csrf_checks = True

    rejected = checking.post(path, {"title": "x"})
    # The same request without the CSRF check reaches the view, so the
    # rejection above came from the missing token, not from the role.
    accepted = client_as(world, role).post(path, {"title": "x"})

    assert rejected.status_code == 403
    assert accepted.status_code != 403


@pytest.mark.django_db
def test_login_form_checks_csrf_token(world):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("accounts:login"), {"username": "x", "password": "y"}
    )

    assert response.status_code == 403
