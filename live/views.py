import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST, require_safe

from courses import api as courses_api
from lms import audit

from . import attendance, classroom, post_budget, services
from .access import participant_role
from .errors import error_message, rejection_message
from .eventlog import LogUnavailable
from .forms import ChatForm, LiveSessionForm, PollForm, taught_courses
from .models import (
    InvalidTransition,
    LiveSession,
    RateLimited,
    Removal,
    SessionEnded,
    SessionState,
)
from .protocol import ErrorCode, ProtocolError

logger = logging.getLogger(__name__)

# How many ended live classes the index lists.
RECENT_ENDED = 10
# While a class is open, its page reloads itself this often in a browser
# without JavaScript (setting LIVE_NOSCRIPT_REFRESH_SECONDS). A reload drops
# text typed but not yet sent, so the page links to a copy that does not
# reload, with ?refresh=off.
NOSCRIPT_REFRESH_SECONDS = 30


def websocket_path(session):
    return f"/ws/live/{session.pk}/"


def load_session(request, session_id):
    """
    Return ``(session, course, role)`` for a person who may join the session.

    Raise 404 for an unknown session or unpublished course. For a person who
    may not join, return ``None`` as the role, and the caller responds 403.
    """
    session = get_object_or_404(LiveSession, pk=session_id)
    course = courses_api.get_course(session.course_id)
    if course is None:
        raise Http404("The live class's course is not published.")
    role = participant_role(request.user, session, course)
    if role == "student" and classroom.is_removed(session.pk, request.user.pk):
        # The teacher removed the student from this class.
        role = None
    return session, course, role


def forbidden(request, session, course, control=False):
    """
    Respond 403 to a person who may not join the session.

    With ``control``, the person may join but tried a teacher control.
    """
    logger.info(
        "live page forbidden session=%s user=%s control=%s",
        session.pk,
        request.user.pk,
        control,
    )
    return render(
        request,
        "live/forbidden.html",
        {
            "session": session,
            "course": course,
            "removed": classroom.is_removed(session.pk, request.user.pk),
            "control_message": (
                error_message(ErrorCode.FORBIDDEN, {"reason": "control"})
                if control
                else None
            ),
        },
        status=403,
    )


@login_required
@require_safe
def index(request):
    """List the live classes of the person's courses: open, upcoming, ended."""
    courses = {course.pk: course for course in courses_api.courses_for(request.user)}
    sessions = list(LiveSession.objects.filter(course_id__in=list(courses)))
    for session in sessions:
        session.course_page = courses[session.course_id]
    open_sessions = [s for s in sessions if s.state == SessionState.OPEN]
    upcoming = [s for s in sessions if s.state == SessionState.SCHEDULED]
    ended = sorted(
        (s for s in sessions if s.state == SessionState.ENDED),
        key=lambda s: s.ended_at,
        reverse=True,
    )[:RECENT_ENDED]
    return render(
        request,
        "live/index.html",
        {
            "open_sessions": open_sessions,
            "upcoming": upcoming,
            "ended": ended,
            "can_schedule": bool(taught_courses(request.user)),
        },
    )


@login_required
@require_safe
@gzip_page
def session_detail(request, session_id):
    """
    Show the join page of a live class: its state, chat and people present.

    Browsers without JavaScript reload the page while the class is open,
    and on a 2G phone every reload downloads it whole, so it is compressed.
    """
    session, course, role = load_session(request, session_id)
    if role is None:
        return forbidden(request, session, course)
    return session_page(request, session, course, role)


def session_page(request, session, course, role, poll_form=None, status=200):
    """
    Render the join page of a live class for a person with ``role``.

    ``poll_form`` is a rejected poll form to show again with its errors.
    """
    context = {
        "session": session,
        "course": course,
        "role": role,
        "can_manage": role == "teacher",
        "chat": services.recent_chat(session),
        "participants": services.participants(session.pk),
        "form": ChatForm(),
        "websocket_path": websocket_path(session),
        "now": timezone.now(),
    }
    # Only GET responses reload themselves. A rejected poll form comes back
    # in the response to its POST, with the teacher's text that a reload
    # would drop.
    if session.state == SessionState.OPEN and request.method in ("GET", "HEAD"):
        context["refresh_paused"] = request.GET.get("refresh") == "off"
        if not context["refresh_paused"]:
            context["refresh_seconds"] = getattr(
                settings, "LIVE_NOSCRIPT_REFRESH_SECONDS", NOSCRIPT_REFRESH_SECONDS
            )
    if session.state != SessionState.ENDED:
        context["tools"] = classroom_tools(request.user, session, course, role)
        context["poll_form"] = poll_form or PollForm()
    return render(request, "live/session.html", context, status=status)


def poll_rows(poll):
    """
    Return one row per option of a described poll, for the page's table.

    Each row has the option's ``index`` and ``text``, and its ``count`` and
    ``percent`` when the description carries counts.
    """
    counts = poll.get("counts")
    total = poll.get("total") or 1
    rows = []
    for index, text in enumerate(poll["options"]):
        row = {"index": index, "text": text}
        if counts is not None:
            row["count"] = counts[index]
            row["percent"] = round(100 * counts[index] / total)
        rows.append(row)
    return rows


