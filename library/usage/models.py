"""
Usage of library items: views and downloads per item and month.

``ItemUsage`` keeps the monthly counts that the charts read. ``ItemVisit``
remembers who was already counted today, so that one person adds at most one
view and one download per item and day. A visitor is a user id or, for
anonymous people, a keyed hash of the address and browser that changes every
day (see ``library.usage.counting.visitor_key``), so no address is stored.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UsageKind(models.TextChoices):
    VIEW = "view", _("view")
    DOWNLOAD = "download", _("download")


class ItemUsage(models.Model):
    """The views and downloads of one library item in one calendar month."""

    item = models.ForeignKey(
        "library.LibraryItemPage",
        on_delete=models.CASCADE,
        related_name="usage",
        verbose_name=_("item"),
    )
    # The first day of the month.
    month = models.DateField(_("month"))
    views = models.PositiveIntegerField(_("views"), default=0)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "month"], name="library_usage_item_month_unique"
            )
        ]
        ordering = ["item", "month"]
        verbose_name = _("item usage")
        verbose_name_plural = _("item usage")

    def __str__(self):
        return f"{self.item_id} {self.month:%Y-%m}"


class ItemVisit(models.Model):
    """A view or download already counted for one visitor, item and day."""

    item = models.ForeignKey(
        "library.LibraryItemPage",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("item"),
    )
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10, choices=UsageKind.choices)
    # "u:<user id>" or "a:<daily keyed hash>"; never an IP address.
    visitor = models.CharField(_("visitor"), max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "day", "kind", "visitor"],
                name="library_visit_once_a_day",
            )
        ]
        indexes = [models.Index(fields=["day"], name="library_visit_day_idx")]
        verbose_name = _("counted visit")
        verbose_name_plural = _("counted visits")

    def __str__(self):
        return f"{self.item_id} {self.day} {self.kind}"
