"""
Admission periods (PPDB) and the stages of their schedule.

The city's education office opens one period per school level and year,
for example "PPDB SMP 2027/2028", with dated stages: registration, document
verification, announcement of results and re-registration. Stage times are
aware datetimes, stored in UTC and shown in the deployment's time zone.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel

from lms.models import AcademicYear

from ..engine import InputError, parse_rules
from ..engine.rules import TRACKS
from ..messages import describe

TRACK_CHOICES = [
    ("domisili", _("domicile (domisili)")),
    ("afirmasi_ekonomi", _("affirmation: low-income families")),
    ("afirmasi_disabilitas", _("affirmation: children with disabilities")),
    ("mutasi", _("parent's transfer (mutasi)")),
    ("prestasi_akademik", _("achievement: academic")),
    ("prestasi_nonakademik", _("achievement: non-academic")),
]
assert [track for track, _label in TRACK_CHOICES] == list(TRACKS)  # noqa: S101


class AdmissionPeriodQuerySet(models.QuerySet):
    def published(self):
        """Keep the periods the public may see."""
        return self.filter(is_published=True)

    def open_at(self, now=None):
        """Keep the periods with a registration stage open at ``now``."""
        now = now or timezone.now()
        return self.filter(
            stages__kind=Stage.Kind.REGISTRATION,
            stages__opens_at__lte=now,
            stages__closes_at__gt=now,
        ).distinct()


class AdmissionPeriod(ClusterableModel):
    """The admission of new students to one school level for one year."""

    # The city runs admission for kindergartens, primary and junior secondary
    # schools. Senior secondary schools (SMA, SMK) are run by the province.
    class Level(models.TextChoices):
        TK = "TK", _("kindergarten (TK)")
        SD = "SD", _("primary school (SD)")
        SMP = "SMP", _("junior secondary school (SMP)")

    class Status(models.TextChoices):
        UPCOMING = "upcoming", _("not yet open")
        OPEN = "open", _("registration open")
        IN_PROGRESS = "in_progress", _("registration closed, selection in progress")
        FINISHED = "finished", _("finished")

    class NameFormat(models.TextChoices):
        FULL = "full", _("full name")
        FIRST_NAME_INITIALS = "first_name_initials", _("first name and initials")
        INITIALS = "initials", _("initials only")

    name = models.CharField(
        _("name"), max_length=200, help_text=_("For example PPDB SMP 2027/2028.")
    )
    level = models.CharField(_("level"), max_length=3, choices=Level.choices)
    academic_year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="admission_periods",
        verbose_name=_("academic year"),
        help_text=_("The school year the new students start in."),
    )
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Only published periods are shown on the admission page."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("Plain text for parents: who may register and what to prepare."),
    )
    rules_toml = models.TextField(
        _("rule set"),
        blank=True,
        help_text=_(
            "The selection rules in TOML: tracks and shares, mechanism, "
            "choices, age, family card and catchment rules, spillover."
        ),
    )
    public_name_format = models.CharField(
        _("names on public lists"),
        max_length=20,
        choices=NameFormat.choices,
        default=NameFormat.FIRST_NAME_INITIALS,
    )
    # The last registration serial handed out. Registration locks the
    # period's row to take the next one, so numbers are unique and gapless
    # within a period.
    last_serial = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AdmissionPeriodQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("level"),
        FieldPanel("academic_year"),
        FieldPanel("is_published"),
        FieldPanel("description"),
        FieldPanel("public_name_format"),
        FieldPanel("rules_toml"),
        InlinePanel("stages", heading=_("Schedule"), label=_("stage")),
    ]

    class Meta:
        ordering = ["-academic_year__starts_on", "level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["academic_year", "level", "name"],
                name="unique_admission_period",
            )
        ]
        verbose_name = _("admission period")
        verbose_name_plural = _("admission periods")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if not self.rules_toml:
            return
        try:
            rules = parse_rules(self.rules_toml, source=_("rule set"))
        except InputError as error:
            raise ValidationError(
                {
                    "rules_toml": [
                        ValidationError(describe(problem), code=problem.code)
                        for problem in error.problems
                    ]
                }
            ) from error
        if rules.level != self.level:
            raise ValidationError(
                {
                    "rules_toml": ValidationError(
                        _(
                            "The rule set is for level %(rules)s but the period "
                            "is for level %(period)s."
                        ),
                        params={"rules": rules.level, "period": self.level},
                        code="rules_level",
                    )
                }
            )

    @cached_property
    def rule_set(self):
        """
        Return the period's rules as the engine's ``RuleSet``.

        Raise ``InputError`` when the rule set is empty or invalid, which
        ``clean()`` keeps out of forms.
        """
        return parse_rules(self.rules_toml, source=self.name)

    def stage(self, kind):
        """Return the period's first stage of ``kind``, or ``None``."""
        for stage in self.ordered_stages():
            if stage.kind == kind:
                return stage
        return None

    def stage_is_open(self, kind, now=None):
        """Return whether a stage of ``kind`` is open at ``now``."""
        now = now or timezone.now()
        return any(
            stage.kind == kind and stage.is_open(now) for stage in self.ordered_stages()
        )

    def ordered_stages(self):
        # Sorting in Python keeps a prefetch_related("stages") in use.
        return sorted(self.stages.all(), key=lambda stage: stage.opens_at)

    def current_stage(self, now=None):
        """
        Return the stage under way at ``now``, or ``None`` between stages.

        When stages overlap, the one that opened last is current.
        """
        now = now or timezone.now()
        running = [stage for stage in self.ordered_stages() if stage.is_open(now)]
        return running[-1] if running else None

    def next_stage(self, now=None):
        """Return the first stage that opens after ``now``, or ``None``."""
        now = now or timezone.now()
        for stage in self.ordered_stages():
            if stage.opens_at > now:
                return stage
        return None

    def is_open(self, now=None):
        """Return whether a registration stage is open at ``now``."""
        now = now or timezone.now()
        return any(
            stage.kind == Stage.Kind.REGISTRATION and stage.is_open(now)
            for stage in self.ordered_stages()
        )

    def status(self, now=None):
        """Return the ``Status`` of the period at ``now``."""
        now = now or timezone.now()
        stages = self.ordered_stages()
        if not stages or stages[0].opens_at > now:
            return self.Status.UPCOMING
        if self.is_open(now):
            return self.Status.OPEN
        if max(stage.closes_at for stage in stages) <= now:
            return self.Status.FINISHED
        return self.Status.IN_PROGRESS


class Stage(models.Model):
    """
    One dated step of an admission period's schedule.

    A stage is open from ``opens_at`` (inclusive) until ``closes_at``
    (exclusive).
    """

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("registration")
        VERIFICATION = "verification", _("document verification")
        ANNOUNCEMENT = "announcement", _("announcement of results")
        OBJECTION = "objection", _("objections (sanggah)")
        REREGISTRATION = "re_registration", _("re-registration")
        FILL_ROUND = "fill_round", _("fill round for unclaimed seats")

    period = ParentalKey(
        AdmissionPeriod,
        on_delete=models.CASCADE,
        related_name="stages",
        verbose_name=_("admission period"),
    )
    name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to use the kind, for example Registration."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))

    panels = [
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("opens_at"),
        FieldPanel("closes_at"),
    ]

    class Meta:
        ordering = ["opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="stage_closes_after_opens",
                violation_error_code="stage_closes_before_opens",
                violation_error_message=_(
                    "The stage must close after it opens: set a closing time "
                    "later than the opening time."
                ),
            )
        ]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.name or self.get_kind_display()

    def is_open(self, now=None):
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at
