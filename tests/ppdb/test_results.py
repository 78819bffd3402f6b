"""A parent's result with its reasons, and the public ranking lists."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from ppdb.models import Application, SelectionChoiceResult, SelectionResult
from ppdb.selection import ranking
from ppdb.selection.cache import local_pointers
from ppdb.selection.explanations import describe_cutoff, explain
from ppdb.selection.names import public_name
from ppdb.selection.ranking import recent_pages
from ppdb.selection.runs import execute_run, publish_run, start_run
from tests.factories import make_operator, make_user

from .selection_world import (
    make_application,
    make_city_admin,
    make_period_school,
    make_selection_period,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    # Run ids can repeat across tests that roll back, so no cached page
    # may outlive its test.
    cache.clear()
    recent_pages.clear()
    local_pointers.clear()
    yield
    cache.clear()
    recent_pages.clear()
    local_pointers.clear()


def run_now(period, dry_run=False):
    run = start_run(period, make_city_admin(), dry_run=dry_run, execute=False)
    return execute_run(run.pk)


def explanation_of(run, application):
    result = SelectionResult.objects.select_related("period_school__school").get(
        run=run, application=application
    )
    choices = SelectionChoiceResult.objects.filter(
        run=run, application=application
    ).select_related("period_school__school")
    return explain(result, list(choices))


@pytest.fixture
def worked_case():
    """
    One SMP domisili seat, two children at the same distance.

    A is born 2012-03-01 and B 2012-07-15, so A is accepted on age.
    """
    period = make_selection_period(phase="announcement")
    school = make_period_school(period, capacity=1, name="SMP Negeri Satu")
    older = make_application(
        period,
        [school],
        north=5,
        birth_date=datetime.date(2012, 3, 1),
        full_name="Ahmad Fauzi Rahman",
    )
    younger = make_application(
        period,
        [school],
        north=5,
        birth_date=datetime.date(2012, 7, 15),
        full_name="Budi Santoso",
    )
    too_old = make_application(
        period, [school], north=2, birth_date=datetime.date(2009, 7, 1)
    )
    unverified = make_application(
        period, [school], north=1, status=Application.Status.SUBMITTED
    )
    return period, school, older, younger, too_old, unverified


def test_accepted_explanation_names_choice_school_and_track(worked_case):
    period, school, older, *_ = worked_case
    run = run_now(period)

    with translation.override("en"):
        explanation = explanation_of(run, older)

    assert explanation.status == "accepted"
    assert "choice 1" in explanation.reason
    assert "SMP Negeri Satu" in explanation.reason
    assert "domicile" in explanation.reason
    assert explanation.choices[0].outcome == "accepted"


def test_not_accepted_explanation_gives_rank_cutoff_and_key(worked_case):
    period, _school, _older, younger, *_ = worked_case
    run = run_now(period)

    with translation.override("en"):
        explanation = explanation_of(run, younger)

    assert explanation.status == "not_accepted"
    choice = explanation.choices[0]
    assert choice.rank == 2
    assert choice.outcome == "below_cutoff_birth_date"
    assert "older" in choice.deciding
    labels = dict(choice.cutoff)
    assert labels["date of birth"] == "March 1, 2012"
    assert labels["distance"].endswith(" m")
    assert "registration number" not in labels


def test_ineligible_explanations_give_the_reason(worked_case):
    period, _school, _older, _younger, too_old, unverified = worked_case
    run = run_now(period)

    with translation.override("en"):
        old = explanation_of(run, too_old)
        not_verified = explanation_of(run, unverified)

    assert old.status == "ineligible"
    assert "older than the maximum age" in old.reason
    assert old.choices[0].cutoff is None
    assert not_verified.status == "ineligible"
    assert "not verified" in not_verified.reason


def test_explanations_are_translated(worked_case):
    period, _school, _older, _younger, too_old, _ = worked_case
    run = run_now(period)

    with translation.override("id"):
        explanation = explanation_of(run, too_old)

    assert explanation.headline == "Tidak memenuhi syarat"
    assert "usia" in explanation.reason


def test_cutoff_description_formats_each_key():
    with translation.override("en"):
        pairs = describe_cutoff(
            "score=88.50;distance=1200;submitted_at=2025-06-02T08:00:05+07:00;"
            "registration_number=SMP-2025-000001"
        )

    assert pairs[0] == ("score", "88.50")
    assert pairs[1] == ("distance", "1,200 m")
    assert pairs[2][0] == "registered at"
    assert pairs[2][1].endswith(":05")
    assert len(pairs) == 3


def test_parent_sees_own_result_page(client, worked_case):
    period, _school, older, *_ = worked_case
    run = run_now(period)
    publish_run(run, make_city_admin())
    client.force_login(older.parent)

    response = client.get(reverse("ppdb:result", args=(older.pk,)))

    content = response.content.decode()
    assert response.status_code == 200
    assert "SMP Negeri Satu" in content
    assert older.registration_number in content
    assert "official" in content.lower() or "resmi" in content.lower()


def test_parent_cannot_open_another_familys_result(client, worked_case):
    period, _school, older, younger, *_ = worked_case
    run_now(period)
    url = reverse("ppdb:result", args=(older.pk,))

    client.force_login(younger.parent)
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_result_page_before_any_run(client, worked_case):
    _period, _school, older, *_ = worked_case
    client.force_login(older.parent)

    response = client.get(reverse("ppdb:result", args=(older.pk,)))

    assert response.status_code == 200
    assert response.context["sections"] == []


def test_dry_run_results_stay_hidden(client, worked_case):
    period, school, older, *_ = worked_case
    run_now(period, dry_run=True)
    client.force_login(older.parent)

    result_page = client.get(reverse("ppdb:result", args=(older.pk,)))
    ranking_page = client.get(reverse("ppdb:ranking", args=(period.pk,)))

    assert result_page.context["sections"] == []
    assert ranking_page.status_code == 404


@pytest.mark.parametrize(
    ("name_format", "expected"),
    [
        ("full", "Ahmad Fauzi Rahman"),
        ("first_name_initials", "Ahmad F. R."),
        ("initials", "A. F. R."),
    ],
)
def test_public_name_formats(name_format, expected):
    assert public_name("  Ahmad  Fauzi Rahman ", name_format) == expected


def test_public_name_rejects_unknown_format():
    with pytest.raises(ValueError, match="unknown public name format"):
        public_name("Ahmad", "whole")


def test_public_name_skips_punctuation():
    assert public_name("Siti 'Aisyah", "first_name_initials") == "Siti A."
    assert public_name("", "initials") == ""


def test_ranking_page_masks_names_and_hides_identifiers(client, worked_case):
    period, school, older, younger, *_ = worked_case
    run = run_now(period)
    url = reverse(
        "ppdb:ranking_program", args=(period.pk, school.school.npsn, "domisili")
    )

    response = client.get(url)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Ahmad F. R." in content
    assert "Ahmad Fauzi Rahman" not in content
    assert "Budi S." in content
    for application in (older, younger):
        assert application.registration_number in content
        assert application.nik not in content
        assert application.kk_number not in content
        assert application.address not in content
        assert str(application.latitude) not in content
    assert ranking.CSRF_PLACEHOLDER not in content
    assert 'name="csrfmiddlewaretoken"' in content
    assert "provisional" in content.lower() or "sementara" in content.lower()
    assert run.is_official is False


def test_ranking_shows_official_label_after_publishing(client, worked_case):
    period, school, *_ = worked_case
    run = run_now(period)
    url = reverse("ppdb:ranking", args=(period.pk,))
    client.get(url)

    publish_run(run, make_city_admin())
    response = client.get(url, HTTP_COOKIE="django_language=en")

    content = response.content.decode()
    assert "Official result." in content
    assert "SMP Negeri Satu" in content


def test_ranking_page_is_rendered_once_per_run(client, worked_case, monkeypatch):
    period, school, *_ = worked_case
    run_now(period)
    url = reverse(
        "ppdb:ranking_program", args=(period.pk, school.school.npsn, "domisili")
    )
    client.get(url)
    renders = []
    monkeypatch.setattr(
        ranking, "render_pages", lambda *args: renders.append(args) or {}
    )

    for _ in range(3):
        assert client.get(url).status_code == 200

    assert renders == []


def test_ranking_page_for_unknown_program_is_404(client, worked_case):
    period, school, *_ = worked_case
    run_now(period)

    for npsn, track in ((school.school.npsn, "zonasi"), ("99999999", "domisili")):
        url = reverse("ppdb:ranking_program", args=(period.pk, npsn, track))
        assert client.get(url).status_code == 404


def test_ranking_of_unpublished_period_is_404(client, worked_case):
    period, *_ = worked_case
    run_now(period)
    period.is_published = False
    period.save()

    assert client.get(reverse("ppdb:ranking", args=(period.pk,))).status_code == 404


def test_ranking_index_lists_programs(client, worked_case):
    period, school, *_ = worked_case
    run_now(period)

    response = client.get(reverse("ppdb:ranking", args=(period.pk,)))

    content = response.content.decode()
    assert response.status_code == 200
    assert (
        reverse(
            "ppdb:ranking_program", args=(period.pk, school.school.npsn, "domisili")
        )
        in content
    )


def test_staff_pages_refuse_parents_and_operators(client, worked_case):
    period, school, older, *_ = worked_case
    run = run_now(period)
    urls = [
        reverse("ppdb:runs", args=(period.pk,)),
        reverse("ppdb:run_detail", args=(run.pk,)),
        reverse("ppdb:reports", args=(period.pk,)),
        reverse("ppdb:run_export", args=(run.pk, "internal", "csv")),
    ]
    for user in (older.parent, make_operator(school.school), make_user()):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, url
