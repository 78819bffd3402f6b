"""Build courses with assignments and uploaded files for the assignment tests."""

import datetime
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from courses.assignments.models import Assignment
from tests.factories import (
    enrol,
    make_course,
    make_course_index,
    make_guardian,
    make_school,
    make_student,
    make_teacher,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
DOCX_MAIN = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def office_bytes(main_content_type):
    """Return a minimal Office Open XML archive whose main part has that type."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/main.xml" '
            f'ContentType="{main_content_type}"/></Types>',
        )
        archive.writestr("main.xml", "<document/>")
    return buffer.getvalue()


def zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tugas/jawaban.txt", "jawaban")
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


class World:
    """A school with a course, its teacher, two enrolled students and a parent."""

    def __init__(self):
        self.school = make_school()
        self.index = make_course_index(self.school)
        self.teacher = make_teacher(self.school)
        self.course = make_course(self.index, teachers=[self.teacher])
        self.student = make_student(self.school)
        self.other_student = make_student(self.school)
        enrol(self.course, self.student)
        enrol(self.course, self.other_student)
        self.parent = make_guardian(self.student)
        self.other_parent = make_guardian(self.other_student)

    def assignment(self, **fields):
        now = timezone.now()
        values = {
            "course": self.course,
            "title": "Laporan praktikum",
            "opens_at": now - datetime.timedelta(days=2),
            "due_at": now + datetime.timedelta(days=2),
            "allowed_types": ["pdf", "docx", "png"],
            "max_file_size_mb": 1,
            "submission_kind": Assignment.SubmissionKind.BOTH,
            "created_by": self.teacher,
        }
        values.update(fields)
        return Assignment.objects.create(**values)
