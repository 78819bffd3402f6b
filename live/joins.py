"""
Database work of websockets that join a live session at the same moment.

When a whole class opens the classroom together, every join needs the same
classroom state and writes one ``LiveConnection`` row. Asgiref runs the
consumers' database calls one after another on one thread, so one call per
join and step queues up behind all the others. ``Joins``, one per event
loop, cuts that work:

- ``snapshot`` reads the session-wide state (raised hands, open poll, chat
  mute, current slide) once per session and log position, and shares it
  with every join that read the same ``last_seq`` within
  ``SNAPSHOT_SECONDS``. Every change of that state is a logged event that
  raises ``last_seq``, so a shared snapshot is as fresh as a new read.
- ``record`` stores the rows of the joins that queue while the previous
  write runs in one ``bulk_create``, and in the same call reads their
  answers to the open poll.
"""

import asyncio
import dataclasses
import logging
import time
import weakref

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from . import classroom, slides
from .models import LiveConnection, Poll, PollAnswer

logger = logging.getLogger(__name__)

# How long a snapshot is shared with joins that read the same last_seq
# (setting LIVE_SNAPSHOT_SECONDS). Classroom actions change the state only
# together with a logged event, so the limit bounds changes made elsewhere,
# such as in the admin.
SNAPSHOT_SECONDS = 1.0
# At most this many rows go into one bulk_create.
RECORD_BATCH = 500


def snapshot_seconds():
    return getattr(settings, "LIVE_SNAPSHOT_SECONDS", SNAPSHOT_SECONDS)


def read_shared_state(session_id):
    """
    Read the classroom state that is the same for everybody in the session.

    The open poll always carries its counts: ``personal_state`` drops them
    for students when the teacher hides the results.
    """
    poll = Poll.objects.filter(session_id=session_id, closed_at__isnull=True).first()
    poll_description = None
    if poll is not None:
        options = classroom.poll_options(poll)
        poll_description = classroom.describe_poll(
            poll, [each.text for each in options], [each.votes for each in options]
        )
    return {
        "hands": classroom.hand_queue(session_id),
        "poll": poll_description,
        "chat_muted": classroom.is_chat_muted(session_id),
        "slide": slides.snapshot(session_id),
    }


def personal_state(shared, role, answered):
    """
    Return the ``welcome`` fields of one person from the shared state.

    The result has the keys of ``classroom.snapshot``. ``answered`` is the
    position of the option that the person chose in the open poll, or
    ``None``.
    """
    poll = shared["poll"]
    if poll is not None:
        poll = {**poll, "answered": answered}
        if role != "teacher" and not poll["live_results"]:
            del poll["counts"], poll["total"]
    return {"hands": shared["hands"], "poll": poll, "chat_muted": shared["chat_muted"]}


@dataclasses.dataclass
class PendingJoin:
    row: LiveConnection
    poll_id: int | None
    future: asyncio.Future


def store_joins(pending):
    """
    Store the rows of ``pending`` joins; return each join's poll answer.

    The answers are option positions or ``None``, in the order of
    ``pending``.
    """
    LiveConnection.objects.bulk_create([join.row for join in pending])
    answers = {}
    lookups = {(join.poll_id, join.row.user_id) for join in pending if join.poll_id}
    for poll_id in {poll_id for poll_id, _user_id in lookups}:
        user_ids = [user_id for each, user_id in lookups if each == poll_id]
        rows = PollAnswer.objects.filter(
            poll_id=poll_id, user_id__in=user_ids
        ).values_list("user_id", "option__position")
        for user_id, position in rows:
            answers[poll_id, user_id] = position
    return [answers.get((join.poll_id, join.row.user_id)) for join in pending]


class Joins:
    """The shared join work of one process (one event loop)."""

    def __init__(self):
        # session id -> (last_seq, time.monotonic() when read, task)
        self.snapshots = {}
        self.pending = []
        self.writer = None

    async def snapshot(self, session_id, last_seq):
        """Return the shared state of the session at ``last_seq``."""
        cached = self.snapshots.get(session_id)
        now = time.monotonic()
        if (
            cached is None
            or cached[0] != last_seq
            or now - cached[1] >= snapshot_seconds()
            or (cached[2].done() and cached[2].exception() is not None)
        ):
            self.drop_old_snapshots(now)
            task = asyncio.get_running_loop().create_task(
                database_sync_to_async(read_shared_state)(session_id)
            )
            cached = self.snapshots[session_id] = (last_seq, now, task)
        # Shielded, so that a join that is cancelled (its socket closed)
        # does not cancel the read that other joins wait for.
        return await asyncio.shield(cached[2])

    def drop_old_snapshots(self, now):
        for session_id, (_seq, read_at, task) in list(self.snapshots.items()):
            if task.done() and now - read_at >= snapshot_seconds():
                del self.snapshots[session_id]

    async def record(self, session_id, user, role, channel_name, poll_id):
        """
        Store an open connection; return the person's answer to ``poll_id``.

        The row's ``connected_at`` is the time of this call, not of the
        write, so attendance counts from the join.
        """
        row = LiveConnection(
            session_id=session_id,
            user=user,
            role=role,
            channel_name=channel_name,
            connected_at=timezone.now(),
        )
        row.last_seen_at = row.connected_at
        future = asyncio.get_running_loop().create_future()
        self.pending.append(PendingJoin(row, poll_id, future))
        if self.writer is None or self.writer.done():
            self.writer = asyncio.get_running_loop().create_task(self.write())
        return await asyncio.shield(future)

    async def write(self):
        """Store queued rows batch after batch until none is left."""
        while self.pending:
            batch = self.pending[:RECORD_BATCH]
            del self.pending[:RECORD_BATCH]
            try:
                answers = await database_sync_to_async(store_joins)(batch)
            except Exception as error:  # noqa: BLE001
                # Every join of the batch gets the error to handle itself.
                for join in batch:
                    if not join.future.done():
                        join.future.set_exception(error)
                continue
            for join, answer in zip(batch, answers, strict=True):
                if not join.future.done():
                    join.future.set_result(answer)


_joins = weakref.WeakKeyDictionary()


def get_joins():
    """Return the join batcher of the running event loop."""
    loop = asyncio.get_running_loop()
    joins = _joins.get(loop)
    if joins is None:
        joins = _joins[loop] = Joins()
    return joins
