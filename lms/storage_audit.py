"""
Compare the files in storage with the rows that name them.

An orphaned file is in storage but no row names it: an upload whose
database transaction failed after the file was stored, or a row deleted
without its file. An orphaned row names a file that is not in storage: a
file lost or deleted behind the platform's back. This module contains
only the comparison, with no Django import, and ``manage.py
check_storage`` collects the names.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FileReference:
    """One row's file: the model label, field name, primary key and file name."""

    model: str
    field: str
    pk: object
    name: str


@dataclass
class AuditResult:
    """The outcome of one comparison."""

    orphaned_files: list = field(default_factory=list)
    orphaned_rows: list = field(default_factory=list)
    # Unreferenced files younger than the minimum age: possibly an upload
    # whose row is still being written, so not reported as orphaned.
    recent_files: list = field(default_factory=list)
    files_checked: int = 0
    rows_checked: int = 0


def compare(references, stored_names, is_recent=None):
    """
    Return the ``AuditResult`` of ``references`` against ``stored_names``.

    ``references`` is an iterable of ``FileReference``, ``stored_names`` an
    iterable of the names in storage. ``is_recent(name)`` returns whether an
    unreferenced file is too young to call orphaned. It is called only for
    unreferenced files, because it may cost a request to the storage.
    """
    stored = set(stored_names)
    result = AuditResult(files_checked=len(stored))
    referenced = set()
    for reference in references:
        result.rows_checked += 1
        referenced.add(reference.name)
        if reference.name not in stored:
            result.orphaned_rows.append(reference)
    for name in sorted(stored - referenced):
        if is_recent is not None and is_recent(name):
            result.recent_files.append(name)
        else:
            result.orphaned_files.append(name)
    return result
