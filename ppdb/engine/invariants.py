"""Checks every run must pass before its result is used."""

from .errors import InvariantError, gettext_noop
from .keys import CHOICE_BITS


def check_invariants(outcome, eligibility, catchment):
    """
    Raise ``InvariantError`` unless the outcome keeps every invariant.

    The checks recount from the assignment alone rather than trusting the
    counters the matching kept. No program is over its seats, and no
    ineligible or unverified applicant holds a seat, nor one in another
    track or at a school outside their choices and catchment. No applicant
    and school form a blocking pair. Each applicant has one assigned choice
    by construction, so no one holds two seats.

    NOTE: a child is known here only by registration number, so two
    applications of one child (one NIK) count as two children. The
    registration side must keep one application per child and stage.
    """
    counts = [0] * len(outcome.programs)
    last = [-1] * len(outcome.programs)
    for index, choice in enumerate(outcome.assigned_choice):
        if choice < 0:
            continue
        applicant = outcome.applicants[index]
        _check_admissible(outcome, index, applicant, choice, eligibility, catchment)
        program = outcome.choices[index][choice]
        counts[program] += 1
        last[program] = max(last[program], outcome.position(index, choice))
    for program, count in enumerate(counts):
        if count > outcome.seats[program]:
            school, track = outcome.programs[program]
            raise InvariantError(
                "over_seats",
                gettext_noop(
                    "School %(npsn)s accepted %(count)s applicants in track "
                    "%(track)s, which has %(seats)s seats."
                ),
                npsn=school.npsn,
                track=track,
                count=count,
                seats=outcome.seats[program],
            )
    _check_no_blocking_pair(outcome, counts, last)


def _check_admissible(outcome, index, applicant, choice, eligibility, catchment):
    reason = None
    if not applicant.verified:
        reason = "not_verified"
    elif outcome.reasons[index] is not None:
        reason = outcome.reasons[index]
    else:
        reason = eligibility.reason(applicant)
    if reason is None and choice >= len(applicant.choices):
        reason = "not_chosen"
    if reason is None:
        school, track = outcome.programs[outcome.choices[index][choice]]
        distance = outcome.distances[index][choice]
        if school.npsn != applicant.choices[choice]:
            reason = "not_chosen"
        elif track != applicant.track:
            reason = "other_track"
        elif not catchment.allows(applicant, school, distance):
            reason = "outside_catchment"
    if reason is not None:
        raise InvariantError(
            "ineligible_accepted",
            gettext_noop(
                "Applicant %(number)s was accepted although ineligible (%(reason)s)."
            ),
            number=applicant.registration_number,
            reason=reason,
        )


def _check_no_blocking_pair(outcome, counts, last):
    """
    Raise if an applicant and a school would both rather have each other.

    An applicant blocks with a choice they rank above their seat (or with any
    eligible choice, when they have no seat) if that program has a free seat
    or ranks them above the last applicant it took.
    """
    seats = outcome.seats
    positions = outcome.positions
    for index, options in enumerate(outcome.choices):
        assigned = outcome.assigned_choice[index]
        preferred = options if assigned < 0 else options[:assigned]
        for choice, program in enumerate(preferred):
            if program is None:
                continue
            position = positions[(index << CHOICE_BITS) | choice]
            if counts[program] < seats[program] or position < last[program]:
                school, track = outcome.programs[program]
                raise InvariantError(
                    "blocking_pair",
                    gettext_noop(
                        "Applicant %(number)s and school %(npsn)s form a blocking "
                        "pair in track %(track)s: the school has a free seat or "
                        "ranks the applicant above someone it accepted."
                    ),
                    number=outcome.applicants[index].registration_number,
                    npsn=school.npsn,
                    track=track,
                )
