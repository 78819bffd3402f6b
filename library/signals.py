"""Keep library documents and search rows in step with files and items."""

from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver
from wagtail.documents import get_document_model

from .models import ItemFile, LibraryItemPage


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


@receiver(pre_delete, sender=LibraryItemPage)
def remember_aliases(sender, instance, **kwargs):
    # ``Page.alias_of`` is SET_NULL: deleting the original turns its aliases
    # into items of their own with an UPDATE that calls no save().
    instance._alias_ids = list(
        LibraryItemPage.objects.filter(alias_of_id=instance.pk).values_list(
            "pk", flat=True
        )
    )


@receiver(post_delete, sender=LibraryItemPage)
def index_former_aliases(sender, instance, **kwargs):
    """Index the items that the deletion of their original turned from aliases."""
    from .indexing import index_items

    index_items(getattr(instance, "_alias_ids", []))
