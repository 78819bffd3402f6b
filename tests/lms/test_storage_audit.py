"""Orphaned files and rows: the comparison, the command and its schedule."""

import io

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from courses.assignments import services
from lms.scheduler import parse_jobs
from lms.storage_audit import FileReference, compare
from tests.assignments.helpers import PDF_BYTES, World, upload


def reference(name, pk=1):
    return FileReference("assignments.Submission", "file", pk, name)


def test_compare_finds_both_kinds():
    references = [reference("a.pdf", 1), reference("hilang.pdf", 2)]

    result = compare(references, ["a.pdf", "yatim.pdf"])

    assert result.orphaned_files == ["yatim.pdf"]
    assert result.orphaned_rows == [reference("hilang.pdf", 2)]
    assert result.files_checked == 2
    assert result.rows_checked == 2


def test_compare_leaves_out_recent_files():
    asked = []

    def is_recent(name):
        asked.append(name)
        return name == "baru.pdf"

    result = compare([reference("a.pdf")], ["a.pdf", "baru.pdf", "lama.pdf"], is_recent)

    assert result.orphaned_files == ["lama.pdf"]
    assert result.recent_files == ["baru.pdf"]
    assert asked == ["baru.pdf", "lama.pdf"]


def test_compare_counts_shared_file_once():
    references = [reference("sama.pdf", 1), reference("sama.pdf", 2)]

    result = compare(references, ["sama.pdf"])

    assert result.orphaned_files == []
    assert result.orphaned_rows == []
    assert result.rows_checked == 2


def run_check(*arguments):
    output = io.StringIO()
    call_command("check_storage", *arguments, stdout=output, verbosity=1)
    return output.getvalue()


@pytest.mark.django_db
def test_check_storage_on_file_system():
    world = World()
    kept = services.submit(
        world.assignment(), world.student, upload=upload("a.pdf", PDF_BYTES)
    )
    lost = services.submit(
        world.assignment(), world.student, upload=upload("b.pdf", PDF_BYTES)
    )
    default_storage.delete(lost.file.name)
    orphan = default_storage.save("private/assignments/0/yatim.pdf", ContentFile(b"x"))

    output = run_check("--min-age", "0")
    recent_only = run_check()

    assert f"orphaned file: {orphan}\n" in output
    assert (
        f"orphaned row: assignments.Submission pk={lost.pk} field=file "
        f"file={lost.file.name}\n"
    ) in output
    assert kept.file.name not in output
    assert "1 orphaned files, 1 rows with a missing file" in output
    assert "orphaned file:" not in recent_only
    assert "1 unreferenced files younger than 60 minutes left out" in recent_only


@pytest.mark.django_db
def test_check_storage_with_empty_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "tidak-ada"

    output = run_check()

    assert "Checked 0 files and 0 rows" in output


def test_check_storage_is_scheduled():
    jobs = {job.name: job for job in parse_jobs(settings.SCHEDULER_JOBS)}

    assert "check_storage" in jobs
    assert jobs["check_storage"].at is not None
