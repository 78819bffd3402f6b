"""
Account work that a school operator does for the people of their school.

An operator (a ``Membership`` with the operator role) may unlock the accounts
of the school's people, give students and their guardians a temporary
password, and print login cards for a class group. The city admin and
superusers may do the same for every school. Anyone else gets 403.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import audit, lockout
from ..models import (
    AcademicYear,
    ClassGroup,
    GuardianLink,
    LoginLock,
    Membership,
    School,
    User,
)
from .passwords import temporary_password

logger = logging.getLogger(__name__)

# The people search shows at most this many rows, so a long list of a big
# school does not reach a phone. A narrower search finds the rest.
SEARCH_LIMIT = 50

STAFF_ROLES = [
    Membership.Role.TEACHER,
    Membership.Role.LIBRARIAN,
    Membership.Role.OPERATOR,
]


def manages_all_schools(user):
    return user.is_active and (user.is_superuser or user.is_city_admin)


def can_manage_accounts(user, school):
    """Return whether ``user`` may do account work for ``school``."""
    if not user.is_authenticated or not user.is_active:
        return False
    return manages_all_schools(user) or user.has_school_role(
        school, Membership.Role.OPERATOR
    )


def managed_school(request, npsn):
    """Return the school of ``npsn`` if the request's user may manage it."""
    school = get_object_or_404(School, npsn=npsn)
    if not can_manage_accounts(request.user, school):
        raise PermissionDenied
    return school


def school_people(school):
    """Return the school's members and the guardians of its students."""
    students = Membership.objects.filter(school=school, role=Membership.Role.STUDENT)
    guardians = GuardianLink.objects.filter(child__in=students.values("user"))
    members = Membership.objects.filter(school=school)
    return User.objects.filter(
        Q(pk__in=members.values("user")) | Q(pk__in=guardians.values("guardian"))
    )


def resettable_people(school):
    """
    Return the people whose password the school's operator may reset.

    They are the school's students and their guardians, but nobody with a
    staff role anywhere, so an operator cannot take over another operator's,
    a teacher's or an administrator's account.
    """
    students = Membership.objects.filter(school=school, role=Membership.Role.STUDENT)
    guardians = GuardianLink.objects.filter(child__in=students.values("user"))
    return (
        User.objects.filter(
            Q(pk__in=students.values("user")) | Q(pk__in=guardians.values("guardian"))
        )
        .exclude(is_superuser=True)
        .exclude(is_staff=True)
        .exclude(is_city_admin=True)
        .exclude(memberships__role__in=STAFF_ROLES)
    )


def _person_of(school, user_id, people):
    """Return the person ``user_id`` or raise PermissionDenied if not in ``people``."""
    person = get_object_or_404(User, pk=user_id)
    if not people.filter(pk=person.pk).exists():
        raise PermissionDenied
    return person


def _hash_temporary_password(person):
    """Set a new temporary password on ``person`` in memory and return it."""
    password = temporary_password()
    person.set_password(password)
    person.password_is_temporary = True
    return password


def _save_temporary_password(person, *, school, request, via):
    person.save(update_fields=["password", "password_is_temporary"])
    audit.record(
        "password.reset_by_operator",
        subject=person,
        obj=person,
        request=request,
        school=school.npsn,
        via=via,
    )


@never_cache
@login_required
def school_accounts(request, npsn):
    """List the school's locked accounts, a people search and the class groups."""
    school = managed_school(request, npsn)
    people = school_people(school)
    query = request.GET.get("q", "").strip()

    found = []
    if query:
        found = list(
            people.filter(
                Q(username__icontains=query)
                | Q(first_name__icontains=query)
                | Q(last_name__icontains=query)
                | Q(nisn=query)
                | Q(phone=query)
            ).order_by("first_name", "last_name", "username")[: SEARCH_LIMIT + 1]
        )

    locks = list(
        LoginLock.objects.active()
        .filter(scope=lockout.ACCOUNT, user__in=people)
        .select_related("user")
        .order_by("locked_until")
    )
    year = AcademicYear.current()
    groups = ClassGroup.objects.filter(school=school)
    if year is not None:
        groups = groups.filter(academic_year=year)
    resettable = set(
        resettable_people(school)
        .filter(pk__in=[person.pk for person in found])
        .values_list("pk", flat=True)
    )
    context = {
        "school": school,
        "query": query,
        "found": found[:SEARCH_LIMIT],
        "more_found": len(found) > SEARCH_LIMIT,
        "resettable": resettable,
        "locks": locks,
        "locked_ids": {lock.user_id for lock in locks},
        "year": year,
        "groups": groups.select_related("academic_year").order_by("grade", "name"),
    }
    return render(request, "lms/school_accounts.html", context)


