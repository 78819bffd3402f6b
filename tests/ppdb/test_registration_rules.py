"""The registration rules that need no database: boundary, identity, age, KK."""

import datetime
import io

import pytest

from ppdb.engine import parse_rules
from ppdb.registration import boundary, checks, documents
from tests.ppdb.registration_factories import JPEG, PDF, PNG

SQUARE = boundary.parse_polygon([(0, 0), (0, 1), (1, 1), (1, 0)])
# A concave "C": the notch between latitudes 0.3 and 0.7 east of longitude
# 0.3 is outside.
C_SHAPE = boundary.parse_polygon(
    [(0, 0), (0, 1), (0.3, 1), (0.3, 0.3), (0.7, 0.3), (0.7, 1), (1, 1), (1, 0)]
)

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
[family_card]
tracks = ["domisili"]
rule = "years_before_opening"
years = 1
registration_opens_on = 2025-06-02
"""

SMP_RULES = """
name = "SMP test"
level = "SMP"
reference_date = 2025-07-01
timezone = "Asia/Jakarta"
[selection]
mechanism = "deferred_acceptance"
choices = 3
[seats]
remainder = "domisili"
[tracks.domisili]
share = 0.5
order = ["distance", "birth_date", "submitted_at"]
[tracks.prestasi_akademik]
share = 0.5
order = ["score", "distance", "submitted_at"]
[age]
maximum = "15y"
[family_card]
tracks = ["domisili"]
rule = "issued_on_or_before"
date = 2024-07-01
"""


@pytest.mark.parametrize(
    ("latitude", "longitude", "inside"),
    [
        (0.5, 0.5, True),
        (0.5, 1.5, False),
        (-0.1, 0.5, False),
        (0, 0.5, True),  # on an edge
        (1, 1, True),  # on a vertex
        (0.5, 0.1, True),
    ],
)
def test_square_contains(latitude, longitude, inside):
    assert boundary.contains(SQUARE, latitude, longitude) is inside


@pytest.mark.parametrize(
    ("latitude", "longitude", "inside"),
    [
        (0.5, 0.5, False),  # in the notch
        (0.5, 0.2, True),  # in the back of the C
        (0.15, 0.9, True),  # lower arm
        (0.85, 0.9, True),  # upper arm
        (0.3, 0.5, True),  # on the notch's edge
    ],
)
def test_concave_contains(latitude, longitude, inside):
    assert boundary.contains(C_SHAPE, latitude, longitude) is inside


def test_ray_through_vertex_counts_once():
    diamond = boundary.parse_polygon([(0, 1), (1, 2), (2, 1), (1, 0)])
    # The ray east from (1, 0.5) passes exactly through the vertex (1, 2).
    assert boundary.contains(diamond, 1, 0.5)
    assert not boundary.contains(diamond, 1, 2.5)


@pytest.mark.parametrize(
    "vertices",
    [
        [(0, 0), (1, 1)],
        [(0, 0), (1, 1), ("a", 2)],
        [(0, 0), (1, 1), (91, 0)],
        [(0, 0), (1, 1), (0, float("nan"))],
        [(0, 0), (1, 1), (1,)],
    ],
)
def test_parse_polygon_rejects(vertices):
    with pytest.raises(ValueError):
        boundary.parse_polygon(vertices)


def test_default_boundary_contains_depok(settings):
    polygon = boundary.parse_polygon(settings.CITY_BOUNDARY)
    assert boundary.contains(polygon, -6.4025, 106.8189)  # Pancoran Mas
    assert boundary.contains(polygon, -6.398, 106.738)  # Bojongsari
    assert not boundary.contains(polygon, -6.175, 106.827)  # central Jakarta
    assert not boundary.contains(polygon, -6.595, 106.806)  # Bogor


# Identity


def test_identity_flags_match():
    nik = "3276014505120003"  # 5 May 2012 + 40: a girl
    assert checks.identity_flags(nik, datetime.date(2012, 5, 5), "P") == []


def test_identity_flags_birth_date_mismatch():
    nik = "3276014505120003"
    flags = checks.identity_flags(nik, datetime.date(2012, 5, 6), "P")
    assert flags == [checks.NIK_BIRTH_DATE_MISMATCH]


def test_identity_flags_sex_mismatch():
    nik = "3276010505120003"  # a boy's NIK
    flags = checks.identity_flags(nik, datetime.date(2012, 5, 5), "P")
    assert flags == [checks.NIK_SEX_MISMATCH]


def test_identity_flags_ignore_invalid_nik():
    assert checks.identity_flags("32760199", datetime.date(2012, 5, 5), "L") == []


# Age and family card, through the engine's eligibility


def smp():
    return checks.Rules(parse_rules(SMP_RULES))


def sd():
    return checks.Rules(parse_rules(SD_RULES))


def candidate(track="domisili", born=(2012, 5, 5), kk=(2020, 1, 1), **fields):
    return checks.Candidate(
        track=track,
        birth_date=datetime.date(*born),
        kk_issued_on=datetime.date(*kk) if kk else None,
        **fields,
    )


def test_smp_fifteen_years_eligible():
    assert smp().ineligibility(candidate(born=(2010, 7, 1))) is None


def test_smp_sixteen_too_old():
    problem = smp().ineligibility(candidate(born=(2009, 7, 1)))
    assert problem.code == "too_old"
    assert problem.field == "birth_date"
    assert problem.params["earliest_birth_date"] == datetime.date(2009, 7, 2)
    assert str(problem.params["maximum"]) == "15y"


def test_kk_fixed_date_rule():
    assert smp().ineligibility(candidate(kk=(2024, 7, 1))) is None
    problem = smp().ineligibility(candidate(kk=(2024, 7, 2)))
    assert problem.code == "kk_too_new"
    assert problem.field == "kk_issued_on"
    assert problem.params["latest_issue_date"] == datetime.date(2024, 7, 1)


def test_kk_rule_only_for_its_tracks():
    late_kk = candidate(track="prestasi_akademik", kk=(2025, 6, 1), score=90)
    assert smp().ineligibility(late_kk) is None


def test_kk_years_before_opening():
    assert sd().ineligibility(candidate(born=(2018, 1, 1), kk=(2024, 6, 2))) is None
    problem = sd().ineligibility(candidate(born=(2018, 1, 1), kk=(2024, 6, 3)))
    assert problem.code == "kk_too_new"


def test_score_missing_for_score_track():
    problem = smp().ineligibility(candidate(track="prestasi_akademik"))
    assert problem.code == "score_missing"
    assert problem.field == "score"


def test_track_not_offered():
    problem = smp().ineligibility(candidate(track="mutasi"))
    assert problem.code == "track_not_offered"


def test_sd_age_limits():
    rules = sd()
    assert rules.ineligibility(candidate(born=(2019, 7, 1))) is None
    young = rules.ineligibility(candidate(born=(2019, 7, 2)))
    assert young.code == "recommendation_missing"
    assert young.field == "has_recommendation"
    assert young.params["latest_birth_date"] == datetime.date(2019, 7, 1)
    with_letter = candidate(born=(2019, 7, 2), recommendation=True)
    assert rules.ineligibility(with_letter) is None
    too_young = rules.ineligibility(candidate(born=(2020, 1, 2), recommendation=True))
    assert too_young.code == "too_young"
    assert too_young.params["latest_birth_date"] == datetime.date(2020, 1, 1)


def test_needs_recommendation():
    rules = sd()
    assert rules.needs_recommendation("domisili", datetime.date(2019, 12, 1))
    assert not rules.needs_recommendation("domisili", datetime.date(2019, 7, 1))
    assert not rules.needs_recommendation("domisili", datetime.date(2020, 6, 1))


# Documents


def test_requirements_per_track():
    assert documents.missing_groups("domisili", {"kk", "birth_certificate"}) == []
    missing = documents.missing_groups("afirmasi_ekonomi", {"kk", "birth_certificate"})
    assert missing == [documents.ECONOMIC_PROOF]
    assert (
        documents.missing_groups("afirmasi_ekonomi", {"kk", "birth_certificate", "pkh"})
        == []
    )
    assert documents.missing_groups("mutasi", {"kk"}) == [
        ("birth_certificate",),
        ("transfer_letter", "assignment_letter"),
    ]


def test_recommendation_letter_required_when_young():
    present = {"kk", "birth_certificate"}
    missing = documents.missing_groups("domisili", present, needs_recommendation=True)
    assert missing == [("recommendation_letter",)]


def test_accepted_kinds():
    assert "certificate" in documents.accepted_kinds("prestasi_akademik")
    assert "kip" not in documents.accepted_kinds("domisili")
    assert "recommendation_letter" not in documents.accepted_kinds("domisili")
    assert "recommendation_letter" in documents.accepted_kinds("domisili", True)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("kk.pdf", PDF, ("application/pdf", None)),
        ("KK.PDF", PDF, ("application/pdf", None)),
        ("akta.jpeg", JPEG, ("image/jpeg", None)),
        ("akta.png", PNG, ("image/png", None)),
        (
            "kk.pdf",
            b"<html><script>alert(1)</script></html>",
            (None, "document_content"),
        ),
        ("kk.pdf", b"MZ\x90\x00\x03" + b"\x00" * 20, (None, "document_content")),
        ("kk.pdf", PNG, (None, "document_mismatch")),
        ("kk.exe", PDF, (None, "document_extension")),
        ("kk", PDF, (None, "document_extension")),
    ],
)
def test_check_content(name, content, expected):
    fileobj = io.BytesIO(content)
    fileobj.seek(3)
    assert documents.check_content(name, fileobj) == expected
    assert fileobj.tell() == 3
