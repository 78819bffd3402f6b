"""
People, schools and the school year: the core that every app builds on.

Roles are memberships of a person in a school (student, teacher, librarian,
operator), guardian links (parent), or the city admin flag. Each role maps
to a Django group of the same name, which carries the Wagtail permissions
(see ``lms.roles``).
"""

import datetime
import re

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from .page_routes import CachedRouteMixin
from .validators import (
    validate_kecamatan_code,
    validate_kelurahan_code,
    validate_nisn,
    validate_npsn,
)


class Sex(models.TextChoices):
    MALE = "L", _("male")
    FEMALE = "P", _("female")


class User(AbstractUser):
    """
    A person with an account.

    Many students have no e-mail, so a person logs in with a username, an
    NISN, an e-mail address or a phone number (see ``lms.auth``).
    """

    nisn = models.CharField(
        _("NISN"),
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_nisn],
        help_text=_("National student number, 10 digits."),
    )
    phone = models.CharField(
        _("phone number"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Parents may log in with this number, for example 081234567890."),
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )
    is_city_admin = models.BooleanField(
        _("city admin"),
        default=False,
        help_text=_("Sets admission periods and quotas and publishes results."),
    )
    password_is_temporary = models.BooleanField(
        _("temporary password"),
        default=False,
        help_text=_(
            "Set when a school operator gave out the password; the person is "
            "asked to choose their own after logging in."
        ),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # Imported here because lms.auth needs the user model to be loaded.
        from .auth import normalise_phone

        # Empty strings would collide on the unique constraints. Phone numbers
        # are stored in the national form that the login lookup searches for.
        self.nisn = self.nisn or None
        self.phone = normalise_phone(self.phone) or None
        self.email = (self.email or "").strip()
        super().save(*args, **kwargs)

    def schools_with_role(self, *roles):
        """Return the schools where this person has one of ``roles``."""
        return School.objects.filter(
            memberships__user=self, memberships__role__in=roles
        ).distinct()

    def has_school_role(self, school, *roles):
        return self.memberships.filter(school=school, role__in=roles).exists()

    def children(self):
        """Return the students for whom this person is a guardian."""
        return User.objects.filter(guardian_links__guardian=self)


class Kecamatan(models.Model):
    code = models.CharField(
        _("code"), max_length=8, unique=True, validators=[validate_kecamatan_code]
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")

    def __str__(self):
        return f"{self.name} ({self.code})"


class Kelurahan(models.Model):
    """A kelurahan, keyed on its code because names repeat across kecamatan."""

    code = models.CharField(
        _("code"), max_length=13, unique=True, validators=[validate_kelurahan_code]
    )
    name = models.CharField(_("name"), max_length=100)
    kecamatan = models.ForeignKey(
        Kecamatan,
        on_delete=models.PROTECT,
        related_name="kelurahan",
        verbose_name=_("kecamatan"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")

    def __str__(self):
        return f"{self.name} ({self.code})"


class School(models.Model):
    class Level(models.TextChoices):
        TK = "TK", _("kindergarten (TK)")
        SD = "SD", _("primary school (SD)")
        SMP = "SMP", _("junior secondary school (SMP)")
        SMA = "SMA", _("senior secondary school (SMA)")
        SMK = "SMK", _("vocational secondary school (SMK)")

    class Status(models.TextChoices):
        PUBLIC = "negeri", _("public (negeri)")
        PRIVATE = "swasta", _("private (swasta)")

    # The final grade of each level: students in it leave at the rollover.
    FINAL_GRADE = {"TK": 0, "SD": 6, "SMP": 9, "SMA": 12, "SMK": 12}

    npsn = models.CharField(
        _("NPSN"),
        max_length=8,
        unique=True,
        validators=[validate_npsn],
        help_text=_("National school number, 8 digits."),
    )
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=3, choices=Level.choices)
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.PUBLIC
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    kecamatan_code = models.CharField(
        _("kecamatan code"), max_length=8, validators=[validate_kecamatan_code]
    )
    kelurahan_code = models.CharField(
        _("kelurahan code"),
        max_length=13,
        blank=True,
        validators=[validate_kelurahan_code],
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A person's role in one school."""

    class Role(models.TextChoices):
        STUDENT = "student", _("student")
        TEACHER = "teacher", _("teacher")
        LIBRARIAN = "librarian", _("librarian")
        OPERATOR = "operator", _("school operator")

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("school"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school", "role"], name="unique_membership"
            )
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} - {self.get_role_display()} - {self.school}"


class GuardianLink(models.Model):
    """A parent or guardian of a student."""

    class Relation(models.TextChoices):
        FATHER = "father", _("father")
        MOTHER = "mother", _("mother")
        GUARDIAN = "guardian", _("guardian")

    guardian = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="guarded_links",
        verbose_name=_("guardian"),
    )
    child = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="guardian_links",
        verbose_name=_("child"),
    )
    relation = models.CharField(
        _("relation"),
        max_length=10,
        choices=Relation.choices,
        default=Relation.GUARDIAN,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["guardian", "child"], name="unique_guardian_link"
            ),
            models.CheckConstraint(
                condition=~models.Q(guardian=models.F("child")),
                name="guardian_is_not_child",
            ),
        ]
        verbose_name = _("guardian link")
        verbose_name_plural = _("guardian links")

    def __str__(self):
        return f"{self.guardian} -> {self.child}"


class AcademicYear(models.Model):
    """A school year such as 2026/2027, running from July to June."""

    name = models.CharField(_("name"), max_length=9, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="one_current_academic_year",
            )
        ]
        verbose_name = _("academic year")
        verbose_name_plural = _("academic years")

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError(
                {"ends_on": _("The year must end after it starts.")},
                code="year_dates",
            )

    @classmethod
    def current(cls):
        return cls.objects.filter(is_current=True).first()

    @classmethod
    def for_start_year(cls, start_year):
        """Return (or create) the year that starts in July of ``start_year``."""
        year, _created = cls.objects.get_or_create(
            name=f"{start_year}/{start_year + 1}",
            defaults={
                "starts_on": datetime.date(start_year, 7, 1),
                "ends_on": datetime.date(start_year + 1, 6, 30),
            },
        )
        return year

    def next_year(self):
        return AcademicYear.for_start_year(self.starts_on.year + 1)


