import io

import pytest

from courses.assignments import filetypes

from .helpers import (
    DOCX_MAIN,
    EXE_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    XLSX_MAIN,
    office_bytes,
    zip_bytes,
)


@pytest.mark.parametrize(
    ("kind", "content", "expected"),
    [
        ("pdf", PDF_BYTES, True),
        ("pdf", EXE_BYTES, False),
        ("pdf", b"", False),
        ("png", PNG_BYTES, True),
        ("png", PDF_BYTES, False),
        ("jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", True),
        ("jpg", PNG_BYTES, False),
        ("txt", b"Jawaban saya: 42\n", True),
        ("txt", b"\xef\xbb\xbfteks dengan BOM", True),
        ("txt", EXE_BYTES, False),
        ("txt", b"\xff\xfe\xfd", False),
        ("docx", office_bytes(DOCX_MAIN), True),
        ("docx", office_bytes(XLSX_MAIN), False),
        ("docx", zip_bytes(), False),
        ("docx", PDF_BYTES, False),
        ("xlsx", office_bytes(XLSX_MAIN), True),
        ("pptx", office_bytes(DOCX_MAIN), False),
        ("zip", zip_bytes(), True),
        ("zip", b"PK\x03\x04 broken archive", False),
    ],
)
def test_content_matches_type(kind, content, expected):
    assert filetypes.content_matches(kind, io.BytesIO(content)) is expected


def test_content_check_keeps_position():
    fileobj = io.BytesIO(PDF_BYTES)
    fileobj.seek(5)
    filetypes.content_matches("pdf", fileobj)
    assert fileobj.tell() == 5


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Tugas.PDF", "pdf"),
        ("foto.jpeg", "jpg"),
        ("foto.jpg", "jpg"),
        ("laporan.docx", "docx"),
        ("program.exe", None),
        ("laporan.pdf.exe", None),
        ("", None),
    ],
)
def test_type_for_name(name, kind):
    assert filetypes.type_for_name(name) == kind
