"""
Pages of selection runs: public rankings, a parent's result, the office's
runs, comparisons, reports and exports.

Public ranking pages come from the cache (``ranking``). Every other page
needs a login: a parent gets only the results of their own applications
(anyone else's is a 404), and the run, report and export pages are for
the city admin. Internal exports and comparisons, which show children's
identifiers or names, are recorded in the audit log.
"""

import io
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lms import audit

from ..messages import translate
from ..models import (
    AdmissionPeriod,
    Application,
    SelectionChoiceResult,
    SelectionResult,
    SelectionRun,
)
from . import cache as ranking_cache
from . import exports, reports
from .compare import causes_text, compare_runs, outcome_text
from .explanations import explain, track_label
from .ranking import CSRF_PLACEHOLDER, INDEX_PAGE, page_html, program_page
from .runs import RunError, can_manage_runs, publish_run, start_run

logger = logging.getLogger(__name__)


def _ranking_response(request, period_id, page):
    name = ranking_cache.shown_page_set(period_id)
    if not name:
        raise Http404(_("No ranking has been published for this period yet."))
    html = page_html(name, request.LANGUAGE_CODE, page)
    if html is None:
        raise Http404(_("This school has no ranking in this track."))
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))


@require_GET
def ranking(request, pk):
    """Show the schools and tracks of the period's shown ranking."""
    return _ranking_response(request, pk, INDEX_PAGE)


@require_GET
def ranking_program(request, pk, npsn, track):
    """Show one school and track's ranking list."""
    return _ranking_response(request, pk, program_page(npsn, track))


def _shown_runs(period):
    runs = {}
    for round in SelectionRun.Round.values:
        run_id = ranking_cache.find_shown_run_id(period.pk, round)
        if run_id:
            runs[round] = SelectionRun.objects.get(pk=run_id)
    return runs


@login_required
@require_GET
def result(request, pk):
    """Show a parent the outcome of their application, with its reasons."""
    application = get_object_or_404(
        Application.objects.for_parent(request.user).select_related("period"),
        pk=pk,
    )
    sections = []
    for run in _shown_runs(application.period).values():
        result_row = (
            SelectionResult.objects.filter(run=run, application=application)
            .select_related("period_school__school")
            .first()
        )
        if result_row is None:
            continue
        choice_rows = SelectionChoiceResult.objects.filter(
            run=run, application=application
        ).select_related("period_school__school")
        sections.append(
            {"run": run, "explanation": explain(result_row, list(choice_rows))}
        )
    return render(
        request,
        "ppdb/results/result.html",
        {
            "application": application,
            "sections": sections,
            "track": track_label(application.track),
        },
    )


def _require_city_admin(request):
    if not can_manage_runs(request.user):
        raise PermissionDenied


def run_error(run):
    """Return the reason a run was refused or failed, translated."""
    error = run.summary.get("error") or {}
    code = error.get("code")
    if code == "worker_lost":
        return _("The worker running this selection stopped before it finished.")
    if error.get("template"):
        return translate(error["template"], error.get("params", {}))
    return run.error


@login_required
def runs(request, pk):
    """List a period's runs and start a new one (city admin)."""
    _require_city_admin(request)
    period = get_object_or_404(AdmissionPeriod, pk=pk)
    if request.method == "POST":
        dry_run = request.POST.get("kind") != "candidate"
        round = request.POST.get("round", SelectionRun.Round.MAIN)
        try:
            run = start_run(period, request.user, dry_run=dry_run, round=round)
        except RunError as error:
            messages.error(request, error.message)
            return redirect("ppdb:runs", pk=period.pk)
        messages.success(
            request, _("Selection run %(number)s started.") % {"number": run.number}
        )
        return redirect("ppdb:run_detail", pk=run.pk)
    period_runs = SelectionRun.objects.filter(period=period).select_related(
        "started_by", "published_by"
    )
    return render(
        request,
        "ppdb/results/runs.html",
        {
            "period": period,
            "runs": period_runs,
            "rounds": SelectionRun.Round.choices,
        },
    )


@login_required
@require_GET
def run_detail(request, pk):
    """Show one run: its summary, its error, and its moves since the last."""
    _require_city_admin(request)
    run = get_object_or_404(SelectionRun.objects.select_related("period"), pk=pk)
    rows = reports.program_rows(run) if run.status == run.Status.SUCCEEDED else []
    return render(
        request,
        "ppdb/results/run_detail.html",
        {"run": run, "period": run.period, "rows": rows, "error": run_error(run)},
    )


