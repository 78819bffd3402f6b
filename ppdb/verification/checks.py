"""
Checks that help an operator spot a forged registration, as plain functions.

Each check takes plain values (dates, coordinates, a rule set of the
engine) and returns a small result that the verification page shows next to
the applicant's data. They flag cases for a person to look at and decide
nothing themselves. No Django import.
"""

import statistics
from dataclasses import dataclass
from datetime import date

from ppdb.engine.geo import Point, distance_m


@dataclass(frozen=True)
class FamilyCardCheck:
    """The family card (KK) issue date against the period's rule."""

    applies: bool
    latest_allowed: date | None
    issued_on: date | None
    # "ok", "too_new", "missing" or "not_required".
    status: str

    @property
    def is_flagged(self):
        return self.status in ("too_new", "missing")


def check_family_card(rule, track, issued_on):
    """
    Check a KK issue date against ``rule`` (an engine ``FamilyCardRule``).

    The rule applies only to its tracks. A card issued after the latest
    date the rule accepts is flagged, as is a missing date where the rule
    applies. A card reissued for a birth, a death or a lost card may still
    count, so the operator reads the parent's reason before deciding.
    """
    latest = rule.latest_issue_date()
    if track not in rule.tracks or latest is None:
        return FamilyCardCheck(False, latest, issued_on, "not_required")
    if issued_on is None:
        return FamilyCardCheck(True, latest, None, "missing")
    status = "too_new" if issued_on > latest else "ok"
    return FamilyCardCheck(True, latest, issued_on, status)


@dataclass(frozen=True)
class PinCheck:
    """The home pin against the centre of the kelurahan the address names."""

    # "near", "far", "no_centre" (nothing to compare with) or "no_pin".
    status: str
    distance_m: int | None = None
    # "known" for a configured centre, "estimated" for the median of other
    # applicants' pins in the same kelurahan.
    centre_source: str = ""
    limit_m: int | None = None

    @property
    def is_flagged(self):
        return self.status in ("far", "no_centre", "no_pin")


def estimate_centre(points, minimum=5):
    """
    Estimate a kelurahan's centre as the median of ``points`` (lat, lon).

    Return ``None`` with fewer than ``minimum`` points: a handful of pins
    says too little, and one forged pin would move their mean. The median
    ignores a few outliers.
    """
    points = list(points)
    if len(points) < minimum:
        return None
    latitudes = [float(latitude) for latitude, _longitude in points]
    longitudes = [float(longitude) for _latitude, longitude in points]
    return statistics.median(latitudes), statistics.median(longitudes)


def check_pin(pin, known_centre=None, estimated_centre=None, limit_m=3000):
    """
    Compare the home ``pin`` (lat, lon) with the kelurahan's centre.

    A pin more than ``limit_m`` metres from the centre is flagged "far".
    A configured centre is used before an estimated one. Without either the
    result is "no_centre", which the page shows as a plain flag.
    """
    if pin is None or None in pin:
        return PinCheck("no_pin", limit_m=limit_m)
    centre, source = known_centre, "known"
    if centre is None:
        centre, source = estimated_centre, "estimated"
    if centre is None:
        return PinCheck("no_centre", limit_m=limit_m)
    metres = home_distance_m(pin, centre)
    status = "far" if metres > limit_m else "near"
    return PinCheck(status, metres, source, limit_m)


def home_distance_m(home, school):
    """
    Return the haversine distance from ``home`` to ``school`` in whole metres.

    Both are (latitude, longitude) pairs in degrees, as numbers or decimals.
    The engine's formula is used, so a frozen distance is the one the
    selection ranks by.
    """
    return distance_m(
        Point(float(home[0]), float(home[1])),
        Point(float(school[0]), float(school[1])),
    )


def school_distances(home, schools):
    """
    Return ``{key: metres}`` from ``home`` to each school in ``schools``.

    ``schools`` maps a key to the school's (latitude, longitude), or to
    ``None`` for a school without a location, which is left out.
    """
    return {
        key: home_distance_m(home, location)
        for key, location in schools.items()
        if location is not None and None not in location
    }
