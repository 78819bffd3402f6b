"""Submit every quiz attempt whose time is up."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from courses.quizzes.models import Attempt
from courses.quizzes.services import close_expired


class Command(BaseCommand):
    help = _(
        "Submit and grade every quiz attempt in progress whose time is up. "
        "Run it every few minutes, for example from cron."
    )

    def handle(self, *args, **options):
        total = Attempt.objects.filter(status=Attempt.Status.IN_PROGRESS).count()
        closed = 0
        with tqdm(
            total=total, desc=_("Attempts closed"), disable=total == 0, unit=""
        ) as progress:
            for _attempt, was_closed in close_expired():
                closed += int(was_closed)
                progress.update(1)
        self.stdout.write(
            _("%(closed)s of %(total)s attempts in progress were past their time.")
            % {"closed": closed, "total": total}
        )
