"""
Selection runs: the engine applied to a frozen snapshot of a period.

A run records its input (the rule set and a snapshot file of the engine's
input CSVs), who started it, when, and a hash of the input, so that anyone
can repeat it with ``ppdb_simulate``. Results are written once, when the run
finishes, and never changed after; a correction leads to a new run.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .applications import Application
from .periods import TRACK_CHOICES, AdmissionPeriod
from .schools import PeriodSchool


class SelectionRunQuerySet(models.QuerySet):
    def official(self):
        return self.filter(is_official=True)

    def finished(self):
        return self.filter(status=SelectionRun.Status.SUCCEEDED)


class SelectionRun(models.Model):
    class Round(models.TextChoices):
        MAIN = "main", _("main round")
        FILL = "fill", _("fill round")

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        REFUSED = "refused", _("refused: an invariant failed")
        FAILED = "failed", _("failed")

    period = models.ForeignKey(
        AdmissionPeriod,
        on_delete=models.PROTECT,
        related_name="selection_runs",
        verbose_name=_("admission period"),
    )
    number = models.PositiveIntegerField(_("run number"))
    round = models.CharField(
        _("round"), max_length=4, choices=Round.choices, default=Round.MAIN
    )
    is_dry_run = models.BooleanField(_("dry run"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
        help_text=_("Empty for a run started by a command without a user."),
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # A worker holds the run until this time and renews it while working; a
    # reaper marks a run whose lease passed as failed.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    input_hash = models.CharField(_("input hash"), max_length=64, blank=True)
    rules_toml = models.TextField(_("rule set used"))
    snapshot = models.FileField(
        _("input snapshot"), upload_to="ppdb/runs/", max_length=200, blank=True
    )
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    is_official = models.BooleanField(_("official"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    objects = SelectionRunQuerySet.as_manager()

    class Meta:
        ordering = ["period", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "number"], name="unique_selection_run_number"
            ),
            # One official run per period and round.
            models.UniqueConstraint(
                fields=["period", "round"],
                condition=Q(is_official=True),
                name="one_official_run_per_round",
            ),
        ]
        verbose_name = _("selection run")
        verbose_name_plural = _("selection runs")

    def __str__(self):
        return f"{self.period} #{self.number}"


class SelectionResult(models.Model):
    """The outcome of one applicant in one run."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        NOT_ACCEPTED = "not_accepted", _("not accepted")
        INELIGIBLE = "ineligible", _("not eligible")

    run = models.ForeignKey(
        SelectionRun,
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name=_("selection run"),
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="selection_results",
        verbose_name=_("application"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    period_school = models.ForeignKey(
        PeriodSchool,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
    )
    choice_rank = models.PositiveSmallIntegerField(_("choice"), null=True, blank=True)
    track = models.CharField(_("track"), max_length=24, choices=TRACK_CHOICES)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    distance_m = models.PositiveIntegerField(
        _("distance in metres"), null=True, blank=True
    )
    reason = models.CharField(_("reason"), max_length=40)

    class Meta:
        ordering = ["run", "application__registration_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "application"], name="unique_result_per_run"
            )
        ]
        indexes = [models.Index(fields=["run", "period_school", "track", "rank"])]
        verbose_name = _("selection result")
        verbose_name_plural = _("selection results")

    def __str__(self):
        return f"{self.run}: {self.application} {self.status}"


class SelectionChoiceResult(models.Model):
    """How one choice of one applicant fared in a run, for explanations."""

    run = models.ForeignKey(
        SelectionRun,
        on_delete=models.CASCADE,
        related_name="choice_results",
        verbose_name=_("selection run"),
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="choice_results",
        verbose_name=_("application"),
    )
    choice_rank = models.PositiveSmallIntegerField(_("choice"))
    period_school = models.ForeignKey(
        PeriodSchool,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("school"),
    )
    outcome = models.CharField(_("outcome"), max_length=40)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    # The sort keys of the last applicant accepted at this school and track,
    # as the engine writes them in its explanation file.
    cutoff = models.CharField(_("cutoff"), max_length=200, blank=True)

    class Meta:
        ordering = ["run", "application", "choice_rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "application", "choice_rank"],
                name="unique_choice_result",
            )
        ]
        verbose_name = _("choice result")
        verbose_name_plural = _("choice results")

    def __str__(self):
        return f"{self.run}: {self.application} #{self.choice_rank} {self.outcome}"
