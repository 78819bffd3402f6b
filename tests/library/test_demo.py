"""The library's demo content."""

import io

import pytest
from django.utils import translation

from library import demo
from library.models import ItemFile, LibraryIndexPage, LibraryItemPage
from lms.demo import DemoWorld
from lms.models import Membership

from .conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(home, school, other_school):
    librarian = make_person("pustakawan", school, Membership.Role.LIBRARIAN)
    teacher = make_person("guru", other_school, Membership.Role.TEACHER)
    return DemoWorld(
        home=home,
        year=None,
        semester=None,
        city_admin=make_person("dinas", is_city_admin=True),
        schools=[school, other_school],
        librarians={school.npsn: [librarian]},
        teachers={other_school.npsn: [teacher]},
    )


def test_demo_builds_libraries_and_items(world, django_capture_on_commit_callbacks):
    stdout = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        demo.build(world, stdout)

    libraries = LibraryIndexPage.objects.live()
    assert libraries.count() == 3
    assert libraries.filter(school__isnull=True).count() == 1
    items = LibraryItemPage.objects.live()
    expected = len(demo.CITY_ITEMS) + 2 * len(demo.school_items(world.schools[0]))
    assert items.count() == expected
    assert set(ItemFile.objects.values_list("extraction_status", flat=True)) == {
        ItemFile.ExtractionStatus.DONE
    }
    assert "martabak" in items.get(title__startswith="Modul Ajar").full_text
    school_item = items.get(school=world.schools[0], access_level="school")
    assert school_item.owner == world.librarians[world.schools[0].npsn][0]
    assert f"3 libraries and {expected} items" in stdout.getvalue()


def test_demo_runs_twice_without_duplicates(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo.build(world, io.StringIO())
    counts = (LibraryIndexPage.objects.count(), LibraryItemPage.objects.count())
    stdout = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        demo.build(world, stdout)

    assert (LibraryIndexPage.objects.count(), LibraryItemPage.objects.count()) == counts
    assert ItemFile.objects.count() == counts[1]
    assert "0 libraries and 0 items" in stdout.getvalue()


def test_minimal_pdf_escapes_parentheses(tmp_path):
    from library import extract_worker, filetypes

    path = tmp_path / "demo.pdf"
    path.write_bytes(demo.minimal_pdf("Judul (1)", ["Garis miring \\ dan (kurung)."]))

    outcome = extract_worker.extract(str(path), filetypes.PDF, 10_000)

    assert outcome["status"] == extract_worker.DONE
    assert "Judul (1)" in outcome["text"]
    assert "Garis miring \\ dan (kurung)." in outcome["text"]
