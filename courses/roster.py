"""
Read a class roster in the layout of a Dapodik student export and enrol it.

The file is CSV with a header row naming at least the columns NISN, name
(Nama), sex (JK, L or P), birth date (Tanggal Lahir) and class group
(Rombel). Spreadsheet programs save it with a UTF-8 byte-order mark and
often with semicolons, and both are read. A file that is not UTF-8 or lacks
a column is rejected as a whole. A bad row is reported with its line number,
and the good rows are imported. Importing the same file again changes
nothing.
"""

import csv
import datetime
import io
import logging
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lms.identifiers import check_nisn
from lms.models import ClassGroup, Membership

from .models import Enrolment

logger = logging.getLogger(__name__)

# Header names seen in Dapodik exports and in hand-made sheets, lower case.
COLUMN_NAMES = {
    "nisn": {"nisn"},
    "name": {"nama", "name", "nama peserta didik", "nama siswa"},
    "sex": {"jk", "jenis kelamin", "l/p", "sex"},
    "birth_date": {"tanggal lahir", "tgl lahir", "birth date", "birth_date"},
    "class_group": {"rombel", "rombongan belajar", "kelas", "class group"},
}
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
MAX_ROWS = 2000


@dataclass
class RosterRow:
    line: int
    nisn: str
    name: str
    sex: str
    birth_date: datetime.date
    class_group: str


@dataclass
class RosterResult:
    """The counts of an import and the lines it rejected."""

    created_users: int = 0
    enrolled: int = 0
    already_enrolled: int = 0
    errors: list = field(default_factory=list)

    def add_error(self, line, message):
        self.errors.append((line, message))


def decode(data):
    """Return the text of an uploaded roster, or raise ``ValidationError``."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            _(
                "The file is not UTF-8 text. Save it from the spreadsheet as "
                "'CSV UTF-8' and upload it again."
            ),
            code="encoding",
        ) from error


def _column_map(header):
    found = {}
    for index, raw in enumerate(header):
        name = " ".join(raw.strip().lower().split())
        for key, aliases in COLUMN_NAMES.items():
            if name in aliases and key not in found:
                found[key] = index
    missing = [key for key in COLUMN_NAMES if key not in found]
    if missing:
        raise ValidationError(
            _(
                "The file lacks the columns %(columns)s. The first row must "
                "name the columns NISN, Nama, JK, Tanggal Lahir and Rombel."
            ),
            code="missing_columns",
            params={"columns": ", ".join(missing)},
        )
    return found


def _parse_date(value):
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, date_format).date()
        except ValueError:
            continue
    return None


def parse(text, result):
    """
    Return the good rows of roster ``text``; add bad ones to ``result``.

    Raise ``ValidationError`` when the file as a whole cannot be read.
    """
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise ValidationError(_("The file is empty."), code="empty")
    columns = _column_map(header)
    rows, seen = [], {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) + len(result.errors) >= MAX_ROWS:
            raise ValidationError(
                _("The file has more than %(max)s rows. Split it and try again."),
                code="too_many_rows",
                params={"max": MAX_ROWS},
            )
        row = _parse_row(line, cells, columns, result)
        if row is None:
            continue
        if row.nisn in seen:
            result.add_error(
                line,
                _("NISN %(nisn)s is already on line %(line)s.")
                % {"nisn": row.nisn, "line": seen[row.nisn]},
            )
            continue
        seen[row.nisn] = line
        rows.append(row)
    return rows


def _parse_row(line, cells, columns, result):
    def cell(key):
        index = columns[key]
        return cells[index].strip() if index < len(cells) else ""

    nisn = cell("nisn").lstrip("'")
    problems = []
    if check_nisn(nisn) is not None:
        problems.append(_("NISN %(value)s is not 10 digits.") % {"value": nisn or "''"})
    name = cell("name")
    if not name:
        problems.append(_("the name is missing."))
    sex = cell("sex").upper()
    if sex not in ("L", "P"):
        problems.append(_("JK must be L or P, not %(value)s.") % {"value": sex or "''"})
    birth_date = _parse_date(cell("birth_date"))
    if birth_date is None:
        problems.append(
            _("the birth date %(value)s is not a date like 2012-08-17.")
            % {"value": cell("birth_date") or "''"}
        )
    class_group = cell("class_group")
    if not class_group:
        problems.append(_("the class group (Rombel) is missing."))
    if problems:
        result.add_error(line, " ".join(str(problem) for problem in problems))
        return None
    return RosterRow(line, nisn, name, sex, birth_date, class_group)


def import_roster(course, data, progress=None):
    """
    Import roster ``data`` (bytes) into ``course`` and return a ``RosterResult``.

    ``progress`` is called once per good row, for a progress bar. Raise
    ``ValidationError`` when the file is refused as a whole, and then
    nothing is stored.
    """
    result = RosterResult()
    rows = parse(decode(data), result)
    school = course.school
    groups = {
        group.name.casefold(): group
        for group in ClassGroup.objects.filter(
            school=school, academic_year=course.academic_year_id
        )
    }
    for row in rows:
        try:
            with transaction.atomic():
                _import_row(course, school, groups, row, result)
        except ValidationError as error:
            result.add_error(row.line, " ".join(error.messages))
        if progress is not None:
            progress(row)
    logger.info(
        "roster imported course=%s created=%s enrolled=%s already=%s errors=%s",
        course.pk,
        result.created_users,
        result.enrolled,
        result.already_enrolled,
        len(result.errors),
    )
    return result


def _import_row(course, school, groups, row, result):
    group = groups.get(row.class_group.casefold())
    if group is None:
        raise ValidationError(
            _("%(school)s has no class group %(group)s in %(year)s.")
            % {"school": school, "group": row.class_group, "year": course.academic_year}
        )
    user_model = get_user_model()
    student = user_model.objects.filter(nisn=row.nisn).first()
    if student is None:
        if user_model.objects.filter(username=row.nisn).exists():
            raise ValidationError(
                _("The username %(nisn)s is taken by another account.")
                % {"nisn": row.nisn}
            )
        first, _sep, last = row.name.partition(" ")
        student = user_model(
            username=row.nisn,
            nisn=row.nisn,
            first_name=first[:150],
            last_name=last[:150],
            sex=row.sex,
            birth_date=row.birth_date,
        )
        # The school operator gives out a first password later.
        student.set_unusable_password()
        student.save()
        result.created_users += 1
    elif not student.has_school_role(school, Membership.Role.STUDENT) and (
        student.memberships.filter(role=Membership.Role.STUDENT).exists()
    ):
        raise ValidationError(
            _("NISN %(nisn)s belongs to a student of another school.")
            % {"nisn": row.nisn}
        )
    Membership.objects.get_or_create(
        user=student, school=school, role=Membership.Role.STUDENT
    )
    group.students.add(student)
    already = course.enrolments.active().filter(student=student).exists()
    course.enrol(student, Enrolment.Method.CSV)
    if already:
        result.already_enrolled += 1
    else:
        result.enrolled += 1
