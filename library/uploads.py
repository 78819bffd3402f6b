"""
Store a new library item with its file.

The upload view, the demo data and the bulk import (``library_import``) all
go through ``create_item`` or ``create_item_with_files``, so every new file
gets the same collection, checksums, page and extraction task.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from django.db import transaction
from django.utils.text import get_valid_filename, slugify
from wagtail.documents import get_document_model

from .models import ItemContributor, ItemCreator, ItemFile, LibraryItemPage
from .tasks import schedule_extraction

logger = logging.getLogger(__name__)


@dataclass
class ItemMetadata:
    """The Dublin Core description of a new item."""

    title: str
    item_type: str
    language: str
    licence: str
    access_level: str
    abstract: str = ""
    issued: object = None  # datetime.date or None
    # (name, affiliation) pairs, in order.
    creators: list = field(default_factory=list)
    subjects: list = field(default_factory=list)
    # (name, role) pairs, in order.
    contributors: list = field(default_factory=list)
    publisher: str = ""
    identifier: str = ""
    source: str = ""
    relation: str = ""
    coverage: str = ""
    rights: str = ""
    embargo_until: object = None  # datetime.date or None
    import_key: str = ""


class StoredFile(NamedTuple):
    """A file saved to storage, with its document not yet saved."""

    document: object
    sha256: str
    original_name: str
    size: int


def unique_slug(parent, title):
    """Return a slug from ``title`` that no child of ``parent`` uses yet."""
    base = slugify(title, allow_unicode=True)[:200] or "item"
    used_slugs = set(
        parent.get_children()
        .filter(slug__startswith=base)
        .values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in used_slugs:
        slug = f"{base}-{number}"
        number += 1
    return slug


def storage_name(original_name):
    """Return a safe file name for storage that keeps the extension."""
    path = Path(original_name)
    stem = slugify(path.stem)[:60] or "file"
    return get_valid_filename(f"{stem}{path.suffix.lower()}")


def file_checksums(uploaded_file):
    """Return the SHA-1 (Wagtail's document hash) and SHA-256 of a file."""
    sha1 = hashlib.sha1(usedforsecurity=False)
    sha256 = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        sha1.update(chunk)
        sha256.update(chunk)
    uploaded_file.seek(0)
    return sha1.hexdigest(), sha256.hexdigest()


def create_item(index, metadata, uploaded_file, *, user, content_type, publish):
    """
    Create an item page under ``index`` with one file, and queue its extraction.

    ``uploaded_file`` is a Django ``File`` whose content the caller has
    already checked. The page is published when ``publish`` is true and otherwise
    kept as a draft. Return the new ``ItemFile``. When anything fails, the
    database changes roll back and the stored file is deleted.
    """
    item_files = create_item_with_files(
        index, metadata, [(uploaded_file, content_type)], user=user, publish=publish
    )
    return item_files[0]


def create_item_with_files(index, metadata, files, *, user, publish):
    """
    Create an item page under ``index`` with several files, as ``create_item``.

    ``files`` is a list of ``(File, content type)`` pairs, in order. Return
    the new ``ItemFile`` rows. When anything fails, the database changes
    roll back and every stored file is deleted.
    """
    stored = []
    try:
        for uploaded_file, _content_type in files:
            stored.append(_store_document(index, metadata, uploaded_file, user))
        with transaction.atomic():
            for stored_file in stored:
                stored_file.document.save()
            page = _build_page(metadata, user, unique_slug(index, metadata.title))
            if metadata.import_key:
                page.import_library = index
            index.add_child(instance=page)
            revision = page.save_revision(user=user, log_action=True)
            if publish:
                # The library's own upload rules (school memberships) decided
                # this; Wagtail page permissions are not granted per school.
                revision.publish(user=user, skip_permission_checks=True)
            item_files = []
            for stored_file, (_file, content_type) in zip(stored, files, strict=True):
                item_file = ItemFile.objects.create(
                    item=page,
                    document=stored_file.document,
                    original_name=stored_file.original_name,
                    size=stored_file.size,
                    sha256=stored_file.sha256,
                    content_type=content_type,
                    uploaded_by=user,
                )
                schedule_extraction(item_file)
                item_files.append(item_file)
    except BaseException:
        for stored_file in stored:
            stored_file.document.file.storage.delete(stored_file.document.file.name)
        raise
    logger.info(
        "library item created item=%s item_files=%s user=%s live=%s",
        page.pk,
        ",".join(str(item_file.pk) for item_file in item_files),
        user.pk if user is not None else None,
        publish,
    )
    return item_files


def _store_document(index, metadata, uploaded_file, user):
    """Save the file of a new, still unsaved, document of ``index``'s collection."""
    original_name = Path(uploaded_file.name).name[:255]
    sha1, sha256 = file_checksums(uploaded_file)
    document = get_document_model()(
        title=metadata.title[:255],
        collection=index.get_collection(),
        uploaded_by_user=user,
        file_size=uploaded_file.size,
        file_hash=sha1,
    )
    document.file.save(storage_name(original_name), uploaded_file, save=False)
    return StoredFile(document, sha256, original_name, uploaded_file.size)


def _build_page(metadata, user, slug):
    page = LibraryItemPage(
        title=metadata.title,
        slug=slug,
        abstract=metadata.abstract,
        issued=metadata.issued,
        item_type=metadata.item_type,
        language=metadata.language,
        licence=metadata.licence,
        access_level=metadata.access_level,
        publisher=metadata.publisher,
        identifier=metadata.identifier,
        source=metadata.source,
        relation=metadata.relation,
        coverage=metadata.coverage,
        rights=metadata.rights,
        embargo_until=metadata.embargo_until,
        import_key=metadata.import_key,
        owner=user,
        live=False,
    )
    page.creators = [
        ItemCreator(name=name, affiliation=affiliation, sort_order=position)
        for position, (name, affiliation) in enumerate(metadata.creators)
    ]
    page.contributors = [
        ItemContributor(name=name, role=role, sort_order=position)
        for position, (name, role) in enumerate(metadata.contributors)
    ]
    if metadata.subjects:
        page.subjects.add(*metadata.subjects)
    return page
