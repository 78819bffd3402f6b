"""Background tasks of selection runs, run through django-tasks."""

from django_tasks import task

from ..models import SelectionRun
from . import runs


@task()
def execute_selection_run(run_id):
    """Execute one selection run and return its final status."""
    return runs.execute_run(run_id).status


@task()
def warm_ranking_pages(run_id):
    """Render and cache the ranking pages of a run the public may see."""
    run = SelectionRun.objects.select_related("period").get(pk=run_id)
    runs.warm_ranking(run)