class Semester(models.Model):
    class Number(models.IntegerChoices):
        ODD = 1, _("odd semester (ganjil)")
        EVEN = 2, _("even semester (genap)")

    academic_year = models.ForeignKey(
        AcademicYear,
        on_delete=models.CASCADE,
        related_name="semesters",
        verbose_name=_("academic year"),
    )
    number = models.PositiveSmallIntegerField(_("semester"), choices=Number.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["academic_year__starts_on", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["academic_year", "number"], name="unique_semester"
            )
        ]
        verbose_name = _("semester")
        verbose_name_plural = _("semesters")

    def __str__(self):
        return f"{self.academic_year} {self.get_number_display()}"

    @classmethod
    def on(cls, day):
        """Return the semester that contains ``day``, or ``None``."""
        return cls.objects.filter(starts_on__lte=day, ends_on__gte=day).first()


class ClassGroup(models.Model):
    """A class group (rombongan belajar) of one school in one academic year."""

    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        related_name="class_groups",
        verbose_name=_("school"),
    )
    academic_year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="class_groups",
        verbose_name=_("academic year"),
    )
    grade = models.PositiveSmallIntegerField(
        _("grade"), validators=[MinValueValidator(0), MaxValueValidator(12)]
    )
    name = models.CharField(_("name"), max_length=50, help_text=_("For example 7A."))
    homeroom_teacher = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="homeroom_groups",
        verbose_name=_("homeroom teacher"),
    )
    students = models.ManyToManyField(
        User,
        blank=True,
        related_name="class_groups",
        verbose_name=_("students"),
    )

    class Meta:
        ordering = ["school", "grade", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "name"],
                name="unique_class_group",
            )
        ]
        verbose_name = _("class group")
        verbose_name_plural = _("class groups")

    def __str__(self):
        return f"{self.name} ({self.academic_year})"


# Grades as Roman numerals, indexed by grade: ROMAN_GRADES[7] == "VII".
ROMAN_GRADES = ["", "I", "II", "III", "IV", "V", "VI"] + [
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
]


def next_class_name(name, grade):
    """
    Name the class group that follows ``name`` a grade up: 7A becomes 8A.

    The grade is found as a number (``7A``, ``Kelas 7-B``) or as a Roman
    numeral (``VII A``), the form many schools use, and replaced in place. A
    name without its grade gets the new grade number in front.
    """
    arabic = re.compile(rf"(?<!\d){grade}(?!\d)")
    if arabic.search(name):
        return arabic.sub(str(grade + 1), name, count=1)
    if 0 < grade < len(ROMAN_GRADES) - 1:
        # A lower-case letter after the numeral means a word such as "Vanda".
        roman = re.compile(rf"(?<![A-Za-z]){ROMAN_GRADES[grade]}(?![IVXa-z])")
        if roman.search(name):
            return roman.sub(ROMAN_GRADES[grade + 1], name, count=1)
    return f"{grade + 1}{name}"


