"""
Slow down and lock repeated failed logins, per account and per client address.

Failures are rows of ``LoginFailure`` in the database, so every web process
sees the same counts, and locks are rows of ``LoginLock`` that a school
operator or the city admin can see and lift. Failures count within the last
LOGIN_FAILURE_WINDOW_MINUTES and only since the last lock of the same account
or address:

- after LOGIN_SLOWDOWN_AFTER failures the next attempt must wait
  LOGIN_SLOWDOWN_SECONDS, doubling with each further failure. An attempt made
  during the wait is rejected without checking the password and is not
  counted.
- after LOGIN_LOCK_AFTER failures logins are locked for LOGIN_LOCK_MINUTES.

A client address gets LOGIN_ADDRESS_FACTOR times these limits. An identifier
that names no account is counted under a keyed hash of what was typed, so an
unknown name is slowed down and locked exactly like a real account and the
responses do not reveal whether an account exists.
"""

import datetime
import logging
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.crypto import salted_hmac

from . import audit
from .identifiers import mask_identifier
from .models import LoginFailure, LoginLock

logger = logging.getLogger(__name__)

ACCOUNT = LoginLock.Scope.ACCOUNT
ADDRESS = LoginLock.Scope.ADDRESS

# Failures older than this are deleted whenever a new one is stored. Only the
# failures inside the window count, and the locks keep the record.
KEEP_FAILURES = datetime.timedelta(days=1)

# The wait doubles at most this many times, which keeps the number finite
# even when LOGIN_LOCK_AFTER is far above LOGIN_SLOWDOWN_AFTER.
MAX_DOUBLINGS = 16


@dataclass(frozen=True)
class Block:
    """A reason to reject a login attempt without checking the password."""

    is_lock: bool
    scope: str
    until: datetime.datetime

    def seconds_left(self, now=None):
        """Return the whole seconds until the block ends, at least 1."""
        remaining = (self.until - (now or timezone.now())).total_seconds()
        return max(1, math.ceil(remaining))


def account_key(user, identifier):
    """
    Return the key that failures of a login attempt are counted under.

    An existing account is counted by its id, whichever identifier was typed.
    Anything else is counted by a keyed hash of the identifier, so the typed
    text, which may be a mistyped password, is never stored.
    """
    if user is not None:
        return f"user:{user.pk}"
    normalised = (identifier or "").strip().casefold()
    digest = salted_hmac("lms.lockout.account_key", normalised, algorithm="sha256")
    return f"name:{digest.hexdigest()}"


def client_address(request):
    """Return the client's IP address as ``lms.audit.client_ip`` finds it."""
    return audit.client_ip(request)


def check(key, ip, now=None):
    """
    Return the ``Block`` that applies to a login attempt now, or ``None``.

    A lock wins over a wait. Of two blocks of the same kind, the one that
    lasts longer is returned.
    """
    now = now or timezone.now()
    blocks = []
    for scope, lookup in _targets(key, ip):
        block = _block(scope, lookup, now)
        if block is not None:
            blocks.append(block)
    if not blocks:
        return None
    return max(blocks, key=lambda block: (block.is_lock, block.until))


def record_failure(*, key, user, ip, identifier, request=None, now=None):
    """
    Store one failed login and lock what has reached its limit.

    Return the ``Block`` that the next attempt faces, or ``None``.
    """
    now = now or timezone.now()
    with transaction.atomic():
        LoginFailure.objects.create(
            created_at=now, account_key=key, user=user, ip_address=ip
        )
        for scope, lookup in _targets(key, ip):
            lock, count, _last = _state(scope, lookup, now)
            if lock is None and count >= _limits(scope)[1]:
                _lock(scope, lookup, user, identifier, request, now)
    LoginFailure.objects.filter(
        created_at__lt=now - max(KEEP_FAILURES, _window())
    ).delete()
    return check(key, ip, now)


def clear_failures(user):
    """Forget the failed logins of ``user`` and return how many there were."""
    _total, deleted = LoginFailure.objects.filter(
        account_key=account_key(user, None)
    ).delete()
    return deleted.get(LoginFailure._meta.label, 0)


