"""
The parent's registration pages: consent, the form, the receipt, and the
parent's own applications with their verification notes and corrections.

A parent only ever reaches their own applications: every lookup goes
through ``Application.objects.for_parent``, so another family's number
returns 404, the same response as a number that does not exist.
"""

import logging
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from lms.models import Membership
from lms.uploads import FileSizeLimitHandler

from ..engine import InputError
from ..models import AdmissionPeriod, Application, Stage, VerificationDecision
from ..public_views import document_list
from . import checks, services
from .forms import MESSAGES, PRIVACY_NOTICE_VERSION, ApplicationForm, ConsentForm

logger = logging.getLogger(__name__)

CONSENT_SESSION_KEY = "ppdb_consent"


def _period(pk):
    periods = AdmissionPeriod.objects.published().select_related("academic_year")
    return get_object_or_404(periods.prefetch_related("stages"), pk=pk)


def _own_application(request, number):
    applications = (
        Application.objects.for_parent(request.user)
        .select_related("period", "period__academic_year")
        .prefetch_related(
            "period__stages", "choices__period_school__school", "documents"
        )
    )
    return get_object_or_404(applications, registration_number=number)


def _check_may_register(request):
    # Children register through a parent's account, never their own.
    if request.user.memberships.filter(role=Membership.Role.STUDENT).exists():
        raise PermissionDenied(_("Students cannot register for admission."))


def _registration_open(period):
    """
    Return whether parents may register in ``period`` now.

    The registration stage must be open and the period must have a valid
    rule set, because the form's tracks, choices and checks come from it.
    """
    if not period.stage_is_open(Stage.Kind.REGISTRATION):
        return False
    try:
        checks.rules_for_text(period.rules_toml, period.name)
    except InputError:
        logger.warning(
            "registration open without a valid rule set period=%s", period.pk
        )
        return False
    return True


def _closed(request, period):
    stage = period.stage(Stage.Kind.REGISTRATION)
    return render(
        request,
        "ppdb/registration/closed.html",
        {"period": period, "stage": stage, "now": timezone.now()},
        status=403,
    )


def _stored_consent(request, period):
    """Return ``(version, consented_at)`` from the session, or ``None``."""
    entry = request.session.get(CONSENT_SESSION_KEY, {}).get(str(period.pk))
    if not entry or entry.get("version") != PRIVACY_NOTICE_VERSION:
        return None
    consented_at = parse_datetime(entry.get("at", ""))
    return (entry["version"], consented_at) if consented_at else None


@login_required
@require_http_methods(["GET", "POST"])
def consent(request, pk):
    """Show the privacy notice and record the parent's consent."""
    period = _period(pk)
    _check_may_register(request)
    if not _registration_open(period):
        return _closed(request, period)

    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        consents = request.session.get(CONSENT_SESSION_KEY, {})
        consents[str(period.pk)] = {
            "version": PRIVACY_NOTICE_VERSION,
            "at": timezone.now().isoformat(),
        }
        request.session[CONSENT_SESSION_KEY] = consents
        logger.info(
            "registration consent given period=%s parent=%s version=%s",
            period.pk,
            request.user.pk,
            PRIVACY_NOTICE_VERSION,
        )
        return redirect("ppdb:register_form", pk=period.pk)
    return render(
        request,
        "ppdb/registration/consent.html",
        {"period": period, "form": form, "version": PRIVACY_NOTICE_VERSION},
        status=400 if form.errors else 200,
    )


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def register(request, pk):
    """
    Show the registration form and store the application it posts.

    The size-limit upload handler must be installed before anything reads
    the request body. The CSRF middleware would read it first, so this view
    is exempt and ``_register`` runs the CSRF check instead.
    """
    limit_handler = FileSizeLimitHandler(request, settings.PPDB_MAX_DOCUMENT_SIZE)
    if request.method == "POST":
        request.upload_handlers.insert(0, limit_handler)
    return _register(request, pk, limit_handler)


