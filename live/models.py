"""
Live classes: scheduled sessions, their append-only event log and presence.

A ``LiveSession`` belongs to one course (a ``courses.CoursePage``, kept as a
plain Wagtail page key so that this app reaches courses only through
``courses.api``). Everything that happens in a session and must be kept is
a ``LiveEvent`` with the next session-wide sequence number, so a client or a
replay can put events in order and see gaps.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from lms import sanitize


def isoformat(value):
    return value.isoformat() if value is not None else None


class SessionState(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    OPEN = "open", _("open")
    ENDED = "ended", _("ended")


class SessionEnded(Exception):
    """The session has ended (or no longer exists), so it takes no events."""


class RateLimited(Exception):
    """The sender has sent too many events of this kind in the window."""

    def __init__(self, limit, window_seconds):
        super().__init__(f"more than {limit} events in {window_seconds} s")
        self.limit = limit
        self.window_seconds = window_seconds


class InvalidTransition(Exception):
    """A state change that the session's current state does not allow."""


class LiveSessionQuerySet(models.QuerySet):
    def not_ended(self):
        return self.exclude(state=SessionState.ENDED)


class LiveSession(models.Model):
    """A live class of one course, run by a teacher who moderates it."""

    course = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="live_sessions",
        verbose_name=_("course"),
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="moderated_live_sessions",
        verbose_name=_("teacher"),
        help_text=_("The teacher who moderates the live class."),
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=SessionState.choices,
        default=SessionState.SCHEDULED,
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # While set, only the session's teachers may send chat messages.
    chat_muted = models.BooleanField(_("chat muted"), default=False)
    # The sequence number of the latest event. The next event gets one more.
    last_seq = models.PositiveIntegerField(
        _("last sequence number"), default=0, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = LiveSessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="live_session_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(state=SessionState.OPEN) | Q(opened_at__isnull=False),
                name="live_session_open_has_opened_at",
            ),
            models.CheckConstraint(
                condition=~Q(state=SessionState.ENDED) | Q(ended_at__isnull=False),
                name="live_session_ended_has_ended_at",
            ),
        ]
        indexes = [
            models.Index(
                fields=["course", "state", "starts_at"],
                name="live_session_course_state",
            )
        ]
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError(
                {
                    "ends_at": ValidationError(
                        _("The live class must end after it starts."),
                        code="ends_before_start",
                    )
                }
            )

    def open(self, by=None):
        """
        Open the session for everybody, log it and return the logged event.

        The event is a ``live.eventlog.LoggedEvent``. With Redis it may
        reach the ``LiveEvent`` table a moment later.

        Only a scheduled session can be opened.
        """
        return self._change_state(SessionState.OPEN, SessionState.SCHEDULED, by)

    def end(self, by=None):
        """
        End the session, log it and return the logged event.

        A scheduled session may be ended too, which cancels it.
        """
        return self._change_state(
            SessionState.ENDED, (SessionState.SCHEDULED, SessionState.OPEN), by
        )

    def _change_state(self, new_state, allowed_from, by):
        if isinstance(allowed_from, str):
            allowed_from = (allowed_from,)
        now = timezone.now()
        changes = {"state": new_state}
        if new_state == SessionState.OPEN:
            changes["opened_at"] = now
        else:
            changes["ended_at"] = now
        with transaction.atomic():
            # The conditional update is the check: two teachers pressing
            # "end" at once change the state only once.
            updated = LiveSession.objects.filter(
                pk=self.pk, state__in=allowed_from
            ).update(**changes)
            if not updated:
                self.refresh_from_db(fields=["state"])
                raise InvalidTransition(
                    f"session={self.pk} cannot go from {self.state} to {new_state}"
                )
            self.refresh_from_db(fields=["state", "opened_at", "ended_at"])
            # Imported here because the log imports this module.
            from .eventlog import get_sync_log

            # When the log fails, the transaction rolls the state back.
            event = get_sync_log().append_sync(
                self.pk,
                LiveEvent.Kind.STATE,
                sender_id=by.pk if by is not None else None,
                payload={
                    "state": new_state,
                    "opened_at": isoformat(self.opened_at),
                    "ended_at": isoformat(self.ended_at),
                },
                allow_ended=True,
            )
        self.refresh_from_db(fields=["last_seq"])
        return event


