"""The public information of an admission period, readable without login."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from ppdb.models import PeriodSchool, SeatOverride
from ppdb.public_info import kelurahan_code, rule_sections
from tests.factories import make_school, make_user

from .factories import make_period
from .registration_factories import (
    make_kelurahan,
    make_registration_period,
    reference_date,
    rules_toml,
)

pytestmark = pytest.mark.django_db

# Depok's SMP shares at a capacity of 32 (see ppdb/RULES.md): afirmasi
# ekonomi floor(5.76) = 5, disabilitas floor(0.64) = 0, mutasi floor(1.6) =
# 1, each prestasi track floor(4.8) = 4, and domisili the remaining 18.
SEATS_32 = [18, 5, 0, 1, 4, 4]


def information_url(period):
    return reverse("ppdb:information", args=[period.pk])


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def test_anonymous_reads_information(client):
    period = make_registration_period(schools=2)

    response = client.get(information_url(period))

    assert response.status_code == 200
    content = response.content.decode()
    assert period.name in content
    for stage in period.stages.all():
        assert stage.display_name in content
    assert reverse("ppdb:register", args=[period.pk]) in content
    assert "<script" not in content
    assert "private" in response["Cache-Control"]


def test_seats_from_capacity(client):
    period = make_registration_period(schools=2, capacity=32)

    response = client.get(information_url(period))

    tables = response.context["tables"]
    assert tables["tracks"] == [
        "domisili",
        "afirmasi_ekonomi",
        "afirmasi_disabilitas",
        "mutasi",
        "prestasi_akademik",
        "prestasi_nonakademik",
    ]
    assert [row["seats"] for row in tables["rows"]] == [SEATS_32, SEATS_32]
    assert all(sum(row["seats"]) == 32 for row in tables["rows"])


def test_seat_override_applied_and_refreshed(client):
    period = make_registration_period(schools=1, capacity=32)
    entry = PeriodSchool.objects.get(period=period)
    client.get(information_url(period))  # fills the cache

    SeatOverride.objects.create(
        period_school=entry,
        track="mutasi",
        seats=3,
        reason="Dua guru dipindahkan ke sekolah ini.",
        set_by=make_user(),
    )
    response = client.get(information_url(period))

    row = response.context["tables"]["rows"][0]
    # mutasi 3 instead of 1; domisili takes what is left: 32 - 5 - 0 - 3 - 8.
    assert row["seats"] == [16, 5, 0, 3, 4, 4]
    assert row["overridden"] == [False, False, False, True, False, False]


def test_latest_override_wins(client):
    period = make_registration_period(schools=1, capacity=32)
    entry = PeriodSchool.objects.get(period=period)
    admin = make_user()
    for seats in (3, 2):
        SeatOverride.objects.create(
            period_school=entry, track="mutasi", seats=seats, reason="r", set_by=admin
        )

    response = client.get(information_url(period))

    assert response.context["tables"]["rows"][0]["seats"][3] == 2


def test_capacity_change_refreshes_cache(client):
    period = make_registration_period(schools=1, capacity=32)
    client.get(information_url(period))
    PeriodSchool.objects.filter(period=period).update(capacity=40)

    response = client.get(information_url(period))

    assert sum(response.context["tables"]["rows"][0]["seats"]) == 40


def test_overrides_over_capacity_shown(client):
    period = make_registration_period(schools=1, capacity=10)
    entry = PeriodSchool.objects.get(period=period)
    SeatOverride.objects.create(
        period_school=entry, track="mutasi", seats=30, reason="r", set_by=make_user()
    )

    response = client.get(information_url(period))

    assert response.status_code == 200
    problems = response.context["table_problems"]
    assert len(problems) == 1
    assert entry.school.npsn in problems[0]
    assert "melebihi daya tampungnya" in problems[0]
    assert response.context["tables"]["rows"][0]["seats"] == [None] * 6


def test_rules_in_plain_language(client):
    period = make_registration_period(schools=1)

    with translation.override("en"):
        sections = dict(rule_sections(period.rule_set))

    tracks = " ".join(sections["Tracks and seats"])
    assert "domicile (domisili): 45% of" in tracks
    assert "affirmation: low-income families: 18% of" in tracks
    assert "distance from home to the school (nearest first)" in tracks
    assert "rounded down" in tracks
    age = " ".join(sections["Age"])
    earliest = reference_date().replace(year=reference_date().year - 16)
    assert "15 years" in age
    assert f"{earliest.day + 1} July {earliest.year}" in age
    kk = " ".join(sections["Family card (KK)"])
    assert f"1 July {reference_date().year - 1}" in kk
    how = " ".join(sections["How schools choose"])
    assert "up to 3 schools" in how
    spill = sections["Unused seats"]
    assert len(spill) == 5


def test_rules_translated(client):
    period = make_registration_period(schools=1)

    response = client.get(information_url(period))

    content = response.content.decode()
    assert "Jalur dan daya tampung" in content
    assert "dari daya tampung setiap sekolah" in content


def test_catchment_by_kelurahan(client):
    make_kelurahan("32.76.01.1007", "Depok Jaya")
    school = make_school(npsn="20299901")
    extra = f"""
