"""Selection runs on the database: start, execute, refuse, publish, reap, compare."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lms.models import AuditLog
from ppdb.engine import selection as engine_selection
from ppdb.models import Application, SelectionResult, SelectionRun
from ppdb.selection import exports
from ppdb.selection.cache import local_pointers
from ppdb.selection.compare import compare_runs
from ppdb.selection.guards import FinishedRunError
from ppdb.selection.ranking import recent_pages
from ppdb.selection.runs import (
    RunError,
    execute_run,
    publish_run,
    reap_stale_runs,
    start_run,
)
from ppdb.selection.snapshot import Snapshot
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


def build_city(phase="verification"):
    """
    Return a period with two schools of 10 seats and 24 applicants.

    School A is at the centre and school B 5 steps east. Domisili
    applicants live 1 to 18 steps north; odd ones choose B first.
    """
    period = make_selection_period(phase=phase)
    school_a = make_period_school(period, capacity=10, offset=0, name="SMP Negeri A")
    school_b = make_period_school(period, capacity=10, offset=5, name="SMP Negeri B")
    applications = []
    for north in range(1, 19):
        choices = [school_a, school_b] if north % 2 == 0 else [school_b, school_a]
        applications.append(make_application(period, choices, north=north))
    applications.append(
        make_application(
            period,
            [school_a],
            track="prestasi_akademik",
            score="88.50",
            north=30,
        )
    )
    applications.append(
        make_application(
            period, [school_a], track="prestasi_akademik", score="90.25", north=40
        )
    )
    applications.append(
        make_application(period, [school_b], track="afirmasi_ekonomi", north=3)
    )
    applications.append(
        make_application(
            period, [school_a], status=Application.Status.SUBMITTED, north=1, east=1
        )
    )
    applications.append(
        make_application(
            period, [school_a, school_b], birth_date=datetime.date(2009, 7, 1)
        )
    )
    applications.append(
        make_application(
            period, [school_a], status=Application.Status.WITHDRAWN, north=2
        )
    )
    return period, school_a, school_b, applications


def run_now(period, user=None, **options):
    run = start_run(period, user or make_city_admin(), execute=False, **options)
    return execute_run(run.pk)


def test_run_from_database_matches_simulate(tmp_path):
    period, *_ = build_city()

    run = run_now(period)

    assert run.status == SelectionRun.Status.SUCCEEDED
    snapshot = Snapshot.from_zip(run.snapshot.read())
    paths = snapshot.write_to(tmp_path)
    out, explain = tmp_path / "results.csv", tmp_path / "explain.csv"
    stdout = io.StringIO()
    call_command(
        "ppdb_simulate",
        "--rules",
        str(paths["rules.toml"]),
        "--schools",
        str(paths["schools.csv"]),
        "--applicants",
        str(paths["applicants.csv"]),
        "--out",
        str(out),
        "--explain",
        str(explain),
        stdout=stdout,
        verbosity=0,
    )
    stored_results, stored_explanation = io.StringIO(), io.StringIO()
    exports.write_engine_results(run, stored_results)
    exports.write_engine_explanation(run, stored_explanation)
    assert stored_results.getvalue().encode("utf-8") == out.read_bytes()
    assert stored_explanation.getvalue().encode("utf-8") == explain.read_bytes()
    assert run.input_hash in stdout.getvalue()


def test_snapshot_leaves_out_withdrawn_and_marks_unverified():
    period, _a, _b, applications = build_city()

    run = run_now(period)

    snapshot = Snapshot.from_zip(run.snapshot.read())
    withdrawn, unverified = applications[-1], applications[-3]
    assert withdrawn.registration_number not in snapshot.applicants_csv
    line = next(
        line
        for line in snapshot.applicants_csv.splitlines()
        if line.startswith(unverified.registration_number)
    )
    assert line.split(",")[14] == "false"
    result = SelectionResult.objects.get(run=run, application=unverified)
    assert result.status == "ineligible"
    assert result.reason == "not_verified"
    assert SelectionResult.objects.filter(run=run).count() == len(applications) - 1


def test_run_records_who_when_and_input_hash():
    period, *_ = build_city()
    admin = make_city_admin()

    run = run_now(period, admin)

    assert run.started_by == admin
    assert run.started_at is not None
    assert run.finished_at >= run.started_at
    assert len(run.input_hash) == 64
    assert run.rules_toml == period.rules_toml
    assert run.lease_expires_at is None
    assert run.summary["applicants"] == 23
    assert AuditLog.objects.filter(
        action="ppdb.selection_run_started", actor=admin, object_id=str(run.pk)
    ).exists()


def test_same_input_gives_same_hash():
    period, *_ = build_city()

    first = run_now(period)
    second = run_now(period)

    assert second.number == first.number + 1
    assert second.input_hash == first.input_hash


def test_task_runs_after_commit(django_capture_on_commit_callbacks):
    period, *_ = build_city()

    with django_capture_on_commit_callbacks(execute=True):
        run = start_run(period, make_city_admin())

    run.refresh_from_db()
    assert run.status == SelectionRun.Status.SUCCEEDED
    assert SelectionResult.objects.filter(run=run).count() == 23


def test_finished_run_is_immutable():
    period, *_ = build_city()
    run = run_now(period)
    result = SelectionResult.objects.filter(run=run).first()
    count = SelectionResult.objects.filter(run=run).count()

    result.rank = 99
    # Each attempt in its own savepoint: a delete that raises leaves the
    # surrounding transaction unusable.
    with pytest.raises(FinishedRunError), transaction.atomic():
        result.save()
    with pytest.raises(FinishedRunError), transaction.atomic():
        result.delete()
    run.input_hash = "0" * 64
    with pytest.raises(FinishedRunError), transaction.atomic():
        run.save()
    run.refresh_from_db()
    with pytest.raises(FinishedRunError), transaction.atomic():
        run.delete()

    again = execute_run(run.pk)

    assert again.status == SelectionRun.Status.SUCCEEDED
    assert SelectionResult.objects.filter(run=run).count() == count


def test_broken_invariant_refuses_run(monkeypatch):
    period, *_ = build_city(phase="announcement")
    original = engine_selection._defer_acceptance

    def accept_then_drop_seats(outcome, applicant_indexes):
        # Take away the seats of every program that accepted someone, so
        # each of them has more applicants than seats.
        original(outcome, applicant_indexes)
        for program, accepted in enumerate(outcome.accepted_count):
            if accepted:
                outcome.seats[program] = 0

    monkeypatch.setattr(engine_selection, "_defer_acceptance", accept_then_drop_seats)

    run = run_now(period, dry_run=False)

    assert run.status == SelectionRun.Status.REFUSED
    assert run.summary["error"]["code"] == "over_seats"
    assert run.summary["error"]["params"]["seats"] == "0"
    assert run.summary["error"]["params"]["npsn"] in run.error
    assert not SelectionResult.objects.filter(run=run).exists()
    with pytest.raises(RunError) as raised:
        publish_run(run, make_city_admin())
    assert raised.value.code == "not_succeeded"


def test_run_outside_its_stage_is_rejected():
    period, *_ = build_city(phase="registration")

    with pytest.raises(RunError) as raised:
        start_run(period, make_city_admin())

    assert raised.value.code == "outside_stage"
    assert not SelectionRun.objects.exists()


def test_main_run_after_re_registration_opens_is_rejected():
    period, *_ = build_city(phase="re_registration")

    with pytest.raises(RunError) as raised:
        start_run(period, make_city_admin())

    assert raised.value.code == "outside_stage"


def test_run_without_rules_is_rejected():
    period, *_ = build_city()
    period.rules_toml = ""
    period.save()

    with pytest.raises(RunError) as raised:
        start_run(period, make_city_admin())

    assert raised.value.code == "no_rules"
    assert not SelectionRun.objects.exists()


def test_second_run_while_one_runs_is_rejected():
    period, *_ = build_city()
    admin = make_city_admin()
    start_run(period, admin, execute=False)

    with pytest.raises(RunError) as raised:
        start_run(period, admin, execute=False)

    assert raised.value.code == "already_running"
    assert SelectionRun.objects.count() == 1


def test_only_city_admin_starts_runs():
    period, school_a, *_ = build_city()

    for user in (make_user(), make_operator(school_a.school)):
        with pytest.raises(PermissionDenied):
            start_run(period, user)

    assert not SelectionRun.objects.exists()


def test_publish_marks_one_run_official():
    period, *_ = build_city(phase="announcement")
    admin = make_city_admin()
    first = run_now(period, admin, dry_run=False)
    second = run_now(period, admin, dry_run=False)

    publish_run(first, admin)
    publish_run(second, admin)

    first.refresh_from_db()
    second.refresh_from_db()
    assert not first.is_official
    assert second.is_official
    assert second.published_by == admin
    assert second.published_at is not None
    assert AuditLog.objects.filter(action="ppdb.selection_run_published").count() == 2


def test_publish_rejections():
    period, school_a, *_ = build_city(phase="announcement")
    admin = make_city_admin()
    dry = run_now(period, admin)
    candidate = run_now(period, admin, dry_run=False)

    with pytest.raises(RunError) as raised:
        publish_run(dry, admin)
    assert raised.value.code == "dry_run"
    for user in (make_user(), make_operator(school_a.school)):
        with pytest.raises(PermissionDenied):
            publish_run(candidate, user)
    publish_run(candidate, admin)
    with pytest.raises(RunError) as raised:
        publish_run(candidate, admin)
    assert raised.value.code == "already_published"
    assert SelectionRun.objects.filter(is_official=True).count() == 1


def test_publish_before_announcement_is_rejected():
    period, *_ = build_city(phase="verification")
    admin = make_city_admin()
    run = run_now(period, admin, dry_run=False)

    with pytest.raises(RunError) as raised:
        publish_run(run, admin)

    assert raised.value.code == "before_announcement"
    run.refresh_from_db()
    assert not run.is_official


def test_publish_view_permissions(client):
    period, school_a, *_ = build_city(phase="announcement")
    run = run_now(period, dry_run=False)
    url = reverse("ppdb:run_publish", args=(run.pk,))

    client.force_login(make_operator(school_a.school))
    assert client.post(url).status_code == 403
    client.force_login(make_user())
    assert client.post(url).status_code == 403
    client.force_login(make_city_admin())
    assert client.get(url).status_code == 405
    response = client.post(url)

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.is_official


def test_runs_page_starts_a_run(client, django_capture_on_commit_callbacks):
    period, *_ = build_city()
    client.force_login(make_city_admin())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ppdb:runs", args=(period.pk,)),
            {"kind": "dry", "round": "main"},
        )

    run = SelectionRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ppdb:run_detail", args=(run.pk,))
    assert run.status == SelectionRun.Status.SUCCEEDED
    page = client.get(reverse("ppdb:run_detail", args=(run.pk,)))
    assert page.status_code == 200
    assert "SMP Negeri A" in page.content.decode()


def test_runs_page_shows_stage_error(client):
    period, *_ = build_city(phase="registration")
    client.force_login(make_city_admin())

    response = client.post(
        reverse("ppdb:runs", args=(period.pk,)), {"kind": "dry"}, follow=True
    )

    assert response.status_code == 200
    assert not SelectionRun.objects.exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_reaper_fails_run_with_expired_lease():
    period, *_ = build_city()
    run = start_run(period, make_city_admin(), execute=False)
    later = timezone.now() + datetime.timedelta(hours=1)

    assert reap_stale_runs(now=timezone.now()) == []
    assert reap_stale_runs(now=later) == [run.pk]

    run.refresh_from_db()
    assert run.status == SelectionRun.Status.FAILED
    assert run.summary["error"]["code"] == "worker_lost"
    assert execute_run(run.pk).status == SelectionRun.Status.FAILED
    assert not SelectionResult.objects.filter(run=run).exists()


def test_worker_that_lost_its_lease_stores_nothing(monkeypatch):
    period, *_ = build_city()
    run = start_run(period, make_city_admin(), execute=False)
    original = engine_selection._defer_acceptance

    def reaped_meanwhile(outcome, applicant_indexes):
        reap_stale_runs(now=timezone.now() + datetime.timedelta(hours=1))
        original(outcome, applicant_indexes)

    monkeypatch.setattr(engine_selection, "_defer_acceptance", reaped_meanwhile)

    run = execute_run(run.pk)

    assert run.status == SelectionRun.Status.FAILED
    assert not SelectionResult.objects.filter(run=run).exists()


def test_dry_run_comparison_names_moves_and_causes(client):
    period, school_a, school_b, applications = build_city()
    admin = make_city_admin()
    first = run_now(period, admin)
    late = applications[-3]
    late.status = Application.Status.VERIFIED
    late.save()

    second = run_now(period, admin)
    comparison = compare_runs(second)

    assert comparison.previous == first
    moved_in = {move.registration_number: move for move in comparison.moved_in}
    assert late.registration_number in moved_in
    assert moved_in[late.registration_number].causes == [
        ("input_changed", ["verified"])
    ]
    assert len(comparison.moved_out) >= 1
    displaced = comparison.moved_out[0]
    assert displaced.npsn == school_a.school.npsn
    assert ("cutoff_moved", []) in displaced.causes

    client.force_login(admin)
    response = client.get(reverse("ppdb:run_compare", args=(second.pk,)))
    content = response.content.decode()
    assert response.status_code == 200
    assert late.registration_number in content
    assert late.full_name in content
    assert AuditLog.objects.filter(action="ppdb.selection_runs_compared").exists()


def test_comparison_without_previous_run():
    period, *_ = build_city()

    assert compare_runs(run_now(period)) is None


def test_compare_page_is_for_city_admin(client):
    period, school_a, *_ = build_city()
    run = run_now(period)
    url = reverse("ppdb:run_compare", args=(run.pk,))

    client.force_login(make_operator(school_a.school))
    assert client.get(url).status_code == 403
    client.force_login(make_city_admin())
    assert client.get(url, {"previous": "x"}).status_code == 404
    assert client.get(url).status_code == 200


def test_ppdb_run_command_prints_summary():
    period, *_ = build_city()
    stdout = io.StringIO()

    call_command("ppdb_run", "--period", str(period.pk), stdout=stdout, verbosity=0)

    run = SelectionRun.objects.get()
    assert run.status == SelectionRun.Status.SUCCEEDED
    assert run.is_dry_run
    assert run.started_by is None
    assert run.input_hash in stdout.getvalue()


def test_ppdb_run_command_publishes_in_announcement():
    period, *_ = build_city(phase="announcement")

    call_command(
        "ppdb_run", "--period", str(period.pk), "--publish", stdout=io.StringIO()
    )

    run = SelectionRun.objects.get()
    assert run.is_official
    assert not run.is_dry_run


def test_ppdb_run_command_errors():
    period, *_ = build_city(phase="verification")

    with pytest.raises(CommandError):
        call_command("ppdb_run", "--period", "999999", stdout=io.StringIO())
    with pytest.raises(CommandError, match="pengumuman"):
        call_command(
            "ppdb_run", "--period", str(period.pk), "--publish", stdout=io.StringIO()
        )
    assert not SelectionRun.objects.filter(is_official=True).exists()


def test_fill_round_offers_unclaimed_seats():
    period, school_a, school_b, _ = build_city(phase="announcement")
    admin = make_city_admin()
    main = run_now(period, admin, dry_run=False)
    publish_run(main, admin)
    accepted = SelectionResult.objects.filter(
        run=main, status="accepted", track="domisili", period_school=school_a
    )
    claimed = accepted.first().application
    claimed.re_registered_at = timezone.now()
    claimed.re_registered_school = school_a
    claimed.save()
    fill_stage = period.stage("fill_round")
    now = fill_stage.opens_at + datetime.timedelta(minutes=1)

    run = start_run(period, admin, round="fill", now=now, execute=False)
    run = execute_run(run.pk)

    assert run.status == SelectionRun.Status.SUCCEEDED
    main_seats = {
        (program["npsn"], program["track"]): program["seats"]
        for program in main.summary["programs"]
    }
    fill_seats = {
        (program["npsn"], program["track"]): program["initial_seats"]
        for program in run.summary["programs"]
    }
    key_a, key_b = (
        (school_a.school.npsn, "domisili"),
        (school_b.school.npsn, "domisili"),
    )
    assert fill_seats[key_a] == main_seats[key_a] - 1
    assert fill_seats[key_b] == main_seats[key_b]
    taking_part = SelectionResult.objects.filter(run=run).values_list(
        "application_id", flat=True
    )
    assert claimed.pk not in set(taking_part)
    assert not set(accepted.values_list("application_id", flat=True)) & set(taking_part)


def test_reap_command_marks_stale_runs():
    period, *_ = build_city()
    run = start_run(period, make_city_admin(), execute=False)
    SelectionRun.objects.filter(pk=run.pk).update(
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    stdout = io.StringIO()

    call_command("ppdb_reap_runs", stdout=stdout)

    run.refresh_from_db()
    assert run.status == SelectionRun.Status.FAILED
    assert stdout.getvalue().startswith("1 ")


def test_fill_round_needs_official_main_run():
    period, *_ = build_city(phase="fill_round")

    with pytest.raises(RunError) as raised:
        start_run(period, make_city_admin(), round="fill")

    assert raised.value.code == "no_official_main_run"
    assert not SelectionRun.objects.exists()


def test_unknown_round_is_rejected(client):
    period, *_ = build_city()
    client.force_login(make_city_admin())

    response = client.post(
        reverse("ppdb:runs", args=(period.pk,)),
        {"kind": "dry", "round": "extra"},
        follow=True,
    )

    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not SelectionRun.objects.exists()