class LiveEvent(models.Model):
    """
    One entry of a session's append-only event log.

    ``seq`` counts from 1 within the session, with no gaps among committed
    events: ``append`` takes the number from the session row while holding
    its write lock. Saving an existing event raises.
    """

    class Kind(models.TextChoices):
        CHAT = "chat", _("chat message")
        STATE = "state", _("state change")
        DRAW = "draw", _("whiteboard strokes")
        HAND = "hand", _("raised hand")
        POLL = "poll", _("poll")
        CONTROL = "control", _("teacher control")
        SLIDE = "slide", _("slide change")

    session = models.ForeignKey(
        LiveSession,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("live session"),
    )
    seq = models.PositiveIntegerField(_("sequence number"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sender"),
    )
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["session", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "seq"], name="unique_live_event_seq"
            ),
            models.CheckConstraint(
                condition=Q(seq__gte=1), name="live_event_seq_positive"
            ),
        ]
        indexes = [
            # The chat rate limit counts a sender's recent events.
            models.Index(
                fields=["session", "sender", "kind", "created_at"],
                name="live_event_sender_recent",
            )
        ]
        verbose_name = _("live event")
        verbose_name_plural = _("live events")

    def __str__(self):
        return f"{self.session_id}#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The live event log is append-only.")
        super().save(*args, **kwargs)

    @property
    def text(self):
        return self.payload.get("text", "")

    @property
    def html(self):
        """The chat text as HTML: escaped, with web links linkified."""
        # The chat policy of lms.sanitize escapes every tag, so the result
        # may be marked safe.
        return mark_safe(sanitize.clean(self.text, "chat"))  # noqa: S308

    @classmethod
    def append(
        cls,
        session_id,
        kind,
        *,
        sender=None,
        sender_id=None,
        payload=None,
        allow_ended=False,
    ):
        """
        Store an event with the session's next sequence number and return it.

        The sequence number comes from an UPDATE of the session row, which
        is the first statement of the transaction. That takes the row's
        write lock on PostgreSQL and the database write lock on SQLite, so
        concurrent appends to one session wait for each other instead of
        reading the same number. Raise ``SessionEnded`` when the session has
        ended, unless ``allow_ended``.

        This is the synchronous path of the database back end of
        ``live.eventlog``. The websocket path stores batches instead.
        """
        if sender is not None:
            sender_id = sender.pk
        with transaction.atomic():
            sessions = LiveSession.objects.filter(pk=session_id)
            if not allow_ended:
                sessions = sessions.not_ended()
            if not sessions.update(last_seq=F("last_seq") + 1):
                raise SessionEnded(f"session={session_id}")
            seq = LiveSession.objects.values_list("last_seq", flat=True).get(
                pk=session_id
            )
            return cls.objects.create(
                session_id=session_id,
                seq=seq,
                kind=kind,
                sender_id=sender_id,
                payload=payload or {},
                created_at=timezone.now(),
            )


class LiveConnection(models.Model):
    """
    One websocket of a person in a session: presence now, attendance later.

    Rows live in the database, not in a process, so that every daphne
    process behind the load balancer sees the same people present. A row
    without ``disconnected_at`` is an open connection. Its process updates
    ``last_seen_at`` every ``live.fanout.HEARTBEAT_SECONDS``, so the rows
    of a process that died stop counting as present after
    ``live.fanout.STALE_SECONDS``, and ``close_stale`` closes them.
    """

    session = models.ForeignKey(
        LiveSession,
        on_delete=models.CASCADE,
        related_name="connections",
        verbose_name=_("live session"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=20)
    channel_name = models.CharField(_("channel name"), max_length=200, unique=True)
    connected_at = models.DateTimeField(_("connected at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen at"), default=timezone.now)
    disconnected_at = models.DateTimeField(_("disconnected at"), null=True, blank=True)

    class Meta:
        ordering = ["session", "connected_at"]
        indexes = [
            models.Index(
                fields=["session", "disconnected_at"],
                name="live_connection_open",
            )
        ]
        verbose_name = _("live connection")
        verbose_name_plural = _("live connections")

    def __str__(self):
        return f"{self.user} @ {self.session_id}"


class SlideDeck(models.Model):
    """
    A PDF that a teacher showed in a live session.

    The row lets the slide view serve the deck's pages to the session's
    participants, during the class and in its replay, without asking the
    course or the library again. ``file_hash`` is the SHA-256 of the file
    when it was shown, and names its rendered pages in the storage.
    """

    class Source(models.TextChoices):
        COURSE = "course", _("course lesson")
        LIBRARY = "library", _("library")

    session = models.ForeignKey(
        LiveSession,
        on_delete=models.CASCADE,
        related_name="slide_decks",
        verbose_name=_("live session"),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("document"),
    )
    title = models.CharField(_("title"), max_length=255)
    page_count = models.PositiveIntegerField(_("pages"))
    file_hash = models.CharField(_("SHA-256"), max_length=64)
    shown_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shown by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["session", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "source", "document"],
                name="unique_live_slide_deck",
            )
        ]
        verbose_name = _("slide deck")
        verbose_name_plural = _("slide decks")

    def __str__(self):
        return self.title


