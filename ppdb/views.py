"""The public admission pages: open periods and their schedules."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from .models import AdmissionPeriod
from .selection import cache as ranking_cache


def _published_periods():
    return (
        AdmissionPeriod.objects.published()
        .select_related("academic_year")
        .prefetch_related("stages")
    )


def _summary(period, now):
    return {
        "period": period,
        "status": period.status(now),
        "is_open": period.is_open(now),
        "current_stage": period.current_stage(now),
        "next_stage": period.next_stage(now),
        "stages": [
            {"stage": stage, "is_current": stage.is_open(now)}
            for stage in period.ordered_stages()
        ],
    }


def index(request):
    """List the published admission periods, the open ones first."""
    now = timezone.now()
    summaries = [_summary(period, now) for period in _published_periods()]
    context = {
        "open_periods": [entry for entry in summaries if entry["is_open"]],
        "other_periods": [entry for entry in summaries if not entry["is_open"]],
        "now": now,
    }
    return render(request, "ppdb/index.html", context)


def period(request, pk):
    """Show one published admission period with its full schedule."""
    admission_period = get_object_or_404(_published_periods(), pk=pk)
    now = timezone.now()
    context = {
        "entry": _summary(admission_period, now),
        "now": now,
        "has_ranking": bool(ranking_cache.shown_page_set(admission_period.pk)),
    }
    return render(request, "ppdb/period.html", context)
