"""
Applications: a parent registers one child for one admission period.

An application holds the child's identity, family card and home location,
the track, the ordered school choices and the documents. NIK and KK numbers
are stored in full because the operator checks them against the documents;
pages, public exports and logs show them masked (``masked_nik``).
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lms.identifiers import mask_identifier
from lms.models import Membership, Sex
from lms.validators import (
    validate_kelurahan_code,
    validate_kk,
    validate_nik,
    validate_nisn,
    validate_npsn,
)

from .periods import TRACK_CHOICES, AdmissionPeriod
from .schools import PeriodSchool


class ApplicationQuerySet(models.QuerySet):
    def for_parent(self, user):
        """Keep the applications the parent ``user`` submitted."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(parent=user)

    def for_operator(self, user):
        """
        Keep the applications an operator verifies: those whose first choice
        is a school where ``user`` is an operator.
        """
        if not user.is_authenticated:
            return self.none()
        schools = Membership.objects.filter(
            user=user, role=Membership.Role.OPERATOR
        ).values("school")
        return self.filter(
            choices__rank=1, choices__period_school__school__in=schools
        ).distinct()

    def for_staff(self, user):
        """Keep what staff ``user`` may see: all for the city admin."""
        if user.is_authenticated and (user.is_superuser or user.is_city_admin):
            return self.all()
        return self.for_operator(user)


