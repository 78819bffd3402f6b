"""The record of a live class's polls, kept after the class for its teachers."""

import logging

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from lms import audit

from . import classroom
from .models import PollAnswer
from .views import forbidden, load_session

logger = logging.getLogger(__name__)


@login_required
@require_safe
def poll_record(request, session_id):
    """
    List the polls of a live class, their results and who answered what.

    Only the session's teachers may see it. The answers are personal data of
    students, so each view is recorded in the audit log.
    """
    session, course, role = load_session(request, session_id)
    if role != "teacher":
        return forbidden(request, session, course)
    polls = classroom.session_polls(session)
    answers = (
        PollAnswer.objects.filter(poll__session=session)
        .select_related("user", "option")
        .order_by("answered_at", "pk")
    )
    by_poll = {}
    for answer in answers:
        by_poll.setdefault(answer.poll_id, []).append(answer)
    for poll in polls:
        poll.answer_list = by_poll.get(poll.pk, [])
        total = poll.answer_count or 1
        poll.option_rows = [
            (option, round(100 * option.votes / total)) for option in poll.options.all()
        ]
    audit.record("live.poll_answers_view", request=request, obj=session)
    logger.info(
        "live poll record session=%s by=%s polls=%s",
        session.pk,
        request.user.pk,
        len(polls),
    )
    return render(
        request,
        "live/polls.html",
        {"session": session, "course": course, "polls": polls},
    )
