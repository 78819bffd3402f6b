"""
Verification of an application by the operator of its first choice.

The operator decides each aspect (identity, domicile and location, the
track's documents and, for tracks ranked by score, the score). Decisions are
kept as history, and the latest per aspect is in force. When every aspect
in force is approved the application is verified. The distance from the
verified home to each chosen school is then computed once and frozen. A
"needs a correction" decision returns the application to the parent, who
is notified.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from courses.notify import Notification, notify
from lms import audit

from ..engine import InputError
from ..models import (
    Application,
    ApplicationChoice,
    Stage,
    VerificationDecision,
)
from .checks import school_distances

logger = logging.getLogger(__name__)

Aspect = VerificationDecision.Aspect
Decision = VerificationDecision.Decision

# Applications in these states take no more decisions.
OPEN_STATUSES = (Application.Status.SUBMITTED, Application.Status.NEEDS_FIX)
NOTE_MAX_LENGTH = 2000


def is_verifier(user):
    """Return whether ``user`` verifies applications somewhere, or all of them."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.is_city_admin:
        return True
    return user.memberships.filter(role="operator").exists()


def visible_applications(user):
    """Return the applications ``user`` may verify: by first choice, or all."""
    return Application.objects.for_staff(user)


def required_aspects(application):
    """
    Return the aspects ``application`` needs approved, in display order.

    Scores are checked only in tracks that the period's rule set ranks by
    score. With an invalid rule set, the prestasi tracks are taken to be so.
    """
    aspects = [Aspect.IDENTITY, Aspect.DOMICILE, Aspect.DOCUMENTS]
    try:
        track = application.period.rule_set.tracks.get(application.track)
        ranks_by_score = track is not None and "score" in track.order
    except InputError:
        ranks_by_score = application.track.startswith("prestasi")
    if ranks_by_score:
        aspects.append(Aspect.SCORES)
    return aspects


def current_decisions(application):
    """Return ``{aspect: VerificationDecision}`` of the decisions in force."""
    in_force = {}
    decisions = application.verification_decisions.order_by("-decided_at", "-id")
    for decision in decisions.select_related("decided_by"):
        in_force.setdefault(decision.aspect, decision)
    return in_force


def verification_deadline(period):
    """Return when the verification stage closes, or ``None`` without one."""
    stage = period.stage(Stage.Kind.VERIFICATION)
    return stage.closes_at if stage else None


def _reject(message, code, **params):
    raise ValidationError(message, code=code, params=params)


def _check_decision(application, aspect, decision, note, now):
    if application.status not in OPEN_STATUSES:
        _reject(
            _("The application is %(status)s, so it takes no more decisions."),
            "application_closed",
            status=application.get_status_display(),
        )
    if aspect not in required_aspects(application):
        _reject(
            _("%(aspect)s is not an aspect to verify in this application."),
            "invalid_aspect",
            aspect=aspect,
        )
    if decision not in Decision.values:
        _reject(
            _(
                "%(decision)s is not a decision; choose approved, needs a "
                "correction or rejected."
            ),
            "invalid_decision",
            decision=decision,
        )
    if decision != Decision.APPROVED and not note:
        _reject(
            _("Write a note that tells the parent what is wrong."),
            "note_missing",
        )
    if len(note) > NOTE_MAX_LENGTH:
        _reject(
            _("The note is longer than %(limit)s characters; shorten it."),
            "note_too_long",
            limit=NOTE_MAX_LENGTH,
        )
    deadline = verification_deadline(application.period)
    if deadline is not None and now >= deadline:
        _reject(
            _("The verification stage closed at %(deadline)s."),
            "verification_closed",
            deadline=timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"),
        )


