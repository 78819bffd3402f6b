"""
Store the applicants of a CSV file from another admission system.

``ppdb.import_csv`` reads and checks the file. This module stores each
valid row as an application of the period, in its own transaction, so one
failing row leaves the others in place. A row whose NIK already has an
application in the period is skipped, so running the import again stores
nothing twice. The period's row is locked while a row is stored, which
orders concurrent imports and registrations of the same child.

Parents are found by e-mail address or phone number. A parent without an
account gets one with no usable password, and logs in after resetting it.
"""

import logging
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext

from lms import audit
from lms.auth import normalise_phone
from lms.models import Kelurahan, User

from .engine.errors import Problem, gettext_noop
from .import_csv import SOURCE, read_import
from .models import (
    AdmissionPeriod,
    Application,
    ApplicationChoice,
    PeriodSchool,
    VerificationDecision,
)
from .registration import boundary
from .registration.services import registration_number
from .verification.services import freeze_distances, required_aspects

logger = logging.getLogger(__name__)

# Stored as the consent version of imported applications: the parent
# consented in the system the file came from.
IMPORT_CONSENT_VERSION = "import"
VERIFIED_NOTE = gettext_noop("Verified in the system the file was exported from.")


@dataclass
class ImportSummary:
    total: int = 0
    imported: int = 0
    already_present: int = 0
    verified: int = 0
    parents_created: int = 0
    problems: list = field(default_factory=list)

    @property
    def invalid(self):
        return len({problem.line for problem in self.problems})


def city_boundary_check():
    """Return a ``(latitude, longitude) -> bool`` test of the city boundary."""
    polygon = boundary.parse_polygon(settings.CITY_BOUNDARY)
    return lambda latitude, longitude: boundary.contains(polygon, latitude, longitude)


def read_for_period(period, data):
    """Read ``data`` (bytes) against ``period``'s rule set and schools."""
    npsns = set(
        PeriodSchool.objects.filter(period=period).values_list(
            "school__npsn", flat=True
        )
    )
    # An empty kelurahan table (a fresh deployment) leaves codes unchecked
    # beyond their format.
    codes = set(Kelurahan.objects.values_list("code", flat=True)) or None
    return read_import(
        data,
        period.rule_set,
        npsns,
        inside_city=city_boundary_check(),
        kelurahan_codes=codes,
    )


def import_rows(period, result, verified_by=None, progress=None, source=SOURCE):
    """
    Store the valid rows of ``result`` (a ``ReadResult``); return a summary.

    ``verified_by``, a user, records rows marked verified as verified on
    their behalf; without it such rows wait for verification like any other.
    ``progress``, when given, is called once per row. ``source`` names the
    file in the problems found while storing.
    """
    summary = ImportSummary(total=result.total, problems=list(result.problems))
    schools = {
        period_school.school.npsn: period_school
        for period_school in PeriodSchool.objects.filter(period=period).select_related(
            "school"
        )
    }
    for row in result.rows:
        try:
            outcome = _store(period, row, schools, verified_by)
        except (IntegrityError, DataError) as error:
            logger.warning(
                "import row failed period=%s line=%s error=%s",
                period.pk,
                row.line,
                error,
            )
            summary.problems.append(
                Problem(
                    source,
                    row.line,
                    "store_failed",
                    gettext_noop(
                        "The row could not be stored because it conflicts with "
                        "stored data: %(error)s"
                    ),
                    error=str(error).splitlines()[0],
                )
            )
            outcome = None
        except ValidationError as error:
            logger.warning(
                "import row not verified period=%s line=%s error=%s",
                period.pk,
                row.line,
                error.messages,
            )
            summary.problems.append(
                Problem(
                    source,
                    row.line,
                    "verification_failed",
                    gettext_noop("The row is marked verified but cannot be: %(error)s"),
                    error=" ".join(error.messages),
                )
            )
            outcome = None
        if outcome == "present":
            summary.already_present += 1
        elif outcome is not None:
            summary.imported += 1
            summary.parents_created += outcome["parent_created"]
            summary.verified += outcome["verified"]
        if progress is not None:
            progress()
    summary.problems.sort(key=lambda problem: (problem.line or 0, problem.code))
    logger.info(
        "applicants imported period=%s rows=%s imported=%s present=%s invalid=%s",
        period.pk,
        summary.total,
        summary.imported,
        summary.already_present,
        summary.invalid,
    )
    return summary


