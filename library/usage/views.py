"""Usage pages: one item's chart for its authors, a school's summary for staff."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from lms.models import School

from ..access import MANAGER_ROLES, can_manage_item, is_city_wide_admin
from ..models import LibraryItemPage
from . import reports


def can_view_item_usage(user, item):
    """
    Return whether ``user`` may see the usage of ``item``.

    Its managers (uploader, the school's librarians and operators, city
    admins) may, and so may anyone who uploaded a version of its files.
    """
    # NOTE: creators are stored as names, not accounts, so a co-author who
    # uploaded nothing cannot see the chart unless a manager shares it.
    if can_manage_item(user, item):
        return True
    return user.is_authenticated and item.files.filter(uploaded_by=user.pk).exists()


def usage_schools(user):
    """Return the schools whose library usage ``user`` may see."""
    if not user.is_authenticated:
        return School.objects.none()
    if is_city_wide_admin(user):
        return School.objects.filter(library_items__isnull=False).distinct()
    return School.objects.filter(
        memberships__user=user, memberships__role__in=MANAGER_ROLES
    ).distinct()


def _months(request):
    try:
        months = int(request.GET.get("months", reports.DEFAULT_MONTHS))
    except ValueError:
        months = reports.DEFAULT_MONTHS
    return min(max(months, 1), reports.MAX_MONTHS)


@require_GET
@login_required
def item_usage(request, pk):
    """Show the views and downloads of one item per month, as a chart and a table."""
    item = get_object_or_404(LibraryItemPage, pk=pk)
    if not can_view_item_usage(request.user, item):
        raise PermissionDenied
    months = _months(request)
    series = reports.item_series(item, timezone.localdate(), months)
    return render(
        request,
        "library/usage_item.html",
        {
            "item": item,
            "series": series,
            "chart": reports.build_chart(series),
            "months": months,
            "total_views": sum(month.views for month in series),
            "total_downloads": sum(month.downloads for month in series),
        },
    )


@require_GET
@login_required
def school_usage(request):
    """Summarise the library usage of one school for its librarians and operators."""
    schools = list(usage_schools(request.user).order_by("name"))
    if not schools:
        raise PermissionDenied
    school = schools[0]
    if request.GET.get("school"):
        school = next((s for s in schools if str(s.pk) == request.GET["school"]), None)
        if school is None:
            raise PermissionDenied
    months = _months(request)
    today = timezone.localdate()
    series = reports.school_series(school, today, months)
    return render(
        request,
        "library/usage_school.html",
        {
            "school": school,
            "schools": schools,
            "series": series,
            "chart": reports.build_chart(series),
            "months": months,
            "top_items": reports.top_items(school, today, months),
            "total_views": sum(month.views for month in series),
            "total_downloads": sum(month.downloads for month in series),
        },
    )
