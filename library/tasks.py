"""Background tasks of the library, run through django-tasks."""

from functools import partial

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import extraction
from .models import ItemFile


@task()
def extract_text(item_file_id):
    """Extract the text of one ``ItemFile`` and return its final status."""
    return extraction.extract_item_file(item_file_id)


def schedule_extraction(item_file, now=None):
    """
    Queue the text extraction of ``item_file`` once the transaction commits.

    Waiting for the commit lets a worker of a real queue backend find the
    row. The immediate backend of the embedded default runs the task then.
    The time of queueing (``now``, by default the current time) is recorded,
    so that the reaper can queue the file again if the task is lost.
    """
    queued_at = now or timezone.now()
    ItemFile.objects.filter(pk=item_file.pk).update(extraction_queued_at=queued_at)
    transaction.on_commit(partial(extract_text.enqueue, item_file.pk))
