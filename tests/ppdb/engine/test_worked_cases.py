"""The worked cases of the admission rules, reference date 2025-07-01 (WIB)."""

from tests.ppdb.engine.helpers import (
    ORIGIN,
    applicant,
    north_of,
    run,
    school,
    smp_rules,
)

X = "20200001"
Y = "20200002"

SD_RULES = """
name = "SD test"
level = "SD"
reference_date = 2025-07-01
timezone = "Asia/Jakarta"

[selection]
mechanism = "single"
choices = 1

[seats]
remainder = "domisili"

[tracks.domisili]
share = 1
order = ["age_band", "distance", "birth_date", "submitted_at"]

[age]
minimum = "6y"
minimum_with_recommendation = "5y6m"
bands = ["7y", "6y", "5y6m"]
"""


def test_smp_tie_on_distance_goes_to_older_child(tmp_path):
    result = run(
        tmp_path,
        smp_rules(),
        [school(X, 1)],
        [
            applicant("A", [X], 1200, birth_date="2012-03-01"),
            applicant("B", [X], 1200, birth_date="2012-07-15"),
        ],
    )

    assert result.results["A"]["status"] == "accepted"
    assert result.results["A"]["distance_m"] == "1200"
    assert result.results["B"]["status"] == "not_accepted"
    assert result.results["B"]["reason"] == "below_cutoff"
    explanation = result.explanation["B", 1]
    assert explanation["outcome"] == "below_cutoff_birth_date"
    assert explanation["rank"] == "2"
    assert explanation["cutoff"].startswith("distance=1200;birth_date=2012-03-01;")
    assert explanation["cutoff"].endswith(";registration_number=A")


def test_smp_tie_on_age_goes_to_earlier_submission(tmp_path):
    result = run(
        tmp_path,
        smp_rules(),
        [school(X, 1)],
        [
            applicant("A", [X], 1200, submitted_at="2025-06-02T08:00:05+07:00"),
            applicant("B", [X], 1200, submitted_at="2025-06-02T08:00:07+07:00"),
        ],
    )

    assert result.results["A"]["status"] == "accepted"
    assert result.results["B"]["status"] == "not_accepted"
    assert result.explanation["B", 1]["outcome"] == "below_cutoff_submitted_at"
    assert (
        "submitted_at=2025-06-02T08:00:05+07:00"
        in (result.explanation["B", 1]["cutoff"])
    )


def test_submission_times_compare_across_offsets(tmp_path):
    # 01:00:06 UTC is 08:00:06 WIB: after A, before B.
    result = run(
        tmp_path,
        smp_rules(),
        [school(X, 2)],
        [
            applicant("A", [X], 1200, submitted_at="2025-06-02T08:00:05+07:00"),
            applicant("B", [X], 1200, submitted_at="2025-06-02T08:00:07+07:00"),
            applicant("C", [X], 1200, submitted_at="2025-06-02T01:00:06+00:00"),
        ],
    )

    assert result.results["A"]["status"] == "accepted"
    assert result.results["C"]["status"] == "accepted"
    assert result.results["B"]["status"] == "not_accepted"
    assert (
        "submitted_at=2025-06-02T08:00:06+07:00"
        in (result.explanation["B", 1]["cutoff"])
    )


def test_sd_age_band_comes_before_distance(tmp_path):
    result = run(
        tmp_path,
        SD_RULES,
        [school(X, 1)],
        [
            applicant("A", [X], 2000, birth_date="2018-06-30"),
            applicant("B", [X], 100, birth_date="2019-03-20"),
        ],
    )

    assert result.results["A"]["status"] == "accepted"
    assert result.results["B"]["status"] == "not_accepted"
    assert result.explanation["B", 1]["outcome"] == "below_cutoff_age_band"
    assert result.explanation["B", 1]["cutoff"].startswith("age_band=0;distance=2000;")


def test_sd_age_gates(tmp_path):
    result = run(
        tmp_path,
        SD_RULES,
        [school(X, 10)],
        [
            applicant("six", [X], 100, birth_date="2019-07-01"),
            applicant("young", [X], 100, birth_date="2019-07-02"),
            applicant(
                "recommended", [X], 100, birth_date="2019-07-02", recommendation="true"
            ),
            applicant(
                "five_and_half",
                [X],
                100,
                birth_date="2020-01-01",
                recommendation="true",
            ),
            applicant(
                "too_young", [X], 100, birth_date="2020-01-02", recommendation="true"
            ),
        ],
    )

    assert result.results["six"]["status"] == "accepted"
    assert result.results["young"]["status"] == "ineligible"
    assert result.results["young"]["reason"] == "recommendation_missing"
    assert result.results["recommended"]["status"] == "accepted"
    assert result.results["five_and_half"]["status"] == "accepted"
    assert result.results["too_young"]["status"] == "ineligible"
    assert result.results["too_young"]["reason"] == "too_young"
    assert result.explanation["young", 1]["outcome"] == "ineligible"


def test_smp_age_limit_reads_completed_years(tmp_path):
    result = run(
        tmp_path,
        smp_rules(),
        [school(X, 10)],
        [
            applicant("fifteen", [X], 100, birth_date="2010-07-01"),
            applicant("almost_sixteen", [X], 100, birth_date="2009-07-02"),
            applicant("sixteen", [X], 100, birth_date="2009-07-01"),
        ],
    )

    assert result.results["fifteen"]["status"] == "accepted"
    assert result.results["almost_sixteen"]["status"] == "accepted"
    assert result.results["sixteen"]["status"] == "ineligible"
    assert result.results["sixteen"]["reason"] == "too_old"