def lift_account(user, *, by, request=None):
    """
    Lift the active locks on ``user``'s account and forget its failures.

    Return the number of locks lifted. An audit entry is written when there
    was a lock or a failure to forget.
    """
    now = timezone.now()
    with transaction.atomic():
        lifted = (
            LoginLock.objects.active(now)
            .filter(scope=ACCOUNT, account_key=account_key(user, None))
            .update(lifted_at=now, lifted_by=by)
        )
        forgotten = clear_failures(user)
    if lifted or forgotten:
        audit.record(
            "login.unlocked",
            actor=by,
            subject=user,
            request=request,
            locks=lifted,
            failures=forgotten,
        )
        logger.info("login unlocked user=%s by=%s locks=%s", user.pk, by.pk, lifted)
    return lifted


def lift_lock(lock, *, by, request=None):
    """Lift one lock, of an account or of an address, and write an audit entry."""
    lock.lifted_at = timezone.now()
    lock.lifted_by = by
    lock.save(update_fields=["lifted_at", "lifted_by"])
    audit.record(
        "login.unlocked",
        actor=by,
        subject=lock.user,
        obj=lock,
        request=request,
        scope=lock.scope,
    )
    logger.info("login lock lifted lock=%s scope=%s by=%s", lock.pk, lock.scope, by.pk)


def _targets(key, ip):
    targets = [(ACCOUNT, {"account_key": key})]
    if ip is not None:
        targets.append((ADDRESS, {"ip_address": ip}))
    return targets


def _window():
    return datetime.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def _limits(scope):
    """Return ``(slowdown_after, lock_after)`` for ``scope``."""
    factor = settings.LOGIN_ADDRESS_FACTOR if scope == ADDRESS else 1
    return (
        settings.LOGIN_SLOWDOWN_AFTER * factor,
        settings.LOGIN_LOCK_AFTER * factor,
    )


def _state(scope, lookup, now):
    """
    Return ``(active lock, failure count, last failure time)`` of one target.

    Failures count from the start of the window or from the last lock,
    whichever is later, so an expired or lifted lock starts a fresh count.
    """
    last_lock = (
        LoginLock.objects.filter(scope=scope, **lookup).order_by("-created_at").first()
    )
    if last_lock is not None and last_lock.is_active(now):
        return last_lock, 0, None
    since = now - _window()
    if last_lock is not None and last_lock.created_at > since:
        since = last_lock.created_at
    failures = LoginFailure.objects.filter(created_at__gt=since, **lookup).aggregate(
        count=Count("pk"), last=Max("created_at")
    )
    return None, failures["count"], failures["last"]


def _block(scope, lookup, now):
    lock, count, last = _state(scope, lookup, now)
    if lock is not None:
        return Block(is_lock=True, scope=scope, until=lock.locked_until)
    slowdown_after, _lock_after = _limits(scope)
    if count == 0 or count < slowdown_after:
        return None
    doublings = min(count - slowdown_after, MAX_DOUBLINGS)
    wait = datetime.timedelta(seconds=settings.LOGIN_SLOWDOWN_SECONDS * 2**doublings)
    until = last + wait
    if until <= now:
        return None
    return Block(is_lock=False, scope=scope, until=until)


def _lock(scope, lookup, user, identifier, request, now):
    until = now + datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    lock = LoginLock.objects.create(
        scope=scope,
        user=user if scope == ACCOUNT else None,
        created_at=now,
        locked_until=until,
        **lookup,
    )
    masked = mask_identifier(identifier)
    logger.warning(
        "login locked scope=%s lock=%s user=%s identifier=%s ip=%s until=%s",
        scope,
        lock.pk,
        user.pk if user is not None and scope == ACCOUNT else None,
        masked,
        lookup.get("ip_address"),
        until.isoformat(),
    )
    audit.record(
        "login.locked",
        subject=user if scope == ACCOUNT else None,
        obj=lock,
        request=request,
        scope=scope,
        identifier=masked,
        until=until.isoformat(),
    )
    return lock
