from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    AcademicYear,
    AuditLog,
    ClassGroup,
    GuardianLink,
    Kecamatan,
    Kelurahan,
    LoginFailure,
    LoginLock,
    Membership,
    School,
    Semester,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["school"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (
            _("School data"),
            {"fields": ["nisn", "phone", "birth_date", "sex", "language"]},
        ),
        (_("Roles"), {"fields": ["is_city_admin"]}),
    ]
    list_display = ["username", "first_name", "last_name", "nisn", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "nisn", "phone"]
    inlines = [MembershipInline]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["npsn", "name", "level", "status", "kecamatan_code"]
    list_filter = ["level", "status", "kecamatan_code"]
    search_fields = ["npsn", "name"]


@admin.register(Kecamatan)
class KecamatanAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Kelurahan)
class KelurahanAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kecamatan"]
    list_filter = ["kecamatan"]


@admin.register(AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "is_current"]


@admin.register(Semester)
class SemesterAdmin(admin.ModelAdmin):
    list_display = ["academic_year", "number", "starts_on", "ends_on"]


@admin.register(ClassGroup)
class ClassGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "academic_year", "grade"]
    list_filter = ["academic_year", "grade"]
    filter_horizontal = ["students"]


@admin.register(GuardianLink)
class GuardianLinkAdmin(admin.ModelAdmin):
    list_display = ["guardian", "child", "relation"]
    raw_id_fields = ["guardian", "child"]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "subject", "object_type"]
    list_filter = ["action"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def superuser_only(request):
    """Let only active superusers into Django's admin; staff use Wagtail's."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = superuser_only


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "ip_address"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LoginLock)
class LoginLockAdmin(admin.ModelAdmin):
    list_display = ["created_at", "scope", "user", "ip_address", "locked_until"]
    list_filter = ["scope"]
    raw_id_fields = ["user", "lifted_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
