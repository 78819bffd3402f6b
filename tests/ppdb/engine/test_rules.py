"""Rule sets read from TOML, and the seats they give each school and track."""

import pytest

from ppdb.engine import InputError, load_rules, parse_rules
from ppdb.engine.inputs import School
from ppdb.engine.seats import compute_seats
from tests.ppdb.engine.helpers import DEPOK_SMP, smp_rules


def codes(error):
    return [problem.code for problem in error.value.problems]


def make_school(capacity, **overrides):
    return School("20200001", "Sekolah", None, capacity, overrides, 2)


def test_depok_example_loads():
    rules = load_rules(DEPOK_SMP)

    assert rules.level == "SMP"
    assert sum(track.share for track in rules.tracks.values()) == 1
    assert rules.allocation_order()[-1] == "domisili"


def test_spillover_donors_come_before_receivers():
    order = load_rules(DEPOK_SMP).allocation_order()

    assert order.index("afirmasi_disabilitas") < order.index("afirmasi_ekonomi")
    assert order.index("prestasi_nonakademik") < order.index("prestasi_akademik")
    assert order.index("prestasi_akademik") < order.index("domisili")


def test_floor_rounding_gives_remainder_to_domisili():
    seats = compute_seats(load_rules(DEPOK_SMP), [make_school(32)])

    # 32 × 18% = 5.76, × 2% = 0.64, × 5% = 1.6, × 15% = 4.8.
    assert seats["20200001", "afirmasi_ekonomi"] == 5
    assert seats["20200001", "afirmasi_disabilitas"] == 0
    assert seats["20200001", "mutasi"] == 1
    assert seats["20200001", "prestasi_akademik"] == 4
    assert seats["20200001", "prestasi_nonakademik"] == 4
    assert seats["20200001", "domisili"] == 18


def test_half_up_rounding():
    text = DEPOK_SMP.read_text().replace('rounding = "floor"', 'rounding = "half_up"')
    seats = compute_seats(parse_rules(text), [make_school(32)])

    assert seats["20200001", "afirmasi_ekonomi"] == 6
    assert seats["20200001", "afirmasi_disabilitas"] == 1
    assert seats["20200001", "mutasi"] == 2
    assert seats["20200001", "prestasi_akademik"] == 5
    assert seats["20200001", "domisili"] == 13


def test_shares_are_exact_decimals():
    # As floats, 0.29 × 100 is 28.999999999999996 and would floor to 28.
    text = smp_rules(
        domisili_share="0.71",
        extra="""
        [tracks.mutasi]
        share = 0.29
        order = ["distance"]
        """,
    )
    seats = compute_seats(parse_rules(text), [make_school(100)])

    assert seats["20200001", "mutasi"] == 29


def test_override_leaves_rest_to_remainder():
    seats = compute_seats(load_rules(DEPOK_SMP), [make_school(32, mutasi=3)])

    assert seats["20200001", "mutasi"] == 3
    assert seats["20200001", "domisili"] == 16


def test_override_over_capacity_rejected():
    with pytest.raises(InputError) as error:
        compute_seats(load_rules(DEPOK_SMP), [make_school(32, mutasi=40)])

    assert codes(error) == ["seats_over_capacity"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (("choices = 3", "choices = 4"), "invalid_choices"),
        (
            ('mechanism = "deferred_acceptance"', 'mechanism = "lottery"'),
            "invalid_choice",
        ),
        (
            ('mechanism = "deferred_acceptance"', 'mechanism = "single"'),
            "single_needs_one_choice",
        ),
        (("share = 0.45", "share = 0.55"), "shares_over_one"),
        (("share = 0.45", "share = 1.5"), "invalid_share"),
        (('maximum = "15y"', 'maximum = "15 years"'), "invalid_age"),
        (('maximum = "15y"', 'maximun = "15y"'), "unknown_key"),
        (('timezone = "Asia/Jakarta"', 'timezone = "Asia/Depok"'), "unknown_timezone"),
        (("reference_date = 2025-07-01", 'reference_date = "1 Juli"'), "invalid_value"),
        (('to = "afirmasi_ekonomi"', 'to = "afirmasi_disabilitas"'), "invalid_route"),
        (
            (
                'order = ["score", "distance", "submitted_at"]',
                'order = ["score", "luck"]',
            ),
            "invalid_choice",
        ),
        (("date = 2024-07-01", ""), "missing_key"),
        (("[selection]", "[selection\n"), "invalid_toml"),
    ],
)
def test_invalid_rules_rejected(change, code):
    text = DEPOK_SMP.read_text().replace(*change, 1)

    with pytest.raises(InputError) as error:
        parse_rules(text, source="RULES.toml")

    assert code in codes(error)
    assert all(problem.source == "RULES.toml" for problem in error.value.problems)


def test_spillover_cycle_rejected():
    text = smp_rules(
        domisili_share="0.8",
        extra="""
        [tracks.mutasi]
        share = 0.2
        order = ["distance"]

        [[spillover]]
        from = "mutasi"
        to = "domisili"

        [[spillover]]
        from = "domisili"
        to = "mutasi"
        """,
    )

    with pytest.raises(InputError) as error:
        parse_rules(text)

    assert codes(error) == ["route_cycle"]


def test_age_band_order_needs_bands():
    text = smp_rules(domisili_order='["age_band", "distance"]')

    with pytest.raises(InputError) as error:
        parse_rules(text)

    assert codes(error) == ["age_bands_missing"]


def test_canonical_json_ignores_layout():
    text = DEPOK_SMP.read_text()
    reordered = "# comment\n" + text.replace("share = 0.45", "share = 0.450")

    assert parse_rules(text).canonical_json() == parse_rules(reordered).canonical_json()
