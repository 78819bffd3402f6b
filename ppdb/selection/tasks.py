"""Background tasks of selection runs, run through django-tasks."""

from django_tasks import task

from . import runs


@task()
def execute_selection_run(run_id):
    """Execute one selection run and return its final status."""
    return runs.execute_run(run_id).status