class Application(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted, waiting for verification")
        NEEDS_FIX = "needs_fix", _("needs a correction by the parent")
        VERIFIED = "verified", _("verified")
        INELIGIBLE = "ineligible", _("not eligible")
        WITHDRAWN = "withdrawn", _("withdrawn")
        CANCELLED = "cancelled", _("cancelled")

    class Flag(models.TextChoices):
        NIK_BIRTH_DATE = (
            "nik_birth_date_mismatch",
            _("The birth date in the NIK differs from the birth date given."),
        )
        NIK_SEX = (
            "nik_sex_mismatch",
            _("The sex in the NIK differs from the sex given."),
        )

    period = models.ForeignKey(
        AdmissionPeriod,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("admission period"),
    )
    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="ppdb_applications",
        verbose_name=_("parent"),
    )
    registration_number = models.CharField(
        _("registration number"), max_length=24, unique=True
    )
    # A random token from the registration form: a second POST of the same
    # form (a double click, a retry after a timeout) finds the first
    # application instead of creating another.
    submission_token = models.CharField(max_length=64)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.SUBMITTED,
        db_index=True,
    )
    track = models.CharField(_("track"), max_length=24, choices=TRACK_CHOICES)

    full_name = models.CharField(_("full name"), max_length=200)
    nik = models.CharField(_("NIK"), max_length=16, validators=[validate_nik])
    nisn = models.CharField(
        _("NISN"), max_length=10, blank=True, validators=[validate_nisn]
    )
    birth_place = models.CharField(_("place of birth"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    identity_flags = models.JSONField(
        _("identity flags"),
        default=list,
        blank=True,
        help_text=_("Mismatches found at registration, for the operator to check."),
    )

    kk_number = models.CharField(
        _("family card number (KK)"), max_length=16, validators=[validate_kk]
    )
    kk_issued_on = models.DateField(_("family card issue date"))
    kk_reissue_reason = models.CharField(
        _("reason the family card was reissued"),
        max_length=200,
        blank=True,
        help_text=_(
            "A card reissued after a birth, a death or a loss still counts "
            "for domicile; a move does not."
        ),
    )
    address = models.CharField(_("address"), max_length=300)
    kelurahan_code = models.CharField(
        _("kelurahan code"), max_length=13, validators=[validate_kelurahan_code]
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    previous_school_name = models.CharField(
        _("previous school"), max_length=200, blank=True
    )
    previous_school_npsn = models.CharField(
        _("NPSN of the previous school"),
        max_length=8,
        blank=True,
        validators=[validate_npsn],
    )
    score = models.DecimalField(
        _("score"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Report card average or achievement score, for prestasi tracks."),
    )
    recommendation = models.BooleanField(
        _("recommendation letter"),
        default=False,
        help_text=_(
            "A psychologist's or teachers' council's letter for an under-age "
            "child (primary school)."
        ),
    )

    consent_version = models.CharField(_("privacy notice version"), max_length=20)
    consented_at = models.DateTimeField(_("consent given at"))
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    re_registered_at = models.DateTimeField(
        _("re-registered at"), null=True, blank=True
    )
    re_registered_school = models.ForeignKey(
        PeriodSchool,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("re-registered at school"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancellation_reason = models.TextField(_("reason for cancellation"), blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ppdb_admissions",
        verbose_name=_("student account"),
        help_text=_("The child's account, created or linked at re-registration."),
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["period", "registration_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "submission_token"],
                name="unique_application_submission",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | ~Q(cancellation_reason=""),
                name="application_cancellation_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "status"]),
            models.Index(fields=["period", "nik"]),
            models.Index(fields=["period", "kk_number"]),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self):
        return self.registration_number

    def masked_nik(self):
        return mask_identifier(self.nik)

    def masked_kk(self):
        return mask_identifier(self.kk_number)

    def ordered_choices(self):
        # Sorting in Python keeps a prefetch_related("choices") in use.
        return sorted(self.choices.all(), key=lambda choice: choice.rank)

    def first_choice(self):
        choices = self.ordered_choices()
        return choices[0] if choices else None

    def current_documents(self):
        return [document for document in self.documents.all() if document.is_current]


class ApplicationChoice(models.Model):
    """One school an applicant chose, first choice first."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="choices",
        verbose_name=_("application"),
    )
    rank = models.PositiveSmallIntegerField(
        _("choice"), validators=[MinValueValidator(1)]
    )
    period_school = models.ForeignKey(
        PeriodSchool,
        on_delete=models.PROTECT,
        related_name="choices",
        verbose_name=_("school"),
    )
    # Computed once, when the location is verified, and never again: a
    # ranking must not change because a formula or a pin moved later.
    distance_m = models.PositiveIntegerField(
        _("distance in metres"), null=True, blank=True
    )

    class Meta:
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "rank"], name="unique_choice_rank"
            ),
            models.UniqueConstraint(
                fields=["application", "period_school"], name="unique_choice_school"
            ),
        ]
        verbose_name = _("school choice")
        verbose_name_plural = _("school choices")

    def __str__(self):
        return f"{self.application}: {self.rank}. {self.period_school.school}"


def document_upload_to(document, filename):
    # The name in storage is not derived from anything a stranger can guess
    # from the outside alone; downloads go through a permission check anyway.
    application = document.application
    return (
        f"ppdb/{application.period_id}/{application.registration_number}/"
        f"{document.kind}-{document.token}"
    )


class ApplicationDocument(models.Model):
    """A file proving part of an application, such as the family card."""

    class Kind(models.TextChoices):
        KK = "kk", _("family card (KK)")
        BIRTH_CERTIFICATE = "birth_certificate", _("birth certificate")
        REPORT_CARD = "report_card", _("report cards")
        KIP = "kip", _("KIP card")
        PKH = "pkh", _("PKH card")
        KKS = "kks", _("KKS card")
        DTKS = "dtks", _("DTKS listing")
        SOCIAL_LETTER = "social_letter", _("letter from the social affairs office")
        DISABILITY_PROOF = "disability_proof", _("evidence of disability")
        CERTIFICATE = "certificate", _("competition certificate")
        TRANSFER_LETTER = "transfer_letter", _("parent's transfer letter")
        ASSIGNMENT_LETTER = "assignment_letter", _("teacher parent's assignment letter")
        RECOMMENDATION_LETTER = (
            "recommendation_letter",
            _("recommendation letter for an under-age child"),
        )

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    token = models.CharField(max_length=32, editable=False)
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    # A replaced document stays for the verification history.
    is_current = models.BooleanField(_("current"), default=True)

    class Meta:
        ordering = ["application", "kind", "-uploaded_at"]
        indexes = [models.Index(fields=["application", "kind", "is_current"])]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return f"{self.application}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if not self.token:
            self.token = secrets.token_hex(16)
        super().save(*args, **kwargs)
