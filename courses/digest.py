"""
Build and send the daily digest of news about their children to parents.

A digest lists, per child, new grades, work due in the next days, new
announcements of the child's courses and the child's other unread
notifications. It goes by the channel the parent chose in their
``GuardianPreference``: e-mail (the default), SMS or WhatsApp through the
deployment's gateway, or not at all.
"""

import datetime
import importlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .gateways import GatewayError
from .models import Announcement, Enrolment, GuardianPreference, Notification

logger = logging.getLogger(__name__)

DUE_DAYS_AHEAD = 3
# Modules whose events_for(user, start, end) lists a student's due dates.
DUE_DATE_SOURCES = ["courses.assignments.calendar", "courses.quizzes.calendar"]
# An SMS or WhatsApp digest is cut to this many characters.
MAX_SHORT_TEXT = 1000


@dataclass
class ChildDigest:
    child: object
    grades: list = field(default_factory=list)
    due: list = field(default_factory=list)
    announcements: list = field(default_factory=list)
    other: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.grades or self.due or self.announcements or self.other)


@dataclass
class DigestSummary:
    sent: int = 0
    empty: int = 0
    skipped: int = 0
    failed: int = 0


def guardians():
    """Return the active users who are a guardian of at least one child."""
    return (
        get_user_model()
        .objects.filter(is_active=True, guarded_links__isnull=False)
        .distinct()
        .order_by("pk")
    )


def _due_events(child, start, end):
    events = []
    for module_name in DUE_DATE_SOURCES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        events.extend(module.events_for(child, start, end))
    return sorted(events, key=lambda event: event.starts_at)


def build_child_digest(child, since, now):
    """Return what is new for ``child`` since ``since``."""
    digest = ChildDigest(child=child)
    unread = Notification.objects.filter(
        recipient=child, read_at__isnull=True, created_at__gte=since
    )
    for notification in unread:
        if notification.kind == Notification.Kind.GRADE:
            digest.grades.append(notification.title)
        elif notification.kind not in (
            Notification.Kind.ANNOUNCEMENT,
            Notification.Kind.DUE_SOON,
        ):
            digest.other.append(notification.title)
    course_ids = (
        Enrolment.objects.active(now.date()).filter(student=child).values("course_id")
    )
    digest.announcements = [
        f"{announcement.course.title}: {announcement.title}"
        for announcement in Announcement.objects.filter(
            course_id__in=course_ids, created_at__gte=since
        ).select_related("course")
    ]
    end = now + datetime.timedelta(days=DUE_DAYS_AHEAD)
    digest.due = [
        f"{timezone.localtime(event.starts_at):%d-%m %H:%M} {event.title}"
        + (f" ({event.course_title})" if event.course_title else "")
        for event in _due_events(child, now, end)
    ]
    return digest


def render_digest(guardian, children):
    """Return the subject and plain text of a guardian's digest."""
    lines = []
    sections = [
        ("grades", _("New grades")),
        ("due", _("Due in the next %(days)s days") % {"days": DUE_DAYS_AHEAD}),
        ("announcements", _("Announcements")),
        ("other", _("Other news")),
    ]
    for digest in children:
        lines.append(str(digest.child))
        for attribute, heading in sections:
            items = getattr(digest, attribute)
            if items:
                lines.append(f"  {heading}:")
                lines.extend(f"  - {item}" for item in items)
        lines.append("")
    subject = _("News about your children from %(site)s") % {
        "site": settings.WAGTAIL_SITE_NAME
    }
    return subject, "\n".join(lines).strip()


def send_digest(guardian, gateway, now, summary):
    """Build and send one guardian's digest; count the outcome in ``summary``."""
    preference = GuardianPreference.objects.filter(guardian=guardian).first()
    channel = preference.channel if preference else GuardianPreference.Channel.EMAIL
    if channel == GuardianPreference.Channel.NONE:
        summary.skipped += 1
        return
    since = (preference.last_sent_at if preference else None) or (
        now - datetime.timedelta(days=1)
    )
    with translation.override(guardian.language or settings.LANGUAGE_CODE):
        children = [
            build_child_digest(child, since, now)
            for child in guardian.children().order_by("first_name", "username")
        ]
        children = [digest for digest in children if digest]
        if not children:
            summary.empty += 1
            return
        subject, text = render_digest(guardian, children)
    try:
        if channel == GuardianPreference.Channel.EMAIL:
            if not guardian.email:
                logger.warning(
                    "digest skipped guardian=%s reason=no_email", guardian.pk
                )
                summary.skipped += 1
                return
            send_mail(subject, text, None, [guardian.email])
        else:
            phone = (preference.phone if preference else "") or guardian.phone
            if gateway is None or not phone:
                logger.warning(
                    "digest skipped guardian=%s channel=%s reason=%s",
                    guardian.pk,
                    channel,
                    "no_gateway" if gateway is None else "no_phone",
                )
                summary.skipped += 1
                return
            gateway.send(channel, phone, f"{subject}\n{text}"[:MAX_SHORT_TEXT])
    except (GatewayError, OSError) as error:
        logger.error(
            "digest failed guardian=%s channel=%s error=%s", guardian.pk, channel, error
        )
        summary.failed += 1
        return
    GuardianPreference.objects.update_or_create(
        guardian=guardian, defaults={"last_sent_at": now}
    )
    logger.info("digest sent guardian=%s channel=%s", guardian.pk, channel)
    summary.sent += 1
