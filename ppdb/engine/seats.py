"""Seats per school and track, computed from the capacity by the shares."""

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from .errors import ProblemList, gettext_noop

ROUNDING_MODES = {"floor": ROUND_FLOOR, "half_up": ROUND_HALF_UP}


def compute_seats(rules, schools, source="schools"):
    """
    Return ``{(npsn, track): seats}`` for every school and configured track.

    Each track other than the remainder track gets capacity × share, rounded
    by the rule set's rounding. The remainder track gets what is left, so the
    seats add up to the capacity. A ``seats_<track>`` override replaces the
    computed figure, and the remainder track, unless overridden itself,
    still takes what is left.
    """
    problems = ProblemList(source)
    mode = ROUNDING_MODES[rules.rounding]
    seats = {}
    for school in schools:
        capacity = school.capacity
        given = 0
        for name, track in rules.tracks.items():
            if name == rules.remainder:
                continue
            count = school.seat_overrides.get(name)
            if count is None:
                exact = Decimal(capacity) * track.share
                count = int(exact.to_integral_value(rounding=mode))
            seats[school.npsn, name] = count
            given += count
        remainder = school.seat_overrides.get(rules.remainder)
        if remainder is None:
            remainder = capacity - given
        if remainder < 0 or given + remainder > capacity:
            problems.add(
                school.line,
                "seats_over_capacity",
                gettext_noop(
                    "The seats of school %(npsn)s add up to %(total)s, more than "
                    "its capacity of %(capacity)s."
                ),
                npsn=school.npsn,
                total=given + max(remainder, 0),
                capacity=capacity,
            )
            remainder = 0
        seats[school.npsn, rules.remainder] = remainder
    problems.raise_if_any()
    return seats