def classroom_tools(user, session, course, role):
    """
    Return the state of the hands, poll and chat mute, as the page shows it.

    The page shows the same state that the ``welcome`` message carries, so
    that a browser without JavaScript sees it on every reload.
    """
    state = classroom.snapshot(session.pk, user, role)
    poll = state["poll"]
    if poll is not None:
        poll["rows"] = poll_rows(poll)
    closed = classroom.last_closed_poll(session.pk)
    if closed is not None:
        closed["rows"] = poll_rows(closed)
    tools = {
        "hands": state["hands"],
        "hand_raised": any(hand["id"] == user.pk for hand in state["hands"]),
        "poll": poll,
        "closed_poll": closed,
        "chat_muted": state["chat_muted"],
    }
    if role == "teacher":
        removed = Removal.objects.filter(session=session).values("user_id")
        tools["students"] = courses_api.enrolled_students(course).exclude(
            pk__in=removed
        )
    return tools


@login_required
@require_POST
def post_chat(request, session_id):
    """
    Send a chat message from the plain form, for browsers without JavaScript.

    The message is stored and broadcast exactly as one sent over the
    websocket, under the same chat rate limit, and the post takes its share
    of the person's budget of form posts (see ``post_budget``).
    """
    session, course, role = load_session(request, session_id)
    if role is None:
        return forbidden(request, session, course)
    target = reverse("live:session", args=[session.pk]) + "#chat"
    if role != "teacher" and classroom.is_chat_muted(session.pk):
        # The websocket rejects the chat of students while muted, and so
        # does the form.
        messages.error(request, error_message(ErrorCode.CHAT_MUTED))
        return redirect(target)
    form = ChatForm(request.POST)
    if not form.is_valid():
        for error in form.errors["text"]:
            messages.error(request, error)
        return redirect(target)
    try:
        post_budget.spend(session.pk, request.user.pk)
        chat = services.post_chat(
            session.pk, request.user, role, form.cleaned_data["text"]
        )
    except (ProtocolError, RateLimited, SessionEnded) as error:
        messages.error(request, rejection_message(error))
    except LogUnavailable:
        logger.warning("live chat form unavailable session=%s", session.pk)
        messages.error(request, error_message(ErrorCode.UNAVAILABLE))
    else:
        services.broadcast(session.pk, chat)
    return redirect(target)


def _change_state(request, session_id, new_state):
    session, course, role = load_session(request, session_id)
    if role != "teacher":
        return forbidden(request, session, course)
    try:
        post_budget.spend(session.pk, request.user.pk)
        services.change_state(session, new_state, request.user)
    except RateLimited as error:
        messages.error(request, rejection_message(error))
    except LogUnavailable:
        logger.warning("live state change unavailable session=%s", session.pk)
        messages.error(request, error_message(ErrorCode.UNAVAILABLE))
    except InvalidTransition:
        if session.state == SessionState.OPEN:
            messages.error(request, _("The live class is already open."))
        else:
            messages.error(request, _("The live class has already ended."))
    else:
        if new_state == SessionState.OPEN:
            messages.success(request, _("The live class is open. Students can join."))
        else:
            messages.success(request, _("The live class has ended."))
    return redirect("live:session", session.pk)


@login_required
@require_POST
def open_session(request, session_id):
    """Open a scheduled live class. Only its teachers may."""
    return _change_state(request, session_id, SessionState.OPEN)


@login_required
@require_POST
def end_session(request, session_id):
    """End a live class, or cancel a scheduled one. Only its teachers may."""
    return _change_state(request, session_id, SessionState.ENDED)


@login_required
def create_session(request):
    """Schedule a live class in one of the teacher's courses."""
    form = LiveSessionForm(request.POST or None, teacher=request.user)
    if not form.courses:
        return render(request, "live/no_courses.html", status=403)
    if request.method == "POST" and form.is_valid():
        session = form.save()
        logger.info(
            "live scheduled session=%s course=%s teacher=%s",
            session.pk,
            session.course_id,
            request.user.pk,
        )
        messages.success(request, _("The live class is scheduled."))
        return redirect("live:session", session.pk)
    return render(request, "live/create.html", {"form": form})


@login_required
@require_safe
def attendance_csv(request, session_id):
    """
    Download the attendance of a live class as CSV. Only its teachers may.

    ``record_views.attendance_page`` shows it as a page, to parents too.
    """
    session, course, role = load_session(request, session_id)
    if role != "teacher":
        return forbidden(request, session, course)
    rows = attendance.session_attendance(session)
    audit.record("live.attendance_export", request=request, obj=session)
    logger.info(
        "live attendance export session=%s by=%s rows=%s",
        session.pk,
        request.user.pk,
        len(rows),
    )
    return attendance.csv_response(session, rows)
