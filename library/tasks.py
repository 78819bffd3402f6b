"""Background tasks of the library, run through django-tasks."""

from functools import partial

from django.db import transaction
from django_tasks import task

from . import extraction


@task()
def extract_text(item_file_id):
    """Extract the text of one ``ItemFile`` and return its final status."""
    return extraction.extract_item_file(item_file_id)


def schedule_extraction(item_file):
    """
    Queue the text extraction of ``item_file`` once the transaction commits.

    Waiting for the commit lets a worker of a real queue backend find the
    row. The immediate backend of the embedded default runs the task then.
    """
    transaction.on_commit(partial(extract_text.enqueue, item_file.pk))
