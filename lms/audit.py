"""Write entries to the append-only audit log."""

import logging

from .models import AuditLog

logger = logging.getLogger(__name__)


def client_ip(request):
    """
    Return the client's address, trusting X-Forwarded-For only from proxies.

    The header is read only when the direct peer is one of the addresses in
    the ``TRUSTED_PROXIES`` setting; then the right-most address that is not
    itself a trusted proxy is the client.
    """
    from django.conf import settings

    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = set(settings.TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return remote


def record(action, *, actor=None, subject=None, obj=None, request=None, **details):
    """
    Append one entry to the audit log and return it.

    ``actor`` did ``action``; ``subject`` is the person whose data it touched;
    ``obj`` is the model instance acted on. ``details`` must not hold
    unmasked identity numbers.
    """
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    entry = AuditLog.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        subject=subject,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        details=details,
        ip_address=client_ip(request),
    )
    logger.info(
        "audit action=%s actor=%s subject=%s object=%s:%s",
        action,
        entry.actor_id,
        entry.subject_id,
        entry.object_type,
        entry.object_id,
    )
    return entry