[catchment]
kind = "kelurahan"
tracks = ["domisili"]
[catchment.schools.{school.npsn}]
kelurahan = ["3276011007", "3276011001"]
"""
    text = rules_toml().replace('[catchment]\nkind = "none"\n', "") + extra
    period = make_registration_period(schools=0, rules=text)
    PeriodSchool.objects.create(period=period, school=school, capacity=32)

    response = client.get(information_url(period))

    rows = response.context["tables"]["catchment"]
    assert rows == [
        {
            "name": school.name,
            "npsn": school.npsn,
            "kelurahan": [
                ("32.76.01.1001", "Pancoran Mas"),
                ("32.76.01.1007", "Depok Jaya"),
            ],
        }
    ]
    assert "Depok Jaya" in response.content.decode()


def test_catchment_by_radius(client):
    text = rules_toml().replace(
        '[catchment]\nkind = "none"\n',
        '[catchment]\nkind = "radius"\ntracks = ["domisili"]\nradius_m = 3000\n',
    )
    period = make_registration_period(schools=1, rules=text)

    response = client.get(information_url(period))

    assert response.context["tables"]["catchment"][0]["radius_m"] == 3000


def test_documents_per_track_listed(client, settings):
    period = make_registration_period(schools=1)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(information_url(period))

    with translation.override("en"):
        labels = {str(label): groups for label, groups in response.context["documents"]}
        mutasi = [str(kind) for kind in labels["parent's transfer (mutasi)"][-1]]
    assert "teacher parent&#x27;s assignment letter" in response.content.decode()
    assert mutasi == [
        "parent's transfer letter",
        "teacher parent's assignment letter",
    ]


def test_period_without_rules(client):
    period = make_period()

    response = client.get(information_url(period))

    assert response.status_code == 200
    assert "rules" not in response.context
    assert "Aturan periode penerimaan ini belum diumumkan." in response.content.decode()


def test_unpublished_period_404(client):
    period = make_registration_period(is_published=False)

    assert client.get(information_url(period)).status_code == 404


def test_information_closed_period_has_no_register_link(client):
    period = make_registration_period(registration_open=False)

    response = client.get(information_url(period))

    assert response.status_code == 200
    assert reverse("ppdb:register", args=[period.pk]) not in response.content.decode()


def test_help_page_uses_settings(client, settings):
    settings.PPDB_HELP_DESK = {
        "name": "Dinas Pendidikan Kota Contoh",
        "phone": "(021) 555 0100",
        "whatsapp": "",
        "email": "ppdb@contoh.example",
        "address": "",
        "hours": "Senin-Jumat 08.00-16.00",
    }

    response = client.get(reverse("ppdb:help"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Dinas Pendidikan Kota Contoh" in content
    assert 'href="tel:(021)5550100"' in content
    assert "mailto:ppdb@contoh.example" in content
    assert "WhatsApp" not in content
    assert "Pertanyaan yang sering diajukan" in content


def test_kelurahan_code_format():
    assert kelurahan_code("3276011001") == "32.76.01.1001"
    assert kelurahan_code("32.76.01.1001") == "32.76.01.1001"