def test_smp_age_limit_read_exactly(tmp_path):
    rules = smp_rules().replace(
        'maximum = "15y"', 'maximum = "15y"\nmaximum_reading = "exact"'
    )
    result = run(
        tmp_path,
        rules,
        [school(X, 10)],
        [
            applicant("fifteen", [X], 100, birth_date="2010-07-01"),
            applicant("one_day_over", [X], 100, birth_date="2010-06-30"),
        ],
    )

    assert result.results["fifteen"]["status"] == "accepted"
    assert result.results["one_day_over"]["reason"] == "too_old"


def test_family_card_one_year_before_opening(tmp_path):
    extra = """
    [family_card]
    tracks = ["domisili"]
    rule = "years_before_opening"
    years = 1
    registration_opens_on = 2025-06-02
    """
    result = run(
        tmp_path,
        smp_rules(extra=extra),
        [school(X, 10)],
        [
            applicant("old_card", [X], 100, kk_issued_on="2024-06-02"),
            applicant("new_card", [X], 100, kk_issued_on="2024-06-03"),
            applicant("no_card", [X], 100, kk_issued_on=""),
        ],
    )

    assert result.results["old_card"]["status"] == "accepted"
    assert result.results["new_card"]["status"] == "ineligible"
    assert result.results["new_card"]["reason"] == "kk_too_new"
    assert result.results["no_card"]["reason"] == "kk_missing"


def test_family_card_fixed_date(tmp_path):
    extra = """
    [family_card]
    tracks = ["domisili"]
    rule = "issued_on_or_before"
    date = 2024-07-01
    """
    result = run(
        tmp_path,
        smp_rules(extra=extra),
        [school(X, 10)],
        [
            applicant("on_the_date", [X], 100, kk_issued_on="2024-07-01"),
            applicant("day_after", [X], 100, kk_issued_on="2024-07-02"),
        ],
    )

    assert result.results["on_the_date"]["status"] == "accepted"
    assert result.results["day_after"]["reason"] == "kk_too_new"


def test_higher_choice_never_holds_lower_seat(tmp_path):
    # Y lies 300 m north of X: A lives 200 m from X and 100 m from Y, and
    # D 400 m from Y.
    result = run(
        tmp_path,
        smp_rules(),
        [school(X, 1), school(Y, 1, point=north_of(ORIGIN, 300))],
        [applicant("A", [X, Y], 200), applicant("D", [Y], 700)],
    )

    assert result.results["A"]["status"] == "accepted"
    assert result.results["A"]["npsn"] == X
    assert result.results["A"]["choice_rank"] == "1"
    assert result.results["A"]["distance_m"] == "200"
    assert result.explanation["A", 2]["outcome"] == "higher_choice_accepted"
    assert result.results["D"]["status"] == "accepted"
    assert result.results["D"]["npsn"] == Y
    assert result.results["D"]["distance_m"] == "400"


AFFIRMATION_RULES = smp_rules(
    domisili_share="0.8",
    extra="""
    [tracks.afirmasi_ekonomi]
    share = 0.2
    order = ["distance", "birth_date", "submitted_at"]

    [[spillover]]
    from = "afirmasi_ekonomi"
    to = "domisili"
    """,
)


def test_unused_affirmation_seats_go_to_domisili(tmp_path):
    applicants = [
        applicant(f"AF{n:03d}", [X], 10 + n, track="afirmasi_ekonomi")
        for n in range(30)
    ]
    applicants += [applicant(f"DM{n:03d}", [X], 10 + n) for n in range(250)]
    result = run(tmp_path, AFFIRMATION_RULES, [school(X, 230)], applicants)

    assert result.summary.moves == {("afirmasi_ekonomi", "domisili"): 16}
    counts = result.summary.by_track
    assert counts["afirmasi_ekonomi"]["accepted"] == 30
    assert counts["domisili"]["accepted"] == 184 + 16
    assert counts["domisili"]["not_accepted"] == 50


def test_prestasi_tie_broken_by_distance(tmp_path):
    rules = smp_rules(
        domisili_share="0",
        extra="""
        [tracks.prestasi_akademik]
        share = 1
        order = ["score", "distance", "submitted_at"]
        """,
    )
    result = run(
        tmp_path,
        rules,
        [school(X, 1)],
        [
            applicant("A", [X], 2300, track="prestasi_akademik", score="88.50"),
            applicant(
                "B",
                [X],
                1900,
                track="prestasi_akademik",
                score="88.50",
                submitted_at="2025-06-03T08:00:00+07:00",
            ),
        ],
    )

    assert result.results["B"]["status"] == "accepted"
    assert result.results["A"]["status"] == "not_accepted"
    assert result.explanation["A", 1]["outcome"] == "below_cutoff_distance"
    assert result.explanation["A", 1]["cutoff"].startswith("score=88.50;distance=1900;")


def test_prestasi_tie_broken_by_submission(tmp_path):
    rules = smp_rules(
        domisili_share="0",
        extra="""
        [tracks.prestasi_akademik]
        share = 1
        order = ["score", "submitted_at"]
        """,
    )
    result = run(
        tmp_path,
        rules,
        [school(X, 1)],
        [
            applicant("A", [X], 2300, track="prestasi_akademik", score="88.50"),
            applicant(
                "B",
                [X],
                1900,
                track="prestasi_akademik",
                score="88.5",
                submitted_at="2025-06-03T08:00:00+07:00",
            ),
        ],
    )

    assert result.results["A"]["status"] == "accepted"
    assert result.explanation["B", 1]["outcome"] == "below_cutoff_submitted_at"
