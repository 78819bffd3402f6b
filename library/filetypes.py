"""
The file formats that the library accepts, checked by ``lms.filetypes``.

No Django import: the extraction worker uses this module too.
"""

from lms import filetypes as sniffing
from lms.filetypes import (  # noqa: F401 - the library's names for these
    EPUB,
    PDF,
    PLAIN_TEXT,
    SNIFF_SIZE,
    TEXT_CONTROL_BYTES,
    looks_like_html,
    looks_like_text,
)

# The accepted file name extensions and the format each one must contain.
EXTENSIONS = {".pdf": PDF, ".epub": EPUB, ".txt": PLAIN_TEXT}
ACCEPTED = frozenset(EXTENSIONS.values())


def sniff(head):
    """Return the accepted MIME type that ``head`` starts, or ``None``."""
    kind = sniffing.sniff(head)
    return kind if kind in ACCEPTED else None
