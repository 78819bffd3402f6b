"""Write entries to the append-only audit log."""

import ipaddress
import logging

from .models import AuditLog

logger = logging.getLogger(__name__)


def client_ip(request):
    """
    Return the client's address, trusting X-Forwarded-For only from proxies.

    The header is read only when the direct peer is one of the addresses in
    the ``TRUSTED_PROXIES`` setting. The client is then the right-most address
    in it that is not itself a trusted proxy.
    """
    from django.conf import settings

    if request is None:
        return None
    remote = _ip_address(request.META.get("REMOTE_ADDR"))
    trusted = set(settings.TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            # A hop that is no IP address (a port, "unknown") means the proxy
            # chain is misconfigured: fall back to the proxy's own address.
            return _ip_address(hop) or remote
    return remote


def _ip_address(value):
    """Return ``value`` if it is an IPv4 or IPv6 address, else ``None``."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


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
