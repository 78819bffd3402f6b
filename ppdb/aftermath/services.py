"""
Rules for complaints, objections, cancellation, re-registration and withdrawal.

Each function checks who may act and when, changes the database in one
transaction, writes the audit log and notifies the people concerned. A
rejected action raises ``AftermathError`` with a translated message and
changes nothing.
"""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.notify import notify
from lms import audit
from lms.models import GuardianLink, Membership

from ..models import (
    Application,
    Complaint,
    Objection,
    SelectionResult,
    SelectionRun,
    Stage,
)

logger = logging.getLogger(__name__)

User = get_user_model()

# Applications in these states are out of the admission for good.
CLOSED_STATUSES = {Application.Status.WITHDRAWN, Application.Status.CANCELLED}


class AftermathError(Exception):
    """Raised when an action is not allowed. ``message`` is translated."""

    def __init__(self, code, message):
        self.code = code
        self.message = message
        super().__init__(message)


def admission(application):
    """
    Return the accepted result of ``application`` in an official run, or
    ``None``.

    A seat won in the fill round takes precedence, because the fill round
    takes only applicants whom the main round did not accept.
    """
    results = list(
        SelectionResult.objects.filter(
            application=application,
            run__is_official=True,
            status=SelectionResult.Status.ACCEPTED,
        ).select_related("run", "period_school__school")
    )
    for result in results:
        if result.run.round == SelectionRun.Round.FILL:
            return result
    return results[0] if results else None


def is_office_staff(user, application):
    """Return whether ``user`` may act for the office on ``application``."""
    return Application.objects.for_staff(user).filter(pk=application.pk).exists()


def _application_url(application):
    return reverse("ppdb:aftermath", args=[application.registration_number])


# Complaints


def submit_complaint(period, author, subject, body, application=None):
    """Store a complaint about ``period`` and return it."""
    if not period.is_published:
        raise AftermathError(
            "period_unpublished", _("This admission period is not open to the public.")
        )
    if application is not None and application.parent_id != author.pk:
        raise AftermathError(
            "not_your_application",
            _("You can refer only to your own applications in a complaint."),
        )
    complaint = Complaint.objects.create(
        period=period,
        author=author,
        application=application,
        subject=subject.strip(),
        body=body.strip(),
    )
    audit.record("ppdb.complaint.submit", actor=author, obj=complaint)
    return complaint


def complaints_for_staff(user, period):
    """Return the complaints of ``period`` that staff ``user`` may answer."""
    complaints = Complaint.objects.filter(period=period).select_related(
        "author", "application"
    )
    if user.is_superuser or user.is_city_admin:
        return complaints
    # An operator answers complaints about the applications of their school.
    return complaints.filter(
        application__in=Application.objects.for_operator(user).values("pk")
    )


def answer_complaint(complaint, user, answer):
    """Answer ``complaint`` as staff ``user`` and notify its author."""
    if not complaints_for_staff(user, complaint.period).filter(pk=complaint.pk):
        raise AftermathError("forbidden", _("You may not answer this complaint."))
    if not answer.strip():
        raise AftermathError("answer_missing", _("Write an answer."))
    complaint.answer = answer.strip()
    complaint.answered_by = user
    complaint.answered_at = timezone.now()
    complaint.status = Complaint.Status.ANSWERED
    complaint.save(update_fields=["answer", "answered_by", "answered_at", "status"])
    audit.record("ppdb.complaint.answer", actor=user, obj=complaint)
    notify(
        [complaint.author],
        "announcement",
        _("Your complaint %(subject)s has been answered.")
        % {"subject": complaint.subject},
        reverse("ppdb:complaints", args=[complaint.period_id]),
    )
    return complaint


# Objections


