"""
Replace a library file with a new version, keeping the earlier ones.

A new version is a new ``ItemFile`` whose ``replaces`` points at the file
it replaces. Only files that nothing replaces yet are current, and only
their text counts for search, so the item's full text is rebuilt at once
and again when the new file's extraction finishes.
"""

import logging
from pathlib import Path

from django.db import IntegrityError, transaction
from wagtail.documents import get_document_model

from .extraction import refresh_full_text
from .models import ItemFile
from .tasks import schedule_extraction
from .uploads import file_checksums, storage_name

logger = logging.getLogger(__name__)


class NotCurrentVersion(Exception):
    """The file was already replaced by a newer version."""


def add_version(item_file, uploaded_file, *, user, content_type):
    """
    Store ``uploaded_file`` as the next version of ``item_file``.

    The caller has checked the content. Return the new ``ItemFile``. Raise
    ``NotCurrentVersion`` when ``item_file`` already has a newer version,
    also when another upload replaced it at the same moment. When anything
    fails, the stored file is deleted and the database is unchanged.
    """
    original_name = Path(uploaded_file.name).name[:255]
    sha1, sha256 = file_checksums(uploaded_file)
    document = get_document_model()(
        title=item_file.document.title,
        collection_id=item_file.document.collection_id,
        uploaded_by_user=user,
        file_size=uploaded_file.size,
        file_hash=sha1,
    )
    document.file.save(storage_name(original_name), uploaded_file, save=False)
    try:
        with transaction.atomic():
            current = ItemFile.objects.select_for_update().get(pk=item_file.pk)
            if ItemFile.objects.filter(replaces=current).exists():
                raise NotCurrentVersion
            document.save()
            new_file = ItemFile.objects.create(
                item_id=current.item_id,
                document=document,
                original_name=original_name,
                size=uploaded_file.size,
                sha256=sha256,
                content_type=content_type,
                uploaded_by=user,
                replaces=current,
                version=current.version + 1,
            )
            # The replaced file's text leaves the search index now. The new
            # file's text joins it when its extraction finishes.
            refresh_full_text(current.item_id)
            schedule_extraction(new_file)
    except IntegrityError as error:
        # The unique ``replaces`` column stops a second concurrent version.
        document.file.storage.delete(document.file.name)
        raise NotCurrentVersion from error
    except BaseException:
        document.file.storage.delete(document.file.name)
        raise
    logger.info(
        "library file version added item=%s item_file=%s replaces=%s version=%s "
        "user=%s",
        new_file.item_id,
        new_file.pk,
        item_file.pk,
        new_file.version,
        user.pk,
    )
    return new_file
