"""Matching mechanisms, catchments and the invariants checked after a run."""

import pytest

from ppdb.engine import InputError, InvariantError, parse_rules, run_selection
from ppdb.engine.eligibility import Catchment, Eligibility
from ppdb.engine.geo import Point, distance_m
from ppdb.engine.inputs import read_applicants, read_schools
from ppdb.engine.invariants import check_invariants
from tests.ppdb.engine.helpers import (
    ORIGIN,
    Run,
    applicant,
    north_of,
    run,
    school,
    smp_rules,
)

X = "20200001"
Y = "20200002"


def competing_applicants():
    """
    Return applicants on whom deferred acceptance and choice-first differ.

    X and Y have one seat each, Y 1,000 m north of X. A lives at X. B puts
    X first and Y second and lives 900 m from Y; C puts Y first and lives
    1,300 m from it.
    """
    return [
        applicant("A", [X], 0),
        applicant("B", [X, Y], 1900),
        applicant("C", [Y], 2300),
    ]


def two_schools():
    return [school(X, 1), school(Y, 1, point=north_of(ORIGIN, 1000))]


def test_deferred_acceptance_lets_nearer_second_choice_win(tmp_path):
    result = run(tmp_path, smp_rules(), two_schools(), competing_applicants())

    assert result.results["A"]["npsn"] == X
    assert result.results["B"]["npsn"] == Y
    assert result.results["B"]["choice_rank"] == "2"
    assert result.results["C"]["status"] == "not_accepted"
    assert result.explanation["C", 1]["outcome"] == "below_cutoff_distance"
    assert result.explanation["B", 1]["outcome"] == "below_cutoff_distance"


def test_choice_first_ranks_first_choices_higher(tmp_path):
    rules = smp_rules(mechanism="choice_first")
    result = run(tmp_path, rules, two_schools(), competing_applicants())

    assert result.results["A"]["npsn"] == X
    assert result.results["C"]["npsn"] == Y
    assert result.results["B"]["status"] == "not_accepted"
    assert result.explanation["B", 2]["outcome"] == "below_cutoff_choice_rank"
    assert result.explanation["B", 2]["cutoff"].startswith("choice_rank=1;")


def test_single_choice_takes_best(tmp_path):
    rules = smp_rules(mechanism="single", choices=1)
    applicants = [applicant(f"R{n}", [X], 100 * (5 - n)) for n in range(5)]
    result = run(tmp_path, rules, [school(X, 2)], applicants)

    accepted = sorted(
        number for number, row in result.results.items() if row["status"] == "accepted"
    )
    assert accepted == ["R3", "R4"]
    assert result.results["R3"]["rank"] == "2"
    assert result.results["R4"]["rank"] == "1"


def test_unverified_applicant_never_accepted(tmp_path):
    result = run(
        tmp_path,
        smp_rules(),
        [school(X, 5)],
        [applicant("A", [X], 100, verified="false"), applicant("B", [X], 200)],
    )

    assert result.results["A"]["status"] == "ineligible"
    assert result.results["A"]["reason"] == "not_verified"
    assert result.results["B"]["status"] == "accepted"


def test_track_without_seats_reported(tmp_path):
    rules = smp_rules(
        domisili_share="0.9",
        extra="""
        [tracks.mutasi]
        share = 0.1
        order = ["distance"]
        """,
    )
    result = run(
        tmp_path,
        rules,
        [school(X, 5)],
        [applicant("A", [X], 100, track="mutasi")],
    )

    assert result.results["A"]["status"] == "not_accepted"
    assert result.results["A"]["reason"] == "no_seats"
    assert result.explanation["A", 1]["outcome"] == "no_seats"


def test_track_not_in_rules_is_ineligible(tmp_path):
    result = run(
        tmp_path,
        smp_rules(),
        [school(X, 5)],
        [applicant("A", [X], 100, track="mutasi")],
    )

    assert result.results["A"]["reason"] == "track_not_offered"


RADIUS = """
[catchment]
tracks = ["domisili"]
kind = "radius"
radius_m = 1000

[catchment.schools.20200002]
radius_m = 3000
"""


def test_catchment_by_radius(tmp_path):
    result = run(
        tmp_path,
        smp_rules(extra=RADIUS),
        [school(X, 5), school(Y, 5)],
        [
            applicant("edge", [X], 1000),
            applicant("outside", [X], 1001),
            applicant("wider", [X, Y], 2000),
        ],
    )

    assert result.results["edge"]["status"] == "accepted"
    assert result.results["outside"]["status"] == "ineligible"
    assert result.results["outside"]["reason"] == "outside_catchment"
    assert result.explanation["outside", 1]["outcome"] == "outside_catchment"
    assert result.results["wider"]["npsn"] == Y
    assert result.explanation["wider", 1]["outcome"] == "outside_catchment"


