"""Log in with a username, NISN, e-mail address or phone number."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from . import lockout


def normalise_phone(value):
    """
    Reduce an Indonesian phone number to its national form, 08...

    ``+62 812-3456-7890``, ``0062 812...``, ``62812...`` and ``0812 3456 7890``
    all become ``081234567890``.
    """
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("0062"):
        digits = digits[2:]
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits


class IdentifierBackend(ModelBackend):
    """
    Authenticate against whichever identifier the person typed.

    Every login form of the site (ours, Wagtail's admin, Django's admin)
    comes through here, so this is where failed logins are slowed down and
    locked (see ``lms.lockout``).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = find_user(username)
        key = lockout.account_key(user, username)
        ip = lockout.client_address(request)
        if lockout.check(key, ip) is not None:
            # Rejected without checking the password. PermissionDenied stops
            # Django from trying any later backend.
            raise PermissionDenied
        if user is None:
            # Run the hasher anyway so that a missing account takes as long
            # as a wrong password.
            get_user_model()().set_password(password)
        elif user.check_password(password) and self.user_can_authenticate(user):
            lockout.clear_failures(user)
            return user
        lockout.record_failure(
            key=key, user=user, ip=ip, identifier=username, request=request
        )
        return None


def find_user(identifier):
    """
    Return the one account that ``identifier`` names, or ``None``.

    The identifier is matched as a username (ignoring case), an NISN, an
    e-mail address (ignoring case) and a phone number in any common form.
    Inactive accounts are found too: the backend rejects them after the
    password check, so that they get the same response as a wrong password.
    """
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    condition = Q(username__iexact=identifier) | Q(nisn=identifier)
    if "@" in identifier:
        condition |= Q(email__iexact=identifier)
    phone = normalise_phone(identifier)
    if len(phone) >= 9 and phone.startswith("08"):
        condition |= Q(phone=phone)
    matches = list(get_user_model().objects.filter(condition)[:2])
    # An identifier that fits two accounts (an e-mail shared by siblings)
    # logs in neither, so one child cannot end up in the other's account.
    return matches[0] if len(matches) == 1 else None
