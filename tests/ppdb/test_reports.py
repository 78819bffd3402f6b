"""Reports, charts and exports of selection runs for the education office."""

import csv
import io
import xml.etree.ElementTree as ElementTree

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from lms.models import AuditLog
from ppdb.selection import exports, reports
from ppdb.selection.cache import local_pointers
from ppdb.selection.charts import column_chart, seat_fill_chart
from ppdb.selection.ranking import recent_pages
from ppdb.selection.runs import execute_run, publish_run, start_run

from .selection_world import (
    make_application,
    make_city_admin,
    make_period_school,
    make_selection_period,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    # Run ids can repeat across tests that roll back, so no cached page
    # may outlive its test.
    cache.clear()
    recent_pages.clear()
    local_pointers.clear()
    yield
    cache.clear()
    recent_pages.clear()
    local_pointers.clear()


@pytest.fixture
def finished_run():
    """A published run at two schools, with an afirmasi seat spilling over."""
    period = make_selection_period(phase="announcement")
    school_a = make_period_school(period, capacity=10, name="SMP Negeri Alpha")
    school_b = make_period_school(period, capacity=10, offset=3, name="SMP Negeri Beta")
    applications = [
        make_application(period, [school_a, school_b], north=north)
        for north in range(1, 10)
    ]
    applications.append(
        make_application(
            period,
            [school_b],
            north=2,
            full_name='=HYPERLINK("http://127.0.0.1/") Budi',
        )
    )
    admin = make_city_admin()
    run = execute_run(start_run(period, admin, dry_run=False, execute=False).pk)
    publish_run(run, admin)
    return run, admin, applications, school_a, school_b


def test_program_rows_count_seats_applicants_and_spillover(finished_run):
    run, _admin, _applications, school_a, _b = finished_run

    rows = {(row.npsn, row.track): row for row in reports.program_rows(run)}

    domisili = rows[school_a.school.npsn, "domisili"]
    assert domisili.initial_seats == 7
    # Afirmasi ekonomi (1), mutasi (0) and both prestasi tracks (1 + 1)
    # had no applicants, so their 3 seats spill over to domisili.
    assert domisili.seats == 10
    assert domisili.moved_in == 3
    assert domisili.applicants == 9
    assert domisili.accepted == 9
    assert dict(domisili.cutoff)
    assert rows[school_a.school.npsn, "afirmasi_ekonomi"].moved_out == 1


def test_reports_page_shows_figures_and_charts(client, finished_run):
    run, admin, _applications, _a, _b = finished_run
    client.force_login(admin)

    response = client.get(reverse("ppdb:reports", args=(run.period_id,)))

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["run"] == run
    assert content.count("<svg") == 2
    assert "SMP Negeri Alpha" in content
    assert "<script" not in content


def test_reports_page_rejects_unknown_run(client, finished_run):
    run, admin, *_ = finished_run
    client.force_login(admin)

    response = client.get(
        reverse("ppdb:reports", args=(run.period_id,)), {"run": "abc"}
    )

    assert response.status_code == 404


def test_applications_per_day_fills_gaps(finished_run):
    run, *_ = finished_run

    per_day = reports.applications_per_day(run.period)

    assert sum(count for _day, count in per_day) == 10
    days = [day for day, _count in per_day]
    assert days == sorted(days)


def test_seat_fill_chart_escapes_labels():
    svg = seat_fill_chart(
        [("SMP <Satu> & Dua", 10, 7), ("SMP Tiga", 0, 0)],
        title="Fill",
        description="Seats",
    )

    root = ElementTree.fromstring(svg)  # noqa: S314 (markup made by the test)
    texts = [element.text for element in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "SMP <Satu> & Dua" in texts
    assert "7/10" in texts
    assert "0/0" in texts


def test_column_chart_draws_one_column_per_day():
    svg = column_chart(
        [("1 Jun", 3), ("2 Jun", 0), ("3 Jun", 12)], title="Per day", description="d"
    )

    root = ElementTree.fromstring(svg)  # noqa: S314 (markup made by the test)
    rects = list(root.iter("{http://www.w3.org/2000/svg}rect"))
    assert len(rects) == 3
    heights = [float(rect.get("height")) for rect in rects]
    assert heights[1] == 0
    assert heights[2] > heights[0] > 0


def read_csv(content):
    return list(csv.reader(io.StringIO(content)))


def test_public_csv_export_has_no_identifiers(client, finished_run):
    run, admin, applications, *_ = finished_run
    client.force_login(admin)

    response = client.get(reverse("ppdb:run_export", args=(run.pk, "public", "csv")))

    content = response.content.decode("utf-8")
    rows = read_csv(content)
    assert response["Content-Disposition"].endswith('-public.csv"')
    assert tuple(rows[0]) == exports.PUBLIC_COLUMNS
    assert len(rows) == 11
    for application in applications:
        assert application.nik not in content
        assert application.kk_number not in content
        assert application.address not in content
    assert not AuditLog.objects.filter(action="ppdb.results_exported_internal").exists()


def test_internal_xlsx_export_is_logged(client, finished_run):
    run, admin, applications, *_ = finished_run
    client.force_login(admin)

    response = client.get(reverse("ppdb:run_export", args=(run.pk, "internal", "xlsx")))

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert tuple(rows[0]) == exports.INTERNAL_COLUMNS
    niks = {row[2] for row in rows[1:]}
    assert {application.nik for application in applications} == niks
    entry = AuditLog.objects.get(action="ppdb.results_exported_internal")
    assert entry.actor == admin
    assert entry.details["format"] == "xlsx"


def test_exports_neutralise_formulas(client, finished_run):
    run, admin, *_ = finished_run
    client.force_login(admin)

    response = client.get(reverse("ppdb:run_export", args=(run.pk, "internal", "xlsx")))

    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://127.0.0.1/") Budi' in names
    for row in sheet.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)


def test_unknown_export_is_404(client, finished_run):
    run, admin, *_ = finished_run
    client.force_login(admin)

    for audience, file_format in (("secret", "csv"), ("public", "pdf")):
        url = reverse("ppdb:run_export", args=(run.pk, audience, file_format))
        assert client.get(url).status_code == 404


def test_export_command_writes_both_formats(tmp_path, finished_run):
    run, *_ = finished_run
    public_csv, internal_xlsx = tmp_path / "public.csv", tmp_path / "internal.xlsx"

    call_command(
        "ppdb_export",
        "--period",
        str(run.period_id),
        "--public",
        "--format",
        "csv",
        str(public_csv),
        stdout=io.StringIO(),
        verbosity=0,
    )
    call_command(
        "ppdb_export",
        "--period",
        str(run.period_id),
        "--internal",
        "--format",
        "xlsx",
        str(internal_xlsx),
        stdout=io.StringIO(),
        verbosity=0,
    )

    rows = read_csv(public_csv.read_text(encoding="utf-8"))
    assert tuple(rows[0]) == exports.PUBLIC_COLUMNS
    assert len(rows) == 11
    sheet = load_workbook(internal_xlsx).active
    assert sheet.max_row == 11
    entry = AuditLog.objects.get(action="ppdb.results_exported_internal")
    assert entry.actor is None
    assert entry.details["destination"] == str(internal_xlsx)


def test_export_command_errors(tmp_path, finished_run):
    run, *_ = finished_run
    out = tmp_path / "out.csv"

    with pytest.raises(CommandError):
        call_command(
            "ppdb_export", "--period", "999999", "--public", str(out), verbosity=0
        )
    with pytest.raises(CommandError):
        call_command(
            "ppdb_export",
            "--period",
            str(run.period_id),
            "--run",
            "42",
            "--public",
            str(out),
            verbosity=0,
        )
    with pytest.raises(CommandError):
        call_command(
            "ppdb_export",
            "--period",
            str(run.period_id),
            "--public",
            str(tmp_path / "missing" / "out.csv"),
            verbosity=0,
        )
    assert not out.exists()
