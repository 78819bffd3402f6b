"""
Hands, polls and teacher controls as plain HTML forms, for browsers without
JavaScript.

Each view runs the ``live.classroom`` action of the websocket message with
the same name and sends the logged event to everybody connected. The event
log, its sequence numbers, the permissions and the rate limits are therefore
the websocket's, and ``post_budget`` gives the posts the websocket's frame
budget. A rejected action stores nothing, and the page shows why in the
person's language. The teacher ends the class with ``views.end_session``.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import classroom, post_budget, services
from .errors import error_message, rejection_message
from .eventlog import LAYER_ERRORS, LogUnavailable
from .forms import (
    ChatMuteForm,
    HandLowerForm,
    PollAnswerForm,
    PollCloseForm,
    PollForm,
    RemoveForm,
)
from .models import RateLimited, SessionEnded
from .protocol import ErrorCode, ProtocolError
from .views import forbidden, load_session, session_page

logger = logging.getLogger(__name__)


def tools_url(session):
    return reverse("live:session", args=[session.pk]) + "#classroom-tools"


def run_action(request, session, role, action, *arguments):
    """
    Run a classroom action for the request's user and send its event.

    The post first takes its share of the person's budget. Return the
    logged event, or ``None`` after adding the error message with the
    reason for the rejection.
    """
    try:
        post_budget.spend(session.pk, request.user.pk)
        event = action(session.pk, *arguments)
    except (ProtocolError, RateLimited, SessionEnded) as error:
        messages.error(request, rejection_message(error))
    except LogUnavailable:
        logger.warning(
            "live classroom form unavailable session=%s user=%s action=%s",
            session.pk,
            request.user.pk,
            action.__name__,
        )
        messages.error(request, error_message(ErrorCode.UNAVAILABLE))
    else:
        send_event(session, event, services.describe_person(request.user, role))
        return event
    return None


def send_event(session, event, sender):
    """
    Send a logged event to the connected sockets.

    The event is stored whatever happens here, and sockets that miss it
    receive it from the log when they resume, so a channel layer failure
    is logged and not shown as a failed action.
    """
    try:
        services.broadcast(session.pk, services.event_message(event, sender))
    except LAYER_ERRORS as error:
        logger.warning(
            "live classroom form broadcast failed session=%s seq=%s error=%s",
            session.pk,
            event.seq,
            error,
        )


def form_errors(request, form):
    """Add every error of a rejected form to the page's messages."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def load_teacher(request, session_id):
    """
    Return ``(session, course, None)`` for a teacher of the session.

    For anybody else return ``(None, None, response)``, a 403 response.
    """
    session, course, role = load_session(request, session_id)
    if role is None:
        return None, None, forbidden(request, session, course)
    if role != "teacher":
        return None, None, forbidden(request, session, course, control=True)
    return session, course, None


@login_required
@require_POST
def hand_raise(request, session_id):
    """Raise the student's own hand."""
    session, course, role = load_session(request, session_id)
    if role is None:
        return forbidden(request, session, course)
    if run_action(request, session, role, classroom.raise_hand, request.user, role):
        messages.success(request, _("Your hand is raised."))
    return redirect(tools_url(session))


@login_required
@require_POST
def hand_lower(request, session_id):
    """
    Lower the sender's own hand, or with ``user`` a student's hand.

    Only teachers may lower somebody else's hand.
    """
    session, course, role = load_session(request, session_id)
    if role is None:
        return forbidden(request, session, course)
    form = HandLowerForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(tools_url(session))
    user_id = form.cleaned_data["user"]
    if user_id not in (None, request.user.pk) and role != "teacher":
        return forbidden(request, session, course, control=True)
    if run_action(
        request, session, role, classroom.lower_hand, request.user, role, user_id
    ):
        messages.success(request, _("The hand is lowered."))
    return redirect(tools_url(session))


def teacher_control(
    request, session_id, action, success, form_class=None, fields=(), invalid=None
):
    """
    Run the teacher control ``action`` posted from a plain form.

    Only teachers of the session pass, with a ``form_class`` form that
    validates. Its cleaned ``fields`` follow the teacher as the action's
    arguments. ``success`` is the message of an accepted action, or a
    function of its event that returns one. A rejected form shows
    ``invalid``, or else the form's own errors.
    """
    session, _course, denied = load_teacher(request, session_id)
    if denied:
        return denied
    data = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            if invalid:
                messages.error(request, invalid)
            else:
                form_errors(request, form)
            return redirect(tools_url(session))
        data = form.cleaned_data

    arguments = [data[name] for name in fields]
    event = run_action(request, session, "teacher", action, request.user, *arguments)
    if event:
        messages.success(request, success(event) if callable(success) else success)
    return redirect(tools_url(session))


@login_required
@require_POST
def hands_lower_all(request, session_id):
    return teacher_control(
        request, session_id, classroom.lower_all_hands, _("All hands are lowered.")
    )


@login_required
@require_POST
def poll_open(request, session_id):
    """
    Ask a poll. A rejected poll shows the page again with the typed text.

    The response is 400 then, so that the teacher keeps the question and
    options instead of typing them again on a slow phone.
    """
    session, course, denied = load_teacher(request, session_id)
    if denied:
        return denied
    form = PollForm(request.POST)
    if form.is_valid():
        event = run_action(
            request,
            session,
            "teacher",
            classroom.open_poll,
            request.user,
            form.cleaned_data["question"],
            form.cleaned_data["options"],
            form.cleaned_data["live_results"],
        )
        if event:
            messages.success(request, _("The poll is open. Students can answer."))
            return redirect(tools_url(session))
    return session_page(request, session, course, "teacher", form, status=400)


@login_required
@require_POST
def poll_answer(request, session_id):
    """Store the student's answer to the open poll."""
    session, course, role = load_session(request, session_id)
    if role is None:
        return forbidden(request, session, course)
    form = PollAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the poll's options."))
        return redirect(tools_url(session))
    event = run_action(
        request,
        session,
        role,
        classroom.answer_poll,
        request.user,
        role,
        form.cleaned_data["poll"],
        form.cleaned_data["option"],
    )
    if event:
        messages.success(request, _("Your answer is saved."))
    return redirect(tools_url(session))


@login_required
@require_POST
def poll_close(request, session_id):
    return teacher_control(
        request,
        session_id,
        classroom.close_poll,
        _("The poll is closed."),
        form_class=PollCloseForm,
        fields=["poll"],
    )


def mute_message(event):
    if event.payload["op"] == "chat_muted":
        return _("The chat is muted for students.")
    return _("Students can write in the chat again.")


@login_required
@require_POST
def chat_mute(request, session_id):
    """Mute the chat for students (``muted=1``) or unmute it (``muted=0``)."""
    return teacher_control(
        request,
        session_id,
        classroom.set_chat_muted,
        mute_message,
        form_class=ChatMuteForm,
        fields=["muted"],
    )


def removal_message(event):
    return _("%(name)s was removed from the live class.") % {
        "name": event.payload["user"]["name"]
    }


@login_required
@require_POST
def remove(request, session_id):
    """Remove a student from the live class for good."""
    return teacher_control(
        request,
        session_id,
        classroom.remove_participant,
        removal_message,
        form_class=RemoveForm,
        fields=["user"],
        invalid=_("Choose the student to remove."),
    )