def freeze_distances(application):
    """
    Compute and store the distance to each chosen school, once.

    Choices that already have a distance keep it. Raise ``ValidationError``
    when a chosen school has no location, since ranking needs every distance.
    """
    home = (application.latitude, application.longitude)
    choices = list(
        application.choices.select_related("period_school__school").order_by("rank")
    )
    pending = [choice for choice in choices if choice.distance_m is None]
    locations = {}
    for choice in pending:
        school = choice.period_school.school
        if school.latitude is None or school.longitude is None:
            _reject(
                _(
                    "%(school)s has no location, so the distance cannot be "
                    "computed; ask the city admin to set the school's location."
                ),
                "school_location_missing",
                school=school.name,
            )
        locations[choice.pk] = (school.latitude, school.longitude)
    distances = school_distances(home, locations)
    for choice in pending:
        choice.distance_m = distances[choice.pk]
    ApplicationChoice.objects.bulk_update(pending, ["distance_m"])
    return {choice.rank: choice.distance_m for choice in choices}


def parent_url(application):
    """Return the parent's page of ``application``, which lists what to fix."""
    return reverse("ppdb:application", args=[application.registration_number])


def notify_parent(application, status):
    """Tell the parent, in their language, what verification decided."""
    parent = application.parent
    titles = {
        Application.Status.NEEDS_FIX: gettext_noop(
            "Application %(number)s needs a correction: open it to see what to fix."
        ),
        Application.Status.VERIFIED: gettext_noop(
            "Application %(number)s is verified."
        ),
        Application.Status.INELIGIBLE: gettext_noop(
            "Application %(number)s was rejected at verification: open it to "
            "read the reason."
        ),
    }
    language = parent.language or settings.LANGUAGE_CODE
    with translation.override(language):
        title = _(titles[status]) % {"number": application.registration_number}
    notify([parent], Notification.Kind.ANNOUNCEMENT, title, parent_url(application))


@transaction.atomic
def decide(application, aspect, decision, note, user, request=None, now=None):
    """
    Record ``user``'s ``decision`` on one ``aspect`` and update the status.

    Raise ``ValidationError`` and store nothing for a closed application,
    an aspect the application does not have, an unknown decision, a missing
    note, a closed verification stage, or a chosen school without location.
    The caller checks that ``user`` may verify ``application``.
    """
    now = now or timezone.now()
    note = (note or "").strip()
    application = (
        Application.objects.select_for_update()
        .select_related("period", "parent")
        .get(pk=application.pk)
    )
    _check_decision(application, aspect, decision, note, now)
    VerificationDecision.objects.create(
        application=application,
        aspect=aspect,
        decision=decision,
        note=note,
        decided_by=user,
    )
    in_force = current_decisions(application)
    status, distances = _next_status(application, in_force)
    changed = status != application.status
    if changed:
        application.status = status
        if status == Application.Status.VERIFIED:
            application.verified_at = now
        application.save(update_fields=["status", "verified_at", "updated_at"])
    audit.record(
        "ppdb.verification_decision",
        actor=user,
        subject=application.parent,
        obj=application,
        request=request,
        registration_number=application.registration_number,
        aspect=aspect,
        decision=decision,
        status=application.status,
        distances=distances,
    )
    logger.info(
        "verification decision application=%s aspect=%s decision=%s status=%s",
        application.registration_number,
        aspect,
        decision,
        application.status,
    )
    if changed and status != Application.Status.SUBMITTED:
        # The notification is a row in the same transaction as the decision.
        notify_parent(application, status)
    return application


def _next_status(application, in_force):
    """Return the status that the decisions in force give, and any distances."""
    decisions = [in_force.get(aspect) for aspect in required_aspects(application)]
    values = {decision.decision for decision in decisions if decision is not None}
    if Decision.REJECTED in values:
        return Application.Status.INELIGIBLE, None
    if Decision.NEEDS_FIX in values:
        return Application.Status.NEEDS_FIX, None
    if None not in decisions:
        return Application.Status.VERIFIED, freeze_distances(application)
    return Application.Status.SUBMITTED, None
