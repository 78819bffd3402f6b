"""Log in with a username, NISN, e-mail address or phone number."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


def normalise_phone(value):
    """
    Reduce an Indonesian phone number to its national form, 08...

    ``+62 812-3456-7890``, ``62812...`` and ``0812 3456 7890`` all become
    ``081234567890``.
    """
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits


class IdentifierBackend(ModelBackend):
    """Authenticate against whichever identifier the person typed."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = find_user(username)
        if user is None:
            # Run the hasher anyway so that a missing account takes as long
            # as a wrong password.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def find_user(identifier):
    """Return the one active account that ``identifier`` names, or ``None``."""
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