@transaction.atomic
def _store(period, row, schools, verified_by):
    locked = (
        AdmissionPeriod.objects.select_for_update()
        .select_related("academic_year")
        .get(pk=period.pk)
    )
    if Application.objects.filter(period=locked, nik=row.nik).exists():
        return "present"

    parent, parent_created = _parent(row)
    AdmissionPeriod.objects.filter(pk=locked.pk).update(
        last_serial=F("last_serial") + 1
    )
    serial = AdmissionPeriod.objects.values_list("last_serial", flat=True).get(
        pk=locked.pk
    )
    submitted_at = row.submitted_at.replace(microsecond=0)
    application = Application.objects.create(
        period=locked,
        parent=parent,
        registration_number=registration_number(locked, serial),
        submission_token=f"import-{secrets.token_hex(16)}",
        track=row.track,
        full_name=row.name,
        nik=row.nik,
        nisn=row.nisn,
        birth_place=row.birth_place,
        birth_date=row.birth_date,
        sex=row.sex,
        identity_flags=row.identity_flags,
        kk_number=row.kk_number,
        kk_issued_on=row.kk_issued_on,
        kk_reissue_reason=row.kk_reissue_reason,
        address=row.address,
        kelurahan_code=row.kelurahan,
        latitude=row.latitude,
        longitude=row.longitude,
        score=row.score,
        recommendation=row.recommendation,
        consent_version=IMPORT_CONSENT_VERSION,
        consented_at=submitted_at,
        submitted_at=submitted_at,
    )
    ApplicationChoice.objects.bulk_create(
        ApplicationChoice(
            application=application, rank=rank, period_school=schools[npsn]
        )
        for rank, npsn in enumerate(row.choices, start=1)
    )
    verified = bool(row.verified and verified_by is not None)
    if verified:
        _record_verified(application, verified_by)
    audit.record(
        "ppdb.application_imported",
        actor=verified_by,
        subject=parent,
        obj=application,
        registration_number=application.registration_number,
        external_number=row.registration_number,
        line=row.line,
        verified=verified,
    )
    return {"parent_created": parent_created, "verified": verified}


def _record_verified(application, user):
    # An operator verifies only the applications whose first choice is their
    # school, here as on the verification pages.
    if not Application.objects.for_staff(user).filter(pk=application.pk).exists():
        raise ValidationError(
            gettext(
                "%(username)s is not an operator of the first choice's school, "
                "so cannot verify this row."
            ),
            code="not_first_choice_operator",
            params={"username": user.username},
        )
    with translation.override(settings.LANGUAGE_CODE):
        note = gettext(VERIFIED_NOTE)
    for aspect in required_aspects(application):
        VerificationDecision.objects.create(
            application=application,
            aspect=aspect,
            decision=VerificationDecision.Decision.APPROVED,
            note=note,
            decided_by=user,
        )
    freeze_distances(application)
    application.status = Application.Status.VERIFIED
    application.verified_at = timezone.now()
    application.save(update_fields=["status", "verified_at", "updated_at"])


def _parent(row):
    """Return ``(user, created)``: the parent by e-mail or phone, or a new one."""
    phone = normalise_phone(row.parent_phone) if row.parent_phone else ""
    if row.parent_email:
        found = User.objects.filter(email__iexact=row.parent_email).order_by("pk")
        if found.exists():
            return found.first(), False
    if phone:
        found = User.objects.filter(phone=phone).first()
        if found is not None:
            return found, False
    first_name, _space, last_name = row.parent_name.partition(" ")
    parent = User(
        username=f"parent-{secrets.token_hex(6)}",
        email=row.parent_email,
        phone=phone or None,
        first_name=first_name[:150],
        last_name=last_name[:150],
    )
    parent.set_unusable_password()
    parent.save()
    return parent, True
