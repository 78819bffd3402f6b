"""The shared content sniffing of uploads, without Django."""

import io
import zipfile

import pytest

from lms import filetypes
from tests.assignments.helpers import DOCX_MAIN, XLSX_MAIN, office_bytes, zip_bytes

PPTX_MAIN = (
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
)


def epub_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", filetypes.EPUB, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xhtml", "<html/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", filetypes.PDF),
        (b"\x89PNG\r\n\x1a\n\x00\x00", filetypes.PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", filetypes.JPEG),
        (epub_bytes(), filetypes.EPUB),
        (zip_bytes(), filetypes.ZIP),
        (office_bytes(DOCX_MAIN), filetypes.ZIP),
        (b"Jawaban: 42\n", filetypes.PLAIN_TEXT),
        (b"\xff\xfe\xfd", filetypes.PLAIN_TEXT),
        (b"MZ\x90\x00\x03", None),
        (b"", None),
    ],
)
def test_sniff_reads_head(head, expected):
    assert filetypes.sniff(head) == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (office_bytes(DOCX_MAIN), filetypes.DOCX),
        (office_bytes(XLSX_MAIN), filetypes.XLSX),
        (office_bytes(PPTX_MAIN), filetypes.PPTX),
        (zip_bytes(), filetypes.ZIP),
        (b"PK\x03\x04 broken archive", None),
        (b"Ibu kota: Jakarta\n", filetypes.PLAIN_TEXT),
        (b"\xff\xfe\xfd", None),
        (b"%PDF-1.4\n", filetypes.PDF),
    ],
)
def test_sniff_file_reads_content(content, expected):
    assert filetypes.sniff_file(io.BytesIO(content)) == expected


def test_sniff_file_restores_position():
    fileobj = io.BytesIO(office_bytes(DOCX_MAIN))
    fileobj.seek(7)
    filetypes.sniff_file(fileobj)
    assert fileobj.tell() == 7


def test_library_and_assignments_share_sniffing():
    from courses.assignments import filetypes as assignment_types
    from library import filetypes as library_types

    assert library_types.PDF == filetypes.PDF
    assert library_types.sniff(b"%PDF-1.7") == filetypes.PDF
    assert library_types.sniff(b"\x89PNG\r\n\x1a\n") is None
    assert assignment_types.mime_type("pdf") == filetypes.PDF
