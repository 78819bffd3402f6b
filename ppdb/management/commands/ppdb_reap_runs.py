"""Mark as failed the selection runs whose worker died."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ppdb.selection.runs import reap_stale_runs


class Command(BaseCommand):
    help = (
        "Mark as failed every selection run still 'running' after its lease "
        "expired (PPDB_RUN_LEASE_SECONDS, default 600), because its worker "
        "died or its task was lost. Safe to run often and from several "
        "processes."
    )

    def handle(self, verbosity=1, **options):
        reaped = reap_stale_runs()
        if verbosity > 1:
            for pk in reaped:
                self.stdout.write(_("selection run %(id)s: failed") % {"id": pk})
        self.stdout.write(
            _("%(count)s selection runs marked failed.") % {"count": len(reaped)}
        )
