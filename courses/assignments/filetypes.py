"""
Recognise the file formats that assignments accept from their content.

A file's name says nothing about what it contains, so every upload is checked
by its magic bytes, and the Office Open XML formats (docx, xlsx, pptx) by the
main content type that their ``[Content_Types].xml`` part declares. No Django
import, so the checks are quick to test on their own.
"""

import zipfile

PDF = "pdf"
DOCX = "docx"
XLSX = "xlsx"
PPTX = "pptx"
JPG = "jpg"
PNG = "png"
TXT = "txt"
ZIP = "zip"

# Each accepted type, the file name extensions that name it and the MIME type
# that downloads are sent with.
TYPES = {
    PDF: ((".pdf",), "application/pdf"),
    DOCX: (
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    XLSX: (
        (".xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    PPTX: (
        (".pptx",),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    JPG: ((".jpg", ".jpeg"), "image/jpeg"),
    PNG: ((".png",), "image/png"),
    TXT: ((".txt",), "text/plain"),
    ZIP: ((".zip",), "application/zip"),
}

# The main part content type of each Office Open XML format (ECMA-376 part 1).
OOXML_MAIN_PARTS = {
    DOCX: (
        "application/vnd.openxmlformats-officedocument."
        "wordprocessingml.document.main+xml",
    ),
    XLSX: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
    PPTX: (
        "application/vnd.openxmlformats-officedocument."
        "presentationml.presentation.main+xml",
    ),
}
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
# Content types are read from at most this many bytes of [Content_Types].xml,
# so a crafted archive cannot make the check inflate a huge part.
CONTENT_TYPES_MAX_BYTES = 1024 * 1024
# How many bytes ``content_matches`` reads to compare magic bytes.
HEAD_SIZE = 8192
TEXT_CONTROL_BYTES = {0x09, 0x0A, 0x0C, 0x0D}


def type_for_name(name):
    """Return the accepted type that the extension of ``name`` names, or None."""
    lowered = (name or "").lower()
    for kind, (extensions, _mime) in TYPES.items():
        if lowered.endswith(extensions):
            return kind
    return None


def mime_type(kind):
    return TYPES[kind][1]


def content_matches(kind, fileobj):
    """
    Return whether the content of the open binary ``fileobj`` is of ``kind``.

    The file position is restored before returning.
    """
    position = fileobj.tell()
    try:
        fileobj.seek(0)
        head = fileobj.read(HEAD_SIZE)
        if kind == PDF:
            return head.startswith(b"%PDF-")
        if kind == PNG:
            return head.startswith(b"\x89PNG\r\n\x1a\n")
        if kind == JPG:
            return head.startswith(b"\xff\xd8\xff")
        if kind == TXT:
            return looks_like_text(fileobj)
        if kind == ZIP:
            return head.startswith(ZIP_SIGNATURES) and _is_zip(fileobj)
        if kind in OOXML_MAIN_PARTS:
            return head.startswith(ZIP_SIGNATURES) and _ooxml_kind(fileobj) == kind
        return False
    finally:
        fileobj.seek(position)


def looks_like_text(fileobj):
    """Return whether ``fileobj`` is UTF-8 text without binary control bytes."""
    fileobj.seek(0)
    data = fileobj.read()
    if not data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return all(ord(char) >= 0x20 or ord(char) in TEXT_CONTROL_BYTES for char in text)


def _is_zip(fileobj):
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return True


def _ooxml_kind(fileobj):
    """Return the Office Open XML type that the archive declares, or None."""
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > CONTENT_TYPES_MAX_BYTES:
                return None
            with archive.open(info) as part:
                declared = part.read(CONTENT_TYPES_MAX_BYTES).decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return None
    for kind, content_types in OOXML_MAIN_PARTS.items():
        if any(f'ContentType="{value}"' in declared for value in content_types):
            return kind
    return None
