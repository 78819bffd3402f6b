"""Keep role groups in step with memberships, guardian links and flags."""

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import GuardianLink, Membership, User
from .roles import sync_groups


def _deleted_with_user(user_id, origin):
    """
    Return whether the deletion that started at ``origin`` removes the user.

    Groups of a user who is being deleted are left alone: re-adding one would
    point a group row at a user that is gone by the end of the transaction.
    """
    if isinstance(origin, User):
        return origin.pk == user_id
    if isinstance(origin, QuerySet) and origin.model is User:
        # Related rows are deleted before the users, so the query still
        # finds them here.
        return origin.filter(pk=user_id).exists()
    return False


@receiver([post_save, post_delete], sender=Membership)
def membership_changed(sender, instance, origin=None, **kwargs):
    if not _deleted_with_user(instance.user_id, origin):
        sync_groups(instance.user)


@receiver([post_save, post_delete], sender=GuardianLink)
def guardian_link_changed(sender, instance, origin=None, **kwargs):
    if not _deleted_with_user(instance.guardian_id, origin):
        sync_groups(instance.guardian)


@receiver(post_save, sender=User)
def user_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        sync_groups(instance)