@transaction.atomic
def rollover(from_year, to_year, progress=None):
    """
    Move every school's class groups of ``from_year`` a grade up in ``to_year``.

    Students of a school's final grade leave the school: their student
    membership ends, and they stay in their old group as a record. Running it
    twice creates no second group and counts nobody twice. ``progress``, if
    given, wraps the list of groups (``tqdm`` for a progress bar). Return a
    dict with the counts of groups created, students moved and students
    graduated. It does not mark ``to_year`` as current.

    Every student of a group moves up: a student who repeats the grade is
    moved back by the school operator afterwards.
    """
    if to_year.starts_on <= from_year.starts_on:
        raise ValueError(
            f"The target year {to_year} must start after the year {from_year}."
        )
    counts = {"groups": 0, "students": 0, "graduated": 0}
    groups = list(
        ClassGroup.objects.filter(academic_year=from_year)
        .select_related("school")
        .prefetch_related("students")
        .order_by("school_id", "grade", "name")
    )
    for group in progress(groups) if progress else groups:
        students = list(group.students.all())
        if group.grade >= School.FINAL_GRADE[group.school.level]:
            counts["graduated"] += _graduate(group.school, students)
        else:
            created, moved = _promote(group, to_year, students)
            counts["groups"] += int(created)
            counts["students"] += moved
    return counts


def _graduate(school, students):
    _total, deleted = Membership.objects.filter(
        school=school, role=Membership.Role.STUDENT, user__in=students
    ).delete()
    return deleted.get(Membership._meta.label, 0)


def _promote(group, to_year, students):
    next_group, created = ClassGroup.objects.get_or_create(
        school=group.school,
        academic_year=to_year,
        name=next_class_name(group.name, group.grade),
        defaults={"grade": group.grade + 1},
    )
    already_there = set(next_group.students.values_list("pk", flat=True))
    newcomers = [student for student in students if student.pk not in already_there]
    next_group.students.add(*newcomers)
    return created, len(newcomers)


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditLog(models.Model):
    """
    An append-only record of who did what to whose data.

    Rows are only ever inserted: saving an existing row or deleting raises.
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    subject = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("whose data"),
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")


class LoginFailure(models.Model):
    """
    A failed login, counted against the account and the client address.

    ``account_key`` is ``user:<id>`` for an existing account, else a keyed
    hash of the identifier that was typed, so that unknown names are slowed
    down and locked exactly like real accounts (see ``lms.lockout``).
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    account_key = models.CharField(_("account key"), max_length=80)
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="login_failures",
        verbose_name=_("person"),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["account_key", "created_at"]),
            models.Index(fields=["ip_address", "created_at"]),
        ]
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user or self.account_key}"


class LoginLockQuerySet(models.QuerySet):
    def active(self, now=None):
        """Return the locks that are neither lifted nor expired at ``now``."""
        now = now or timezone.now()
        return self.filter(lifted_at__isnull=True, locked_until__gt=now)


class LoginLock(models.Model):
    """
    A lock on logins to one account, or from one client address.

    Locks are kept after they expire or are lifted, as a record for the
    school operator and the city admin.
    """

    class Scope(models.TextChoices):
        ACCOUNT = "account", _("account")
        ADDRESS = "address", _("client address")

    scope = models.CharField(_("scope"), max_length=7, choices=Scope.choices)
    account_key = models.CharField(_("account key"), max_length=80, blank=True)
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="login_locks",
        verbose_name=_("person"),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("locked at"), default=timezone.now)
    locked_until = models.DateTimeField(_("locked until"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )

    objects = LoginLockQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["scope", "account_key", "created_at"]),
            models.Index(fields=["scope", "ip_address", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(scope="account") & ~models.Q(account_key="")
                    | models.Q(scope="address", ip_address__isnull=False)
                ),
                name="login_lock_has_target",
            )
        ]
        verbose_name = _("login lock")
        verbose_name_plural = _("login locks")

    def __str__(self):
        target = self.user or self.ip_address or self.account_key
        return f"{self.get_scope_display()} {target} {self.locked_until:%H:%M}"

    def is_active(self, now=None):
        now = now or timezone.now()
        return self.lifted_at is None and self.locked_until > now


class HomePage(CachedRouteMixin, Page):
    """The city's home page, with the entry points to every part."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")


class ScheduledJob(models.Model):
    """
    The state of one periodic job of ``run_scheduler``: its lease and last run.

    The row is shared by every scheduler process. A process runs a job only
    after one conditional UPDATE has moved ``next_run_at`` forward and taken
    the lease, so two processes never run the same job for one due time.
    No admin page shows this table, so its labels are not translated.
    """

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    name = models.CharField(max_length=100, unique=True)
    # The schedule as configured when next_run_at was computed, so a changed
    # setting is noticed and the next run computed again.
    schedule = models.CharField(max_length=200, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    last_error = models.TextField(blank=True)
    run_count = models.PositiveIntegerField(default=0)
    failure_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
