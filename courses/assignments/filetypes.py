"""
The file formats that assignments accept, named by short codes.

The content checks are those of ``lms.filetypes``, which every app that
takes uploads shares. No Django import, so the checks are quick to test on
their own.
"""

from lms import filetypes as sniffing

PDF = "pdf"
DOCX = "docx"
XLSX = "xlsx"
PPTX = "pptx"
JPG = "jpg"
PNG = "png"
TXT = "txt"
ZIP = "zip"

# Each accepted type, the file name extensions that name it and the MIME type
# that the content must have and that downloads are sent with.
TYPES = {
    PDF: ((".pdf",), sniffing.PDF),
    DOCX: ((".docx",), sniffing.DOCX),
    XLSX: ((".xlsx",), sniffing.XLSX),
    PPTX: ((".pptx",), sniffing.PPTX),
    JPG: ((".jpg", ".jpeg"), sniffing.JPEG),
    PNG: ((".png",), sniffing.PNG),
    TXT: ((".txt",), sniffing.PLAIN_TEXT),
    ZIP: ((".zip",), sniffing.ZIP),
}


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

    Any archive that opens as a zip, an Office file included, counts as a
    zip. The file position is restored before returning.
    """
    found = sniffing.sniff_file(fileobj)
    if kind == ZIP:
        if found not in sniffing.ZIP_BASED:
            return False
        position = fileobj.tell()
        try:
            return sniffing.is_zip(fileobj)
        finally:
            fileobj.seek(position)
    return found is not None and found == mime_type(kind)
