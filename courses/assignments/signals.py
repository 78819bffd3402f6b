from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Assignment


@receiver(post_delete, sender=Assignment, dispatch_uid="assignments_gradebook_item")
def remove_gradebook_item(sender, instance, **kwargs):
    """Delete a deleted assignment's grade item, so no orphan column remains."""
    from .services import remove_from_gradebook

    remove_from_gradebook(instance)