class SlidePosition(models.Model):
    """
    The slide a session shows now, which a late joiner sees first.

    ``version`` grows by one with every change, and ``slide`` messages carry
    it, so a client keeps the newest of a snapshot and the logged events
    whatever order they arrive in. No ``deck`` means no slide is shown.
    """

    session = models.OneToOneField(
        LiveSession,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="slide_position",
        verbose_name=_("live session"),
    )
    # SET_NULL and not CASCADE: the row must outlive a deleted deck, so that
    # ``version`` keeps growing and clients do not ignore the next slide.
    deck = models.ForeignKey(
        SlideDeck,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("slide deck"),
    )
    page = models.PositiveIntegerField(_("page"), default=1)
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("slide position")
        verbose_name_plural = _("slide positions")

    def __str__(self):
        return f"{self.session_id} page {self.page}"


class RaisedHand(models.Model):
    """
    One raise of a hand in a session, from raising until it is lowered.

    The queue of a session is its rows without ``lowered_at``, in raising
    order. A person has at most one raised hand per session at a time,
    which a partial unique constraint enforces across processes.
    """

    session = models.ForeignKey(
        LiveSession,
        on_delete=models.CASCADE,
        related_name="hands",
        verbose_name=_("live session"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    lowered_at = models.DateTimeField(_("lowered at"), null=True, blank=True)
    lowered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lowered by"),
    )

    class Meta:
        ordering = ["session", "raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(lowered_at__isnull=True),
                name="live_one_raised_hand",
            )
        ]
        verbose_name = _("raised hand")
        verbose_name_plural = _("raised hands")

    def __str__(self):
        return f"{self.user} @ {self.session_id}"


class Poll(models.Model):
    """A question the teacher asks during a session, with 2 or more options."""

    class Show(models.TextChoices):
        LIVE = "live", _("while the poll is open")
        END = "end", _("when the poll closes")

    session = models.ForeignKey(
        LiveSession,
        on_delete=models.CASCADE,
        related_name="polls",
        verbose_name=_("live session"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    question = models.CharField(_("question"), max_length=300)
    show_results = models.CharField(
        _("show results to students"),
        max_length=4,
        choices=Show.choices,
        default=Show.LIVE,
    )
    # Raised with each answer, so that results are never recounted.
    answer_count = models.PositiveIntegerField(_("answers"), default=0)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["session", "opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(closed_at__isnull=True),
                name="live_one_open_poll",
            )
        ]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def __str__(self):
        return self.question

    @property
    def is_open(self):
        return self.closed_at is None


class PollOption(models.Model):
    """One option of a poll and the number of answers that chose it."""

    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="options", verbose_name=_("poll")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("text"), max_length=100)
    votes = models.PositiveIntegerField(_("votes"), default=0)

    class Meta:
        ordering = ["poll", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "position"], name="live_poll_option_position"
            )
        ]
        verbose_name = _("poll option")
        verbose_name_plural = _("poll options")

    def __str__(self):
        return self.text


class PollAnswer(models.Model):
    """One person's answer to a poll. Each person answers a poll once."""

    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="answers", verbose_name=_("poll")
    )
    option = models.ForeignKey(
        PollOption,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("option"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        ordering = ["poll", "answered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "user"], name="live_one_answer_per_poll"
            )
        ]
        verbose_name = _("poll answer")
        verbose_name_plural = _("poll answers")

    def __str__(self):
        return f"{self.user} → {self.option}"


class Removal(models.Model):
    """A person the teacher removed from a session, who may not rejoin it."""

    session = models.ForeignKey(
        LiveSession,
        on_delete=models.CASCADE,
        related_name="removals",
        verbose_name=_("live session"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("removed by"),
    )
    removed_at = models.DateTimeField(_("removed at"), default=timezone.now)

    class Meta:
        ordering = ["session", "removed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"], name="live_one_removal_per_person"
            )
        ]
        verbose_name = _("removed participant")
        verbose_name_plural = _("removed participants")

    def __str__(self):
        return f"{self.user} @ {self.session_id}"
