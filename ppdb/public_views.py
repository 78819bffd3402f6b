"""
Public admission information, readable without an account.

Per published period: the schedule, the seats of every school and track,
each school's catchment, the rules in plain language and the documents to
prepare. The help page carries the FAQ and the help desk's contact details
from the ``PPDB_HELP_DESK`` setting.
"""

import logging

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from . import public_info
from .engine import InputError
from .models import AdmissionPeriod, ApplicationDocument
from .registration import checks

logger = logging.getLogger(__name__)


@require_GET
@cache_control(max_age=60, private=True)
def information(request, pk):
    """Show everything a parent should know about one period before registering."""
    period = get_object_or_404(
        AdmissionPeriod.objects.published()
        .select_related("academic_year")
        .prefetch_related("stages"),
        pk=pk,
    )
    now = timezone.now()
    context = {
        "period": period,
        "now": now,
        "is_open": period.is_open(now),
        "stages": [
            {"stage": stage, "is_current": stage.is_open(now)}
            for stage in period.ordered_stages()
        ],
        "help_desk": help_desk(),
    }
    try:
        rules = checks.rules_for_text(period.rules_toml, period.name).rule_set
    except InputError:
        logger.warning("admission period has no valid rule set period=%s", period.pk)
        # Registration needs the rule set, so the page offers none.
        context["is_open"] = False
        return render(request, "ppdb/public/information.html", context)

    tables = public_info.period_tables(period)
    context.update(
        rules=rules,
        sections=public_info.rule_sections(rules),
        tables=tables,
        table_problems=public_info.table_problems(tables),
        track_labels=[public_info.track_label(track) for track in tables["tracks"]],
        documents=document_list(rules),
    )
    return render(request, "ppdb/public/information.html", context)


def document_list(rules):
    """Return ``(track label, [[document label, ...], ...])`` per offered track."""
    kinds = dict(ApplicationDocument.Kind.choices)
    return [
        (label, [[kinds[kind] for kind in group] for group in groups])
        for _track, label, groups in public_info.document_rows(rules)
    ]


def help_desk():
    """Return the help desk's non-empty contact details."""
    return {key: value for key, value in settings.PPDB_HELP_DESK.items() if value}


@require_GET
@cache_control(max_age=300, private=True)
def help_page(request):
    """Show the questions parents ask most and how to reach the help desk."""
    return render(request, "ppdb/public/help.html", {"help_desk": help_desk()})
