"""Keep library documents and search rows in step with files and items."""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from wagtail.documents import get_document_model
from wagtail.models import Page
from wagtail.signals import page_unpublished, post_page_move

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


@receiver(post_delete, sender=Page)
def index_original_of_deleted_alias(sender, instance, **kwargs):
    """Index the original of a deleted alias, which its library no longer lists."""
    from .indexing import index_items

    # Django deletes the ``LibraryItemPage`` row of a page before its
    # ``Page`` row, so only now is the alias gone from the page tree.
    if instance.alias_of_id is not None:
        index_items([instance.alias_of_id])


@receiver(pre_save, sender=LibraryItemPage)
def remember_original(sender, instance, raw=False, **kwargs):
    instance._stored_alias_of_id = (
        None
        if raw or instance.pk is None
        else Page.objects.filter(pk=instance.pk)
        .values_list("alias_of_id", flat=True)
        .first()
    )


@receiver(post_save, sender=LibraryItemPage)
def index_converted_alias(sender, instance, raw=False, **kwargs):
    """
    Give an alias converted into an ordinary page its library's school, and
    index it and its former original.

    Wagtail 8.0's ``ConvertAliasPageAction`` saves only ``alias_of``, so
    ``LibraryItemPage.save`` cannot store the school.
    """
    from .indexing import index_items

    former = getattr(instance, "_stored_alias_of_id", None)
    if raw or former is None or instance.alias_of_id is not None:
        return
    school = instance._parent_school()
    instance.school = school
    LibraryItemPage.objects.filter(pk=instance.pk).update(school=school)
    index_items([instance.pk, former])


@receiver(page_unpublished)
def index_unpublished_alias(sender, instance, **kwargs):
    # Covers unpublishing through a base ``Page`` instance, whose save does
    # not run ``LibraryItemPage.save``.
    from .indexing import index_items

    if issubclass(sender, LibraryItemPage):
        index_items([instance.pk])


@receiver(post_page_move)
def update_moved_item(sender, instance, **kwargs):
    """
    Copy the new library's school into a moved item and its aliases, and
    index it.

    Wagtail saves a moved page as a base ``Page``, so
    ``LibraryItemPage.save`` does not run.
    """
    from .indexing import alias_pages, index_items

    if not issubclass(sender, LibraryItemPage):
        return
    item = LibraryItemPage.objects.get(pk=instance.pk)
    if item.alias_of_id is None:
        school = item._parent_school()
        school_id = school.pk if school is not None else None
        ids = [item.pk, *(alias["pk"] for alias in alias_pages([item.pk]))]
        LibraryItemPage.objects.filter(pk__in=ids).update(school_id=school_id)
    index_items([item.pk])
