"""
Roles, their Django groups and the Wagtail permissions those groups carry.

A person's groups follow from their data: school memberships give the
student, teacher, librarian and operator groups, guardian links give the
parent group, and the city admin flag gives the city admin group. The
groups are created by ``ensure_groups`` after every migration.
"""

from django.contrib.auth.models import Group, Permission

STUDENT = "Student"
TEACHER = "Teacher"
LIBRARIAN = "Librarian"
OPERATOR = "School operator"
PARENT = "Parent"
CITY_ADMIN = "City admin"

MEMBERSHIP_GROUPS = {
    "student": STUDENT,
    "teacher": TEACHER,
    "librarian": LIBRARIAN,
    "operator": OPERATOR,
}

# Permissions, as "app_label.codename", that each group carries. Staff roles
# reach the Wagtail admin; which pages they may edit is granted per subtree
# by the apps that own those pages.
GROUP_PERMISSIONS = {
    STUDENT: [],
    PARENT: [],
    TEACHER: [
        "wagtailadmin.access_admin",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
    ],
    LIBRARIAN: [
        "wagtailadmin.access_admin",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtailimages.add_image",
    ],
    # No "lms.view_user": it opens Wagtail's list of every account in the
    # city. Operators manage their own school's people on the school
    # accounts page instead.
    OPERATOR: [
        "wagtailadmin.access_admin",
        "lms.view_classgroup",
        "lms.add_classgroup",
        "lms.change_classgroup",
        "lms.view_membership",
        "lms.add_membership",
        "lms.change_membership",
    ],
    CITY_ADMIN: [
        "wagtailadmin.access_admin",
        "lms.view_school",
        "lms.add_school",
        "lms.change_school",
        "lms.view_auditlog",
        "lms.view_academicyear",
        "lms.add_academicyear",
        "lms.change_academicyear",
    ],
}


def ensure_groups(**kwargs):
    """
    Create the role groups and give them exactly their permissions.

    Idempotent. A permission removed from ``GROUP_PERMISSIONS`` is taken
    from its group at the next migration.
    """
    for name, labels in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = []
        for label in labels:
            app_label, codename = label.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                permissions.append(permission)
        group.permissions.set(permissions)


def sync_groups(user):
    """Set the role groups of ``user`` from their memberships and links."""
    wanted = {
        MEMBERSHIP_GROUPS[role]
        for role in user.memberships.values_list("role", flat=True)
    }
    if user.guarded_links.exists():
        wanted.add(PARENT)
    if user.is_city_admin:
        wanted.add(CITY_ADMIN)
    role_groups = Group.objects.filter(name__in=GROUP_PERMISSIONS)
    user.groups.remove(*[g for g in role_groups if g.name not in wanted])
    user.groups.add(*[g for g in role_groups if g.name in wanted])