@require_POST
@login_required
def unlock_person(request, npsn, user_id):
    """Lift the locks on the account of a person of the school."""
    school = managed_school(request, npsn)
    person = _person_of(school, user_id, school_people(school))
    lifted = lockout.lift_account(person, by=request.user, request=request)
    if lifted:
        messages.success(request, _("%(name)s can log in again.") % {"name": person})
    else:
        messages.info(
            request,
            _("The account of %(name)s was not locked; its failed logins are cleared.")
            % {"name": person},
        )
    return redirect("accounts:school_accounts", npsn=school.npsn)


@never_cache
@login_required
def reset_password(request, npsn, user_id):
    """Give a student or guardian a temporary password, shown only once."""
    school = managed_school(request, npsn)
    person = _person_of(school, user_id, resettable_people(school))
    if request.method != "POST":
        return render(
            request,
            "lms/reset_password_confirm.html",
            {"school": school, "person": person},
        )

    password = _hash_temporary_password(person)
    with transaction.atomic():
        _save_temporary_password(person, school=school, request=request, via="single")
    # A new password also ends a lock, or the person could not use it.
    lockout.lift_account(person, by=request.user, request=request)
    logger.info(
        "temporary password given user=%s school=%s by=%s",
        person.pk,
        school.npsn,
        request.user.pk,
    )
    return render(
        request,
        "lms/temporary_password.html",
        {"school": school, "person": person, "password": password},
    )


@never_cache
@login_required
def login_cards(request, npsn, group_id):
    """
    Print login cards for a class group, with a new temporary password each.

    A GET shows what will happen; only the confirming POST resets the
    passwords and shows the printable cards, which are not stored anywhere.
    """
    school = managed_school(request, npsn)
    group = get_object_or_404(ClassGroup, pk=group_id, school=school)
    students = group.students.order_by("first_name", "last_name", "username")
    eligible = students.filter(pk__in=resettable_people(school).values("pk"))
    skipped = students.exclude(pk__in=eligible.values("pk"))
    context = {"school": school, "group": group, "skipped": skipped}
    if request.method != "POST":
        context["eligible"] = eligible
        return render(request, "lms/login_cards_confirm.html", context)

    # Hashing is the slow part, so it happens before the transaction opens.
    # NOTE: one hash took 0.42 s with Django 5.2's PBKDF2 default on a 2-core
    # AMD EPYC VM, so a class of 40 waits some 17 s for its cards. Much larger
    # groups would need a background task.
    cards = [
        {"student": student, "password": _hash_temporary_password(student)}
        for student in eligible
    ]
    with transaction.atomic():
        for card in cards:
            _save_temporary_password(
                card["student"], school=school, request=request, via="login_cards"
            )
    for card in cards:
        lockout.lift_account(card["student"], by=request.user, request=request)
    logger.info(
        "login cards printed group=%s school=%s students=%s by=%s",
        group.pk,
        school.npsn,
        len(cards),
        request.user.pk,
    )
    context["cards"] = cards
    return render(request, "lms/login_cards.html", context)


@never_cache
@login_required
def login_locks(request):
    """List every active lock, of accounts and of addresses, for the city."""
    if not manages_all_schools(request.user):
        raise PermissionDenied
    locks = (
        LoginLock.objects.active()
        .select_related("user")
        .order_by("scope", "locked_until")
    )
    return render(request, "lms/login_locks.html", {"locks": locks})


@require_POST
@login_required
def lift_lock(request, lock_id):
    """Lift one lock from the city's list of locks."""
    if not manages_all_schools(request.user):
        raise PermissionDenied
    lock = get_object_or_404(LoginLock.objects.active(), pk=lock_id)
    lockout.lift_lock(lock, by=request.user, request=request)
    messages.success(request, _("The lock is lifted."))
    return redirect("accounts:login_locks")
