"""
Results of a run as CSV or XLSX, public (no identifiers) or internal.

The public export carries names only in the period's public name format
and no NIK, NISN, family card number or address. The internal export
contains them for the education office, and callers record each internal
export in the audit log (``record_internal_export``).
"""

import csv

from django.utils.translation import gettext as _
from openpyxl import Workbook

from lms import audit

from ..engine.outputs import EXPLANATION_COLUMNS, RESULT_COLUMNS
from ..models import SelectionChoiceResult, SelectionResult
from .explanations import track_label
from .names import public_name

PUBLIC = "public"
INTERNAL = "internal"
AUDIENCES = (PUBLIC, INTERNAL)
FORMATS = ("csv", "xlsx")

PUBLIC_COLUMNS = (
    "registration_number",
    "name",
    "track",
    "status",
    "npsn",
    "school",
    "choice_rank",
    "rank",
    "distance_m",
    "reason",
)
INTERNAL_COLUMNS = (
    "registration_number",
    "full_name",
    "nik",
    "nisn",
    "kk_number",
    "birth_place",
    "birth_date",
    "sex",
    "address",
    "kelurahan_code",
    "track",
    "status",
    "npsn",
    "school",
    "choice_rank",
    "rank",
    "distance_m",
    "reason",
    "application_status",
)
# A cell starting with one of these is read as a formula by spreadsheet
# programs, which a name typed by a stranger must never become.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def columns(audience):
    return PUBLIC_COLUMNS if audience == PUBLIC else INTERNAL_COLUMNS


def safe_cell(value):
    """Return ``value`` with a leading quote if it would start a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_rows(run, audience):
    """Yield one row per applicant of ``run``, in registration number order."""
    name_format = run.period.public_name_format
    results = (
        SelectionResult.objects.filter(run=run)
        .select_related("application", "period_school__school")
        .order_by("application__registration_number")
    )
    for result in results.iterator(chunk_size=2000):
        application = result.application
        school = result.period_school.school if result.period_school else None
        outcome = [
            str(track_label(result.track)),
            result.get_status_display(),
            school.npsn if school else "",
            school.name if school else "",
            result.choice_rank or "",
            result.rank or "",
            "" if result.distance_m is None else result.distance_m,
            result.reason,
        ]
        if audience == PUBLIC:
            row = [
                application.registration_number,
                public_name(application.full_name, name_format),
                *outcome,
            ]
        else:
            row = [
                application.registration_number,
                application.full_name,
                application.nik,
                application.nisn,
                application.kk_number,
                application.birth_place,
                application.birth_date.isoformat(),
                application.sex,
                application.address,
                application.kelurahan_code,
                *outcome,
                application.get_status_display(),
            ]
        yield [safe_cell(value) for value in row]


def write_csv(run, audience, file, rows=None):
    """
    Write the export as UTF-8 CSV with LF line ends to a text ``file``.

    ``rows`` defaults to ``export_rows(run, audience)``. Return the count of
    rows written.
    """
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(columns(audience))
    count = 0
    for row in export_rows(run, audience) if rows is None else rows:
        writer.writerow(row)
        count += 1
    return count


def write_xlsx(run, audience, file, rows=None):
    """Write the export as an XLSX workbook to a binary ``file``.

    Return the count of rows written.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Results")[:31])
    sheet.append(list(columns(audience)))
    count = 0
    for row in export_rows(run, audience) if rows is None else rows:
        sheet.append(row)
        count += 1
    workbook.save(file)
    return count


def record_internal_export(run, actor, file_format, request=None, destination=""):
    """Record in the audit log that ``actor`` exported identifiers of a run."""
    audit.record(
        "ppdb.results_exported_internal",
        actor=actor,
        obj=run,
        request=request,
        period=run.period_id,
        number=run.number,
        format=file_format,
        destination=destination,
    )


def write_engine_results(run, file):
    """
    Write a stored run's results as the engine's RESULTS.csv to text ``file``.

    Built from the database rows, so comparing it with ``ppdb_simulate``'s
    output on the run's snapshot checks what was stored.
    """
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(RESULT_COLUMNS)
    # Sorted in Python: the engine orders by code point, which a database
    # collation may not.
    results = sorted(
        SelectionResult.objects.filter(run=run).values_list(
            "application__registration_number",
            "status",
            "period_school__school__npsn",
            "choice_rank",
            "track",
            "rank",
            "distance_m",
            "reason",
        ),
        key=lambda row: row[0],
    )
    for row in results:
        writer.writerow(["" if value is None else value for value in row])


def write_engine_explanation(run, file):
    """Write a stored run's choice results as the engine's explanation file."""
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(EXPLANATION_COLUMNS)
    rows = sorted(
        SelectionChoiceResult.objects.filter(run=run).values_list(
            "application__registration_number",
            "choice_rank",
            "period_school__school__npsn",
            "outcome",
            "rank",
            "cutoff",
        ),
        key=lambda row: (row[0], row[1]),
    )
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