@csrf_protect
def _register(request, pk, limit_handler):
    period = _period(pk)
    _check_may_register(request)
    if not _registration_open(period):
        return _closed(request, period)
    consent = _stored_consent(request, period)
    if consent is None:
        return redirect("ppdb:register", pk=period.pk)

    if request.method != "POST":
        token = secrets.token_urlsafe(24)
        form = ApplicationForm(period, initial={"submission_token": token})
        return _render_form(request, period, form)

    form = ApplicationForm(period, request.POST, request.FILES)
    valid = form.is_valid()
    if limit_handler.skipped_name is not None:
        _add_oversized_error(form, limit_handler.skipped_name)
        valid = False
    if valid:
        data = dict(form.cleaned_data, identity_flags=form.identity_flags)
        try:
            application, created = services.submit(
                period, request.user, data, consent=consent, request=request
            )
        except ValidationError as error:
            if error.code == "stage_closed":
                return _closed(request, period)
            form.add_error(None, error)
        else:
            if created:
                messages.success(
                    request,
                    _("Your application was stored with number %(number)s.")
                    % {"number": application.registration_number},
                )
            return redirect("ppdb:receipt", number=application.registration_number)
    return _render_form(request, period, form, status=400)


def _add_oversized_error(form, name):
    form.add_error(
        None,
        ValidationError(
            MESSAGES["document_too_large"],
            code="document_too_large",
            params={
                "name": name,
                "size": _("more than the limit"),
                "limit": filesizeformat(settings.PPDB_MAX_DOCUMENT_SIZE),
            },
        ),
    )
    logger.info("registration upload skipped for size name=%s", name)


def _render_form(request, period, form, status=200, application=None):
    return render(
        request,
        "ppdb/registration/form.html",
        {
            "period": period,
            "form": form,
            "application": application,
            "rules": form.rules,
            "documents": document_list(form.rules),
            "max_document_size": settings.PPDB_MAX_DOCUMENT_SIZE,
        },
        status=status,
    )


@login_required
def applications(request):
    """List the applications the parent submitted."""
    own = (
        Application.objects.for_parent(request.user)
        .select_related("period")
        .prefetch_related("choices__period_school__school")
        .order_by("-submitted_at")
    )
    return render(request, "ppdb/registration/applications.html", {"applications": own})


@login_required
def application(request, number):
    """Show one of the parent's applications with the verification notes."""
    entry = _own_application(request, number)
    decisions = list(
        VerificationDecision.objects.filter(application=entry).order_by(
            "-decided_at", "-pk"
        )
    )
    current = {}
    for decision in decisions:
        current.setdefault(decision.aspect, decision)
    aspects = [
        (label, current.get(aspect))
        for aspect, label in VerificationDecision.Aspect.choices
    ]
    return render(
        request,
        "ppdb/registration/application.html",
        {
            "application": entry,
            "aspects": aspects,
            "history": decisions,
            "can_fix": services.can_fix(entry),
            "fix_deadline": services.fix_deadline(entry.period),
        },
    )


@login_required
def receipt(request, number):
    """Show the printable receipt of one of the parent's applications."""
    entry = _own_application(request, number)
    return render(request, "ppdb/registration/receipt.html", {"application": entry})


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def correct(request, number):
    """Let the parent correct an application that needs a fix."""
    limit_handler = FileSizeLimitHandler(request, settings.PPDB_MAX_DOCUMENT_SIZE)
    if request.method == "POST":
        request.upload_handlers.insert(0, limit_handler)
    return _correct(request, number, limit_handler)


@csrf_protect
def _correct(request, number, limit_handler):
    entry = _own_application(request, number)
    period = entry.period
    if not services.can_fix(entry):
        messages.error(request, services.FIX_CLOSED)
        return redirect("ppdb:application", number=number)

    if request.method != "POST":
        form = ApplicationForm(period, initial=_initial(entry), application=entry)
        return _render_form(request, period, form, application=entry)

    form = ApplicationForm(period, request.POST, request.FILES, application=entry)
    valid = form.is_valid()
    if limit_handler.skipped_name is not None:
        _add_oversized_error(form, limit_handler.skipped_name)
        valid = False
    if valid:
        data = dict(form.cleaned_data, identity_flags=form.identity_flags)
        try:
            services.correct(entry, request.user, data, request=request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your correction was stored and goes back to the school for review."),
            )
            return redirect("ppdb:application", number=number)
    return _render_form(request, period, form, status=400, application=entry)


def _initial(entry):
    initial = {name: getattr(entry, name) for name in services.CORRECTABLE_FIELDS}
    initial["has_recommendation"] = entry.recommendation
    return initial


@login_required
def document(request, number, pk):
    """Send one of the documents of the parent's own application."""
    entry = _own_application(request, number)
    match = [item for item in entry.documents.all() if item.pk == pk]
    if not match:
        raise Http404
    item = match[0]
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
