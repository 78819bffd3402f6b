"""List files in storage that no row names, and rows whose file is missing."""

import datetime
import logging
import posixpath

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import models
from django.utils import timezone
from tqdm import tqdm

from lms.storage_audit import FileReference, compare

logger = logging.getLogger(__name__)

# Uploads younger than this many minutes may still be waiting for their row.
DEFAULT_MIN_AGE_MINUTES = 60


def file_fields():
    """Return ``(model, field)`` for each file field kept in the default storage."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for model_field in model._meta.concrete_fields:
            if (
                isinstance(model_field, models.FileField)
                and model_field.storage is default_storage
            ):
                found.append((model, model_field))
    return found


def references(model, model_field):
    """Yield a ``FileReference`` for each row of ``model`` with a file."""
    rows = (
        model._base_manager.exclude(**{f"{model_field.attname}__isnull": True})
        .exclude(**{model_field.attname: ""})
        .values_list("pk", model_field.attname)
        .order_by()
    )
    for pk, name in rows.iterator(chunk_size=2000):
        yield FileReference(model._meta.label, model_field.name, pk, name)


def stored_names(storage, folder=""):
    """Yield the name of every file in ``storage``, walking down from ``folder``."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        if not name.startswith("."):
            yield posixpath.join(folder, name)
    for name in folders:
        yield from stored_names(storage, posixpath.join(folder, name))


class Command(BaseCommand):
    help = (
        "List the files in the default storage (S3 or MEDIA_ROOT) that no "
        "database row names, and the rows whose file is missing from the "
        "storage, for every file field of every model. Changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-age",
            type=int,
            default=DEFAULT_MIN_AGE_MINUTES,
            metavar="MINUTES",
            help=(
                "Report an unreferenced file only when it is at least this many "
                f"minutes old (default {DEFAULT_MIN_AGE_MINUTES}), so uploads in "
                "progress are not listed."
            ),
        )

    def handle(self, *args, min_age, verbosity=1, **options):
        cutoff = timezone.now() - datetime.timedelta(minutes=max(min_age, 0))
        fields = file_fields()
        found = []
        for model, model_field in tqdm(
            fields,
            desc="rows",
            unit="field",
            disable=verbosity == 0,
            file=self.stderr._out,
        ):
            found.extend(references(model, model_field))
        names = list(
            tqdm(
                stored_names(default_storage),
                desc="files",
                unit="file",
                disable=verbosity == 0,
                file=self.stderr._out,
            )
        )

        def is_recent(name):
            return default_storage.get_modified_time(name) > cutoff

        result = compare(found, names, is_recent)
        for name in result.orphaned_files:
            self.stdout.write(f"orphaned file: {name}")
        for reference in result.orphaned_rows:
            self.stdout.write(
                f"orphaned row: {reference.model} pk={reference.pk} "
                f"field={reference.field} file={reference.name}"
            )
        self.stdout.write(
            f"Checked {result.files_checked} files and {result.rows_checked} rows "
            f"of {len(fields)} file fields: {len(result.orphaned_files)} orphaned "
            f"files, {len(result.orphaned_rows)} rows with a missing file, "
            f"{len(result.recent_files)} unreferenced files younger than "
            f"{min_age} minutes left out."
        )
        if result.orphaned_files or result.orphaned_rows:
            logger.warning(
                "storage check found orphans orphaned_files=%s orphaned_rows=%s",
                len(result.orphaned_files),
                len(result.orphaned_rows),
            )
