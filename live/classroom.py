"""
Hands, polls and teacher controls of a live session.

Each action changes the classroom's state in the database and appends its
event to the session's log in one transaction, so that every daphne process
reads the same state and a failed append leaves the state unchanged. The
functions are synchronous, and the consumer calls them through
``database_sync_to_async``. Actions return the logged event, which
``services.event_message`` turns into the message for everybody.

Rejected actions raise ``ProtocolError`` with the error code the client
gets, ``RateLimited``, ``SessionEnded`` or ``eventlog.LogUnavailable``.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from lms import sanitize

from . import protocol
from .access import display_name, participant_role
from .eventlog import get_sync_log
from .models import (
    InvalidTransition,
    LiveEvent,
    LiveSession,
    Poll,
    PollAnswer,
    PollOption,
    RaisedHand,
    Removal,
    SessionEnded,
    SessionState,
    isoformat,
)
from .protocol import ErrorCode, ProtocolError

logger = logging.getLogger(__name__)

# At most HAND_RATE_LIMIT raises and lowers of one's own hand within
# HAND_RATE_WINDOW_SECONDS in one session. The settings of the same names
# with a LIVE_ prefix override both.
HAND_RATE_LIMIT = 10
HAND_RATE_WINDOW_SECONDS = 60


def hand_rate(session_id, user_id):
    return (
        f"{session_id}:{user_id}:hand",
        getattr(settings, "LIVE_HAND_RATE_LIMIT", HAND_RATE_LIMIT),
        getattr(settings, "LIVE_HAND_RATE_WINDOW_SECONDS", HAND_RATE_WINDOW_SECONDS),
    )


def student(user):
    return protocol.person(user.pk, display_name(user), "student")


def append(session_id, kind, sender, payload, rate_limit=None):
    """
    Append an event inside the caller's transaction.

    NOTE: with Redis the event is in the Redis stream before the database
    commits, so a commit that fails after this call leaves a logged event
    whose change was rolled back.
    """
    return get_sync_log().append_sync(
        session_id,
        kind,
        sender_id=sender.pk if sender is not None else None,
        payload=payload,
        rate_limit=rate_limit,
    )


def forbidden():
    return ProtocolError(ErrorCode.FORBIDDEN, reason="control")


# Hands.


def hand_queue(session_id):
    """Return the raised hands of a session in raising order."""
    hands = (
        RaisedHand.objects.filter(session_id=session_id, lowered_at__isnull=True)
        .select_related("user")
        .order_by("raised_at", "pk")
    )
    return [
        {**student(hand.user), "raised_at": isoformat(hand.raised_at)} for hand in hands
    ]


def raise_hand(session_id, user, role):
    """Put the hand of ``user``, a student, at the end of the queue."""
    if role != "student":
        raise ProtocolError(ErrorCode.NOT_A_STUDENT, user=user.pk)
    with transaction.atomic():
        try:
            with transaction.atomic():
                hand = RaisedHand.objects.create(session_id=session_id, user=user)
        except IntegrityError:
            raise ProtocolError(ErrorCode.HAND_ALREADY_RAISED) from None
        payload = {
            "op": "raise",
            "user": student(user),
            "raised_at": isoformat(hand.raised_at),
            "role": role,
        }
        return append(
            session_id,
            LiveEvent.Kind.HAND,
            user,
            payload,
            rate_limit=hand_rate(session_id, user.pk),
        )


def lower_hand(session_id, actor, role, user_id=None):
    """
    Lower the hand of ``user_id``, or of ``actor`` when it is ``None``.

    Only teachers may lower somebody else's hand.
    """
    own = user_id is None or user_id == actor.pk
    if not own and role != "teacher":
        raise forbidden()
    target_id = actor.pk if own else user_id
    with transaction.atomic():
        lowered = RaisedHand.objects.filter(
            session_id=session_id, user_id=target_id, lowered_at__isnull=True
        ).update(lowered_at=timezone.now(), lowered_by=actor)
        if not lowered:
            raise ProtocolError(ErrorCode.HAND_NOT_RAISED)
        target = actor if own else get_user_model().objects.get(pk=target_id)
        payload = {"op": "lower", "user": student(target), "role": role}
        return append(
            session_id,
            LiveEvent.Kind.HAND,
            actor,
            payload,
            rate_limit=hand_rate(session_id, actor.pk) if own else None,
        )


def lower_all_hands(session_id, actor):
    """Empty the hand queue. The event's ``count`` is the number of hands lowered."""
    with transaction.atomic():
        count = RaisedHand.objects.filter(
            session_id=session_id, lowered_at__isnull=True
        ).update(lowered_at=timezone.now(), lowered_by=actor)
        payload = {"op": "lower_all", "count": count, "role": "teacher"}
        return append(session_id, LiveEvent.Kind.HAND, actor, payload)