KELURAHAN = """
[catchment]
tracks = ["domisili"]
kind = "kelurahan"

[catchment.schools.20200001]
kelurahan = ["3276011001", "3276011002"]

[catchment.schools.20200002]
kelurahan = ["3276111006"]
"""


def test_catchment_by_kelurahan(tmp_path):
    result = run(
        tmp_path,
        smp_rules(extra=KELURAHAN),
        [school(X, 5), school(Y, 5)],
        [
            applicant("inside", [X], 100, kelurahan="3276011002"),
            applicant("elsewhere", [X], 100, kelurahan="3276021001"),
            applicant("second", [X, Y], 100, kelurahan="3276111006"),
        ],
    )

    assert result.results["inside"]["status"] == "accepted"
    assert result.results["elsewhere"]["reason"] == "outside_catchment"
    assert result.results["second"]["npsn"] == Y


def test_kelurahan_catchment_needs_every_school(tmp_path):
    extra = KELURAHAN.split("[catchment.schools.20200002]")[0]
    files = Run(
        tmp_path,
        smp_rules(extra=extra),
        [school(X, 5), school(Y, 5)],
        [applicant("A", [X], 100, kelurahan="3276011002")],
    )

    with pytest.raises(InputError) as error:
        files.simulate()

    assert [p.code for p in error.value.problems] == ["missing_kelurahan"]
    assert not files.results_path.exists()


def test_kelurahan_catchment_needs_column(tmp_path):
    files = Run(
        tmp_path,
        smp_rules(extra=KELURAHAN),
        [school(X, 5), school(Y, 5)],
        [applicant("A", [X], 100)],
    )

    with pytest.raises(InputError) as error:
        files.simulate()

    problem = error.value.problems[0]
    assert (problem.line, problem.code) == (1, "missing_column")
    assert problem.params == {"column": "kelurahan"}


def test_distance_of_one_degree_at_equator():
    # 2π × 6,371,000 m / 360 = 111,194.93 m.
    assert distance_m(Point(0, 0), Point(0, 1)) == 111_195
    assert distance_m(Point(-6.4, 106.8), Point(-6.4, 106.8)) == 0


def load_outcome(tmp_path, rules_text, schools, applicants):
    files = Run(tmp_path, rules_text, schools, applicants)
    rules = parse_rules(rules_text)
    school_list, _ = read_schools(files.schools_path, rules.tracks)
    by_npsn = {s.npsn: s for s in school_list}
    applicant_list, _ = read_applicants(files.applicants_path, rules, by_npsn)
    outcome = run_selection(rules, school_list, applicant_list)
    return outcome, Eligibility(rules), Catchment(rules, school_list)


def test_invariant_catches_blocking_pair(tmp_path):
    outcome, eligibility, catchment = load_outcome(
        tmp_path, smp_rules(), two_schools(), competing_applicants()
    )
    check_invariants(outcome, eligibility, catchment)
    # Drop B from Y: Y now has a free seat that B and C both want.
    outcome.assigned_choice[1] = -1

    with pytest.raises(InvariantError) as error:
        check_invariants(outcome, eligibility, catchment)

    assert error.value.code == "blocking_pair"


def test_invariant_catches_swapped_seats(tmp_path):
    outcome, eligibility, catchment = load_outcome(
        tmp_path, smp_rules(), two_schools(), competing_applicants()
    )
    # Give Y to C instead of B: B ranks above C at Y and would rather be there.
    outcome.assigned_choice[1] = -1
    outcome.assigned_choice[2] = 0

    with pytest.raises(InvariantError) as error:
        check_invariants(outcome, eligibility, catchment)

    assert error.value.code == "blocking_pair"


def test_invariant_catches_seats_exceeded(tmp_path):
    outcome, eligibility, catchment = load_outcome(
        tmp_path, smp_rules(), two_schools(), competing_applicants()
    )
    outcome.seats[outcome.program_index[X, "domisili"]] = 0

    with pytest.raises(InvariantError) as error:
        check_invariants(outcome, eligibility, catchment)

    assert error.value.code == "over_seats"
    assert error.value.params["npsn"] == X


def test_invariant_catches_unverified_accepted(tmp_path):
    outcome, eligibility, catchment = load_outcome(
        tmp_path, smp_rules(), two_schools(), competing_applicants()
    )
    outcome.applicants[0].verified = False

    with pytest.raises(InvariantError) as error:
        check_invariants(outcome, eligibility, catchment)

    assert error.value.code == "ineligible_accepted"
    assert error.value.params == {"number": "A", "reason": "not_verified"}
