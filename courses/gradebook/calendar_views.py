"""
The calendar page of each person, their private iCal feed, and the parent page.

The feed URL carries a random token instead of a login, so calendar apps can
fetch it. Regenerating the token makes the old URL return 404.
"""

import calendar
import datetime
import logging

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.api import courses_for

from .agenda import children_of, events_for
from .book import student_grades
from .ical import render_calendar
from .missing import missing_work
from .models import CalendarFeed
from .progress import course_progress

logger = logging.getLogger(__name__)

# The iCal feed covers recent past events and the coming year.
FEED_PAST_DAYS = 60
FEED_FUTURE_DAYS = 365
# The parent page lists due dates of the coming two weeks.
UPCOMING_DAYS = 14


def parse_month(value, today):
    """Return the first day of the month "YYYY-MM" in ``value``, or ``None``."""
    if not value:
        return today.replace(day=1)
    try:
        parsed = datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None
    if not 2000 <= parsed.year <= 2100:
        return None
    return parsed


def month_bounds(first_day):
    """Return the aware local start of ``first_day``'s month and of the next."""
    days = calendar.monthrange(first_day.year, first_day.month)[1]
    next_first = first_day + datetime.timedelta(days=days)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first_day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(next_first, datetime.time.min, tzinfo=zone)
    return start, end, next_first


def group_by_day(events):
    """Return ``[(date, [events])]`` in local time, in date order."""
    days = {}
    for event in events:
        day = timezone.localtime(event.starts_at).date()
        days.setdefault(day, []).append(event)
    return sorted(days.items())


@login_required
def calendar_page(request):
    """Show the month's due dates, quiz windows and live classes as a list."""
    today = timezone.localdate()
    first_day = parse_month(request.GET.get("month"), today)
    status = 200
    if first_day is None:
        messages.error(
            request,
            _("Invalid month %(month)s: use the form YYYY-MM, for example 2026-08.")
            % {"month": request.GET.get("month", "")[:20]},
        )
        first_day = today.replace(day=1)
        status = 400
    start, end, next_first = month_bounds(first_day)
    previous_first = (first_day - datetime.timedelta(days=1)).replace(day=1)
    feed, _created = CalendarFeed.objects.get_or_create(user=request.user)
    response = TemplateResponse(
        request,
        "gradebook/calendar.html",
        {
            "month": first_day,
            "days": group_by_day(events_for(request.user, start, end)),
            "previous_month": previous_first.strftime("%Y-%m"),
            "next_month": next_first.strftime("%Y-%m"),
            "feed_url": request.build_absolute_uri(
                reverse("gradebook:ical", args=[feed.token])
            ),
        },
        status=status,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_POST
def regenerate_feed(request):
    """Replace the person's feed token, so the old feed URL stops working."""
    feed, _created = CalendarFeed.objects.get_or_create(user=request.user)
    feed.regenerate()
    logger.info("calendar feed regenerated user=%s", request.user.pk)
    messages.success(
        request, _("Your calendar has a new address. The old one no longer works.")
    )
    return redirect("gradebook:calendar")


def ical_feed(request, token):
    """Send the iCalendar file of the person whose feed token is ``token``."""
    feed = CalendarFeed.objects.filter(token=token).select_related("user").first()
    if feed is None or not feed.user.is_active:
        # The token is a secret, so only the miss is logged.
        logger.info("calendar feed not found")
        raise Http404
    now = timezone.now()
    events = events_for(
        feed.user,
        now - datetime.timedelta(days=FEED_PAST_DAYS),
        now + datetime.timedelta(days=FEED_FUTURE_DAYS),
    )
    body = render_calendar(
        events,
        name=_("School calendar"),
        domain=request.get_host().split(":")[0] or "localhost",
        base_url=f"{request.scheme}://{request.get_host()}",
        now=now,
    )
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar")
    response["Content-Type"] = "text/calendar; charset=utf-8"
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_cache=True)
    return response


def child_summary(parent, child, now):
    """Collect the courses, progress, grades, due dates and missing work."""
    courses = []
    for course in courses_for(child):
        done, total = course_progress(course, child)
        graded, course_total = student_grades(course, child)
        courses.append(
            {
                "course": course,
                "done": done,
                "lesson_count": total,
                "graded": graded,
                "total": course_total,
            }
        )
    upcoming = events_for(
        parent, now, now + datetime.timedelta(days=UPCOMING_DAYS), people=[child]
    )
    return {
        "child": child,
        "courses": courses,
        "upcoming": upcoming,
        "missing": missing_work(child, now),
    }


@login_required
def parent_page(request, child_id=None):
    """Show each of the parent's children, or the one child ``child_id``."""
    children = children_of(request.user)
    if child_id is not None:
        child = get_object_or_404(get_user_model(), pk=child_id)
        if child not in children:
            logger.info(
                "parent page denied user=%s child=%s", request.user.pk, child_id
            )
            return TemplateResponse(
                request,
                "courses/forbidden.html",
                {"message": _("You can follow only your own children.")},
                status=403,
            )
        children = [child]
    now = timezone.now()
    response = TemplateResponse(
        request,
        "gradebook/parent.html",
        {"summaries": [child_summary(request.user, c, now) for c in children]},
    )
    patch_cache_control(response, private=True)
    return response
