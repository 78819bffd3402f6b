"""
Gather what the operator needs to spot fraud on one application.

The family card (KK) issue date against the rule, the home pin against the
address's kelurahan and the city boundary, other applications on the same
KK or NIK, the NIK flags from registration, and the documents the track
still lacks. Two settings tune the pin check:

- ``PPDB_KELURAHAN_CENTRES``: ``{kelurahan code: [latitude, longitude]}``
  of known centres (default: none, so centres are estimated from other
  applicants' pins);
- ``PPDB_PIN_WARNING_METRES``: how far from the centre a pin is flagged
  (default 3,000 m).
"""

from dataclasses import dataclass

from django.conf import settings

from ..engine import InputError
from ..models import Application, ApplicationDocument
from ..registration import boundary
from ..registration.documents import missing_groups
from .checks import check_family_card, check_pin, estimate_centre

DEFAULT_PIN_WARNING_METRES = 3000
# Pins of at most this many other applicants go into a centre estimate.
ESTIMATE_SAMPLE = 500
# Applications that no longer compete do not count as sharing a card.
INACTIVE_STATUSES = (Application.Status.WITHDRAWN, Application.Status.CANCELLED)


@dataclass
class Sharing:
    """Other applications of the period that give the same number."""

    count: int
    visible: list


def _known_centre(code):
    centres = getattr(settings, "PPDB_KELURAHAN_CENTRES", {}) or {}
    centre = centres.get(code)
    return tuple(centre) if centre else None


def _estimated_centre(application):
    pins = (
        Application.objects.filter(
            period=application.period_id, kelurahan_code=application.kelurahan_code
        )
        .exclude(pk=application.pk)
        .exclude(status__in=INACTIVE_STATUSES)
        .order_by("pk")
        .values_list("latitude", "longitude")[:ESTIMATE_SAMPLE]
    )
    return estimate_centre(pins)


def pin_check(application):
    """Return the ``PinCheck`` of the application's home pin."""
    limit = getattr(settings, "PPDB_PIN_WARNING_METRES", DEFAULT_PIN_WARNING_METRES)
    known = _known_centre(application.kelurahan_code)
    estimated = None if known else _estimated_centre(application)
    return check_pin(
        (application.latitude, application.longitude),
        known_centre=known,
        estimated_centre=estimated,
        limit_m=limit,
    )


def inside_city(application):
    """Return whether the home pin lies inside the city's boundary polygon."""
    polygon = boundary.parse_polygon(settings.CITY_BOUNDARY)
    return boundary.contains(polygon, application.latitude, application.longitude)


def sharing(application, user, field):
    """
    Return the other active applications of the period with the same ``field``.

    ``visible`` lists only those ``user`` may open; the count covers all.
    """
    others = (
        Application.objects.filter(
            period=application.period_id, **{field: getattr(application, field)}
        )
        .exclude(pk=application.pk)
        .exclude(status__in=INACTIVE_STATUSES)
    )
    visible = Application.objects.for_staff(user).filter(pk__in=others.values("pk"))
    return Sharing(
        count=others.count(),
        visible=list(visible.order_by("registration_number")),
    )


def family_card_check(application):
    try:
        rule = application.period.rule_set.family_card
    except InputError:
        return None
    return check_family_card(rule, application.track, application.kk_issued_on)


def missing_documents(application):
    """Return the labels of each document group with no current document."""
    kinds = {document.kind for document in application.current_documents()}
    labels = dict(ApplicationDocument.Kind.choices)
    groups = missing_groups(application.track, kinds, application.recommendation)
    return [[labels.get(kind, kind) for kind in group] for group in groups]


def gather(application, user):
    """Return a dict of every check, for the verification page."""
    labels = dict(Application.Flag.choices)
    return {
        "family_card": family_card_check(application),
        "pin": pin_check(application),
        "inside_city": inside_city(application),
        "same_kk": sharing(application, user, "kk_number"),
        "same_nik": sharing(application, user, "nik"),
        "identity_flags": [
            labels.get(flag, flag) for flag in application.identity_flags or []
        ],
        "missing_documents": missing_documents(application),
    }
