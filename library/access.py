"""
Access rules of the library: seeing, finding, downloading and uploading items.

An item's ``access_level`` covers its page, its search hits and its files:

- public: everyone, without logging in;
- city: everyone logged in;
- own school: members (any role) of the item's school;
- named people: the people listed on the item.

On top of that, the uploader, the librarians and operators of the item's
school, the city admins and superusers always have access. Items that are
not live (student uploads waiting for review) are open only to those
people and to the teachers of the school.
"""

from django.db.models import Q

from lms.models import Membership

from .models import AccessLevel, LibraryIndexPage, LibraryItemPage

# Roles that manage a school's library and so see all of its items.
MANAGER_ROLES = (Membership.Role.LIBRARIAN, Membership.Role.OPERATOR)
# Roles that review student uploads before they are published.
REVIEWER_ROLES = (Membership.Role.TEACHER, *MANAGER_ROLES)
# Roles that may upload to their school's library.
UPLOADER_ROLES = (
    Membership.Role.STUDENT,
    Membership.Role.TEACHER,
    Membership.Role.LIBRARIAN,
    Membership.Role.OPERATOR,
)
# Uploads by these roles go live at once. Students' uploads wait for review.
PUBLISHER_ROLES = REVIEWER_ROLES


def is_city_wide_admin(user):
    return user.is_authenticated and (user.is_superuser or user.is_city_admin)


def _school_ids(user, roles):
    return list(
        user.memberships.filter(role__in=roles)
        .values_list("school_id", flat=True)
        .distinct()
    )


def can_view_item(user, item):
    """Return whether ``user`` may open ``item``'s page and read its files."""
    if item.access_level == AccessLevel.PUBLIC and item.live:
        return True
    if not user.is_authenticated:
        return False
    if is_city_wide_admin(user) or item.owner_id == user.pk:
        return True
    school_roles = (
        set(
            user.memberships.filter(school_id=item.school_id).values_list(
                "role", flat=True
            )
        )
        if item.school_id
        else set()
    )
    if school_roles & set(MANAGER_ROLES):
        return True
    if not item.live:
        return bool(school_roles & set(REVIEWER_ROLES))
    if item.access_level in (AccessLevel.PUBLIC, AccessLevel.CITY):
        return True
    if item.access_level == AccessLevel.SCHOOL:
        return bool(school_roles)
    if item.access_level == AccessLevel.PEOPLE:
        return item.allowed_readers.filter(pk=user.pk).exists()
    return False


def can_manage_item(user, item):
    """
    Return whether ``user`` manages ``item``: its uploader, a librarian or
    operator of its school, a city admin or a superuser.
    """
    if not user.is_authenticated:
        return False
    if is_city_wide_admin(user) or item.owner_id == user.pk:
        return True
    return (
        bool(item.school_id)
        and user.memberships.filter(
            school_id=item.school_id, role__in=MANAGER_ROLES
        ).exists()
    )


def can_download(user, item_file):
    """
    Return whether ``user`` may download ``item_file``.

    An embargo hides the files, but not the description, from everyone but
    the item's managers until it passes.
    """
    item = item_file.item
    if not can_view_item(user, item):
        return False
    return not item.is_embargoed() or can_manage_item(user, item)


def visible_items_filter(user):
    """
    Return a ``Q`` of the live items that ``user`` may see.

    It uses only fields declared as ``index.FilterField`` on
    ``LibraryItemPage``, so it works inside a Wagtail search on any backend.
    """
    public = Q(access_level=AccessLevel.PUBLIC)
    if not user.is_authenticated:
        return public
    if is_city_wide_admin(user):
        return Q()
    shared_ids = list(
        LibraryItemPage.allowed_readers.through.objects.filter(
            user_id=user.pk
        ).values_list("libraryitempage_id", flat=True)
    )
    return (
        Q(access_level__in=[AccessLevel.PUBLIC, AccessLevel.CITY])
        | Q(owner=user.pk)
        | Q(school__in=_school_ids(user, MANAGER_ROLES))
        | Q(
            access_level=AccessLevel.SCHOOL,
            school__in=_school_ids(user, UPLOADER_ROLES),
        )
        | Q(access_level=AccessLevel.PEOPLE, id__in=shared_ids)
    )


def visible_items(user):
    """Return the live items that ``user`` may see."""
    return LibraryItemPage.objects.live().filter(visible_items_filter(user))


def upload_libraries(user):
    """Return the live libraries that ``user`` may upload to."""
    if not user.is_authenticated:
        return LibraryIndexPage.objects.none()
    return (
        LibraryIndexPage.objects.live()
        .filter(school__in=_school_ids(user, UPLOADER_ROLES))
        .select_related("school")
        .order_by("school__name", "title")
    )


def can_upload_to(user, index):
    return upload_libraries(user).filter(pk=index.pk).exists()


def publishes_at_once(user, index):
    """Return whether an upload by ``user`` to ``index`` goes live at once."""
    if index.school_id is None:
        return is_city_wide_admin(user)
    return user.memberships.filter(
        school_id=index.school_id, role__in=PUBLISHER_ROLES
    ).exists()