# Polls.


def describe_poll(poll, options, counts=None):
    """
    Describe a poll as the ``poll`` messages do.

    ``options`` are the option texts in order. A closed poll, or an open
    one described with ``counts``, carries ``counts`` and ``total``.
    """
    description = {
        "id": poll.pk,
        "question": poll.question,
        "options": options,
        "live_results": poll.show_results == Poll.Show.LIVE,
        "opened_at": isoformat(poll.opened_at),
        "closed_at": isoformat(poll.closed_at),
    }
    if counts is not None:
        description["counts"] = counts
        description["total"] = sum(counts)
    return description


def poll_options(poll):
    return list(poll.options.order_by("position"))


def clean_poll(question, options, ref=None):
    """
    Remove invisible control characters from a poll's question and options.

    The protocol has checked the lengths. Raise ``ProtocolError`` when the
    cleaning leaves a blank question, or options that break the rules.
    """
    question = sanitize.clean_text(question).strip()
    if not question:
        raise ProtocolError(ErrorCode.BLANK, ref, field="question")
    options = [sanitize.clean_text(option) for option in options]
    return question, protocol.check_poll_options(options, ref)


def open_poll(session_id, actor, question, options, live_results=True):
    """Ask a new poll. A session has at most one open poll at a time."""
    question, options = clean_poll(question, options)
    show = Poll.Show.LIVE if live_results else Poll.Show.END
    with transaction.atomic():
        try:
            with transaction.atomic():
                poll = Poll.objects.create(
                    session_id=session_id,
                    created_by=actor,
                    question=question,
                    show_results=show,
                )
        except IntegrityError:
            raise ProtocolError(ErrorCode.POLL_ALREADY_OPEN) from None
        PollOption.objects.bulk_create(
            PollOption(poll=poll, position=position, text=text)
            for position, text in enumerate(options)
        )
        payload = {
            "op": "open",
            "poll": describe_poll(poll, options),
            "role": "teacher",
        }
        event = append(session_id, LiveEvent.Kind.POLL, actor, payload)
    logger.info(
        "live poll opened session=%s poll=%s by=%s seq=%s",
        session_id,
        poll.pk,
        actor.pk,
        event.seq,
    )
    return event


def locked_poll(session_id, poll_id):
    """
    Return the session's poll ``poll_id``, locking its row until commit.

    The lock makes answers and the close of one poll take turns, so that no
    answer counts after the close and the counts in the events only grow.
    """
    poll = Poll.objects.select_for_update().filter(pk=poll_id, session_id=session_id)
    poll = poll.first()
    if poll is None:
        raise ProtocolError(ErrorCode.POLL_NOT_FOUND, poll=poll_id)
    return poll


def answer_poll(session_id, user, role, poll_id, option_index):
    """
    Store the answer of ``user`` and return the event with the new counts.

    NOTE: every answer is one logged event that goes to every teacher (and
    to every student with live results). A class of hundreds answering at
    once would be better served by counts sent a few times a second.

    Each student answers a poll once: the unique constraint on
    ``PollAnswer`` rejects a second answer, from any process. Teachers ask
    polls and do not answer them.
    """
    if role != "student":
        raise ProtocolError(ErrorCode.NOT_A_STUDENT, user=user.pk)
    with transaction.atomic():
        poll = locked_poll(session_id, poll_id)
        if not poll.is_open:
            raise ProtocolError(ErrorCode.POLL_CLOSED)
        options = poll_options(poll)
        if option_index >= len(options):
            raise ProtocolError(
                ErrorCode.OUT_OF_RANGE, field="option", min=0, max=len(options) - 1
            )
        option = options[option_index]
        try:
            with transaction.atomic():
                PollAnswer.objects.create(poll=poll, option=option, user=user)
        except IntegrityError:
            raise ProtocolError(ErrorCode.ALREADY_ANSWERED) from None
        PollOption.objects.filter(pk=option.pk).update(votes=F("votes") + 1)
        Poll.objects.filter(pk=poll.pk).update(answer_count=F("answer_count") + 1)
        counts = [each.votes for each in options]
        counts[option_index] += 1
        payload = {
            "op": "results",
            "poll": poll.pk,
            "counts": counts,
            "total": sum(counts),
            "live_results": poll.show_results == Poll.Show.LIVE,
            "role": role,
        }
        return append(session_id, LiveEvent.Kind.POLL, user, payload)


