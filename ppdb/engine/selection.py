"""
One selection run: rank every applicant at every chosen school, then match.

Each applicant applies in one track, so each (school, track) pair is a
separate program with its own seats and sort order. Tracks are matched one
after another in the rule set's allocation order. Once a track is matched,
its unused seats move to the track its spillover route names, at the same
school.
"""

import bisect
import collections
import heapq
import itertools
import math
import operator

from .eligibility import Catchment, Eligibility
from .geo import EARTH_DIAMETER_M
from .invariants import check_invariants
from .keys import CHOICE_BITS, KeyLayout
from .seats import compute_seats

# Outcomes of one choice, as the explanation file writes them.
ACCEPTED = "accepted"
HIGHER_CHOICE_ACCEPTED = "higher_choice_accepted"
BELOW_CUTOFF = "below_cutoff"
NO_SEATS = "no_seats"
OUTSIDE_CATCHMENT = "outside_catchment"
INELIGIBLE = "ineligible"


class SeatMove:
    """Unused seats moved from one track to another at one school."""

    __slots__ = ("npsn", "source", "target", "count")

    def __init__(self, npsn, source, target, count):
        self.npsn = npsn
        self.source = source
        self.target = target
        self.count = count


class Outcome:
    """
    The result of a run.

    ``choices[a]`` lists, per choice of applicant ``a``, the index of the
    program (school and track) it names, or ``None`` outside the catchment.
    It is empty for an applicant found ineligible before the choices were
    looked at. ``ranking`` contains every packed
    entry (see ``keys``) in sorted order, program ``p`` occupying
    ``ranking[program_start[p]:program_start[p + 1]]``.
    ``positions[pair(a, k)]`` is where choice ``k`` of applicant ``a`` sits
    in ``ranking``. ``assigned_choice[a]`` is the 0-based index of the
    accepted choice, or -1.
    """

    def __init__(self, rules, schools, applicants, input_hash):
        self.rules = rules
        self.schools = schools
        self.applicants = applicants
        self.input_hash = input_hash
        self.programs = []
        self.program_index = {}
        self.initial_seats = []
        self.seats = []
        self.moves = []
        self.reasons = []
        self.choices = []
        self.distances = []
        self.assigned_choice = []
        self.ranking = []
        self.positions = []
        self.program_start = []
        self.accepted_count = []
        self.last_accepted = []
        self.layout = None

    def position(self, applicant, choice):
        """Return where a choice sits in ``ranking``."""
        return self.positions[pair(applicant, choice)]

    def rank(self, applicant, choice):
        """Return the 0-based rank of a choice within its program."""
        program = self.choices[applicant][choice]
        return self.position(applicant, choice) - self.program_start[program]


def pair(applicant, choice):
    """Return the index of one choice of one applicant in flat lists."""
    return (applicant << CHOICE_BITS) | choice


def run_selection(rules, schools, applicants, input_hash="", progress=None):
    """
    Select applicants for the seats of ``schools`` under ``rules``.

    ``progress``, when given, is called with the name of each step as it
    starts. Return an ``Outcome`` whose invariants have been checked, with
    schools sorted by NPSN and applicants by registration number. Raise
    ``InvariantError`` if an invariant fails.
    """
    # The applicant index is the last tie-break, so it must follow the
    # registration number.
    schools = sorted(schools, key=operator.attrgetter("npsn"))
    applicants = sorted(applicants, key=operator.attrgetter("registration_number"))
    outcome = Outcome(rules, schools, applicants, input_hash)
    seats = compute_seats(rules, schools)
    order = rules.allocation_order()
    for school in schools:
        for track in order:
            outcome.program_index[school.npsn, track] = len(outcome.programs)
            outcome.programs.append((school, track))
            outcome.initial_seats.append(seats[school.npsn, track])
    outcome.seats = list(outcome.initial_seats)

    if progress:
        progress("rank")
    eligibility = Eligibility(rules)
    catchment = Catchment(rules, schools)
    _rank(outcome, eligibility, catchment)

    count = len(applicants)
    outcome.assigned_choice = [-1] * count
    outcome.accepted_count = [0] * len(outcome.programs)
    outcome.last_accepted = [-1] * len(outcome.programs)
    routes = {route.source: route.target for route in rules.spillover}
    by_track = {track: [] for track in order}
    for index, applicant in enumerate(applicants):
        if outcome.reasons[index] is None:
            by_track[applicant.track].append(index)
    for track in order:
        if progress:
            progress(track)
        _defer_acceptance(outcome, by_track[track])
        if track in routes:
            _move_unused_seats(outcome, track, routes[track])

    if progress:
        progress("check")
    check_invariants(outcome, eligibility, catchment)
    return outcome


