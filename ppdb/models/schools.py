"""The schools taking part in an admission period, and their seats."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.models import School

from .periods import TRACK_CHOICES, AdmissionPeriod


class PeriodSchool(models.Model):
    """
    One school admitting students in a period, with its capacity.

    The seats of each track follow from the capacity and the rule set's
    shares (``ppdb.seats``); a ``SeatOverride`` replaces one track's figure.
    """

    period = models.ForeignKey(
        AdmissionPeriod,
        on_delete=models.CASCADE,
        related_name="schools",
        verbose_name=_("admission period"),
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        related_name="admission_periods",
        verbose_name=_("school"),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        validators=[MinValueValidator(1)],
        help_text=_("New students the school takes in this period (daya tampung)."),
    )

    class Meta:
        ordering = ["school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "school"], name="unique_period_school"
            )
        ]
        verbose_name = _("school in a period")
        verbose_name_plural = _("schools in a period")

    def __str__(self):
        return f"{self.school} ({self.period})"

    @property
    def npsn(self):
        return self.school.npsn


class SeatOverride(models.Model):
    """
    Seats of one track at one school set by hand instead of by the shares.

    Each change is a new row, so the history stays; the latest row of a
    school and track is the one in force.
    """

    period_school = models.ForeignKey(
        PeriodSchool,
        on_delete=models.CASCADE,
        related_name="seat_overrides",
        verbose_name=_("school in a period"),
    )
    track = models.CharField(_("track"), max_length=24, choices=TRACK_CHOICES)
    seats = models.PositiveIntegerField(_("seats"))
    reason = models.TextField(_("reason"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        ordering = ["period_school", "track", "-set_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="seat_override_has_reason",
            )
        ]
        verbose_name = _("seat override")
        verbose_name_plural = _("seat overrides")

    def __str__(self):
        return f"{self.period_school}: {self.track} = {self.seats}"
