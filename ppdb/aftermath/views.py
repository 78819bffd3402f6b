"""Pages of what follows the announcement, for parents and for the office."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lms import audit

from ..models import AdmissionPeriod, Application, Complaint, Objection, Stage
from . import services
from .forms import (
    AnswerForm,
    CancellationForm,
    ComplaintForm,
    ObjectionAnswerForm,
    ObjectionForm,
    WithdrawalForm,
)


def _own_application(request, number):
    """Return the parent's application ``number``, or raise Http404."""
    return get_object_or_404(
        Application.objects.for_parent(request.user).select_related("period"),
        registration_number=number,
    )


def _staff_application(request, number):
    """Return application ``number`` if the user is office staff for it.

    Raise Http404 for anyone else.
    """
    application = get_object_or_404(
        Application.objects.select_related("period"), registration_number=number
    )
    if not services.is_office_staff(request.user, application):
        raise Http404
    return application


def _fail(request, error, form=None):
    """Show a rejected action's message on the form, or as a page message."""
    if form is not None:
        form.add_error(None, error.message)
    else:
        messages.error(request, error.message)


@never_cache
@login_required
def aftermath(request, number):
    """Show the parent's page for a result: re-register, object or withdraw."""
    application = _own_application(request, number)
    return _render_aftermath(request, application)


def _render_aftermath(request, application, status=200, **forms):
    period = application.period
    context = {
        "application": application,
        "admission": services.admission(application),
        "objections": application.objections.all(),
        "objection_open": period.stage_is_open(Stage.Kind.OBJECTION),
        "objection_form": forms.get("objection_form") or ObjectionForm(),
        "withdrawal_form": forms.get("withdrawal_form") or WithdrawalForm(),
        "closed": application.status in services.CLOSED_STATUSES,
    }
    return render(request, "ppdb/aftermath/application.html", context, status=status)


@require_POST
@login_required
def file_objection(request, number):
    application = _own_application(request, number)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            services.file_objection(
                application, request.user, form.cleaned_data["body"]
            )
        except services.AftermathError as error:
            _fail(request, error, form)
        else:
            messages.success(request, _("Your objection has been sent."))
            return redirect("ppdb:aftermath", number)
    return _render_aftermath(request, application, status=400, objection_form=form)


@require_POST
@login_required
def re_register(request, number):
    application = _own_application(request, number)
    try:
        services.re_register(application, request.user)
    except services.AftermathError as error:
        _fail(request, error)
        return _render_aftermath(request, application, status=400)
    messages.success(
        request,
        _("Re-registration is complete. The school will give out the first password."),
    )
    return redirect("ppdb:aftermath", number)


@require_POST
@login_required
def withdraw(request, number):
    application = _own_application(request, number)
    form = WithdrawalForm(request.POST)
    if form.is_valid():
        try:
            services.withdraw(application, request.user, form.cleaned_data["reason"])
        except services.AftermathError as error:
            _fail(request, error, form)
        else:
            messages.success(request, _("The application has been withdrawn."))
            return redirect("ppdb:aftermath", number)
    return _render_aftermath(request, application, status=400, withdrawal_form=form)


@never_cache
@login_required
def complaints(request, pk):
    """List the complaints a person sent about a period, with a form for a new one."""
    period = get_object_or_404(AdmissionPeriod.objects.published(), pk=pk)
    applications = Application.objects.for_parent(request.user).filter(period=period)
    form = ComplaintForm(request.POST or None, applications=applications)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.submit_complaint(
                    period,
                    request.user,
                    form.cleaned_data["subject"],
                    form.cleaned_data["body"],
                    form.cleaned_data["application"],
                )
            except services.AftermathError as error:
                _fail(request, error, form)
            else:
                messages.success(request, _("Your complaint has been sent."))
                return redirect("ppdb:complaints", period.pk)
        status = 400
    context = {
        "period": period,
        "form": form,
        "complaints": Complaint.objects.filter(period=period, author=request.user),
    }
    return render(request, "ppdb/aftermath/complaints.html", context, status=status)


# The office's side


def _staff_period(request, pk):
    period = get_object_or_404(AdmissionPeriod, pk=pk)
    user = request.user
    is_operator = Application.objects.for_operator(user).filter(period=period)
    if not (user.is_superuser or user.is_city_admin or is_operator.exists()):
        raise Http404
    return period


@never_cache
@login_required
def office_complaints(request, pk):
    period = _staff_period(request, pk)
    items = services.complaints_for_staff(request.user, period)
    context = {"period": period, "complaints": items, "form": AnswerForm()}
    return render(request, "ppdb/aftermath/office_complaints.html", context)


@require_POST
@login_required
def answer_complaint(request, pk):
    complaint = get_object_or_404(Complaint, pk=pk)
    if not services.complaints_for_staff(request.user, complaint.period).filter(
        pk=complaint.pk
    ):
        raise Http404
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_complaint(
                complaint, request.user, form.cleaned_data["answer"]
            )
        except services.AftermathError as error:
            _fail(request, error)
        else:
            messages.success(request, _("The answer has been sent."))
    else:
        messages.error(request, _("Write an answer."))
    return redirect("ppdb:office_complaints", complaint.period_id)


@never_cache
@login_required
def office_objections(request, pk):
    period = _staff_period(request, pk)
    visible = Application.objects.for_staff(request.user).filter(period=period)
    items = (
        Objection.objects.filter(application__in=visible.values("pk"))
        .select_related("application", "author", "answered_by")
        .order_by("status", "created_at")
    )
    audit.record(
        "ppdb.objection.list", request=request, period=period.pk, count=len(items)
    )
    context = {"period": period, "objections": items, "form": ObjectionAnswerForm()}
    return render(request, "ppdb/aftermath/office_objections.html", context)


@require_POST
@login_required
def answer_objection(request, pk):
    objection = get_object_or_404(
        Objection.objects.select_related("application__period"), pk=pk
    )
    if not services.is_office_staff(request.user, objection.application):
        raise Http404
    form = ObjectionAnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.answer_objection(
                objection,
                request.user,
                accepted=data["decision"] == "accept",
                answer=data["answer"],
                correction=data["correction"],
                new_run=data["new_run"],
            )
        except services.AftermathError as error:
            _fail(request, error)
        else:
            messages.success(request, _("The answer has been sent."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("ppdb:office_objections", objection.application.period_id)


@never_cache
@login_required
def cancel(request, number):
    """Cancel an admission that rests on forged documents."""
    application = _staff_application(request, number)
    form = CancellationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.cancel_admission(
                    application, request.user, form.cleaned_data["reason"]
                )
            except services.AftermathError as error:
                _fail(request, error, form)
            else:
                messages.success(request, _("The application has been cancelled."))
                return redirect(reverse("ppdb:cancel", args=[number]))
        status = 400
    else:
        audit.record(
            "ppdb.application.view",
            request=request,
            obj=application,
            page="cancel",
        )
    context = {"application": application, "form": form}
    return render(request, "ppdb/aftermath/cancel.html", context, status=status)
