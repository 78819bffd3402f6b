"""
The school operator's verification pages.

An operator sees the applications whose FIRST choice is one of their
schools; the city admin and superusers see all. An application outside a
person's reach is 404, and a person who verifies nothing gets 403. Every
page that shows a child's data, and every document download, writes an
audit log entry. NIK and KK numbers are masked unless the operator asks to
see them, which is logged on its own.
"""

import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lms import audit

from ..models import AdmissionPeriod, Application, ApplicationDocument
from . import evidence, services
from .forms import DecisionForm, QueueFilterForm

logger = logging.getLogger(__name__)

PAGE_SIZE = 50


def _verifier(request):
    if not services.is_verifier(request.user):
        raise PermissionDenied
    return request.user


def _application(user, number):
    """Return the application ``number`` if ``user`` may verify it, else 404."""
    return get_object_or_404(
        services.visible_applications(user).select_related("period", "parent"),
        registration_number=number,
    )


def _filtered(applications, form):
    if not form.is_valid():
        return applications.filter(status__in=services.OPEN_STATUSES)
    data = form.cleaned_data
    if data["period"] is not None:
        applications = applications.filter(period=data["period"])
    status = data["status"]
    if status == "":
        applications = applications.filter(status__in=services.OPEN_STATUSES)
    elif status != "all":
        applications = applications.filter(status=status)
    if data["track"]:
        applications = applications.filter(track=data["track"])
    if data["q"]:
        applications = applications.filter(
            Q(registration_number__iexact=data["q"]) | Q(full_name__icontains=data["q"])
        )
    return applications


@never_cache
@login_required
def queue(request):
    """List the applications to verify, oldest submission first."""
    user = _verifier(request)
    applications = services.visible_applications(user)
    periods = AdmissionPeriod.objects.filter(
        pk__in=applications.values("period")
    ).order_by("-academic_year__starts_on", "name")
    form = QueueFilterForm(request.GET or None, periods=periods)
    shown = _filtered(applications, form).order_by("submitted_at", "pk")
    shown = shown.select_related("period").annotate(
        decision_count=Count("verification_decisions")
    )
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(
        "ppdb.verification_queue_viewed",
        actor=user,
        request=request,
        filters={key: value for key, value in request.GET.items() if key != "page"},
        page=page.number,
        registration_numbers=[item.registration_number for item in page],
    )
    return render(
        request,
        "ppdb/verification/queue.html",
        {"form": form, "page": page, "query": _query_without_page(request)},
    )


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _aspect_rows(application, forms=None):
    in_force = services.current_decisions(application)
    history = {}
    for decision in application.verification_decisions.select_related(
        "decided_by"
    ).order_by("-decided_at", "-id"):
        history.setdefault(decision.aspect, []).append(decision)
    labels = dict(services.Aspect.choices)
    rows = []
    for aspect in services.required_aspects(application):
        form = (forms or {}).get(aspect) or DecisionForm(
            initial={"aspect": aspect}, prefix=aspect
        )
        rows.append(
            {
                "aspect": aspect,
                "label": labels[aspect],
                "current": in_force.get(aspect),
                "history": history.get(aspect, []),
                "form": form,
            }
        )
    return rows


def _render_application(request, application, forms=None, status=200, error=None):
    user = request.user
    reveal = request.GET.get("show") == "identifiers"
    application = (
        Application.objects.select_related("period", "parent")
        .prefetch_related("choices__period_school__school", "documents")
        .get(pk=application.pk)
    )
    audit.record(
        "ppdb.application_identifiers_viewed" if reveal else "ppdb.application_viewed",
        actor=user,
        subject=application.parent,
        obj=application,
        request=request,
        registration_number=application.registration_number,
    )
    context = {
        "application": application,
        "reveal": reveal,
        "nik": application.nik if reveal else application.masked_nik(),
        "kk": application.kk_number if reveal else application.masked_kk(),
        "checks": evidence.gather(application, user),
        "aspects": _aspect_rows(application, forms),
        "is_open": application.status in services.OPEN_STATUSES,
        "deadline": services.verification_deadline(application.period),
        "documents": sorted(
            application.documents.all(),
            key=lambda document: (not document.is_current, document.kind),
        ),
        "error": error,
    }
    return render(request, "ppdb/verification/application.html", context, status=status)


@never_cache
@login_required
def application(request, number):
    """Show one application with its checks, decisions and history."""
    user = _verifier(request)
    return _render_application(request, _application(user, number))


@require_POST
@login_required
def decide(request, number):
    """Record a decision on one aspect; errors keep the page and store nothing."""
    user = _verifier(request)
    found = _application(user, number)
    aspect = request.POST.get("aspect", "")
    prefix = aspect if aspect in services.Aspect.values else None
    form = DecisionForm(request.POST, prefix=prefix)
    if prefix is None or not form.is_valid():
        if prefix is None:
            return _render_application(
                request,
                found,
                status=400,
                error=_("%(value)s is not an aspect to verify.")
                % {"value": aspect or "-"},
            )
        return _render_application(request, found, {aspect: form}, status=400)
    data = form.cleaned_data
    try:
        services.decide(
            found, data["aspect"], data["decision"], data["note"], user, request
        )
    except ValidationError as error:
        return _render_application(
            request, found, {aspect: form}, status=400, error=" ".join(error.messages)
        )
    return redirect(
        reverse("ppdb:verification_application", args=[found.registration_number])
        + f"#aspect-{aspect}"
    )


@never_cache
@login_required
def document(request, number, document_pk):
    """Send one document of an application, after checking access again."""
    user = _verifier(request)
    found = _application(user, number)
    item = get_object_or_404(ApplicationDocument, application=found, pk=document_pk)
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        logger.error(
            "document missing from storage application=%s document=%s error=%s",
            found.registration_number,
            item.pk,
            error,
        )
        raise Http404(_("The file of this document is missing.")) from error
    audit.record(
        "ppdb.document_downloaded",
        actor=user,
        subject=found.parent,
        obj=item,
        request=request,
        registration_number=found.registration_number,
        kind=item.kind,
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{found.registration_number}-{item.kind}{_extension(item)}",
        content_type=item.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _extension(item):
    return {
        "application/pdf": ".pdf",
        "image/jpeg": ".jpg",
        "image/png": ".png",
    }.get(item.content_type, "")