def _rank(outcome, eligibility, catchment):
    """
    Rank every eligible applicant at each chosen school.

    Each (program, applicant, choice) becomes one packed integer (see
    ``keys``), so sorting integers orders each program.
    """
    layout = KeyLayout(outcome.rules, outcome.applicants, eligibility)
    outcome.layout = layout
    schools = {school.npsn: school for school in outcome.schools}
    school_points = {
        school.npsn: (school.point.phi, school.point.lam, school.point.cos_phi)
        for school in outcome.schools
    }
    sin, asin, sqrt = math.sin, math.asin, math.sqrt
    # Sorting each program's entries apart does fewer comparisons than one
    # sort of them all, and their concatenation is the same sorted list.
    buckets = [[] for _ in outcome.programs]
    bases = {}
    appends = {}
    for (npsn, track), program in outcome.program_index.items():
        bases.setdefault(track, {})[npsn] = layout.program_base(program)
        appends.setdefault(track, {})[npsn] = buckets[program].append
    catchment_tracks = catchment.tracks
    statics = layout.static_parts(outcome.applicants)
    reasons = outcome.reasons
    all_choices = outcome.choices
    all_distances = outcome.distances
    for index, applicant in enumerate(outcome.applicants):
        reason = eligibility.reason(applicant)
        reasons.append(reason)
        if reason is not None:
            all_choices.append(())
            all_distances.append(())
            continue
        point = applicant.point
        phi, lam, cos_phi = point.phi, point.lam, point.cos_phi
        track = applicant.track
        track_bases = bases[track]
        track_appends = appends[track]
        shifts = layout.shifts[track]
        static = statics[index]
        distance_shift = shifts.get("distance")
        choice_shift = shifts.get("choice_rank")
        in_catchment = track not in catchment_tracks
        distances = []
        choices = []
        for rank, npsn in enumerate(applicant.choices):
            # geo.distance_m, inlined: this line runs once per choice.
            school_phi, school_lam, school_cos = school_points[npsn]
            half_dphi = sin((school_phi - phi) * 0.5)
            half_dlam = sin((school_lam - lam) * 0.5)
            h = half_dphi * half_dphi + cos_phi * school_cos * half_dlam * half_dlam
            distance = int(EARTH_DIAMETER_M * asin(sqrt(h if h < 1.0 else 1.0)) + 0.5)
            distances.append(distance)
            if not in_catchment and not catchment.allows(
                applicant, schools[npsn], distance
            ):
                choices.append(None)
                continue
            base = track_bases[npsn]
            entry = base | static | rank
            if distance_shift is not None:
                entry |= distance << distance_shift
            if choice_shift is not None:
                entry |= rank << choice_shift
            track_appends[npsn](entry)
            choices.append(base >> layout.width)
        all_distances.append(distances)
        all_choices.append(choices)
        if None in choices and all(choice is None for choice in choices):
            reasons[index] = "outside_catchment"
    for bucket in buckets:
        bucket.sort()
    _store_ranks(outcome, list(itertools.chain.from_iterable(buckets)))


def _store_ranks(outcome, entries):
    """Record where each entry sits and where each program starts."""
    layout = outcome.layout
    outcome.ranking = entries
    outcome.program_start = [
        bisect.bisect_left(entries, layout.program_base(program))
        for program in range(len(outcome.programs) + 1)
    ]
    positions = outcome.positions = [-1] * (len(outcome.applicants) << CHOICE_BITS)
    mask = (1 << layout.pair_bits) - 1
    # map() runs the store loop in C; collections.deque(maxlen=0) drains it.
    collections.deque(
        map(positions.__setitem__, map(mask.__and__, entries), itertools.count()),
        maxlen=0,
    )


def _defer_acceptance(outcome, applicant_indexes):
    """
    Match one track's applicants by student-proposing deferred acceptance.

    Each program keeps its best applicants so far in a heap keyed by the
    negated position in ``ranking``, so the worst of them is on top and is
    the one displaced. "single" and "choice_first" use the same
    procedure: a single choice leaves nothing to defer, and choice-first
    differs only in its sort keys.
    """
    seats = outcome.seats
    choices = outcome.choices
    positions = outcome.positions
    assigned = outcome.assigned_choice
    held = {}
    next_choice = dict.fromkeys(applicant_indexes, 0)
    free = list(reversed(applicant_indexes))
    while free:
        applicant = free.pop()
        options = choices[applicant]
        choice = next_choice[applicant]
        while choice < len(options):
            program = options[choice]
            if program is None:
                choice += 1
                continue
            position = positions[(applicant << CHOICE_BITS) | choice]
            heap = held.get(program)
            if heap is None:
                heap = held[program] = []
            if len(heap) < seats[program]:
                heapq.heappush(heap, (-position, applicant))
                assigned[applicant] = choice
                next_choice[applicant] = choice + 1
                break
            if heap and -heap[0][0] > position:
                _, displaced = heapq.heapreplace(heap, (-position, applicant))
                assigned[applicant] = choice
                next_choice[applicant] = choice + 1
                assigned[displaced] = -1
                free.append(displaced)
                break
            choice += 1
        else:
            next_choice[applicant] = choice
    for program, heap in held.items():
        outcome.accepted_count[program] = len(heap)
        outcome.last_accepted[program] = -heap[0][0] if heap else -1


def _move_unused_seats(outcome, source, target):
    for school in outcome.schools:
        donor = outcome.program_index[school.npsn, source]
        unused = outcome.seats[donor] - outcome.accepted_count[donor]
        if unused <= 0:
            continue
        receiver = outcome.program_index[school.npsn, target]
        outcome.seats[donor] -= unused
        outcome.seats[receiver] += unused
        outcome.moves.append(SeatMove(school.npsn, source, target, unused))


def cutoff_keys(outcome, program):
    """
    Return ``[(name, text), ...]``: the sort keys of the last accepted.

    Return an empty list when the program accepted no one.
    """
    last = outcome.last_accepted[program]
    if last < 0:
        return []
    entry = outcome.ranking[last]
    _, track = outcome.programs[program]
    return outcome.layout.describe(entry, track, outcome.applicants)
