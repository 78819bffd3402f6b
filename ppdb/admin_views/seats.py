"""
Seats per school and track: computed by the engine, overridden by the office.

The engine computes each track's seats from the school's capacity and the
rule set's shares. The city admin may replace one track's figure with a
``SeatOverride`` that carries a reason. The latest override of a school and
track is in force, and every change is also written to the audit log.
"""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lms import audit

from ..engine import InputError
from ..engine.inputs import School as EngineSchool
from ..engine.seats import compute_seats
from ..messages import translate
from ..models import PeriodSchool, SeatOverride

logger = logging.getLogger(__name__)


@dataclass
class SchoolSeats:
    """The seats of one school in a period, per track of the rule set."""

    period_school: PeriodSchool
    computed: dict
    in_force: dict
    overrides: dict = field(default_factory=dict)
    error: str = ""

    @property
    def total(self):
        return sum(self.in_force.values())


def current_overrides(period_schools):
    """Return ``{(period_school_id, track): SeatOverride}`` of those in force."""
    in_force = {}
    rows = SeatOverride.objects.filter(period_school__in=period_schools).order_by(
        "period_school_id", "track", "-set_at", "-id"
    )
    for override in rows:
        in_force.setdefault((override.period_school_id, override.track), override)
    return in_force


def _engine_school(period_school, overrides):
    return EngineSchool(
        period_school.school.npsn,
        period_school.school.name,
        None,
        period_school.capacity,
        overrides,
        None,
    )


def _seats_of(rules, period_school, overrides):
    """Return ``{track: seats}``, or raise ``InputError`` over capacity."""
    seats = compute_seats(rules, [_engine_school(period_school, overrides)])
    return {track: seats[npsn, track] for npsn, track in seats}


def seat_table(period, rules):
    """Return a ``SchoolSeats`` for each school of ``period``, by school name."""
    period_schools = list(
        PeriodSchool.objects.filter(period=period).select_related("school")
    )
    overrides = current_overrides(period_schools)
    table = []
    for period_school in period_schools:
        own = {
            track: override
            for (school_id, track), override in overrides.items()
            if school_id == period_school.pk and track in rules.tracks
        }
        computed = _seats_of(rules, period_school, {})
        entry = SchoolSeats(period_school, computed, dict(computed), own)
        try:
            entry.in_force = _seats_of(
                rules,
                period_school,
                {track: override.seats for track, override in own.items()},
            )
        except InputError as error:
            entry.error = " ".join(
                translate(problem.template, problem.params)
                for problem in error.problems
            )
        table.append(entry)
    return table


def check_capacity(period_school, rules, capacity):
    """
    Raise ``ValidationError`` if the overrides in force exceed ``capacity``.

    ``period_school`` is not changed.
    """
    in_force = {
        key[1]: override.seats
        for key, override in current_overrides([period_school]).items()
        if key[1] in rules.tracks
    }
    trial = PeriodSchool(
        pk=period_school.pk, school=period_school.school, capacity=capacity
    )
    try:
        _seats_of(rules, trial, in_force)
    except InputError as error:
        raise ValidationError(
            _(
                "The seat overrides of %(school)s add up to more than %(capacity)s; "
                "lower them before the capacity."
            ),
            code="overrides_over_capacity",
            params={"school": period_school.school.name, "capacity": capacity},
        ) from error


@transaction.atomic
def set_override(period_school, rules, track, seats, reason, user, request=None):
    """
    Store an override of ``track``'s seats at ``period_school`` and log it.

    Raise ``ValidationError`` (and store nothing) for a track the rule set
    does not have, a negative figure, an empty reason, or seats that would
    add up to more than the school's capacity.
    """
    reason = (reason or "").strip()
    if track not in rules.tracks:
        raise ValidationError(
            _("%(track)s is not a track of this period's rule set."),
            code="unknown_track",
            params={"track": track},
        )
    if seats is None or seats < 0:
        raise ValidationError(
            _("Seats must be a whole number, 0 or more; %(seats)s is not."),
            code="negative_seats",
            params={"seats": seats},
        )
    if not reason:
        raise ValidationError(
            _("Give the reason for changing the seats; it is kept in the log."),
            code="reason_missing",
        )

    period_school = PeriodSchool.objects.select_for_update().get(pk=period_school.pk)
    in_force = {
        key[1]: override.seats
        for key, override in current_overrides([period_school]).items()
        if key[1] in rules.tracks
    }
    before = _seats_of(rules, period_school, in_force)
    in_force[track] = seats
    try:
        after = _seats_of(rules, period_school, in_force)
    except InputError as error:
        raise ValidationError(
            _(
                "With %(seats)s seats for %(track)s the seats of %(school)s add up "
                "to more than its capacity of %(capacity)s."
            ),
            code="over_capacity",
            params={
                "seats": seats,
                "track": track,
                "school": period_school.school.name,
                "capacity": period_school.capacity,
            },
        ) from error

    override = SeatOverride.objects.create(
        period_school=period_school,
        track=track,
        seats=seats,
        reason=reason,
        set_by=user,
    )
    audit.record(
        "ppdb.seat_override",
        actor=user,
        obj=override,
        request=request,
        period=period_school.period_id,
        npsn=period_school.school.npsn,
        track=track,
        seats_before=before[track],
        seats=seats,
        reason=reason,
    )
    logger.info(
        "seat override set period=%s npsn=%s track=%s seats=%s",
        period_school.period_id,
        period_school.school.npsn,
        track,
        seats,
    )
    return override, after
