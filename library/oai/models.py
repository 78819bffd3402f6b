"""
The OAI-PMH provider's tombstones and the harvester's sources and records.

``DeletedRecord`` is the tombstone of an item that harvesters have seen and
that is no longer exposed (unpublished, deleted or made non-public). The
repository announces ``deletedRecord=persistent``, so tombstones are kept
until the item is exposed again.

``HarvestSource`` is another repository harvested into a library of its own,
and ``HarvestedRecord`` links each harvested record to the item page that
shows it.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeletedRecord(models.Model):
    """The tombstone of an item that is no longer exposed over OAI-PMH."""

    # A plain id, not a foreign key, because the page may be gone.
    page_id = models.PositiveBigIntegerField(_("page id"), unique=True)
    datestamp = models.DateTimeField(_("deleted at"), default=timezone.now)
    # The sets the item belonged to when it was last exposed, so that a
    # selective harvest of a set learns about the deletion too.
    school_npsn = models.CharField(_("school NPSN"), max_length=20, blank=True)
    item_type = models.CharField(_("type"), max_length=20, blank=True)
    # Every setSpec of the record, between bars, as in
    # "|school|school:20300001|type|type:thesis|". Aliases may have put the
    # record in the sets of schools other than ``school_npsn``'s.
    set_specs = models.TextField(_("sets"), blank=True)

    class Meta:
        verbose_name = _("deleted record")
        verbose_name_plural = _("deleted records")
        indexes = [
            models.Index(fields=["datestamp", "id"], name="oai_deleted_keyset"),
        ]

    def __str__(self):
        return f"{self.page_id} ({self.datestamp:%Y-%m-%d})"

    def sets(self):
        """Return the setSpecs of the record."""
        return [spec for spec in self.set_specs.split("|") if spec]


class HarvestSource(models.Model):
    """Another OAI-PMH repository, or one set of it, harvested into a library."""

    name = models.CharField(_("name"), max_length=255)
    base_url = models.URLField(_("base URL"), max_length=500)
    set_spec = models.CharField(
        _("set"),
        max_length=255,
        blank=True,
        help_text=_("Harvest only this set. Leave blank for the whole repository."),
    )
    metadata_prefix = models.CharField(
        _("metadata format"), max_length=50, default="oai_dc", editable=False
    )
    index = models.OneToOneField(
        "library.LibraryIndexPage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="harvest_source",
        verbose_name=_("library"),
        help_text=_("The library that shows the harvested records."),
    )
    # "YYYY-MM-DD" or "YYYY-MM-DDThh:mm:ssZ", as the repository announces.
    granularity = models.CharField(_("granularity"), max_length=30, blank=True)
    last_harvest_at = models.DateTimeField(_("last harvest"), null=True, blank=True)
    # The newest datestamp of the last complete harvest, the ``from`` of the
    # next incremental one.
    last_datestamp = models.DateTimeField(
        _("newest datestamp harvested"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("harvest source")
        verbose_name_plural = _("harvest sources")
        constraints = [
            models.UniqueConstraint(
                fields=["base_url", "set_spec"], name="oai_unique_harvest_source"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.set_spec})" if self.set_spec else self.name


class HarvestedRecord(models.Model):
    """One record of a harvest source and the item page that shows it."""

    page = models.OneToOneField(
        "library.LibraryItemPage",
        on_delete=models.CASCADE,
        related_name="harvested_record",
        verbose_name=_("item"),
    )
    source = models.ForeignKey(
        HarvestSource,
        on_delete=models.CASCADE,
        related_name="records",
        verbose_name=_("harvest source"),
    )
    identifier = models.CharField(_("OAI identifier"), max_length=500)
    datestamp = models.DateTimeField(_("datestamp"))
    is_deleted = models.BooleanField(_("deleted at the source"), default=False)
    harvested_at = models.DateTimeField(_("harvested at"), default=timezone.now)

    class Meta:
        verbose_name = _("harvested record")
        verbose_name_plural = _("harvested records")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "identifier"], name="oai_unique_harvested_record"
            )
        ]

    def __str__(self):
        return self.identifier