@login_required
@require_POST
def run_publish(request, pk):
    """Make a run the period's official result (city admin)."""
    _require_city_admin(request)
    run = get_object_or_404(SelectionRun.objects.select_related("period"), pk=pk)
    try:
        publish_run(run, request.user, request=request)
    except RunError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Run %(number)s is now the official result.") % {"number": run.number},
        )
    return redirect("ppdb:run_detail", pk=run.pk)


@login_required
@require_GET
def run_compare(request, pk):
    """Show who moved in or out of a seat since an earlier run, and why."""
    _require_city_admin(request)
    run = get_object_or_404(SelectionRun.objects.select_related("period"), pk=pk)
    previous = None
    if request.GET.get("previous"):
        try:
            previous_pk = int(request.GET["previous"])
        except ValueError:
            raise Http404(_("The run to compare with is not a number.")) from None
        previous = get_object_or_404(
            SelectionRun,
            pk=previous_pk,
            period=run.period,
            status=SelectionRun.Status.SUCCEEDED,
        )
    if run.status != SelectionRun.Status.SUCCEEDED:
        raise Http404(_("Only runs that succeeded can be compared."))
    comparison = compare_runs(run, previous)
    sections = []
    if comparison is not None:
        names = dict(
            Application.objects.filter(
                pk__in={
                    move.application_id
                    for move in comparison.moved_in + comparison.moved_out
                }
            ).values_list("pk", "full_name")
        )
        audit.record(
            "ppdb.selection_runs_compared",
            request=request,
            obj=run,
            previous=comparison.previous.number,
            applications=len(names),
        )
        for title, moves in (
            (_("Moved in"), comparison.moved_in),
            (_("Moved out"), comparison.moved_out),
        ):
            sections.append((title, [_move_row(move, names) for move in moves]))
    return render(
        request,
        "ppdb/results/compare.html",
        {
            "run": run,
            "period": run.period,
            "comparison": comparison,
            "sections": sections,
            "candidates": SelectionRun.objects.filter(
                period=run.period,
                round=run.round,
                status=SelectionRun.Status.SUCCEEDED,
            ).exclude(pk=run.pk),
        },
    )


def _move_row(move, names):
    return {
        "npsn": move.npsn,
        "track": track_label(move.track),
        "registration_number": move.registration_number,
        "name": names.get(move.application_id, ""),
        "before": outcome_text(move.before),
        "after": outcome_text(move.after),
        "why": causes_text(move.causes),
    }


@login_required
@require_GET
def period_reports(request, pk):
    """Show the office's figures and charts for a period's run."""
    _require_city_admin(request)
    period = get_object_or_404(AdmissionPeriod, pk=pk)
    finished = SelectionRun.objects.filter(
        period=period, status=SelectionRun.Status.SUCCEEDED
    )
    run = None
    if request.GET.get("run"):
        try:
            run = finished.get(pk=int(request.GET["run"]))
        except (ValueError, SelectionRun.DoesNotExist):
            raise Http404(_("No run of this period succeeded with that id.")) from None
    else:
        shown = ranking_cache.find_shown_run_id(period.pk)
        run = finished.filter(pk=shown).first() or finished.order_by("-number").first()
    rows = reports.program_rows(run) if run else []
    per_day = reports.applications_per_day(period)
    fill_chart, day_chart = reports.charts(rows, per_day)
    return render(
        request,
        "ppdb/reports/period.html",
        {
            "period": period,
            "run": run,
            "runs": finished,
            "rows": rows,
            "per_day": per_day,
            "fill_chart": fill_chart,
            "day_chart": day_chart,
        },
    )


@login_required
@require_GET
def run_export(request, pk, audience, file_format):
    """Download a run's results as CSV or XLSX (city admin)."""
    _require_city_admin(request)
    if audience not in exports.AUDIENCES or file_format not in exports.FORMATS:
        raise Http404(_("Unknown export."))
    run = get_object_or_404(
        SelectionRun.objects.select_related("period"),
        pk=pk,
        status=SelectionRun.Status.SUCCEEDED,
    )
    filename = f"ppdb-{run.period_id}-run-{run.number}-{audience}.{file_format}"
    if file_format == "csv":
        buffer = io.StringIO()
        exports.write_csv(run, audience, buffer)
        response = HttpResponse(
            buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
    else:
        buffer = io.BytesIO()
        exports.write_xlsx(run, audience, buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
        )
    if audience == exports.INTERNAL:
        exports.record_internal_export(run, request.user, file_format, request=request)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
