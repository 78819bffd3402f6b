"""
Build the record of a live class: its replay and its chat transcript.

Both are read from the append-only event log, so they show exactly what the
participants saw, in sequence order.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from .access import display_name
from .models import LiveEvent
from .services import event_messages

# The replay page loads the log in pages of this many events, so a long
# class never needs one large response on a weak connection.
REPLAY_PAGE_SIZE = 500

# The event kinds a replay plays back. Hands and teacher controls matter only
# while the class runs.
REPLAY_KINDS = (
    LiveEvent.Kind.CHAT,
    LiveEvent.Kind.STATE,
    LiveEvent.Kind.DRAW,
    LiveEvent.Kind.SLIDE,
    LiveEvent.Kind.POLL,
)


def replay_start(session):
    """
    Return the start of the replay's timeline.

    That is the earlier of the class's opening and its first event, or the
    scheduled start when it has neither.
    """
    first = (
        LiveEvent.objects.filter(session=session)
        .order_by("seq")
        .values_list("created_at", flat=True)
        .first()
    )
    candidates = [moment for moment in (session.opened_at, first) if moment]
    return min(candidates) if candidates else session.starts_at


def replay_page(session, after=0, limit=REPLAY_PAGE_SIZE):
    """
    Return one page of the replay: the events after sequence ``after``.

    Each entry carries the server message a participant received and its
    offset in milliseconds from the start of the class. ``next`` is the
    ``after`` value of the next page, or ``None`` on the last page.
    """
    events = list(
        LiveEvent.objects.filter(
            session=session, seq__gt=after, kind__in=REPLAY_KINDS
        ).order_by("seq")[: limit + 1]
    )
    more = len(events) > limit
    events = events[:limit]
    start = replay_start(session)
    entries = []
    for event, message in zip(events, event_messages(events), strict=True):
        offset = (event.created_at - start).total_seconds()
        entries.append({"offset_ms": max(int(offset * 1000), 0), "message": message})
    return {
        "session": session.pk,
        "start": start.isoformat(),
        "events": entries,
        "next": events[-1].seq if more and events else None,
    }


def transcript_lines(session):
    """
    Yield the chat of ``session`` as lines of plain text, oldest first.

    Each line is ``[HH:MM:SS] Name: text`` in the deployment's time zone.
    Messages are text: nothing in them is interpreted.
    """
    yield _("Chat of %(title)s") % {"title": session.title}
    events = (
        LiveEvent.objects.filter(session=session, kind=LiveEvent.Kind.CHAT)
        .select_related("sender")
        .order_by("seq")
        .iterator(chunk_size=1000)
    )
    for event in events:
        moment = timezone.localtime(event.created_at).strftime("%H:%M:%S")
        name = display_name(event.sender) if event.sender else _("(deleted account)")
        # A line break inside a message would forge a line of another person.
        text = " ".join(event.payload.get("text", "").splitlines())
        yield f"[{moment}] {name}: {text}"
