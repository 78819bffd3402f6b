"""
Store a registration, or a parent's correction of one, in one transaction.

A submission takes the period's row lock to hand out the next registration
number, so numbers are unique and have no gaps within a period. The same
form posted twice (a double click, a retry after a timeout) carries the same
submission token, which is unique per parent, so the second post finds the
first application instead of creating another one.
"""

import logging
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms import audit

from ..models import (
    AdmissionPeriod,
    Application,
    ApplicationChoice,
    ApplicationDocument,
    Stage,
)

logger = logging.getLogger(__name__)

# Statuses of an application that still claims the child's place in the
# period: a second registration of the same NIK is rejected while one exists.
ACTIVE_STATUSES = (
    Application.Status.SUBMITTED,
    Application.Status.NEEDS_FIX,
    Application.Status.VERIFIED,
)

# Fields a correction may change: everything but the track, the choices and
# the consent. Changing the first choice would move the application to
# another school's operator.
CORRECTABLE_FIELDS = (
    "full_name",
    "nik",
    "nisn",
    "birth_place",
    "birth_date",
    "sex",
    "kk_number",
    "kk_issued_on",
    "kk_reissue_reason",
    "address",
    "kelurahan_code",
    "latitude",
    "longitude",
    "previous_school_name",
    "previous_school_npsn",
    "score",
)

STAGE_CLOSED = _(
    "Registration for %(period)s is closed, so the application was not "
    "stored. Check the schedule on the admission page."
)
ALREADY_REGISTERED = _(
    "A child with this NIK already has an application in this admission "
    "period. Withdraw that application first, or contact the help desk if "
    "you did not register the child."
)
FIX_CLOSED = _(
    "Corrections are no longer possible: the verification stage has ended "
    "or the application needs no correction."
)


def registration_number(period, serial):
    """Return the number of the ``serial``-th application: ``SMP-2027-000042``."""
    return f"{period.level}-{period.academic_year.starts_on.year}-{serial:06d}"


def fix_deadline(period):
    """Return when corrections close: the end of verification, or registration."""
    stage = period.stage(Stage.Kind.VERIFICATION) or period.stage(
        Stage.Kind.REGISTRATION
    )
    return stage.closes_at if stage is not None else None


def can_fix(application, now=None):
    """Return whether the parent may still correct ``application``."""
    now = now or timezone.now()
    deadline = fix_deadline(application.period)
    return (
        application.status == Application.Status.NEEDS_FIX
        and deadline is not None
        and now < deadline
    )


def submit(period, parent, data, *, consent, request=None, now=None):
    """
    Store the application in the cleaned form ``data`` and return it.

    Return ``(application, created)``. ``created`` is false when an
    application with the same submission token already existed. Raise
    ``ValidationError``, storing nothing, when the registration stage is
    closed or the child already has an active application in the period.
    ``consent`` is ``(version, consented_at)``.
    """
    token = data["submission_token"]
    saved_files = []
    try:
        with transaction.atomic():
            application, created = _create(
                period, parent, data, consent, now, saved_files
            )
    except IntegrityError:
        _delete_files(saved_files)
        # Another request with the same token committed first.
        existing = _by_token(parent, token)
        if existing is None:
            raise
        logger.info(
            "registration repeated period=%s application=%s parent=%s",
            period.pk,
            existing.pk,
            parent.pk,
        )
        return existing, False
    except BaseException:
        _delete_files(saved_files)
        raise
    if not created:
        return application, False

    audit.record(
        "ppdb.application_submitted",
        actor=parent,
        obj=application,
        request=request,
        registration_number=application.registration_number,
        track=application.track,
        identity_flags=application.identity_flags,
    )
    logger.info(
        "registration stored period=%s application=%s number=%s parent=%s",
        period.pk,
        application.pk,
        application.registration_number,
        parent.pk,
    )
    return application, True


def _by_token(parent, token):
    return Application.objects.filter(parent=parent, submission_token=token).first()


