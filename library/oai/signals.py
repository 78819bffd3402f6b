"""
Record tombstones when an exposed item stops being exposed over OAI-PMH.

An item stops being exposed when it is unpublished, deleted or saved with
an access level other than public. A tombstone is removed when the item is
exposed again. Items that were never exposed get no tombstone, so the
existence of restricted items is not revealed. Aliases are never exposed.

When the schools that list an exposed item change, because an alias of it
was created, moved, unpublished or deleted, or the item was moved, its
datestamp moves to now, so that incremental harvesters fetch its new sets.
"""

from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone
from wagtail.models import Page
from wagtail.signals import page_unpublished

from library.indexing import listed_schools_changed
from library.models import AccessLevel, LibraryItemPage

from . import records
from .models import DeletedRecord, HarvestedRecord


def _is_harvested(page_id):
    return HarvestedRecord.objects.filter(page_id=page_id).exists()


def _record_tombstone(item):
    sets = records.tombstone_sets(item)
    DeletedRecord.objects.update_or_create(
        page_id=item.pk,
        defaults={
            "school_npsn": item.school.npsn if item.school_id else "",
            "item_type": item.item_type,
            "set_specs": records.join_sets(sets),
            "datestamp": timezone.now(),
        },
    )


@receiver(pre_save, sender=LibraryItemPage)
def remember_exposure(sender, instance, raw=False, **kwargs):
    """Remember whether the stored item was exposed before this save."""
    if raw or instance.pk is None:
        instance._oai_was_exposed = False
        return
    stored = (
        LibraryItemPage.objects.filter(pk=instance.pk)
        .values("live", "access_level", "alias_of")
        .first()
    )
    instance._oai_was_exposed = bool(
        stored
        and stored["live"]
        and stored["access_level"] == AccessLevel.PUBLIC
        and stored["alias_of"] is None
    )


@receiver(post_save, sender=LibraryItemPage)
def update_tombstone(sender, instance, raw=False, **kwargs):
    if raw:
        return
    exposed_now = (
        instance.live
        and instance.access_level == AccessLevel.PUBLIC
        and instance.alias_of_id is None
    )
    if exposed_now:
        DeletedRecord.objects.filter(page_id=instance.pk).delete()
    elif getattr(instance, "_oai_was_exposed", False) and not _is_harvested(
        instance.pk
    ):
        _record_tombstone(instance)


@receiver(page_unpublished, sender=LibraryItemPage)
def tombstone_unpublished(sender, instance, **kwargs):
    # Covers unpublishing through a base ``Page`` instance, whose save
    # sends no signal for ``LibraryItemPage``.
    specific = instance.specific
    if (
        specific.access_level == AccessLevel.PUBLIC
        and specific.alias_of_id is None
        and not _is_harvested(specific.pk)
    ):
        _record_tombstone(specific)


@receiver(pre_delete, sender=LibraryItemPage)
def tombstone_deleted(sender, instance, **kwargs):
    if (
        instance.live
        and instance.access_level == AccessLevel.PUBLIC
        and instance.alias_of_id is None
        and not _is_harvested(instance.pk)
    ):
        _record_tombstone(instance)


@receiver(listed_schools_changed)
def move_datestamp(sender, item_ids, **kwargs):
    """Move the datestamp of the exposed items of ``item_ids`` to now."""
    # The datestamp of an item's record is Wagtail's ``last_published_at``,
    # which then contains this time although no revision was published.
    # NOTE: a harvester of the set of a school whose alias was removed gets
    # neither the record nor a deleted record in that set any more.
    exposed = records.exposed_items().filter(pk__in=item_ids).values("pk")
    Page.objects.filter(pk__in=exposed).update(last_published_at=timezone.now())
