"""
Keep finished selection runs unchanged.

Once a run has left ``running``, saving or deleting it or any of its
results raises ``FinishedRunError``, except for the three fields that
publishing sets. The guard runs on model ``save()`` and ``delete()``,
including cascades. ``QuerySet.update()`` bypasses it, and only
``ppdb.selection.runs`` calls it on runs, for the status transitions it
makes.
"""

from django.db.models.signals import pre_delete, pre_save

from ..models import SelectionChoiceResult, SelectionResult, SelectionRun

PUBLISHING_FIELDS = {"is_official", "published_at", "published_by"}


class FinishedRunError(Exception):
    """Raised on an attempt to change a finished run or its results."""


def _stored_run(pk):
    return SelectionRun.objects.filter(pk=pk).first()


def _check_run_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    stored = _stored_run(instance.pk)
    if stored is None or stored.status == SelectionRun.Status.RUNNING:
        return
    for model_field in SelectionRun._meta.concrete_fields:
        if model_field.attname in {"published_by_id", *PUBLISHING_FIELDS}:
            continue
        if getattr(stored, model_field.attname) != getattr(
            instance, model_field.attname
        ):
            raise FinishedRunError(
                f"cannot change {model_field.name} of finished selection run "
                f"{instance.pk}"
            )


def _check_run_delete(sender, instance, **kwargs):
    if instance.status != SelectionRun.Status.RUNNING:
        raise FinishedRunError(f"cannot delete finished selection run {instance.pk}")


def _check_result(sender, instance, raw=False, **kwargs):
    if raw:
        return
    run = _stored_run(instance.run_id)
    if run is not None and run.status != SelectionRun.Status.RUNNING:
        raise FinishedRunError(
            f"cannot change the results of finished selection run {instance.run_id}"
        )


def connect():
    pre_save.connect(_check_run_save, sender=SelectionRun)
    pre_delete.connect(_check_run_delete, sender=SelectionRun)
    for model in (SelectionResult, SelectionChoiceResult):
        pre_save.connect(_check_result, sender=model)
        pre_delete.connect(_check_result, sender=model)
