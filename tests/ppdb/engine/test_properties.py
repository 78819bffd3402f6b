"""
Properties of random small runs, checked against plain tuple sort keys.

The engine packs its sort keys into integers. These checks rebuild each
school's order from ordinary tuples, so a packing mistake shows up as a
blocking pair or a wrong ranking here.
"""

from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from ppdb.engine import parse_rules, run_selection
from ppdb.engine.geo import Point, distance_m
from ppdb.engine.inputs import Applicant, School
from tests.ppdb.engine.helpers import smp_rules

WIB = timezone(timedelta(hours=7))
NPSNS = [f"2020000{n}" for n in range(4)]


@st.composite
def cities(draw):
    count = draw(st.integers(1, 4))
    schools = [
        School(
            NPSNS[n],
            f"Sekolah {n}",
            Point(-6.4 + draw(st.integers(0, 30)) / 1000, 106.8),
            draw(st.integers(0, 4)),
            {},
            n + 2,
        )
        for n in range(count)
    ]
    applicants = []
    for number in range(draw(st.integers(0, 25))):
        choices = draw(
            st.lists(
                st.sampled_from(NPSNS[:count]), min_size=1, max_size=3, unique=True
            )
        )
        birth = date(2011, 1, 1) + timedelta(days=draw(st.integers(0, 20)))
        submitted = datetime(2025, 6, 2, 8, tzinfo=WIB) + timedelta(
            seconds=draw(st.integers(0, 5))
        )
        applicants.append(
            Applicant(
                f"R{number:03d}",
                "Anak",
                birth,
                "L",
                "domisili",
                # Coarse steps make equal distances, so ties are common.
                Point(-6.4 + draw(st.integers(0, 30)) / 1000, 106.8),
                None,
                int(submitted.timestamp()),
                date(2020, 1, 1),
                False,
                tuple(choices),
                draw(st.booleans()) or draw(st.booleans()),
                "",
                number + 2,
            )
        )
    return schools, applicants


def plain_key(applicant, school, choice, choice_first):
    key = (
        distance_m(applicant.point, school.point),
        applicant.birth_date,
        applicant.submitted_at,
        applicant.registration_number,
    )
    return (choice, *key) if choice_first else key


def check_against_plain_keys(outcome, choice_first):
    schools = {school.npsn: school for school in outcome.schools}
    holders = {npsn: [] for npsn in schools}
    for index, choice in enumerate(outcome.assigned_choice):
        if choice >= 0:
            applicant = outcome.applicants[index]
            npsn = applicant.choices[choice]
            holders[npsn].append(
                plain_key(applicant, schools[npsn], choice, choice_first)
            )
    for npsn, held in holders.items():
        assert len(held) <= schools[npsn].capacity
    for index, applicant in enumerate(outcome.applicants):
        assigned = outcome.assigned_choice[index]
        if not applicant.verified:
            assert assigned == -1
            continue
        preferred = applicant.choices if assigned < 0 else applicant.choices[:assigned]
        for choice, npsn in enumerate(preferred):
            key = plain_key(applicant, schools[npsn], choice, choice_first)
            held = holders[npsn]
            full = len(held) >= schools[npsn].capacity
            assert full, (applicant.registration_number, npsn, "free seat")
            assert all(key > other for other in held), (
                applicant.registration_number,
                npsn,
                "ranks above someone accepted",
            )


@settings(max_examples=150, deadline=None)
@given(cities(), st.sampled_from(["deferred_acceptance", "choice_first"]))
def test_no_blocking_pair_under_plain_keys(city, mechanism):
    schools, applicants = city
    rules = parse_rules(smp_rules(mechanism=mechanism))

    outcome = run_selection(rules, schools, applicants)

    check_against_plain_keys(outcome, mechanism == "choice_first")


@settings(max_examples=100, deadline=None)
@given(cities())
def test_single_choice_takes_top_of_each_school(city):
    schools, applicants = city
    applicants = [
        Applicant(*(getattr(a, name) for name in Applicant.__slots__))
        for a in applicants
    ]
    for applicant in applicants:
        applicant.choices = applicant.choices[:1]
    rules = parse_rules(smp_rules(mechanism="single", choices=1))

    outcome = run_selection(rules, schools, applicants)

    by_npsn = {school.npsn: school for school in schools}
    for school in schools:
        ranked = sorted(
            (plain_key(a, school, 0, False), index)
            for index, a in enumerate(applicants)
            if a.verified and a.choices[0] == school.npsn
        )
        expected = {index for _, index in ranked[: school.capacity]}
        accepted = {
            index
            for index, a in enumerate(applicants)
            if outcome.assigned_choice[index] == 0 and by_npsn[a.choices[0]] is school
        }
        assert accepted == expected
