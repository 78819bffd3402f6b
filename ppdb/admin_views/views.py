"""
The education office's pages for a period: schools, capacities and seats.

Only the city admin and superusers may use them; anyone else logged in gets
403. Periods, stages and the rule set are edited in the Wagtail admin (see
``ppdb.wagtail_hooks``). These pages show the seats as the engine computes
them and take overrides with their reason.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lms import audit

from ..engine import InputError
from ..messages import describe
from ..models import TRACK_CHOICES, AdmissionPeriod, PeriodSchool, SeatOverride
from .forms import CapacityForm, PeriodSchoolForm, SeatOverrideForm
from .seats import check_capacity, seat_table, set_override


def is_office_user(user):
    """Return whether ``user`` may manage admission periods."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.is_city_admin)
    )


def _office_user(request):
    if not is_office_user(request.user):
        raise PermissionDenied
    return request.user


def _period(pk):
    return get_object_or_404(
        AdmissionPeriod.objects.select_related("academic_year"), pk=pk
    )


def _rules_or_error(period):
    """Return ``(rules, None)``, or ``(None, messages)`` for a missing rule set."""
    if not period.rules_toml.strip():
        return None, [_("The period has no rule set yet; add it in the admin.")]
    try:
        return period.rule_set, None
    except InputError as error:
        return None, [describe(problem) for problem in error.problems]


def _track_labels(rules):
    labels = dict(TRACK_CHOICES)
    return [(track, labels.get(track, track)) for track in rules.tracks]


@never_cache
@login_required
def periods(request):
    """List every admission period, with links to its seats and the admin."""
    _office_user(request)
    context = {
        "periods": AdmissionPeriod.objects.select_related(
            "academic_year"
        ).prefetch_related("stages"),
    }
    return render(request, "ppdb/office/periods.html", context)


@never_cache
@login_required
def seats(request, pk):
    """Show the period's schools with their seats per track and the overrides."""
    _office_user(request)
    period = _period(pk)
    rules, errors = _rules_or_error(period)
    context = {
        "period": period,
        "rule_errors": errors,
        "add_form": PeriodSchoolForm(period=period),
    }
    if rules is not None:
        tracks = _track_labels(rules)
        table = seat_table(period, rules)
        context.update(
            tracks=tracks,
            rows=[
                {
                    "entry": entry,
                    "cells": [
                        {
                            "track": track,
                            "computed": entry.computed.get(track),
                            "in_force": entry.in_force.get(track),
                            "override": entry.overrides.get(track),
                        }
                        for track, _label in tracks
                    ],
                }
                for entry in table
            ],
            history=SeatOverride.objects.filter(period_school__period=period)
            .select_related("period_school__school", "set_by")
            .order_by("-set_at", "-id"),
        )
    return render(request, "ppdb/office/seats.html", context)


@require_POST
@login_required
def add_school(request, pk):
    """Add a school to the period with its capacity."""
    user = _office_user(request)
    period = _period(pk)
    form = PeriodSchoolForm(request.POST, period=period)
    if not form.is_valid():
        return render(
            request,
            "ppdb/office/school_form.html",
            {"period": period, "form": form},
            status=400,
        )
    with transaction.atomic():
        period_school = form.save()
        audit.record(
            "ppdb.period_school_added",
            actor=user,
            obj=period_school,
            request=request,
            period=period.pk,
            npsn=period_school.school.npsn,
            capacity=period_school.capacity,
        )
    messages.success(
        request,
        _("%(school)s takes part with a capacity of %(capacity)s.")
        % {"school": period_school.school.name, "capacity": period_school.capacity},
    )
    return redirect("ppdb:office_seats", pk=period.pk)


def _period_school(period, school_pk):
    return get_object_or_404(
        PeriodSchool.objects.select_related("school"), period=period, pk=school_pk
    )


@never_cache
@login_required
def edit_school(request, pk, school_pk):
    """Change one school's capacity, or override the seats of one track."""
    user = _office_user(request)
    period = _period(pk)
    period_school = _period_school(period, school_pk)
    rules, errors = _rules_or_error(period)
    if rules is None:
        messages.error(request, " ".join(errors))
        return redirect("ppdb:office_seats", pk=period.pk)
    tracks = _track_labels(rules)
    capacity_form = CapacityForm(instance=period_school, prefix="capacity")
    override_form = SeatOverrideForm(tracks=tracks, prefix="override")
    status = 200

    if request.method == "POST" and "capacity-capacity" in request.POST:
        old_capacity = period_school.capacity
        capacity_form = CapacityForm(
            request.POST, instance=period_school, prefix="capacity"
        )
        if capacity_form.is_valid():
            try:
                check_capacity(period_school, rules, period_school.capacity)
            except ValidationError as error:
                capacity_form.add_error("capacity", error)
        if capacity_form.is_valid():
            with transaction.atomic():
                capacity_form.save()
                audit.record(
                    "ppdb.capacity_changed",
                    actor=user,
                    obj=period_school,
                    request=request,
                    period=period.pk,
                    npsn=period_school.school.npsn,
                    capacity_before=old_capacity,
                    capacity=period_school.capacity,
                )
            messages.success(request, _("The capacity is saved."))
            return redirect("ppdb:office_seats", pk=period.pk)
        status = 400
    elif request.method == "POST":
        override_form = SeatOverrideForm(request.POST, tracks=tracks, prefix="override")
        if override_form.is_valid():
            data = override_form.cleaned_data
            try:
                set_override(
                    period_school,
                    rules,
                    data["track"],
                    data["seats"],
                    data["reason"],
                    user,
                    request,
                )
            except ValidationError as error:
                override_form.add_error(None, error)
            else:
                messages.success(request, _("The seat override is saved and logged."))
                return redirect("ppdb:office_seats", pk=period.pk)
        status = 400

    context = {
        "period": period,
        "period_school": period_school,
        "capacity_form": capacity_form,
        "override_form": override_form,
        "overrides": period_school.seat_overrides.select_related("set_by"),
    }
    return render(request, "ppdb/office/school_edit.html", context, status=status)
