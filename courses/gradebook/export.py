"""
Write the gradebook as the CSV and XLSX files that report cards are made from.

Columns: NISN, name, class group, one column per item, total. Scores are the
effective ones (overrides included) and the total is the overridden total
when there is one.
"""

import csv
import io

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .book import class_group_of

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def header(book):
    return [
        _("NISN"),
        _("Name"),
        _("Class group"),
        *[item.title for item in book.items],
        _("Total"),
    ]


def rows(book):
    """Yield one list per student, with Decimal scores or ``None``."""
    for row in book.rows:
        student = row.student
        yield [
            student.nisn or "",
            student.get_full_name() or student.username,
            class_group_of(student, book.course),
            *[cell.effective_score if cell else None for cell in row.cells],
            row.total,
        ]


def filename(book, extension):
    return f"nilai-{slugify(book.course.title) or book.course.pk}.{extension}"


def csv_response(book):
    """
    Return the gradebook as CSV in UTF-8 with a byte-order mark.

    Excel, which most school offices use, reads a CSV without a byte-order
    mark in the Windows code page and garbles names with letters outside
    ASCII. With the mark it reads UTF-8, and other programs ignore it.
    NOTE: Excel set to Indonesian regional settings expects ";" between
    fields and may put each row in one column. The XLSX export avoids that.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header(book))
    for values in rows(book):
        writer.writerow(["" if value is None else value for value in values])
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(book, "csv")}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def xlsx_response(book):
    """Return the gradebook as an XLSX workbook with scores stored as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Grades")[:31]
    sheet.append(header(book))
    for values in rows(book):
        # NISN stays text so its leading zeros survive.
        sheet.append(
            [float(value) if hasattr(value, "as_tuple") else value for value in values]
        )
    sheet.freeze_panes = "D2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(book, "xlsx")}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
