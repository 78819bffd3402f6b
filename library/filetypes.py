"""
Recognise the file formats the library accepts from their first bytes.

A file's name says nothing about its content, so uploads are checked by
their magic bytes. No Django import: the extraction worker uses this too.
"""

PDF = "application/pdf"
EPUB = "application/epub+zip"
PLAIN_TEXT = "text/plain"

# The accepted file name extensions and the format each one must contain.
EXTENSIONS = {".pdf": PDF, ".epub": EPUB, ".txt": PLAIN_TEXT}
# How many bytes from the start of a file ``sniff`` needs.
SNIFF_SIZE = 64 * 1024

# C0 control bytes that plain text may contain: tab, line feed, form feed,
# carriage return.
TEXT_CONTROL_BYTES = {0x09, 0x0A, 0x0C, 0x0D}


def sniff(head):
    """Return the accepted MIME type that ``head`` starts, or ``None``."""
    if head.startswith(b"%PDF-"):
        return PDF
    # An EPUB is a zip archive whose first member is an uncompressed file
    # named "mimetype" containing "application/epub+zip" (EPUB OCF 3).
    if (
        head.startswith(b"PK\x03\x04")
        and head[30:38] == b"mimetype"
        and head[38:58] == EPUB.encode("ascii")
    ):
        return EPUB
    if looks_like_text(head):
        return PLAIN_TEXT
    return None


def looks_like_text(head):
    """Return whether ``head`` is text: no NUL and no other binary control bytes."""
    if not head:
        return False
    return all(byte >= 0x20 or byte in TEXT_CONTROL_BYTES for byte in head)


def looks_like_html(head):
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml"))
