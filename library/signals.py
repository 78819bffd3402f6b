"""Keep library documents in step with their files."""

from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.documents import get_document_model

from .models import ItemFile


@receiver(post_delete, sender=ItemFile)
def delete_document(sender, instance, origin=None, **kwargs):
    """
    Delete the Wagtail document of a deleted library file.

    Wagtail then deletes the stored file once the transaction commits. When
    the document's own deletion removed the file row, nothing is left to do.
    """
    Document = get_document_model()
    if isinstance(origin, Document):
        return
    Document.objects.filter(pk=instance.document_id).delete()
