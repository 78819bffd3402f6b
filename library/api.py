"""
Functions that other apps (live) use to reach library files.

Like ``courses.api``, this module is the way into the library from outside
it: callers get an ``ItemFile`` and ask ``can_download`` whether a person may
read it, and never query the library's models themselves.
"""

from .access import can_download
from .models import ItemFile

__all__ = ["can_download", "get_file"]


def get_file(file_id):
    """
    Return the library file ``file_id`` with its item and document, or ``None``.

    The caller checks ``can_download(user, item_file)`` before it shows or
    sends the file to anybody.
    """
    try:
        file_id = int(file_id)
    except (TypeError, ValueError):
        return None
    return (
        ItemFile.objects.select_related("item", "document").filter(pk=file_id).first()
    )
