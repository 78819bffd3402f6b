"""
Recognise file formats from their content, for every app that takes uploads.

A file's name says nothing about what it contains, so uploads are checked
by their magic bytes. ``sniff`` needs only the first bytes of a file.
``sniff_file`` reads an open file and also distinguishes the Office Open XML
formats (docx, xlsx, pptx) by the main content type that their
``[Content_Types].xml`` part declares. Formats are named by MIME type.
No Django import: the library's extraction worker uses this module too.
"""

import zipfile

PDF = "application/pdf"
EPUB = "application/epub+zip"
PLAIN_TEXT = "text/plain"
PNG = "image/png"
JPEG = "image/jpeg"
ZIP = "application/zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# Formats stored in a zip archive, which a plain zip check also accepts.
ZIP_BASED = frozenset({ZIP, EPUB, DOCX, XLSX, PPTX})

# How many bytes from the start of a file ``sniff`` needs.
SNIFF_SIZE = 64 * 1024

ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
# The main part content type of each Office Open XML format (ECMA-376 part 1).
OOXML_MAIN_PARTS = {
    DOCX: "application/vnd.openxmlformats-officedocument."
    "wordprocessingml.document.main+xml",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    PPTX: "application/vnd.openxmlformats-officedocument."
    "presentationml.presentation.main+xml",
}
# Content types are read from at most this many bytes of [Content_Types].xml,
# so a crafted archive cannot make the check inflate a huge part.
CONTENT_TYPES_MAX_BYTES = 1024 * 1024

# C0 control bytes that plain text may contain: tab, line feed, form feed,
# carriage return.
TEXT_CONTROL_BYTES = {0x09, 0x0A, 0x0C, 0x0D}


def sniff(head):
    """
    Return the MIME type of the file that starts with the bytes ``head``.

    Return ``None`` for an unknown format. A zip archive that is not an
    EPUB is ``ZIP`` here, because telling the Office formats apart needs
    the whole file (see ``sniff_file``). Text means no binary control
    bytes in ``head``, in any encoding.
    """
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(ZIP_SIGNATURES):
        # An EPUB is a zip archive whose first member is an uncompressed file
        # named "mimetype" containing "application/epub+zip" (EPUB OCF 3).
        if head[30:38] == b"mimetype" and head[38:58] == EPUB.encode("ascii"):
            return EPUB
        return ZIP
    if looks_like_text(head):
        return PLAIN_TEXT
    return None


def sniff_file(fileobj):
    """
    Return the MIME type of the open binary ``fileobj``, or ``None``.

    Zip archives are opened to tell the Office Open XML formats apart and
    are ``None`` when they do not open. Text must be UTF-8 throughout. The
    file position is restored before returning.
    """
    position = fileobj.tell()
    try:
        fileobj.seek(0)
        kind = sniff(fileobj.read(SNIFF_SIZE))
        if kind == ZIP:
            return ooxml_kind(fileobj) or (ZIP if is_zip(fileobj) else None)
        if kind == PLAIN_TEXT and not is_utf8_text(fileobj):
            return None
        return kind
    finally:
        fileobj.seek(position)


def looks_like_text(head):
    """Return whether ``head`` is text: no NUL and no other binary control bytes."""
    if not head:
        return False
    return all(byte >= 0x20 or byte in TEXT_CONTROL_BYTES for byte in head)


def is_utf8_text(fileobj):
    """Return whether all of ``fileobj`` is UTF-8 text without control bytes."""
    fileobj.seek(0)
    data = fileobj.read()
    if not data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return all(ord(char) >= 0x20 or ord(char) in TEXT_CONTROL_BYTES for char in text)


def looks_like_html(head):
    """Return whether ``head`` starts like an HTML or XML document."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml"))


def is_zip(fileobj):
    """Return whether ``fileobj`` opens as a zip archive."""
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return True


def ooxml_kind(fileobj):
    """Return the Office Open XML format that the archive declares, or None."""
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
    for kind, content_type in OOXML_MAIN_PARTS.items():
        if f'ContentType="{content_type}"' in declared:
            return kind
    return None
