"""
Pages of a live class after the fact: attendance, replay and transcript.

Teachers see everybody's attendance, parents their own children's, and
students their own. The replay and the chat transcript are for the class's
participants, who saw the same events live.
"""

import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from courses import api as courses_api
from lms import audit
from lms.models import GuardianLink

from . import attendance, record
from .access import display_name
from .charts import attendance_chart
from .views import forbidden, load_session

logger = logging.getLogger(__name__)


def _session_seconds(session):
    start = session.opened_at or session.starts_at
    end = session.ended_at or session.ends_at
    return max(int((end - start).total_seconds()), 0)


@login_required
@require_safe
def attendance_page(request, session_id):
    """Show attendance as a table and a chart, with only the rows the user may see."""
    session, course, role = load_session(request, session_id)
    rows = attendance.session_attendance(session)
    if role == "teacher":
        visible = rows
    elif role == "student":
        visible = [row for row in rows if row.user.pk == request.user.pk]
    elif courses_api.course_role(request.user, course) == "guardian":
        children = set(
            GuardianLink.objects.filter(guardian=request.user).values_list(
                "child_id", flat=True
            )
        )
        visible = [row for row in rows if row.user.pk in children]
    else:
        return forbidden(request, session, course)
    if role != "student":
        audit.record(
            "live.attendance_view",
            request=request,
            obj=session,
            people=len(visible),
        )
    chart = attendance_chart(
        [(display_name(row.user), row.seconds) for row in visible],
        _session_seconds(session),
    )
    context = {
        "session": session,
        "course": course,
        "rows": visible,
        "chart": chart,
        "is_teacher": role == "teacher",
        "session_minutes": round(_session_seconds(session) / 60),
    }
    return render(request, "live/attendance.html", context)


@login_required
@require_safe
def replay(request, session_id):
    """
    Show the replay of a class.

    Without JavaScript the page lists the first events as a timeline. The
    script plays chat, slides, whiteboard and polls back in time.
    """
    session, course, role = load_session(request, session_id)
    if role is None:
        return forbidden(request, session, course)
    page = record.replay_page(session)
    context = {
        "session": session,
        "course": course,
        "entries": page["events"],
        "has_more": page["next"] is not None,
    }
    return render(request, "live/replay.html", context)


@login_required
@require_safe
def replay_events(request, session_id):
    """Return one page of the replay as JSON: ``?after=SEQ``."""
    session, course, role = load_session(request, session_id)
    if role is None:
        return JsonResponse({"error": _("You may not see this class.")}, status=403)
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        after = -1
    if after < 0:
        return JsonResponse(
            {"error": _("after must be a sequence number of 0 or more.")}, status=400
        )
    return JsonResponse(record.replay_page(session, after=after))


@login_required
@require_safe
def transcript(request, session_id):
    """Download the chat of a class as a UTF-8 text file."""
    session, course, role = load_session(request, session_id)
    if role is None:
        return forbidden(request, session, course)
    text = "\n".join(record.transcript_lines(session)) + "\n"
    response = HttpResponse(
        text.encode("utf-8"), content_type="text/plain; charset=utf-8"
    )
    name = f"chat-{slugify(session.title) or session.pk}.txt"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    logger.info("live transcript session=%s by=%s", session.pk, request.user.pk)
    return response