def file_objection(application, user, body, now=None):
    """Store an objection (sanggah) by the parent of ``application``."""
    now = now or timezone.now()
    if application.parent_id != user.pk:
        raise AftermathError(
            "not_your_application", _("You can object only for your own child.")
        )
    if application.status in CLOSED_STATUSES:
        raise AftermathError(
            "application_closed",
            _("This application was withdrawn or cancelled."),
        )
    if not application.period.stage_is_open(Stage.Kind.OBJECTION, now):
        raise AftermathError(
            "objection_closed",
            _("Objections can be sent only while the objection stage is open."),
        )
    if not body.strip():
        raise AftermathError("objection_empty", _("Write what you object to."))
    if application.objections.filter(status=Objection.Status.OPEN).exists():
        raise AftermathError(
            "objection_open",
            _(
                "Your earlier objection has not been answered yet. Wait for the "
                "answer before sending another."
            ),
        )
    objection = Objection.objects.create(
        application=application, author=user, body=body.strip()
    )
    audit.record(
        "ppdb.objection.file", actor=user, obj=objection, subject=application.student
    )
    return objection


def answer_objection(objection, user, accepted, answer, correction="", new_run=False):
    """
    Answer ``objection`` as staff ``user``.

    An accepted objection may carry a correction and ask for a new run. The
    correction itself is made on the application in the verification pages.
    """
    application = objection.application
    if not is_office_staff(user, application):
        raise AftermathError("forbidden", _("You may not answer this objection."))
    if objection.status != Objection.Status.OPEN:
        raise AftermathError(
            "objection_answered", _("This objection has already been answered.")
        )
    if not answer.strip():
        raise AftermathError(
            "answer_missing", _("Give the reason for your decision in the answer.")
        )
    if not accepted and (correction.strip() or new_run):
        raise AftermathError(
            "correction_on_rejection",
            _("A rejected objection cannot carry a correction or a new run."),
        )
    objection.status = (
        Objection.Status.ACCEPTED if accepted else Objection.Status.REJECTED
    )
    objection.answer = answer.strip()
    objection.correction = correction.strip()
    objection.needs_new_run = bool(new_run)
    objection.answered_by = user
    objection.answered_at = timezone.now()
    objection.save()
    audit.record(
        "ppdb.objection.answer",
        actor=user,
        obj=objection,
        accepted=accepted,
        new_run=bool(new_run),
    )
    notify(
        [application.parent],
        "announcement",
        _("Your objection for %(number)s has been answered.")
        % {"number": application.registration_number},
        _application_url(application),
    )
    return objection


# Cancellation


def cancel_admission(application, user, reason):
    """
    Cancel ``application`` because it rests on forged documents.

    The child loses the seat and, if already re-registered, the student
    membership of that school. The reason goes to the audit log.
    """
    if not is_office_staff(user, application):
        raise AftermathError("forbidden", _("You may not cancel this application."))
    if not reason.strip():
        raise AftermathError(
            "reason_missing", _("Give the reason for the cancellation.")
        )
    if application.status == Application.Status.CANCELLED:
        raise AftermathError(
            "already_cancelled", _("This application is already cancelled.")
        )
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        previous = application.status
        application.status = Application.Status.CANCELLED
        application.cancelled_at = timezone.now()
        application.cancellation_reason = reason.strip()
        application.cancelled_by = user
        application.save(
            update_fields=[
                "status",
                "cancelled_at",
                "cancellation_reason",
                "cancelled_by",
                "updated_at",
            ]
        )
        ended = 0
        if application.student_id and application.re_registered_school_id:
            ended, _details = Membership.objects.filter(
                user_id=application.student_id,
                school=application.re_registered_school.school,
                role=Membership.Role.STUDENT,
            ).delete()
        audit.record(
            "ppdb.application.cancel",
            actor=user,
            obj=application,
            subject=application.student,
            reason=reason.strip(),
            previous_status=previous,
            memberships_ended=ended,
        )
    notify(
        [application.parent],
        "announcement",
        _("The application %(number)s has been cancelled.")
        % {"number": application.registration_number},
        _application_url(application),
    )
    return application


# Re-registration and withdrawal


def re_registration_stage(result):
    """Return the stage kind in which the seat of ``result`` is claimed."""
    if result.run.round == SelectionRun.Round.FILL:
        return Stage.Kind.FILL_ROUND
    return Stage.Kind.REREGISTRATION


