"""Keep library documents in step with their files."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import ItemFile


@receiver(post_delete, sender=ItemFile)
def delete_document(sender, instance, **kwargs):
    """
    Delete the Wagtail document of a deleted library file.

    Wagtail then deletes the stored file once the transaction commits.
    """
    document = type(instance).document.field.related_model.objects.filter(
        pk=instance.document_id
    )
    document.delete()
