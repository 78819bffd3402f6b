"""Fixtures of the library tests: a home page, schools, libraries and people."""

import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Page, Site

from library.demo import minimal_pdf
from library.models import LibraryIndexPage
from lms.models import HomePage, Membership, School, User

_numbers = itertools.count(1)


def make_school(name):
    number = next(_numbers)
    return School.objects.create(
        npsn=f"{20300000 + number}",
        name=name,
        level=School.Level.SMP,
        kecamatan_code="32.76.01",
    )


def make_person(username, school=None, role=None, **extra):
    user = User.objects.create_user(username=username, password="rahasia-123", **extra)
    if school is not None:
        Membership.objects.create(user=user, school=school, role=role)
    return user


def make_library(home, school, slug):
    library = LibraryIndexPage(
        title=f"Perpustakaan {school.name if school else 'Kota'}",
        slug=slug,
        school=school,
    )
    home.add_child(instance=library)
    library.save_revision().publish()
    return library


def upload_data(library, file, **overrides):
    """Return the POST data of an upload of ``file`` to ``library``."""
    data = {
        "library": library.pk,
        "title": "Karya tulis contoh",
        "creators": "Siti Rahma; SMP Negeri 1\nBudi Santoso",
        "item_type": "research_paper",
        "language": "id",
        "issued": "2024-05-01",
        "abstract": "Ringkasan singkat.",
        "subjects": "sains, lingkungan",
        "licence": "cc-by",
        "access_level": "public",
        "file": file,
    }
    data.update(overrides)
    return data


def pdf_upload(name="contoh.pdf", words=("Fotosintesis pada tumbuhan hijau.",)):
    return SimpleUploadedFile(
        name, minimal_pdf("Contoh", list(words)), content_type="application/pdf"
    )


@pytest.fixture
def home(db):
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Beranda", slug="beranda"))
    home.save_revision().publish()
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"root_page": home, "hostname": "localhost", "port": 80},
    )
    return home


@pytest.fixture
def school(db):
    return make_school("SMP Negeri 1 Contoh")


@pytest.fixture
def other_school(db):
    return make_school("SMP Negeri 2 Contoh")


@pytest.fixture
def library(home, school):
    return make_library(home, school, "perpustakaan-1")


@pytest.fixture
def other_library(home, other_school):
    return make_library(home, other_school, "perpustakaan-2")


@pytest.fixture
def teacher(school):
    return make_person("guru", school, Membership.Role.TEACHER)


@pytest.fixture
def student(school):
    return make_person("siswa", school, Membership.Role.STUDENT)


@pytest.fixture
def outsider(other_school):
    """A teacher of another school."""
    return make_person("guru.lain", other_school, Membership.Role.TEACHER)


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    """
    Return a function that POSTs an upload as ``user`` and runs its tasks.

    The extraction task is queued on commit, so the commit callbacks are
    run as they would be after a real request.
    """

    def post(user, data):
        if user is not None:
            client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("library:upload"), data)

    return post