def _create(period, parent, data, consent, now, saved_files):
    # Lock the period's row: it carries the registration counter, and the
    # lock also orders concurrent checks for a child registered twice.
    locked = (
        AdmissionPeriod.objects.select_for_update()
        .select_related("academic_year")
        .get(pk=period.pk)
    )
    # A request with the same token that held the lock before this one has
    # committed by now: return its application.
    existing = _by_token(parent, data["submission_token"])
    if existing is not None:
        return existing, False
    now = now or timezone.now()
    # Stages are edited without this lock, so the caller's copy is as good.
    if not period.stage_is_open(Stage.Kind.REGISTRATION, now):
        raise ValidationError(
            STAGE_CLOSED, code="stage_closed", params={"period": period.name}
        )
    if _nik_taken(Application(period=locked), data["nik"]):
        raise ValidationError(ALREADY_REGISTERED, code="already_registered")

    serial = locked.last_serial + 1
    AdmissionPeriod.objects.filter(pk=locked.pk).update(last_serial=serial)
    consent_version, consented_at = consent
    application = Application(
        period=locked,
        parent=parent,
        registration_number=registration_number(locked, serial),
        submission_token=data["submission_token"],
        track=data["track"],
        identity_flags=data.get("identity_flags", []),
        recommendation=bool(data.get("has_recommendation")),
        consent_version=consent_version,
        consented_at=consented_at,
        submitted_at=now.replace(microsecond=0),
    )
    _apply_fields(application, data)
    application.save()
    ApplicationChoice.objects.bulk_create(
        ApplicationChoice(application=application, rank=rank, period_school=school)
        for rank, school in enumerate(data["choices"], start=1)
    )
    _store_documents(application, parent, data["documents"], saved_files, replace=False)
    return application, True


def _nik_taken(application, nik):
    """Return whether another active application of the period has ``nik``."""
    others = Application.objects.filter(
        period=application.period_id, nik=nik, status__in=ACTIVE_STATUSES
    )
    if application.pk is not None:
        others = others.exclude(pk=application.pk)
    return others.exists()


def _apply_fields(application, data):
    for name in CORRECTABLE_FIELDS:
        if name in data:
            value = data[name]
            setattr(
                application, name, "" if value is None and name != "score" else value
            )


def _store_documents(application, uploader, uploads, saved_files, replace=True):
    """
    Save each upload as the current document of its kind.

    With ``replace``, the current document of that kind stops being
    current. A new application has none, so it skips that query.
    """
    for kind, upload in uploads.items():
        if replace:
            ApplicationDocument.objects.filter(
                application=application, kind=kind, is_current=True
            ).update(is_current=False)
        document = ApplicationDocument(
            application=application,
            kind=kind,
            original_name=upload.name[:200],
            content_type=upload.sniffed_content_type,
            size=upload.size,
            uploaded_by=uploader,
            # The storage name is built from the token, so it must exist
            # before the file is saved.
            token=secrets.token_hex(16),
        )
        upload.seek(0)
        # Storage picks the final name. Record it before the row is saved,
        # so that a failure later in the transaction can remove the file.
        document.file.save(kind, upload, save=False)
        saved_files.append((document.file.storage, document.file.name))
        document.save()


def _delete_files(saved_files):
    for storage, name in saved_files:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("could not delete an orphaned document file=%s", name)


def correct(application, parent, data, *, request=None, now=None):
    """
    Store a parent's correction of ``application`` and send it back for review.

    Raise ``ValidationError``, storing nothing, when corrections are closed
    or the new NIK has another active application. Replaced documents stay,
    no longer current, for the history.
    """
    saved_files = []
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            if not can_fix(locked, now):
                raise ValidationError(FIX_CLOSED, code="fix_closed")
            changed = [
                name
                for name in CORRECTABLE_FIELDS
                if name in data and getattr(locked, name) != data[name]
            ]
            if "nik" in changed and _nik_taken(locked, data["nik"]):
                raise ValidationError(ALREADY_REGISTERED, code="already_registered")
            _apply_fields(locked, data)
            locked.identity_flags = data.get("identity_flags", [])
            if "has_recommendation" in data:
                locked.recommendation = bool(data["has_recommendation"])
            locked.status = Application.Status.SUBMITTED
            locked.save()
            _store_documents(locked, parent, data["documents"], saved_files)
    except BaseException:
        _delete_files(saved_files)
        raise
    audit.record(
        "ppdb.application_corrected",
        actor=parent,
        obj=locked,
        request=request,
        registration_number=locked.registration_number,
        fields=changed,
        documents=sorted(data["documents"]),
    )
    logger.info(
        "registration corrected application=%s fields=%s documents=%s",
        locked.pk,
        ",".join(changed),
        ",".join(sorted(data["documents"])),
    )
    return locked
