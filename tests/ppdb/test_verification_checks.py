"""The fraud checks shown to the verifying operator, as plain functions."""

from datetime import date

from ppdb.engine import load_rules
from ppdb.engine.rules import FamilyCardRule
from ppdb.verification.checks import (
    check_family_card,
    check_pin,
    estimate_centre,
    home_distance_m,
    school_distances,
)
from tests.ppdb.engine.helpers import DEPOK_SMP, north_of

ORIGIN = (-6.4, 106.8)


def test_family_card_fixed_date():
    rule = load_rules(DEPOK_SMP).family_card

    on_time = check_family_card(rule, "domisili", date(2024, 7, 1))
    too_new = check_family_card(rule, "domisili", date(2024, 7, 2))

    assert on_time.status == "ok"
    assert not on_time.is_flagged
    assert too_new.status == "too_new"
    assert too_new.is_flagged
    assert too_new.latest_allowed == date(2024, 7, 1)


def test_family_card_years_before_opening():
    rule = FamilyCardRule(
        tracks=("domisili",),
        kind="years_before_opening",
        years=1,
        registration_opens_on=date(2025, 6, 2),
    )

    assert check_family_card(rule, "domisili", date(2024, 6, 2)).status == "ok"
    assert check_family_card(rule, "domisili", date(2024, 6, 3)).status == "too_new"
    assert check_family_card(rule, "domisili", None).status == "missing"


def test_family_card_other_track_not_required():
    rule = load_rules(DEPOK_SMP).family_card

    result = check_family_card(rule, "prestasi_akademik", date(2025, 5, 1))

    assert result.status == "not_required"
    assert not result.is_flagged


def test_pin_near_and_far_from_known_centre():
    near = check_pin(north_of(ORIGIN, 2999), known_centre=ORIGIN, limit_m=3000)
    far = check_pin(north_of(ORIGIN, 3001), known_centre=ORIGIN, limit_m=3000)

    assert near.status == "near"
    assert near.distance_m == 2999
    assert near.centre_source == "known"
    assert far.status == "far"
    assert far.is_flagged


def test_pin_falls_back_to_estimated_centre():
    result = check_pin(
        north_of(ORIGIN, 500), known_centre=None, estimated_centre=ORIGIN
    )

    assert result.status == "near"
    assert result.centre_source == "estimated"
    assert result.distance_m == 500


def test_pin_without_centre_is_plain_flag():
    result = check_pin(ORIGIN)

    assert result.status == "no_centre"
    assert result.distance_m is None
    assert result.is_flagged
    assert check_pin(None).status == "no_pin"


def test_estimated_centre_ignores_outlier():
    points = [north_of(ORIGIN, metres) for metres in (0, 10, 20, 30)]
    points.append((-7.9, 112.6))

    centre = estimate_centre(points)

    # The median of 0, 10, 20, 30 m north and a pin in another city.
    assert home_distance_m(centre, ORIGIN) == 10
    assert estimate_centre(points[:4]) is None


def test_distances_in_whole_metres():
    schools = {
        1: north_of(ORIGIN, 1200.3),
        2: north_of(ORIGIN, 1200.7),
        3: None,
        4: (None, 106.8),
    }

    distances = school_distances(ORIGIN, schools)

    assert distances == {1: 1200, 2: 1201}