def re_register(application, user, now=None):
    """
    Claim the seat of ``application`` by re-registering (daftar ulang).

    The child becomes a student of the school: an account is found by NISN
    or created, given a student membership, and linked to the parent as
    guardian. Return the child's account.
    """
    now = now or timezone.now()
    if application.parent_id != user.pk:
        raise AftermathError(
            "not_your_application", _("You can re-register only your own child.")
        )
    result = admission(application)
    if result is None or application.status in CLOSED_STATUSES:
        raise AftermathError(
            "not_accepted", _("This application has no seat to re-register for.")
        )
    if application.re_registered_at:
        raise AftermathError(
            "already_re_registered", _("This child has already re-registered.")
        )
    stage = application.period.stage(re_registration_stage(result))
    if stage is None or not stage.is_open(now):
        raise AftermathError(
            "re_registration_closed",
            _(
                "Re-registration is possible only while its stage is open. "
                "Unclaimed seats go to the fill round after the deadline."
            ),
        )
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.re_registered_at:
            # A second click that waited for the first one's lock.
            return application.student
        school = result.period_school.school
        child, created = _child_account(application)
        Membership.objects.get_or_create(
            user=child, school=school, role=Membership.Role.STUDENT
        )
        GuardianLink.objects.get_or_create(guardian=application.parent, child=child)
        application.student = child
        application.re_registered_at = now
        application.re_registered_school = result.period_school
        application.save(
            update_fields=[
                "student",
                "re_registered_at",
                "re_registered_school",
                "updated_at",
            ]
        )
        audit.record(
            "ppdb.application.re_register",
            actor=user,
            obj=application,
            subject=child,
            school=school.npsn,
            account_created=created,
        )
    message = _("%(name)s is now a student of %(school)s.") % {
        "name": application.full_name,
        "school": school.name,
    }
    notify([application.parent, child], "announcement", message, "")
    logger.info(
        "re-registration application=%s school=%s account_created=%s",
        application.registration_number,
        school.npsn,
        created,
    )
    return child


def _child_account(application):
    """Return ``(user, created)``: the child's account, found by NISN or new."""
    if application.student_id:
        return application.student, False
    if application.nisn:
        child = User.objects.filter(nisn=application.nisn).first()
        if child is not None:
            return child, False
    username = application.nisn or application.registration_number.lower()
    if User.objects.filter(username=username).exists():
        username = f"{username}-{application.pk}"
    first, _separator, last = application.full_name.partition(" ")
    child = User(
        username=username,
        nisn=application.nisn,
        first_name=first[:150],
        last_name=last[:150],
        sex=application.sex,
        birth_date=application.birth_date,
    )
    # The school operator gives out the first password, as for any student.
    child.set_unusable_password()
    child.save()
    return child, True


def withdraw(application, user, reason, now=None):
    """
    Withdraw ``application`` (cabut berkas) at the parent's request.

    A withdrawn application takes no part in later runs, and a seat it held
    goes to the fill round. A child who already re-registered stays a
    student: leaving the school is a matter for the school.
    """
    now = now or timezone.now()
    if application.parent_id != user.pk:
        raise AftermathError(
            "not_your_application", _("You can withdraw only your own application.")
        )
    if application.status in CLOSED_STATUSES:
        raise AftermathError(
            "application_closed",
            _("This application was already withdrawn or cancelled."),
        )
    if application.re_registered_at:
        raise AftermathError(
            "already_re_registered",
            _(
                "The child has already re-registered. Ask the school to end "
                "the enrolment instead."
            ),
        )
    if application.period.status(now) == application.period.Status.FINISHED:
        raise AftermathError(
            "period_finished", _("This admission period has finished.")
        )
    if not reason.strip():
        raise AftermathError("reason_missing", _("Give the reason for the withdrawal."))
    application.status = Application.Status.WITHDRAWN
    application.withdrawn_at = now
    application.withdrawal_reason = reason.strip()
    application.save(
        update_fields=["status", "withdrawn_at", "withdrawal_reason", "updated_at"]
    )
    audit.record(
        "ppdb.application.withdraw",
        actor=user,
        obj=application,
        reason=reason.strip(),
    )
    return application
