"""Keep role groups in step with memberships, guardian links and flags."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import GuardianLink, Membership, User
from .roles import sync_groups


@receiver([post_save, post_delete], sender=Membership)
def membership_changed(sender, instance, **kwargs):
    sync_groups(instance.user)


@receiver([post_save, post_delete], sender=GuardianLink)
def guardian_link_changed(sender, instance, **kwargs):
    sync_groups(instance.guardian)


@receiver(post_save, sender=User)
def user_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        sync_groups(instance)