def close_poll(session_id, actor, poll_id):
    """Close an open poll and return the event with its final results."""
    with transaction.atomic():
        poll = locked_poll(session_id, poll_id)
        if not poll.is_open:
            raise ProtocolError(ErrorCode.POLL_CLOSED)
        poll.closed_at = timezone.now()
        poll.save(update_fields=["closed_at"])
        options = poll_options(poll)
        description = describe_poll(
            poll, [each.text for each in options], [each.votes for each in options]
        )
        payload = {"op": "close", "poll": description, "role": "teacher"}
        event = append(session_id, LiveEvent.Kind.POLL, actor, payload)
    logger.info(
        "live poll closed session=%s poll=%s answers=%s seq=%s",
        session_id,
        poll_id,
        description["total"],
        event.seq,
    )
    return event


def close_open_polls(session_id, actor):
    """Close the session's open polls, before it ends, and return the events."""
    open_ids = Poll.objects.filter(
        session_id=session_id, closed_at__isnull=True
    ).values_list("pk", flat=True)
    return [close_poll(session_id, actor, poll_id) for poll_id in list(open_ids)]


def current_poll(session_id, user, role):
    """
    Describe the session's open poll for ``user``, or return ``None``.

    Counts are included for teachers, and for students when the teacher
    chose live results. ``answered`` is the position of the option that
    ``user`` chose, or ``None``.
    """
    poll = Poll.objects.filter(session_id=session_id, closed_at__isnull=True).first()
    if poll is None:
        return None
    options = poll_options(poll)
    counts = None
    if role == "teacher" or poll.show_results == Poll.Show.LIVE:
        counts = [each.votes for each in options]
    description = describe_poll(poll, [each.text for each in options], counts)
    answer = (
        PollAnswer.objects.filter(poll=poll, user=user)
        .values_list("option__position", flat=True)
        .first()
    )
    description["answered"] = answer
    return description


def last_closed_poll(session_id):
    """Describe the session's most recently closed poll with its final counts."""
    poll = (
        Poll.objects.filter(session_id=session_id, closed_at__isnull=False)
        .order_by("-closed_at", "-pk")
        .first()
    )
    if poll is None:
        return None
    options = poll_options(poll)
    return describe_poll(
        poll, [each.text for each in options], [each.votes for each in options]
    )


def session_polls(session):
    """Return the polls of a session with their options, for the record page."""
    return list(
        Poll.objects.filter(session=session)
        .prefetch_related("options")
        .order_by("opened_at", "pk")
    )


# Teacher controls.


def is_chat_muted(session_id):
    return LiveSession.objects.filter(pk=session_id, chat_muted=True).exists()


def set_chat_muted(session_id, actor, muted):
    """Mute or unmute the chat for students, and log it."""
    with transaction.atomic():
        LiveSession.objects.filter(pk=session_id).update(chat_muted=muted)
        payload = {"op": "chat_muted" if muted else "chat_unmuted", "role": "teacher"}
        event = append(session_id, LiveEvent.Kind.CONTROL, actor, payload)
    logger.info(
        "live chat muted=%s session=%s by=%s seq=%s",
        muted,
        session_id,
        actor.pk,
        event.seq,
    )
    return event


def is_removed(session_id, user_id):
    return Removal.objects.filter(session_id=session_id, user_id=user_id).exists()


def remove_participant(session_id, actor, user_id):
    """
    Remove a student from the session for good, lowering their hand.

    Every connection of the student closes when the event reaches it (see
    the consumer), and the student cannot join the session again. Only a
    student of the session can be removed.
    """
    session = LiveSession.objects.get(pk=session_id)
    target = get_user_model().objects.filter(pk=user_id).first()
    if target is None or participant_role(target, session) != "student":
        raise ProtocolError(ErrorCode.NOT_A_STUDENT, user=user_id)
    with transaction.atomic():
        Removal.objects.get_or_create(
            session_id=session.pk, user=target, defaults={"removed_by": actor}
        )
        RaisedHand.objects.filter(
            session_id=session.pk, user=target, lowered_at__isnull=True
        ).update(lowered_at=timezone.now(), lowered_by=actor)
        payload = {"op": "removed", "user": student(target), "role": "teacher"}
        event = append(session.pk, LiveEvent.Kind.CONTROL, actor, payload)
    logger.info(
        "live removed session=%s user=%s by=%s seq=%s",
        session.pk,
        target.pk,
        actor.pk,
        event.seq,
    )
    return event


def snapshot(session_id, user, role):
    """Return the classroom state that the ``welcome`` message carries."""
    return {
        "hands": hand_queue(session_id),
        "poll": current_poll(session_id, user, role),
        "chat_muted": is_chat_muted(session_id),
    }


def end_class(session_id, actor):
    """End the session from the classroom: close its polls, then end it."""
    from . import services

    session = LiveSession.objects.get(pk=session_id)
    try:
        return services.change_state(session, SessionState.ENDED, actor)
    except InvalidTransition:
        # Another teacher ended it a moment earlier.
        raise SessionEnded(f"session={session_id}") from None
